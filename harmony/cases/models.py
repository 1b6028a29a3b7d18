from harmony.dbtypes import SyncedMixin, UTCDateTime, new_id
from harmony.extensions import db

CASE_STATUSES = ("open", "resolved", "closed")
CASE_SOURCES = ("visit", "walk_in", "phone", "resident_request")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_CATEGORIES = (
    "neighbour", "family", "land_housing", "labour_wages", "medical",
    "traffic_accident", "environment", "public_services", "other",
)
EVENT_KINDS = (
    "opened", "note", "mediation", "escalated", "deescalated", "accepted", "assigned",
    "leader_assigned", "resolved", "satisfaction", "reopened", "closed", "ladder_reapplied",
)
# Written by the server only: opening a case, and an administrator re-applying a ladder.
SYSTEM_EVENT_KINDS = ("opened", "ladder_reapplied")


class Case(SyncedMixin, db.Model):
    """A matter not settled on the spot. Workflow columns are derived from its events."""

    __tablename__ = "case"
    __audited__ = True
    __table_args__ = (
        # The overdue check reads only open cases by deadline: cost follows what is due.
        db.Index("ix_case_open_deadline", "status", "deadline_at"),
        db.Index("ix_case_grid_status", "grid_id", "status"),
    )
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False)
    # Editable by people (merge policy per field in sync/).
    title = db.Column(db.String(200), nullable=False)
    category = db.Column(db.String(32), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    parties = db.Column(db.JSON, nullable=False, default=list)  # [{name, role, household_id?}]
    priority = db.Column(db.String(8), nullable=False, default="normal")
    source = db.Column(db.String(20), nullable=False)
    reported_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    opened_at = db.Column(UTCDateTime, nullable=False)
    ladder_key = db.Column(db.String(40), nullable=False)
    ladder_levels = db.Column(db.JSON, nullable=False)  # snapshot at opening
    ladder_day_kind = db.Column(db.String(12), nullable=False, default="calendar")
    # Derived by harmony.cases.fold from the events (server-owned).
    status = db.Column(db.String(10), nullable=False, default="open")
    level = db.Column(db.Integer, nullable=False, default=1)  # 1-based index into ladder_levels
    level_key = db.Column(db.String(40), nullable=False, default="")
    tier = db.Column(db.String(10), nullable=False, default="village")  # village | township | county
    owner_role = db.Column(db.String(24))  # the current level's owner role: "my work" filters on it
    level_since = db.Column(UTCDateTime)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    owner_team_id = db.Column(db.Integer, db.ForeignKey("team.id"))
    assigned_committee = db.Column(db.String(40))
    leader_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    deadline_at = db.Column(UTCDateTime)
    remind_at = db.Column(UTCDateTime)
    resolved_level = db.Column(db.Integer)
    resolved_level_key = db.Column(db.String(40))
    resolved_tier = db.Column(db.String(10))  # where it was settled: village | township | county
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    resolved_team_id = db.Column(db.Integer, db.ForeignKey("team.id"))
    resolved_at = db.Column(UTCDateTime)
    closed_at = db.Column(UTCDateTime)
    satisfaction = db.Column(db.Integer)  # the resident's latest rating, 1–5
    satisfaction_at = db.Column(UTCDateTime)


class CaseEvent(SyncedMixin, db.Model):
    """One entry of a case's timeline; append-only. Rejected events stay, with a reason."""

    __tablename__ = "case_event"
    __table_args__ = (db.Index("ix_case_event_case_occurred", "case_id", "occurred_at"),)
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    case_id = db.Column(db.String(36), db.ForeignKey("case.id"), nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    actor_id = db.Column(db.Integer, db.ForeignKey("user.id"))  # null = the system
    device_id = db.Column(db.Integer, db.ForeignKey("device_token.id"))
    occurred_at = db.Column(UTCDateTime, nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False)
    data = db.Column(db.JSON, nullable=False, default=dict)
    rejected_reason = db.Column(db.String(300))  # set by the fold; null when it applied
    # Who held which role and team membership when the event was received, for the people
    # it names (actor, carrier, leader): re-folding later must not depend on today's teams.
    facts = db.Column(db.JSON)
