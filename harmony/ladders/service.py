"""Ladders as configuration: validate, attach to places, find a grid's ladder and a level's owners."""
import copy

from flask import current_app
from sqlalchemy import select

from harmony.access import require_admin, require_place
from harmony.clock import now
from harmony.errors import Conflict, Invalid, NotFound
from harmony.extensions import db
from harmony.ladders.builtin import BUILTIN_LADDERS, DEFAULT_LADDER_KEY
from harmony.ladders.models import CalendarDay, Ladder
from harmony.people.models import ROLES, RoleAssignment
from harmony.places.models import Place
from harmony.teams.models import Team

TIERS = ("village", "township", "county")
TEAM_KINDS = (None, "grid_group", "association")
# The place kind at which each owner role is bound, counted from a case's grid upward.
ROLE_PLACE_KIND = {
    "promoter": "grid", "grid_head": "grid", "village_cadre": "village", "liaison_cadre": "village",
    "township_staff": "township", "county_staff": "county", "county_leader": "county", "admin": "county",
}


def validate_levels(levels):
    """Raise Invalid naming the level and field that is wrong; return normalized levels."""
    if not isinstance(levels, list) or not levels:
        raise Invalid("A ladder needs at least one level.", fields={"levels": ["Give a non-empty list."]})
    errors, keys, out = {}, set(), []
    for index, level in enumerate(levels):
        problems = []
        if not isinstance(level, dict):
            errors[f"levels.{index}"] = ["Each level is an object."]
            continue
        key = level.get("key")
        if not isinstance(key, str) or not key or len(key) > 40:
            problems.append("key: a short text is required.")
        elif key in keys:
            problems.append(f"key: {key!r} is used twice.")
        keys.add(key)
        if not level.get("name_zh"):
            problems.append("name_zh: required.")
        if level.get("owner_role") not in ROLES:
            problems.append(f"owner_role: one of {', '.join(ROLES)}.")
        if level.get("owner_team_kind") not in TEAM_KINDS:
            problems.append("owner_team_kind: grid_group, association or null.")
        if level.get("tier") not in TIERS:
            problems.append(f"tier: one of {', '.join(TIERS)}.")
        days = level.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            problems.append("days: a whole number from 1 to 365.")
        remind = level.get("remind_days", 0)
        if not isinstance(remind, int) or isinstance(remind, bool) or remind < 0 or (isinstance(days, int) and remind >= days):
            problems.append("remind_days: a whole number, at least 0 and less than days.")
        if problems:
            errors[f"levels.{index}"] = problems
        out.append({
            "key": key, "name_zh": level.get("name_zh"), "name_en": level.get("name_en") or key,
            "tier": level.get("tier"), "owner_role": level.get("owner_role"),
            "owner_team_kind": level.get("owner_team_kind"), "days": days, "remind_days": remind,
            "leader_required": bool(level.get("leader_required")),
            "carrier_member_role": level.get("carrier_member_role"),
        })
    if errors:
        raise Invalid("The ladder's levels are not valid.", fields=errors)
    return out


def ensure_builtin_ladders():
    """Create the built-in ladders that are missing; return {key: Ladder}."""
    existing = {ladder.key: ladder for ladder in db.session.scalars(select(Ladder))}
    for spec in BUILTIN_LADDERS:
        if spec["key"] not in existing:
            ladder = Ladder(key=spec["key"], name_zh=spec["name_zh"], name_en=spec["name_en"],
                            levels=copy.deepcopy(spec["levels"]), day_kind=spec["day_kind"], updated_at=now())
            db.session.add(ladder)
            existing[spec["key"]] = ladder
    db.session.flush()
    return existing


def ladder_for_grid(grid):
    """Return the ladder attached nearest above (or at) the grid; the default otherwise."""
    ids = grid.ancestor_ids()
    attached = dict(db.session.execute(
        select(Place.id, Place.ladder_id).where(Place.id.in_(ids), Place.ladder_id.isnot(None))
    ).all())
    for place_id in reversed(ids):
        if place_id in attached:
            return db.session.get(Ladder, attached[place_id])
    return ensure_builtin_ladders()[DEFAULT_LADDER_KEY]


def calendar_days():
    """Return {date: kind} of the holiday calendar."""
    return {row.day: row.kind for row in db.session.scalars(select(CalendarDay))}


def timezone_name():
    return current_app.config["TIMEZONE"]


def place_at_kind(grid, kind):
    """Return the id of the grid's ancestor (or itself) of the given kind."""
    if kind == "grid":
        return grid.id
    ids = grid.ancestor_ids()
    return db.session.scalar(select(Place.id).where(Place.id.in_(ids), Place.kind == kind))


def level_owner_team_id(grid, level):
    kind = level.get("owner_team_kind")
    if not kind:
        return None
    place_id = grid.id if kind == "grid_group" else place_at_kind(grid, "village")
    return db.session.scalar(select(Team.id).where(Team.kind == kind, Team.place_id == place_id))


def level_owner_ids(grid, level, leader_id=None):
    """Return the user ids who own a level for a case in `grid` (the named leader, if any, first)."""
    ids = owners_by_role(grid, [level["owner_role"]])[level["owner_role"]]
    if leader_id:
        ids = [leader_id] + [i for i in ids if i != leader_id]
    return ids


def owners_by_role(grid, roles):
    """Return {role: sorted user ids} of who owns a level of each role for a case in `grid`.

    A role is held at the grid's ancestor of its kind (ROLE_PLACE_KIND); promoters bound
    to a stairwell or group of the grid count too. Three queries for all the roles of a
    ladder, where one per level made every case event pay ~15 round trips.
    """
    kinds = dict(db.session.execute(select(Place.kind, Place.id).where(Place.id.in_(grid.ancestor_ids()))).all())
    places = {role: {kinds.get(ROLE_PLACE_KIND[role])} - {None} for role in roles}
    if "promoter" in places:
        places["promoter"].update(db.session.scalars(select(Place.id).where(Place.parent_id == grid.id)))
    found = {role: set() for role in roles}
    wanted = sorted(set().union(*places.values()))
    if wanted:
        for role, place_id, user_id in db.session.execute(
                select(RoleAssignment.role, RoleAssignment.place_id, RoleAssignment.user_id)
                .where(RoleAssignment.role.in_(sorted(found)), RoleAssignment.place_id.in_(wanted))):
            if place_id in places[role]:
                found[role].add(user_id)
    return {role: sorted(ids) for role, ids in found.items()}


# --- configuration endpoints' services ---------------------------------------------------------

def list_ladders():
    ensure_builtin_ladders()
    return db.session.scalars(select(Ladder).order_by(Ladder.id)).all()


def get_ladder(ladder_id):
    ladder = db.session.get(Ladder, ladder_id)
    if ladder is None:
        raise NotFound("No such ladder.")
    return ladder


def create_ladder(scope, key, name_zh, levels, name_en=None, day_kind="calendar"):
    require_admin(scope)
    if db.session.scalar(select(Ladder.id).where(Ladder.key == key)):
        raise Conflict("That ladder key is taken.", fields={"key": ["Already in use."]})
    ladder = Ladder(key=key, name_zh=name_zh, name_en=name_en, levels=validate_levels(levels),
                    day_kind=day_kind, updated_at=now())
    db.session.add(ladder)
    db.session.flush()
    return ladder


def update_ladder(scope, ladder_id, changes):
    """Change a ladder; open cases keep the deadlines they were given (see reapply in cases)."""
    require_admin(scope)
    ladder = get_ladder(ladder_id)
    if "levels" in changes:
        changes["levels"] = validate_levels(changes["levels"])
    for key, value in changes.items():
        setattr(ladder, key, value)
    ladder.updated_at = now()
    db.session.flush()
    return ladder


def attach_ladder(scope, place_id, ladder_id):
    """Attach a ladder to a place (its subtree inherits it); None detaches."""
    require_admin(scope)
    place = db.session.get(Place, place_id)
    if place is None:
        raise NotFound("No such place.")
    require_place(scope, place_id)
    if ladder_id is not None:
        get_ladder(ladder_id)
    place.ladder_id = ladder_id
    db.session.flush()
    return place


def set_calendar_day(scope, day, kind, name=None):
    require_admin(scope)
    if kind not in ("holiday", "workday", None):
        raise Invalid("Unknown day kind.", fields={"kind": ["holiday, workday, or null to clear."]})
    row = db.session.get(CalendarDay, day)
    if kind is None:
        if row is not None:
            db.session.delete(row)
        db.session.flush()
        return None
    if row is None:
        row = CalendarDay(day=day, kind=kind, name=name)
        db.session.add(row)
    else:
        row.kind, row.name = kind, name
    db.session.flush()
    return row
