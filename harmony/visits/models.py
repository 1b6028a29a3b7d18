from harmony.dbtypes import SyncedMixin, UTCDateTime, new_id
from harmony.extensions import db

VISIT_FORMS = ("home_visit", "family_stay", "contact_card", "phone_call")
# The promoter's six roles, used as visit topics.
VISIT_TOPICS = ("liaison", "residents_views", "mediation", "policy_law", "public_affairs", "safety")


class Visit(SyncedMixin, db.Model):
    """A home visit: append-only once synced; corrections are annotations."""

    __tablename__ = "visit"
    __table_args__ = (db.Index("ix_visit_grid_occurred", "grid_id", "occurred_at"),
                      db.Index("ix_visit_household_occurred", "household_id", "occurred_at"))
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    household_id = db.Column(db.String(36), db.ForeignKey("household.id"), nullable=False)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False)  # grid at the time
    promoter_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    device_id = db.Column(db.Integer, db.ForeignKey("device_token.id"))
    occurred_at = db.Column(UTCDateTime, nullable=False)  # the phone's time, as reported
    received_at = db.Column(UTCDateTime, nullable=False)  # the server's time
    form = db.Column(db.String(16), nullable=False)
    topics = db.Column(db.JSON, nullable=False, default=list)
    notes = db.Column(db.Text, nullable=False, default="")
    answered_on_spot = db.Column(db.Boolean, nullable=False, default=False)
    case_ids = db.Column(db.JSON, nullable=False, default=list)


class VisitAnnotation(SyncedMixin, db.Model):
    """A correction or remark appended to a visit."""

    __tablename__ = "visit_annotation"
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    visit_id = db.Column(db.String(36), db.ForeignKey("visit.id"), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    occurred_at = db.Column(UTCDateTime, nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False)
