from harmony.dbtypes import SyncedMixin, UTCDateTime, new_id
from harmony.extensions import db

CARE_TAGS = ("elderly_alone", "hardship", "migrant", "disabled", "left_behind_child")


class Household(SyncedMixin, db.Model):
    """A household in a grid: only what the visits need (no ID numbers, no tracking)."""

    __tablename__ = "household"
    __audited__ = True
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("place.id"))
    code = db.Column(db.String(40), unique=True)
    address = db.Column(db.String(200), nullable=False)
    head_name = db.Column(db.String(80), nullable=False)
    phone = db.Column(db.String(32))
    member_count = db.Column(db.Integer, nullable=False, default=1)
    care_tags = db.Column(db.JSON, nullable=False, default=list)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False)


class HouseholdMove(db.Model):
    """A household changing grid; visits keep the grid they were made in."""

    __tablename__ = "household_move"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    household_id = db.Column(db.String(36), db.ForeignKey("household.id"), nullable=False, index=True)
    from_grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False)
    to_grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False)
    moved_at = db.Column(UTCDateTime, nullable=False)
    moved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    # Sequence at which clients of the old grid must drop the household.
    server_seq = db.Column(db.BigInteger, nullable=False, index=True)
