"""Stamp versions and gap-safe server sequence numbers on synced records.

Sequence numbers come from one counter row, bumped with UPDATE … RETURNING. The row
lock taken by that UPDATE is held until the transaction ends, so a transaction that
holds number N commits before any other can take N+1: readers pulling "after N"
never skip a late commit. SQLite's single writer gives the same guarantee.
"""
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect, text

from harmony.dbtypes import SyncedMixin
from harmony.extensions import db


class SyncCounter(db.Model):
    __tablename__ = "sync_counter"
    id = db.Column(db.Integer, primary_key=True)
    value = db.Column(db.BigInteger, nullable=False, default=0)


def allocate_seq(connection, count):
    """Reserve `count` numbers and return the first; holds the lock until commit."""
    if count <= 0:
        raise ValueError("count must be positive")
    last = connection.execute(
        text(
            "INSERT INTO sync_counter (id, value) VALUES (1, :n) "
            "ON CONFLICT (id) DO UPDATE SET value = sync_counter.value + :n RETURNING value"
        ),
        {"n": count},
    ).scalar()
    return last - count + 1


def current_seq(connection):
    return connection.execute(text("SELECT value FROM sync_counter WHERE id = 1")).scalar() or 0


def _changed(obj):
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in ("server_seq", "updated_at"))


@event.listens_for(FlaskSession, "before_flush")
def _stamp_synced(session, flush_context, instances):
    from harmony.clock import now

    new = [o for o in session.new if isinstance(o, SyncedMixin)]
    dirty = [o for o in session.dirty if isinstance(o, SyncedMixin) and _changed(o)]
    if not new and not dirty:
        return
    for obj in dirty:
        obj.version = (obj.version or 1) + 1
    for obj in new:
        if obj.version is None:
            obj.version = 1
    first = allocate_seq(session.connection(), len(new) + len(dirty))
    stamp = now()
    for offset, obj in enumerate(new + dirty):
        obj.server_seq = first + offset
        obj.updated_at = stamp
