from harmony.dbtypes import SyncedMixin
from harmony.extensions import db

PLACE_KINDS = ("city", "county", "township", "village", "grid", "unit")
# Which kind may sit under which: one tree, one level at a time.
CHILD_KIND = {"city": "county", "county": "township", "township": "village", "village": "grid", "grid": "unit"}
GRID_KINDS = ("residential", "office_building", "enterprise_workshop", "migrant_settlement")
UNIT_KINDS = ("stairwell", "villager_group", "workshop_team")


class Place(SyncedMixin, db.Model):
    """A node of the administrative tree; `path` ("/1/4/9/") makes subtree queries cheap."""

    __tablename__ = "place"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False, index=True)
    subkind = db.Column(db.String(32))  # grid kind or unit kind
    name_zh = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120))
    parent_id = db.Column(db.Integer, db.ForeignKey("place.id"), index=True)
    path = db.Column(db.String(400), nullable=False, default="", index=True)
    ladder_id = db.Column(db.Integer, db.ForeignKey("ladder.id"))

    parent = db.relationship("Place", remote_side=[id], backref="children")

    @property
    def depth(self):
        return self.path.count("/") - 1

    def ancestor_ids(self):
        return [int(part) for part in self.path.strip("/").split("/") if part]
