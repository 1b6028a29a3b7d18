"""The place tree: create, rename, list within scope."""
from sqlalchemy import func, or_, select

from harmony.access import require_admin, require_place
from harmony.errors import Conflict, Invalid, NotFound
from harmony.extensions import db
from harmony.places.models import CHILD_KIND, GRID_KINDS, PLACE_KINDS, UNIT_KINDS, Place


def _check_subkind(kind, subkind):
    allowed = {"grid": GRID_KINDS, "unit": UNIT_KINDS}.get(kind)
    if allowed is None:
        if subkind:
            raise Invalid("Only grids and units have a subkind.", fields={"subkind": ["Not allowed for this kind."]})
        return None
    subkind = subkind or allowed[0]
    if subkind not in allowed:
        raise Invalid("Unknown subkind.", fields={"subkind": [f"Must be one of: {', '.join(allowed)}."]})
    return subkind


def add_place(code, kind, name_zh, parent=None, name_en=None, subkind=None, ladder_id=None):
    """Insert a place under `parent` (no access check: for seeding and services)."""
    if kind not in PLACE_KINDS:
        raise Invalid("Unknown kind.", fields={"kind": [f"Must be one of: {', '.join(PLACE_KINDS)}."]})
    if parent is None and kind != "city" and kind != "county":
        raise Invalid("Only a city or county may be a root.", fields={"parent_id": ["Required for this kind."]})
    if parent is not None and CHILD_KIND.get(parent.kind) != kind:
        expected = CHILD_KIND.get(parent.kind)
        raise Invalid(
            f"A {parent.kind} holds {expected or 'nothing'} places, not {kind}.",
            fields={"kind": [f"Under a {parent.kind} the kind must be {expected}."]},
        )
    place = Place(
        code=code, kind=kind, name_zh=name_zh, name_en=name_en, parent=parent,
        subkind=_check_subkind(kind, subkind), ladder_id=ladder_id, path="",
    )
    db.session.add(place)
    db.session.flush()
    place.path = (parent.path if parent else "/") + f"{place.id}/"
    return place


def create_place(scope, code, kind, name_zh, parent_id=None, name_en=None, subkind=None):
    require_admin(scope)
    parent = None
    if parent_id is not None:
        require_place(scope, parent_id, "parent place")
        parent = db.session.get(Place, parent_id)
    elif not scope.all_places:
        raise Invalid("A parent place is required.", fields={"parent_id": ["Required."]})
    if db.session.scalar(select(Place.id).where(Place.code == code)):
        raise Conflict("That place code is taken.", fields={"code": ["Already in use."]})
    return add_place(code, kind, name_zh, parent, name_en, subkind)


def update_place(scope, place_id, changes):
    require_admin(scope)
    place = get_place(scope, place_id)
    if "subkind" in changes:
        changes["subkind"] = _check_subkind(place.kind, changes["subkind"])
    for key, value in changes.items():
        setattr(place, key, value)
    return place


def get_place(scope, place_id):
    place = db.session.get(Place, place_id)
    if place is None or not (scope.sees_place(place.id) or place.id in scope.ancestor_ids):
        raise NotFound("No such place.")
    return place


def list_places(scope, kind=None, parent_id=None, q=None):
    stmt = select(Place).order_by(Place.path)
    if not scope.all_places:
        stmt = stmt.where(Place.id.in_(sorted(scope.place_ids | scope.ancestor_ids)))
    if kind:
        stmt = stmt.where(Place.kind == kind)
    if parent_id is not None:
        stmt = stmt.where(Place.parent_id == parent_id)
    if q:
        stmt = stmt.where(or_(Place.name_zh.contains(q, autoescape=True), Place.code.contains(q, autoescape=True), Place.name_en.contains(q, autoescape=True)))
    return stmt


def grid_of(place):
    """Return the grid a place belongs to (itself for a grid, its parent for a unit)."""
    if place.kind == "grid":
        return place
    if place.kind == "unit":
        return place.parent
    raise Invalid("Not a grid or unit.", fields={"grid_id": ["Must be a grid."]})


def household_counts(grid_ids=None):
    """Return {grid_id: active household count}."""
    from harmony.households.models import Household

    stmt = select(Household.grid_id, func.count()).where(Household.active.is_(True), Household.deleted.is_(False))
    if grid_ids is not None:
        stmt = stmt.where(Household.grid_id.in_(sorted(grid_ids)))
    return dict(db.session.execute(stmt.group_by(Household.grid_id)).all())


def require_exists(place_id, kind=None):
    place = db.session.get(Place, place_id)
    if place is None or (kind and place.kind != kind):
        raise NotFound(f"No such {kind or 'place'}.")
    return place
