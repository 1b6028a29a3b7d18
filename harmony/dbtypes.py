"""Column types shared by every package."""
import uuid
from datetime import timezone

from sqlalchemy.types import DateTime, TypeDecorator

from harmony.extensions import db


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC, on every database alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def new_id():
    return str(uuid.uuid4())


class SyncedMixin:
    """Columns of a record that phones pull: a version per edit and a server sequence.

    `server_seq` is stamped by harmony.versioning at flush time under the sequence
    lock, so it is ordered by commit and no reader can skip a late commit.
    """

    version = db.Column(db.Integer, nullable=False, default=1)
    server_seq = db.Column(db.BigInteger, nullable=False, default=0, index=True)
    deleted = db.Column(db.Boolean, nullable=False, default=False)
    updated_at = db.Column(UTCDateTime)
