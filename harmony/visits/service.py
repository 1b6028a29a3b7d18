"""Home visits: recorded once, never edited (corrections are annotations); coverage per household and grid."""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from harmony.access import require_role
from harmony.cases.models import Case
from harmony.clock import now
from harmony.errors import Conflict, Invalid, NotFound
from harmony.extensions import db
from harmony.households.models import Household
from harmony.households.visit_days import record_visits
from harmony.places.models import Place
from harmony.visits.models import VISIT_FORMS, VISIT_TOPICS, Visit, VisitAnnotation

log = logging.getLogger(__name__)
VISIT_ROLES = ("promoter", "grid_head", "village_cadre", "liaison_cadre", "admin")
NOTES_MAX = 4000
# record_visit adds nothing to sync's own checks for a visit without case links, so sync
# may insert batches of such visits in one statement.
BULK_SAFE = True


VISIT_FIELDS = ("household_id", "form", "topics", "notes", "answered_on_spot", "case_ids")
# Sets for the checks below: sync runs them 500 times per push batch.
_FIELD_SET = frozenset(VISIT_FIELDS)
_FORM_SET = frozenset(VISIT_FORMS)
_TOPIC_SET = frozenset(VISIT_TOPICS)


def _known_topics(topics):
    try:
        return _TOPIC_SET.issuperset(topics)
    except TypeError:  # an unhashable item (a list, an object) is no topic
        return False


def visit_field_errors(fields):
    """Return (errors, clean fields) for a visit's fields: the checks that need no database.

    Shared with sync's bulk path, so a visit stored either way is checked and normalised alike.
    """
    errors = {}
    if not _FIELD_SET.issuperset(fields):
        for key in sorted(set(fields) - _FIELD_SET):
            errors[key] = ["Unknown field."]
    household_id = fields.get("household_id")
    if not isinstance(household_id, str):
        errors["household_id"] = ["Required."]
    form = fields.get("form", "home_visit")
    if not isinstance(form, str) or form not in _FORM_SET:
        errors["form"] = [f"One of {', '.join(VISIT_FORMS)}."]
    topics = fields.get("topics", [])
    if not isinstance(topics, list) or not _known_topics(topics):
        errors["topics"] = [f"A list of: {', '.join(VISIT_TOPICS)}."]
    notes = fields.get("notes", "")
    if notes is None:
        notes = ""
    if not isinstance(notes, str) or len(notes) > NOTES_MAX:
        errors["notes"] = [f"Text of at most {NOTES_MAX} characters."]
    answered = fields.get("answered_on_spot", False)
    if not isinstance(answered, bool):
        errors["answered_on_spot"] = ["true or false."]
    case_ids = fields.get("case_ids", [])
    if not isinstance(case_ids, list) or len(case_ids) > 20 or not all(isinstance(c, str) for c in case_ids):
        errors["case_ids"] = ["A list of case ids."]
    if errors:
        return errors, None
    return errors, {"household_id": household_id, "form": form, "topics": list(dict.fromkeys(topics)),
                    "notes": notes, "answered_on_spot": answered, "case_ids": list(dict.fromkeys(case_ids))}


def _check_fields(scope, fields):
    errors, clean = visit_field_errors(fields)
    if not errors and clean["case_ids"]:
        case_ids = clean["case_ids"]
        known = {row.id: row.grid_id for row in db.session.execute(select(Case.id, Case.grid_id).where(Case.id.in_(case_ids)))}
        missing = [c for c in case_ids if c not in known or not scope.sees_grid(known[c])]
        if missing:
            errors["case_ids"] = [f"No such case in your grids: {', '.join(missing)}."]
    if errors:
        raise Invalid("Some fields are invalid.", fields=errors)
    return clean


def record_visit(scope, actor_id, device_id, visit_id, fields, occurred_at):
    """Record a visit to a household of the visitor's grids, made at `occurred_at` (the phone's time)."""
    require_role(scope, *VISIT_ROLES)
    clean = _check_fields(scope, fields)
    household = db.session.get(Household, clean["household_id"])
    if household is None or not scope.sees_grid(household.grid_id):
        raise NotFound("No such household in your grids: visits are made to households of the grids you serve.",
                       fields={"household_id": ["Not a household of your grids."]})
    if household.deleted:
        raise Invalid("The household was deleted.", fields={"household_id": ["The household was deleted."]})
    if occurred_at is None or occurred_at.tzinfo is None:
        raise Invalid("When the visit happened is required.", fields={"occurred_at": ["A time with its offset."]})
    existing = db.session.get(Visit, visit_id)
    if existing is not None:
        if existing.promoter_id == actor_id and existing.household_id == household.id:
            return existing  # the same visit sent again
        raise Conflict("A visit with this id exists; visits are not edited, annotate them.", fields={"id": ["Already used."]})
    visit = Visit(id=visit_id, grid_id=household.grid_id, promoter_id=actor_id, device_id=device_id,
                  occurred_at=occurred_at, received_at=now(), **clean)
    db.session.add(visit)
    db.session.flush()
    record_visits(db.session.connection(), [(visit.household_id, occurred_at)])
    return visit


def get_visit(scope, visit_id):
    visit = db.session.get(Visit, visit_id) if isinstance(visit_id, str) else None
    if visit is None or visit.deleted or not scope.sees_grid(visit.grid_id):
        raise NotFound("No such visit.")
    return visit


def annotate_visit(scope, actor_id, annotation_id, visit_id, text, occurred_at):
    """Append a correction or remark to a visit (the visit itself stays as recorded)."""
    require_role(scope, *VISIT_ROLES)
    if not isinstance(text, str) or not text.strip() or len(text) > NOTES_MAX:
        raise Invalid("Some fields are invalid.", fields={"text": [f"Required text, at most {NOTES_MAX} characters."]})
    visit = get_visit(scope, visit_id)
    existing = db.session.get(VisitAnnotation, annotation_id)
    if existing is not None:
        if existing.visit_id == visit.id and existing.author_id == actor_id:
            return existing
        raise Conflict("An annotation with this id exists.", fields={"id": ["Already used."]})
    annotation = VisitAnnotation(id=annotation_id, visit_id=visit.id, author_id=actor_id, grid_id=visit.grid_id,
                                 text=text, occurred_at=occurred_at, received_at=now())
    db.session.add(annotation)
    db.session.flush()
    return annotation


def annotations(visit):
    return db.session.scalars(select(VisitAnnotation).where(VisitAnnotation.visit_id == visit.id)
                              .order_by(VisitAnnotation.occurred_at, VisitAnnotation.id)).all()


def list_visits(scope, household_id=None, grid_id=None, start=None, end=None):
    """Return a statement for the visits in scope, newest first."""
    stmt = scope.apply(select(Visit).where(Visit.deleted.is_(False)), Visit.grid_id)
    if household_id is not None:
        stmt = stmt.where(Visit.household_id == household_id)
    if grid_id is not None:
        stmt = stmt.where(Visit.grid_id == grid_id)
    if start is not None:
        stmt = stmt.where(Visit.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(Visit.occurred_at < end)
    return stmt.order_by(Visit.occurred_at.desc(), Visit.id)


def household_summary(scope, household_id):
    """Return the household's last visit and its visit counts over 30 and 90 days."""
    household = db.session.get(Household, household_id)
    if household is None or household.deleted or not scope.sees_grid(household.grid_id):
        raise NotFound("No such household.")
    at = now()
    base = select(Visit).where(Visit.household_id == household.id, Visit.deleted.is_(False))
    last = db.session.scalar(base.order_by(Visit.occurred_at.desc(), Visit.id).limit(1))

    def count(days):
        return db.session.scalar(select(func.count()).select_from(
            base.where(Visit.occurred_at >= at - timedelta(days=days)).subquery()))

    return {"household_id": household.id, "grid_id": household.grid_id, "last_visit": last,
            "last_visit_at": last.occurred_at if last else None, "visits_30d": count(30), "visits_90d": count(90)}


def grid_todo(scope, grid_id, interval_days=None):
    """Return a statement for the grid's households not visited within the interval, longest-waiting first."""
    grid = db.session.get(Place, grid_id) if 0 < grid_id < 2**31 else None
    if grid is None or grid.kind != "grid" or not scope.sees_grid(grid.id):
        raise NotFound("No such grid.")
    days = interval_days or current_app.config["VISIT_INTERVAL_DAYS"]
    cutoff = now() - timedelta(days=days)
    last = (select(Visit.household_id, func.max(Visit.occurred_at).label("last_visit_at"))
            .where(Visit.household_id.in_(select(Household.id).where(Household.grid_id == grid.id)),
                   Visit.deleted.is_(False)).group_by(Visit.household_id).subquery())
    stmt = (select(Household, last.c.last_visit_at).outerjoin(last, last.c.household_id == Household.id)
            .where(Household.grid_id == grid.id, Household.deleted.is_(False), Household.active.is_(True))
            .where((last.c.last_visit_at.is_(None)) | (last.c.last_visit_at < cutoff))
            .order_by(last.c.last_visit_at.is_(None).desc(), last.c.last_visit_at, Household.address, Household.id))
    return stmt, days
