from harmony.extensions import db

TEAM_KINDS = ("grid_group", "association")
MEMBER_ROLES = ("head", "village_cadre", "liaison_cadre", "member", "peacemaker")


class Team(db.Model):
    """A grid group (per grid) or an association (per village)."""

    __tablename__ = "team"
    __audited__ = True
    __table_args__ = (db.UniqueConstraint("kind", "place_id", name="uq_team_kind_place"),)
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False)
    place_id = db.Column(db.Integer, db.ForeignKey("place.id"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)

    members = db.relationship("TeamMember", backref="team", cascade="all, delete-orphan", lazy="selectin")
    place = db.relationship("Place")


class TeamMember(db.Model):
    __tablename__ = "team_member"
    __audited__ = True
    __table_args__ = (db.UniqueConstraint("team_id", "user_id", name="uq_team_member_team_user"),)
    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    member_role = db.Column(db.String(16), nullable=False, default="member")
    user = db.relationship("User", lazy="joined")
