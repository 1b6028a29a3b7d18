from harmony.dbtypes import UTCDateTime
from harmony.extensions import db


class AuditEntry(db.Model):
    """Who changed what, from which device, when."""

    __tablename__ = "audit_entry"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), index=True)
    device_id = db.Column(db.Integer, db.ForeignKey("device_token.id"))
    action = db.Column(db.String(16), nullable=False)  # create | update | delete
    table_name = db.Column(db.String(40), nullable=False)
    record_id = db.Column(db.String(40), nullable=False)
    changes = db.Column(db.JSON, nullable=False, default=dict)
