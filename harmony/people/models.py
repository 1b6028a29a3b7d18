from harmony.dbtypes import UTCDateTime
from harmony.extensions import db

ROLES = (
    "promoter",
    "grid_head",
    "village_cadre",
    "liaison_cadre",
    "township_staff",
    "county_staff",
    "county_leader",
    "admin",
)
# The place kind each role is bound to (a promoter may also be bound to a unit).
ROLE_PLACE_KINDS = {
    "promoter": ("grid", "unit"),
    "grid_head": ("grid",),
    "village_cadre": ("village",),
    "liaison_cadre": ("village",),
    "township_staff": ("township",),
    "county_staff": ("county",),
    "county_leader": ("county",),
    "admin": ("city", "county", "township", "village", "grid"),
}


class User(db.Model):
    """A person with an account. Promoter credentials are the "letter, permit, card"."""

    __tablename__ = "user"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    display_name = db.Column(db.String(80), nullable=False)
    phone = db.Column(db.String(32))
    email = db.Column(db.String(254))
    active = db.Column(db.Boolean, nullable=False, default=True)
    locale = db.Column(db.String(8), nullable=False, default="zh-CN")
    appointment_date = db.Column(db.Date)
    permit_no = db.Column(db.String(40))
    contact_card_no = db.Column(db.String(40))
    created_at = db.Column(UTCDateTime, nullable=False)

    roles = db.relationship("RoleAssignment", backref="user", cascade="all, delete-orphan", lazy="selectin")


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __audited__ = True
    __table_args__ = (db.UniqueConstraint("user_id", "role", "place_id", name="uq_role_assignment_user_role_place"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    role = db.Column(db.String(24), nullable=False)
    place_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False, index=True)
    place = db.relationship("Place", lazy="joined")


class DeviceToken(db.Model):
    """One phone's long-lived bearer token; only its SHA-256 is stored."""

    __tablename__ = "device_token"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False)
    last_used_at = db.Column(UTCDateTime)
    revoked_at = db.Column(UTCDateTime)

    user = db.relationship("User")


class LoginFailure(db.Model):
    """Failed log-ins, kept briefly to rate-limit guessing across processes."""

    __tablename__ = "login_failure"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, index=True)
    remote_addr = db.Column(db.String(64))
    at = db.Column(UTCDateTime, nullable=False, index=True)
