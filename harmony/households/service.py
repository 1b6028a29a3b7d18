"""Households: the minimum the work needs, in grids, moving without losing history."""
import logging

from sqlalchemy import or_, select

from harmony.access import require_grid, require_role
from harmony.clock import now
from harmony.errors import Invalid, NotFound
from harmony.extensions import db
from harmony.households.models import CARE_TAGS, Household, HouseholdMove
from harmony.households.visit_days import follow_household
from harmony.places.models import Place
from harmony.versioning import allocate_seq

log = logging.getLogger(__name__)
EDITOR_ROLES = ("admin", "promoter", "grid_head", "village_cadre")
EDITABLE_FIELDS = ("address", "head_name", "phone", "member_count", "care_tags", "unit_id", "active")


def _check_fields(fields, grid_id):
    tags = fields.get("care_tags")
    if tags is not None:
        unknown = [t for t in tags if t not in CARE_TAGS]
        if unknown:
            raise Invalid("Unknown care tag.", fields={"care_tags": [f"Unknown: {', '.join(unknown)}."]})
    unit_id = fields.get("unit_id")
    if unit_id is not None:
        unit = db.session.get(Place, unit_id)
        if unit is None or unit.kind != "unit" or unit.parent_id != grid_id:
            raise Invalid("Unit is not in this grid.", fields={"unit_id": ["Must be a unit of the household's grid."]})


def create_household(scope, grid_id, fields, household_id=None):
    require_role(scope, *EDITOR_ROLES)
    grid = db.session.get(Place, grid_id)
    if grid is None or grid.kind != "grid":
        raise Invalid("Unknown grid.", fields={"grid_id": ["No such grid."]})
    require_grid(scope, grid_id)
    _check_fields(fields, grid_id)
    household = Household(id=household_id, grid_id=grid_id, created_at=now(), **fields)
    db.session.add(household)
    db.session.flush()
    return household


def get_household(scope, household_id):
    household = db.session.get(Household, household_id)
    if household is None or household.deleted or not scope.sees_grid(household.grid_id):
        raise NotFound("No such household.")
    return household


def update_household(scope, household_id, changes):
    require_role(scope, *EDITOR_ROLES)
    household = get_household(scope, household_id)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid("Unknown field.", fields={f: ["Cannot be changed here."] for f in sorted(unknown)})
    _check_fields(changes, household.grid_id)
    for key, value in changes.items():
        setattr(household, key, value)
    db.session.flush()
    if "active" in changes:
        follow_household(db.session.connection(), household)
    return household


def move_household(scope, household_id, to_grid_id, actor_id):
    """Move a household to another grid; its visits keep the grid they were made in."""
    require_role(scope, "admin", "village_cadre", "township_staff", "county_staff")
    household = get_household(scope, household_id)
    target = db.session.get(Place, to_grid_id)
    if target is None or target.kind != "grid":
        raise Invalid("Unknown grid.", fields={"to_grid_id": ["No such grid."]})
    require_grid(scope, to_grid_id)
    if target.id == household.grid_id:
        raise Invalid("The household is already in that grid.", fields={"to_grid_id": ["Same grid."]})
    move = HouseholdMove(
        household_id=household.id, from_grid_id=household.grid_id, to_grid_id=target.id,
        moved_at=now(), moved_by_id=actor_id,
        server_seq=allocate_seq(db.session.connection(), 1),
    )
    db.session.add(move)
    household.grid_id = target.id
    household.unit_id = None
    db.session.flush()
    follow_household(db.session.connection(), household)
    log.info("household %s moved from grid %s to %s", household.id, move.from_grid_id, move.to_grid_id)
    return household


def delete_household(scope, household_id):
    require_role(scope, "admin")
    household = get_household(scope, household_id)
    household.deleted = True
    household.active = False
    db.session.flush()
    follow_household(db.session.connection(), household)


def list_households(scope, grid_id=None, q=None, care_tag=None, include_inactive=False):
    stmt = select(Household).where(Household.deleted.is_(False)).order_by(Household.grid_id, Household.address)
    stmt = scope.apply(stmt, Household.grid_id)
    if grid_id is not None:
        stmt = stmt.where(Household.grid_id == grid_id)
    if not include_inactive:
        stmt = stmt.where(Household.active.is_(True))
    if q:
        stmt = stmt.where(or_(Household.address.contains(q, autoescape=True), Household.head_name.contains(q, autoescape=True), Household.code.contains(q, autoescape=True)))
    if care_tag:
        # JSON arrays differ by database; the tag names are plain words, so text search is exact enough.
        stmt = stmt.where(db.cast(Household.care_tags, db.String).contains(f'"{care_tag}"'))
    return stmt


def import_rows(rows):
    """Validate every CSV row, then insert all; return (errors, count).

    `errors` lists (line, field, message); when it is not empty nothing is added.
    """
    from marshmallow import ValidationError

    from harmony.households.schemas import HouseholdImportSchema

    schema = HouseholdImportSchema()
    grids = {p.code: p for p in db.session.scalars(select(Place).where(Place.kind == "grid"))}
    known_codes = set(db.session.scalars(select(Household.code).where(Household.code.isnot(None))))
    errors, valid = [], []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            data = schema.load({k: v for k, v in row.items() if k is not None})
        except ValidationError as exc:
            errors.extend((line, field, " ".join(map(str, msgs))) for field, msgs in sorted(exc.messages.items()))
            continue
        grid = grids.get(data["grid_code"])
        if grid is None:
            errors.append((line, "grid_code", f"No grid with code {data['grid_code']!r}."))
            continue
        if data.get("code"):
            if data["code"] in known_codes:
                errors.append((line, "code", f"Household code {data['code']!r} already exists."))
                continue
            known_codes.add(data["code"])
        valid.append((grid, data))
    if errors:
        return errors, 0
    stamp = now()
    for grid, data in valid:
        data.pop("grid_code")
        db.session.add(Household(grid_id=grid.id, created_at=stamp, **data))
    db.session.flush()
    return [], len(valid)


def export_rows(place_code=None):
    """Yield CSV rows of households (optionally under one place), in the import format."""
    stmt = (select(Household, Place.code).join(Place, Place.id == Household.grid_id)
            .where(Household.deleted.is_(False)).order_by(Place.code, Household.code))
    if place_code:
        root = db.session.scalar(select(Place).where(Place.code == place_code))
        if root is None:
            raise NotFound(f"No place with code {place_code!r}.")
        stmt = stmt.where(Place.path.startswith(root.path))
    for household, grid_code in db.session.execute(stmt.execution_options(yield_per=2000)):
        yield (grid_code, household.code or "", household.address, household.head_name, household.phone or "",
               household.member_count, ";".join(household.care_tags or []))
