"""The registry of syncable tables: names in the protocol, push ops, field policies, pull scope.

Table and field names that phones may send are whitelisted here and nowhere else.
"""
import importlib
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import false, or_, select

from harmony.cases.models import Case, CaseEvent
from harmony.households.models import Household
from harmony.places.models import Place
from harmony.visits.models import Visit, VisitAnnotation
from sync.merge import LWW, MANUAL, SERVER
from sync.models import SyncConflict

# Columns carried in every change's envelope rather than in its fields.
ENVELOPE_COLUMNS = ("id", "version", "server_seq", "deleted")

HOUSEHOLD_CREATE_FIELDS = ("grid_id", "unit_id", "code", "address", "head_name", "phone", "member_count", "care_tags")
HOUSEHOLD_POLICIES = {
    "address": LWW, "head_name": LWW, "member_count": LWW, "care_tags": LWW, "unit_id": LWW,
    "phone": MANUAL,  # contact details need a person to decide
}
CASE_CREATE_FIELDS = ("grid_id", "title", "category", "description", "parties", "priority", "source")
CASE_WORKFLOW_FIELDS = (
    "status", "level", "level_key", "tier", "level_since", "owner_id", "owner_role", "owner_team_id", "assigned_committee",
    "leader_id", "deadline_at", "remind_at", "resolved_level", "resolved_level_key", "resolved_tier",
    "resolved_by_id", "resolved_team_id", "resolved_at", "closed_at", "satisfaction", "satisfaction_at",
)
CASE_POLICIES = {"title": LWW, "description": LWW, "parties": LWW, "category": MANUAL, "priority": MANUAL,
                 **{name: SERVER for name in CASE_WORKFLOW_FIELDS}}
VISIT_FIELDS = ("household_id", "form", "topics", "notes", "answered_on_spot", "case_ids")
ANNOTATION_FIELDS = ("visit_id", "text")
EVENT_FIELDS = ("case_id", "kind", "data")
ALERT_POLICIES = {"read_at": LWW}


def alert_model():
    """Return the Alert model once harmony.alerts exists, else None."""
    try:
        return importlib.import_module("harmony.alerts.models").Alert
    except (ModuleNotFoundError, AttributeError):
        return None


@dataclass(frozen=True)
class SyncTable:
    name: str
    model_getter: object  # () -> model class or None
    ops: tuple = ()  # push ops allowed; empty: pull only
    create_fields: tuple = ()
    policies: dict = field(default_factory=dict)  # update: field -> merge policy

    @property
    def model(self):
        return self.model_getter()


TABLES = {t.name: t for t in (
    SyncTable("place", lambda: Place),
    SyncTable("household", lambda: Household, ("create", "update", "delete"), HOUSEHOLD_CREATE_FIELDS, HOUSEHOLD_POLICIES),
    SyncTable("visit", lambda: Visit, ("create",), VISIT_FIELDS),
    SyncTable("visit_annotation", lambda: VisitAnnotation, ("create",), ANNOTATION_FIELDS),
    SyncTable("case", lambda: Case, ("create", "update"), CASE_CREATE_FIELDS, CASE_POLICIES),
    SyncTable("case_event", lambda: CaseEvent, ("create",), EVENT_FIELDS),
    SyncTable("alert", alert_model, ("update",), (), ALERT_POLICIES),
    SyncTable("sync_conflict", lambda: SyncConflict),
)}


def _grid(scope, column):
    condition = scope.filter_grid(column)
    return [] if condition is None else [condition]


def case_window(scope, at, config):
    """Conditions for the cases a phone keeps: open ones and those closed recently."""
    cutoff = at - timedelta(days=config["SYNC_CASE_HISTORY_DAYS"])
    return _grid(scope, Case.grid_id) + [or_(Case.status != "closed", Case.closed_at >= cutoff)]


def pull_conditions(name, scope, user_id, at, config):
    """Return the WHERE conditions limiting table `name` to what this user's phone keeps."""
    visit_cutoff = at - timedelta(days=config["SYNC_VISIT_HISTORY_DAYS"])
    if name == "place":
        if scope.all_places:
            return []
        return [Place.id.in_(sorted(scope.place_ids | scope.ancestor_ids))] if scope.place_ids else [false()]
    if name == "household":
        return _grid(scope, Household.grid_id)
    if name == "visit":
        return _grid(scope, Visit.grid_id) + [Visit.occurred_at >= visit_cutoff]
    if name == "visit_annotation":
        return _grid(scope, VisitAnnotation.grid_id) + [VisitAnnotation.occurred_at >= visit_cutoff]
    if name == "case":
        return case_window(scope, at, config)
    if name == "case_event":
        return [CaseEvent.case_id.in_(select(Case.id).where(*case_window(scope, at, config)))]
    if name == "alert":
        return [alert_model().recipient_id == user_id]
    if name == "sync_conflict":
        mine = SyncConflict.user_id == user_id
        grid = scope.filter_grid(SyncConflict.grid_id)
        return [] if grid is None else [or_(grid, mine)]
    raise KeyError(name)
