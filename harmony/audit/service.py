"""Write an audit entry for every change to an audited record.

Append-only records (visits, case events) carry their own author, device and times,
so they are not copied here.
"""
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect

from harmony.audit.models import AuditEntry

REDACTED = {"password_hash", "token_hash"}
# last_used_at is bookkeeping touched by reads, not a change anyone made.
SKIPPED = {"server_seq", "updated_at", "version", "path", "last_used_at"}


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def _changes(obj, action):
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED:
            continue
        history = state.attrs[key].history
        if action == "create":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = "***" if key in REDACTED else _jsonable(value)
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[key] = "***" if key in REDACTED else [_jsonable(old), _jsonable(new)]
    return changes


def _record_id(obj):
    identity = inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else str(getattr(obj, "id", "?"))


@event.listens_for(FlaskSession, "after_flush")
def _audit(session, flush_context):
    from harmony.clock import now

    user_id, device_id = session.info.get("actor", (None, None))
    entries = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not getattr(obj, "__audited__", False) or isinstance(obj, AuditEntry):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            entries.append(dict(at=now(), user_id=user_id, device_id=device_id, action=action,
                                table_name=obj.__tablename__, record_id=_record_id(obj), changes=changes))
    if entries:
        # Core insert: adding ORM objects inside after_flush would need another flush.
        session.execute(AuditEntry.__table__.insert(), entries)
