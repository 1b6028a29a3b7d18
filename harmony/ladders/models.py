from harmony.dbtypes import UTCDateTime
from harmony.extensions import db


class Ladder(db.Model):
    """An escalation ladder: configuration, attached to a place and inherited below it.

    `levels` is a list of dicts: {key, name_zh, name_en, owner_role, owner_team_kind,
    days, remind_days, leader_required}. Cases copy the levels when opened, so editing
    a ladder never rewrites a case's history.
    """

    __tablename__ = "ladder"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(40), nullable=False, unique=True)
    name_zh = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120))
    levels = db.Column(db.JSON, nullable=False)
    day_kind = db.Column(db.String(12), nullable=False, default="calendar")  # calendar | working
    updated_at = db.Column(UTCDateTime)


class CalendarDay(db.Model):
    """A public holiday, or a weekend day made a working day (调休)."""

    __tablename__ = "calendar_day"
    __audited__ = True
    day = db.Column(db.Date, primary_key=True)
    kind = db.Column(db.String(10), nullable=False)  # holiday | workday
    name = db.Column(db.String(80))
