"""Cases: open, append events, re-fold the state, list and find the work waiting on someone.

The workflow columns of a Case are never set by hand: every change appends a CaseEvent
and re-folds all the case's events (harmony.cases.fold), so events that arrive late
from offline phones land in their place. See docs/cases.md.
"""
import copy
import logging
from datetime import date

from flask import current_app
from sqlalchemy import and_, or_, select

from harmony.access import STAFF_ROLES, require_admin, require_place, require_role
from harmony.cases.fold import COMMITTEES, STATE_FIELDS, fold, order_events
from harmony.cases.models import (CASE_PRIORITIES, CASE_SOURCES, DEFAULT_CATEGORIES, EVENT_KINDS, SYSTEM_EVENT_KINDS,
                                  Case, CaseEvent)
from harmony.clock import now
from harmony.errors import Conflict, Invalid, NotFound
from harmony.extensions import db
from harmony.households.models import Household
from harmony.ladders.service import calendar_days, ladder_for_grid, level_owner_team_id, owners_by_role, timezone_name
from harmony.people.models import User
from harmony.places.models import Place
from harmony.teams.models import TeamMember

log = logging.getLogger(__name__)
CASE_ROLES = STAFF_ROLES + ("promoter",)
EDITABLE_FIELDS = ("title", "category", "description", "parties", "priority")
TEXT_MAX = 4000


def categories():
    return tuple(current_app.config.get("CASE_CATEGORIES") or DEFAULT_CATEGORIES)


# --- input checks ------------------------------------------------------------------------------

def _text(errors, name, value, required=True, max_len=TEXT_MAX):
    if value is None or (isinstance(value, str) and not value.strip() and required):
        if required:
            errors[name] = ["Required."]
        return
    if not isinstance(value, str) or len(value) > max_len:
        errors[name] = [f"Text of at most {max_len} characters."]


def _int(value):
    """A whole number that fits an id column (huge numbers overflow SQLite and PostgreSQL)."""
    return isinstance(value, int) and not isinstance(value, bool) and -2**31 < value < 2**31


def _check_parties(errors, parties, scope):
    if not isinstance(parties, list) or len(parties) > 50:
        errors["parties"] = ["A list (at most 50) of {name, role, household_id?}."]
        return
    for index, party in enumerate(parties):
        name = f"parties.{index}"
        if not isinstance(party, dict):
            errors[name] = ["Each party is an object {name, role, household_id?}."]
            continue
        unknown = set(party) - {"name", "role", "household_id"}
        if unknown:
            errors[name] = [f"Unknown field(s): {', '.join(sorted(unknown))}."]
        _text(errors, f"{name}.name", party.get("name"), max_len=80)
        _text(errors, f"{name}.role", party.get("role"), required=False, max_len=40)
        household_id = party.get("household_id")
        if household_id is not None:
            household = db.session.get(Household, household_id) if isinstance(household_id, str) else None
            if household is None or household.deleted or not scope.sees_grid(household.grid_id):
                errors[f"{name}.household_id"] = ["No such household in your grids."]


def _check_case_fields(scope, fields, creating):
    errors = {}
    allowed = set(EDITABLE_FIELDS) | ({"grid_id", "source"} if creating else set())
    for key in sorted(set(fields) - allowed):
        errors[key] = ["Unknown field." if creating else "Cannot be changed here."]
    if creating or "title" in fields:
        _text(errors, "title", fields.get("title"), max_len=200)
    if creating or "category" in fields:
        if fields.get("category") not in categories():
            errors["category"] = [f"One of {', '.join(categories())}."]
    if "description" in fields:
        _text(errors, "description", fields.get("description"), required=False)
    if "priority" in fields and fields["priority"] not in CASE_PRIORITIES:
        errors["priority"] = [f"One of {', '.join(CASE_PRIORITIES)}."]
    if "parties" in fields:
        _check_parties(errors, fields["parties"], scope)
    if creating and fields.get("source") not in CASE_SOURCES:
        errors["source"] = [f"One of {', '.join(CASE_SOURCES)}."]
    if errors:
        raise Invalid("Some fields are invalid.", fields=errors)


def _user_exists(user_id):
    return _int(user_id) and db.session.scalar(select(User.id).where(User.id == user_id, User.active.is_(True)))


def check_event_data(kind, data):
    """Raise Invalid naming the field when an event's data is malformed; return the clean data."""
    if kind not in EVENT_KINDS or kind in SYSTEM_EVENT_KINDS:
        allowed = [k for k in EVENT_KINDS if k not in SYSTEM_EVENT_KINDS]
        raise Invalid("Unknown event kind.", fields={"kind": [f"One of {', '.join(allowed)}."]})
    if not isinstance(data, dict):
        raise Invalid("Event data must be an object.", fields={"data": ["An object."]})
    errors = {}
    spec = EVENT_DATA[kind]
    for key in sorted(set(data) - set(spec)):
        errors[f"data.{key}"] = [f"Unknown field for a {kind} event."]
    for key, (required, check, hint) in spec.items():
        value = data.get(key)
        if value is None:
            if required:
                errors[f"data.{key}"] = [f"Required: {hint}."]
            continue
        if not check(value):
            errors[f"data.{key}"] = [f"Must be {hint}."]
    if kind == "assigned" and not errors and (data.get("assignee_id") is None) == (data.get("committee") is None):
        errors["data.assignee_id"] = ["Give either assignee_id (a person) or committee, not both or neither."]
    for key in ("assignee_id", "leader_id", "carried_by"):
        if f"data.{key}" not in errors and data.get(key) is not None and not _user_exists(data[key]):
            errors[f"data.{key}"] = ["No such active user."]
    if errors:
        raise Invalid(f"The {kind} event's data is invalid.", fields=errors)
    return {k: v for k, v in data.items() if v is not None}


def _is_text(value, max_len=TEXT_MAX):
    return isinstance(value, str) and 0 < len(value.strip()) and len(value) <= max_len


def _is_date(value):
    try:
        date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


TEXT = (_is_text, "text of at most 4000 characters")
LEVEL = (lambda v: _int(v) and 1 <= v <= 20, "a level number (1 = the first level)")
USER = (_int, "a user id")
# kind -> {field: (required, check, hint)}
EVENT_DATA = {
    "note": {"text": (True, *TEXT)},
    "mediation": {"held_on": (True, _is_date, "a date, YYYY-MM-DD"),
                  "participants": (False, lambda v: isinstance(v, list) and len(v) <= 50 and all(_is_text(p, 80) for p in v),
                                   "a list of names"),
                  "outcome": (True, *TEXT)},
    "escalated": {"to_level": (True, *LEVEL), "reason": (True, *TEXT), "carried_by": (False, *USER)},
    "deescalated": {"to_level": (True, *LEVEL), "instructions": (True, *TEXT)},
    "accepted": {"level": (False, *LEVEL), "note": (False, *TEXT)},
    "assigned": {"assignee_id": (False, *USER), "committee": (False, lambda v: v in COMMITTEES, f"one of {', '.join(COMMITTEES)}"),
                 "note": (False, *TEXT)},
    "leader_assigned": {"leader_id": (True, *USER), "team": (False, *TEXT)},
    "resolved": {"outcome": (True, *TEXT), "agreement": (False, *TEXT)},
    "satisfaction": {"rating": (True, lambda v: _int(v) and 1 <= v <= 5, "a whole number from 1 to 5"),
                     "comment": (False, *TEXT), "visit_id": (False, lambda v: isinstance(v, str) and len(v) <= 36, "a visit id")},
    "reopened": {"reason": (True, *TEXT)},
    "closed": {"reason": (False, *TEXT)},
}


# --- the fold, fed from the database -----------------------------------------------------------

def _ladder_snapshot(ladder):
    return {"key": ladder.key, "levels": copy.deepcopy(ladder.levels), "day_kind": ladder.day_kind}


def build_context(grid, ladders):
    """Return the fold's context for a case in `grid`: owners, teams and members, as plain data."""
    levels = [level for ladder in ladders for level in ladder["levels"]]
    owners = owners_by_role(grid, list(dict.fromkeys(level["owner_role"] for level in levels)))
    teams = {}
    for level in levels:
        kind = level.get("owner_team_kind")
        if kind and kind not in teams:
            teams[kind] = level_owner_team_id(grid, level)
    members = {}
    team_ids = [t for t in teams.values() if t is not None]
    if team_ids:
        for row in db.session.execute(select(TeamMember.team_id, TeamMember.user_id, TeamMember.member_role)
                                      .where(TeamMember.team_id.in_(team_ids))):
            members.setdefault(row.team_id, {})[row.user_id] = row.member_role
    return {"tz": timezone_name(), "calendar": calendar_days(), "owners": owners, "teams": teams, "members": members}


def event_dict(event):
    return {"id": event.id, "kind": event.kind, "actor_id": event.actor_id, "occurred_at": event.occurred_at,
            "received_at": event.received_at, "data": event.data or {}, "facts": event.facts}


FACT_KINDS = ("escalated", "accepted", "leader_assigned")


def _case_context(case, events=None, context=None):
    """Return (events, opening ladder, fold context) of a case, as stored now."""
    if events is None:
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    opening = _opening_ladder(case, events)
    if context is None:
        ladders = [opening] + [e.data["ladder"] for e in events if e.kind == "ladder_reapplied"]
        context = build_context(db.session.get(Place, case.grid_id), ladders)
    return events, opening, context


def _facts(context, kind, actor_id, data):
    """Snapshot the roles and team memberships of the people an event names, as of its receipt."""
    if kind not in FACT_KINDS:
        return None
    people = {p for p in (actor_id, data.get("carried_by"), data.get("leader_id")) if p is not None}
    return {"people": {str(p): {
        "owner_roles": sorted(role for role, ids in context["owners"].items() if p in ids),
        "member_roles": {str(team): members[p] for team, members in sorted(context["members"].items()) if p in members},
    } for p in sorted(people)}}


def _opening_ladder(case, events):
    for event in events:
        if event.kind == "opened" and isinstance((event.data or {}).get("ladder"), dict):
            return event.data["ladder"]
    return {"key": case.ladder_key, "levels": case.ladder_levels, "day_kind": case.ladder_day_kind}


def refold(case, context=None):
    """Re-derive the case's workflow columns and each event's rejection from all its events."""
    events, opening, context = _case_context(case, context=context)
    result = fold([event_dict(e) for e in events], opening, context)
    changes = dict(result["state"])
    changes.update(ladder_key=result["ladder"]["key"], ladder_levels=result["ladder"]["levels"],
                   ladder_day_kind=result["ladder"]["day_kind"])
    for name, value in changes.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
    for event in events:
        reason = result["rejected"].get(event.id)
        reason = reason[:300] if reason else None
        if event.rejected_reason != reason:
            event.rejected_reason = reason
    db.session.flush()
    return result


# --- the contract used by sync/ and the views --------------------------------------------------

def _locked_case(scope, case_id):
    case = None
    if isinstance(case_id, str):
        case = db.session.scalar(select(Case).where(Case.id == case_id).with_for_update()
                                 .execution_options(populate_existing=True))
    if case is None or case.deleted or not scope.sees_grid(case.grid_id):
        raise NotFound("No such case.")
    return case


def open_case(scope, actor_id, device_id, case_id, fields, occurred_at):
    """Open a case in a grid with the grid's current ladder; write its `opened` event."""
    require_role(scope, *CASE_ROLES)
    fields = dict(fields)
    grid_id = fields.get("grid_id")
    grid = db.session.get(Place, grid_id) if _int(grid_id) else None
    if grid is None or grid.kind != "grid":
        raise Invalid("Unknown grid.", fields={"grid_id": ["A grid id is required."]})
    if not scope.sees_grid(grid.id):
        raise NotFound("No such grid.")
    fields.setdefault("priority", "normal")
    fields.setdefault("description", "")
    fields.setdefault("parties", [])
    _check_case_fields(scope, fields, creating=True)
    if db.session.get(Case, case_id) is not None:
        raise Conflict("A case with this id exists.", fields={"id": ["Already used."]})
    stamp = now()
    ladder = _ladder_snapshot(ladder_for_grid(grid))
    case = Case(id=case_id, grid_id=grid.id, title=fields["title"].strip(), category=fields["category"],
                description=fields["description"], parties=fields["parties"], priority=fields["priority"],
                source=fields["source"], reported_by_id=actor_id, opened_at=min(occurred_at, stamp),
                ladder_key=ladder["key"], ladder_levels=ladder["levels"], ladder_day_kind=ladder["day_kind"])
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseEvent(case_id=case.id, kind="opened", actor_id=actor_id, device_id=device_id,
                             occurred_at=occurred_at, received_at=stamp,
                             data={"source": fields["source"], "ladder": ladder}))
    db.session.flush()
    refold(case)
    log.info("case %s opened in grid %s", case.id, grid.id)
    return case


def add_event(scope, actor_id, device_id, event_id, case_id, kind, data, occurred_at):
    """Append an event and re-fold; an event that breaks a rule is kept with its reason."""
    require_role(scope, *CASE_ROLES)
    clean = check_event_data(kind, data if data is not None else {})
    case = _locked_case(scope, case_id)
    existing = db.session.get(CaseEvent, event_id) if event_id else None
    if existing is not None:
        if existing.case_id != case.id:
            raise Conflict("An event with this id belongs to another case.", fields={"id": ["Already used."]})
        return existing
    _, _, context = _case_context(case)
    event = CaseEvent(id=event_id, case_id=case.id, kind=kind, actor_id=actor_id, device_id=device_id,
                      occurred_at=occurred_at, received_at=now(), data=clean, facts=_facts(context, kind, actor_id, clean))
    db.session.add(event)
    db.session.flush()
    refold(case, context)
    if event.rejected_reason:
        log.info("case %s: %s event %s kept but rejected: %s", case.id, kind, event.id, event.rejected_reason)
    return event


def update_case_fields(scope, actor_id, case_id, changes):
    """Edit what people own (title, category, description, parties, priority); never the workflow."""
    require_role(scope, *CASE_ROLES)
    case = _locked_case(scope, case_id)
    changes = dict(changes)
    _check_case_fields(scope, changes, creating=False)
    for key, value in changes.items():
        if key == "title":
            value = value.strip()
        if getattr(case, key) != value:
            setattr(case, key, value)
    db.session.flush()
    return case


def reapply_ladder(scope, actor_id, place_id):
    """Give the open cases under a place their grid's current ladder (one `ladder_reapplied` event each)."""
    require_admin(scope)
    place = db.session.get(Place, place_id) if _int(place_id) else None
    if place is None:
        raise NotFound("No such place.")
    require_place(scope, place.id)
    grids = select(Place.id).where(Place.path.startswith(place.path), Place.kind == "grid")
    cases = db.session.scalars(select(Case).where(Case.status == "open", Case.deleted.is_(False),
                                                  Case.grid_id.in_(grids)).order_by(Case.id)).all()
    stamp, changed = now(), 0
    for case in cases:
        ladder = _ladder_snapshot(ladder_for_grid(db.session.get(Place, case.grid_id)))
        if (ladder["key"], ladder["levels"], ladder["day_kind"]) == (case.ladder_key, case.ladder_levels, case.ladder_day_kind):
            continue
        db.session.add(CaseEvent(case_id=case.id, kind="ladder_reapplied", actor_id=actor_id, occurred_at=stamp,
                                 received_at=stamp, data={"ladder": ladder}))
        db.session.flush()
        refold(case)
        changed += 1
    log.info("ladder re-applied to %s of %s open cases under place %s", changed, len(cases), place.id)
    return {"place_id": place.id, "open_cases": len(cases), "reapplied": changed}


# --- reading -----------------------------------------------------------------------------------

def get_case(scope, case_id):
    case = db.session.get(Case, case_id) if isinstance(case_id, str) else None
    if case is None or case.deleted or not scope.sees_grid(case.grid_id):
        raise NotFound("No such case.")
    return case


def timeline(case):
    """Return the case's events in fold order (the order the state was derived in)."""
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    by_id = {e.id: e for e in events}
    return [by_id[d["id"]] for d in order_events([event_dict(e) for e in events])]


def _overdue(flag):
    late = and_(Case.status == "open", Case.deadline_at.isnot(None), Case.deadline_at < now())
    return late if flag else ~late


def list_cases(scope, level=None, status=None, overdue=None, category=None, place_id=None, owner_id=None):
    """Return a statement for the cases in scope, filtered; soonest deadline first."""
    stmt = scope.apply(select(Case).where(Case.deleted.is_(False)), Case.grid_id)
    if place_id is not None:
        place = db.session.get(Place, place_id)
        if place is None or not (scope.sees_place(place.id) or place.id in scope.ancestor_ids):
            raise NotFound("No such place.")
        stmt = stmt.where(Case.grid_id.in_(select(Place.id).where(Place.path.startswith(place.path))))
    if level is not None:
        stmt = stmt.where(Case.level == level)
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if overdue is not None:
        stmt = stmt.where(_overdue(overdue))
    if category is not None:
        stmt = stmt.where(Case.category == category)
    if owner_id is not None:
        stmt = stmt.where(Case.owner_id == owner_id)
    return stmt.order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.opened_at.desc(), Case.id)


def my_work(scope, user_id):
    """Return a statement for the open cases waiting on the caller: at a level their role owns, in
    their places, or held by them by name (owner or leader); soonest deadline first."""
    stmt = scope.apply(select(Case).where(Case.deleted.is_(False), Case.status == "open"), Case.grid_id)
    at_my_level = []
    for role in sorted(scope.roles):
        grids = scope.grids_for_role(role)  # each role only in the places it is held for
        at_my_level.append(Case.owner_role == role if grids is None
                           else and_(Case.owner_role == role, Case.grid_id.in_(sorted(grids))))
    stmt = stmt.where(or_(*at_my_level, Case.owner_id == user_id, Case.leader_id == user_id))
    return stmt.order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.id)


def overdue_cases(at=None, limit=None):
    """Return the open cases past their deadline (for the scheduler's check), oldest deadline first."""
    stmt = (select(Case).where(Case.status == "open", Case.deleted.is_(False), Case.deadline_at.isnot(None),
                               Case.deadline_at < (at or now())).order_by(Case.deadline_at, Case.id))
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def state_fields():
    return STATE_FIELDS
