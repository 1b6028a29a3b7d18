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


class HouseholdVisitDays(db.Model):
    """Which local days of one calendar year a household was visited: what coverage reads.

    `m1`…`m12` are bit masks, bit d-1 set when the household had a (non-deleted) visit on
    day d of that month in the configured time zone. Visits are append-only, so a row only
    ever gains bits: recording the same visit again (a retried push) changes nothing.
    `grid_id` and `counted` (active and not deleted) follow the household as it is now, so
    the coverage report can count visited households per grid from this table alone
    (1,000,000 households in one pass over ~1M short rows instead of joining ~850,000
    visits of a month to the households; docs/performance.md, Reports).
    Maintained by harmony.households.visit_days; rebuilt with `flask rebuild-visit-days`.
    """

    __tablename__ = "household_visit_days"
    household_id = db.Column(db.String(36), db.ForeignKey("household.id"), primary_key=True)
    year = db.Column(db.SmallInteger, primary_key=True, autoincrement=False)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False)
    counted = db.Column(db.Boolean, nullable=False)
    m1 = db.Column(db.Integer, nullable=False, default=0)
    m2 = db.Column(db.Integer, nullable=False, default=0)
    m3 = db.Column(db.Integer, nullable=False, default=0)
    m4 = db.Column(db.Integer, nullable=False, default=0)
    m5 = db.Column(db.Integer, nullable=False, default=0)
    m6 = db.Column(db.Integer, nullable=False, default=0)
    m7 = db.Column(db.Integer, nullable=False, default=0)
    m8 = db.Column(db.Integer, nullable=False, default=0)
    m9 = db.Column(db.Integer, nullable=False, default=0)
    m10 = db.Column(db.Integer, nullable=False, default=0)
    m11 = db.Column(db.Integer, nullable=False, default=0)
    m12 = db.Column(db.Integer, nullable=False, default=0)
    __table_args__ = (
        # The report reads (year, grid, masks) of counted households from this index alone.
        db.Index("ix_household_visit_days_report", "year", "grid_id", *[f"m{n}" for n in range(1, 13)],
                 postgresql_where=db.text("counted = true"), sqlite_where=db.text("counted = 1")),
    )
