"""Sync bookkeeping: clients, stored push results, the per-record change log, conflicts."""
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect

from harmony.cases.models import Case, CaseEvent
from harmony.dbtypes import SyncedMixin, UTCDateTime, new_id
from harmony.extensions import db
from harmony.households.models import Household, HouseholdMove
from harmony.visits.models import Visit, VisitAnnotation

# Pull reads "this grid's rows after seq N in seq order": these indexes keep that cost
# proportional to the grid, not to the database (see bench/sync_pull.py).
db.Index("ix_household_grid_seq", Household.grid_id, Household.server_seq)
db.Index("ix_household_move_from_seq", HouseholdMove.from_grid_id, HouseholdMove.server_seq)
db.Index("ix_visit_grid_seq", Visit.grid_id, Visit.server_seq)
db.Index("ix_visit_annotation_grid_seq", VisitAnnotation.grid_id, VisitAnnotation.server_seq)
db.Index("ix_case_grid_seq", Case.grid_id, Case.server_seq)
db.Index("ix_case_event_case_seq", CaseEvent.case_id, CaseEvent.server_seq)


class SyncClient(db.Model):
    """One phone's local database: bound to a user on first use, with its last mutation id."""

    __tablename__ = "sync_client"
    id = db.Column(db.String(36), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    device_id = db.Column(db.Integer, db.ForeignKey("device_token.id"))
    last_mid = db.Column(db.BigInteger, nullable=False, default=0)
    created_at = db.Column(UTCDateTime, nullable=False)
    last_push_at = db.Column(UTCDateTime)
    last_pull_at = db.Column(UTCDateTime)


class SyncResult(db.Model):
    """The result given to one mutation, replayed verbatim when the mutation is re-sent."""

    __tablename__ = "sync_result"
    client_id = db.Column(db.String(36), primary_key=True)
    mid = db.Column(db.BigInteger, primary_key=True, autoincrement=False)
    result = db.Column(db.Text, nullable=False)  # JSON text: stored and replayed as is
    created_at = db.Column(UTCDateTime, nullable=False, index=True)


class SyncRecordChange(db.Model):
    """Which fields one version of an edited record changed, with old and new values.

    The merge rules need the fields changed since a mutation's base version and their
    values at that base: the old value of the first change after the base.
    """

    __tablename__ = "sync_record_change"
    __table_args__ = (db.Index("ix_sync_record_change_record", "table_name", "record_id", "version"),)
    id = db.Column(db.Integer, primary_key=True)
    table_name = db.Column(db.String(40), nullable=False)
    record_id = db.Column(db.String(40), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    changes = db.Column(db.JSON, nullable=False)  # {field: [old, new]}
    client_id = db.Column(db.String(36))  # the phone whose push made it, if any
    at = db.Column(UTCDateTime)


class SyncConflict(SyncedMixin, db.Model):
    """A field changed on the server and on a phone from the same base: a person decides."""

    __tablename__ = "sync_conflict"
    __audited__ = True
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    table_name = db.Column(db.String(40), nullable=False)
    record_id = db.Column(db.String(40), nullable=False, index=True)
    field = db.Column(db.String(40), nullable=False)
    base_version = db.Column(db.Integer)
    base_value = db.Column(db.JSON)
    server_value = db.Column(db.JSON)
    client_value = db.Column(db.JSON)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), index=True)  # who pushed the clashing edit
    client_id = db.Column(db.String(36))
    mid = db.Column(db.BigInteger)
    status = db.Column(db.String(10), nullable=False, default="open")  # open | resolved
    resolution = db.Column(db.String(10))  # server | client | value
    resolved_value = db.Column(db.JSON)
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    resolved_at = db.Column(UTCDateTime)
    created_at = db.Column(UTCDateTime, nullable=False)


# Tables whose edits are logged for the merge rules.
CHANGE_LOGGED = {"household", "case"}
_NOT_LOGGED = {"version", "server_seq", "updated_at"}


def jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


@event.listens_for(FlaskSession, "after_flush")
def _log_changes(session, flush_context):
    from harmony.clock import now

    rows = []
    for obj in session.dirty:
        if getattr(obj, "__tablename__", None) not in CHANGE_LOGGED:
            continue
        state = inspect(obj)
        changes = {}
        for attr in state.mapper.column_attrs:
            if attr.key in _NOT_LOGGED:
                continue
            history = state.attrs[attr.key].history
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                changes[attr.key] = [jsonable(old), jsonable(new)]
        if changes:
            rows.append(dict(table_name=obj.__tablename__, record_id=str(obj.id), version=obj.version,
                             changes=changes, client_id=session.info.get("sync_client_id"), at=now()))
    if rows:
        session.execute(SyncRecordChange.__table__.insert(), rows)
