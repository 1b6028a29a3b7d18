"""Alerts, their per-channel outbox, preferences, push subscriptions, webhook log and the scheduler lease."""
from harmony.cases.models import Case
from harmony.dbtypes import SyncedMixin, UTCDateTime
from harmony.extensions import db

ALERT_KINDS = ("overdue", "due_soon", "visit_digest", "team_health")
CHANNELS = ("email", "webhook", "push")  # the inbox is the Alert row itself
DELIVERY_STATUSES = ("pending", "sending", "retry", "sent", "skipped", "dead")
EMAIL_MODES = ("immediate", "digest")

# The due-soon check reads open cases by reminder time; without this it would scan every
# open case. Declared here (not in cases) because only the alerts read it.
db.Index("ix_case_open_remind", Case.__table__.c.status, Case.__table__.c.remind_at)


class Alert(SyncedMixin, db.Model):
    """One message to one person; created once per (kind, case, level, period, recipient).

    `dedupe_key` spells that tuple out (case and level may be null for digests, and NULLs
    never collide in a UNIQUE index); the id is derived from it, so two processes that
    find the same thing insert the same row and one of them does nothing.
    """

    __tablename__ = "alert"
    __table_args__ = (db.Index("ix_alert_recipient_read", "recipient_id", "read_at"),)
    id = db.Column(db.String(36), primary_key=True)
    dedupe_key = db.Column(db.String(160), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False)
    case_id = db.Column(db.String(36), db.ForeignKey("case.id"), index=True)
    level = db.Column(db.Integer)
    period = db.Column(db.Integer, nullable=False, default=0)
    recipient_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    grid_id = db.Column(db.Integer, db.ForeignKey("place.id"))
    locale = db.Column(db.String(8), nullable=False, default="zh-CN")
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False, default="")
    data = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(UTCDateTime, nullable=False)
    read_at = db.Column(UTCDateTime)


class CaseAlertMark(db.Model):
    """What a case was last alerted for, per kind: lets the check's query return only cases with new work.

    A case needs work when it has no mark, or its level or deadline changed, or the next
    repeat period has begun (`next_at`). Only a shortcut: correctness rests on Alert.dedupe_key.
    """

    __tablename__ = "case_alert_mark"
    case_id = db.Column(db.String(36), db.ForeignKey("case.id"), primary_key=True)
    kind = db.Column(db.String(16), primary_key=True)
    level = db.Column(db.Integer, nullable=False)
    deadline_at = db.Column(UTCDateTime, nullable=False)
    period = db.Column(db.Integer, nullable=False)
    next_at = db.Column(UTCDateTime)  # when the next period begins; null: never again at this level
    marked_at = db.Column(UTCDateTime, nullable=False)


class AlertDelivery(db.Model):
    """The outbox: one row per (alert, channel), claimed before sending and marked after."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        db.UniqueConstraint("alert_id", "channel", name="uq_alert_delivery_alert_channel"),
        db.Index("ix_alert_delivery_due", "status", "next_attempt_at"),
    )
    id = db.Column(db.Integer, primary_key=True)
    alert_id = db.Column(db.String(36), db.ForeignKey("alert.id"), nullable=False)
    channel = db.Column(db.String(10), nullable=False)
    recipient_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    status = db.Column(db.String(10), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    crash_retries = db.Column(db.Integer, nullable=False, default=0)  # claims lost mid-send and re-sent
    next_attempt_at = db.Column(UTCDateTime, nullable=False)
    claimed_by = db.Column(db.String(80))
    claimed_at = db.Column(UTCDateTime)
    last_error = db.Column(db.String(500))
    sent_at = db.Column(UTCDateTime)
    created_at = db.Column(UTCDateTime, nullable=False)

    alert = db.relationship("Alert", lazy="joined")


class NotificationPreference(db.Model):
    """How one person wants to be told: channels, quiet hours, digest or immediate email."""

    __tablename__ = "notification_preference"
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    channels = db.Column(db.JSON, nullable=False, default=lambda: list(CHANNELS))
    email = db.Column(db.String(254))  # overrides User.email when set
    email_mode = db.Column(db.String(10), nullable=False, default="immediate")
    digest_hour = db.Column(db.Integer, nullable=False, default=8)  # local hour of the daily digest
    quiet_start = db.Column(db.String(5))  # "22:00" local; both null = no quiet hours
    quiet_end = db.Column(db.String(5))  # "07:00" local
    updated_at = db.Column(UTCDateTime)


class PushSubscription(db.Model):
    """A browser's Web Push subscription (from PushManager.subscribe)."""

    __tablename__ = "push_subscription"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    endpoint = db.Column(db.String(1000), nullable=False, unique=True)
    p256dh = db.Column(db.String(200), nullable=False)
    auth = db.Column(db.String(100), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False)
    last_error = db.Column(db.String(500))


class WebhookDelivery(db.Model):
    """The webhook log: one row per POST attempt (dead letters are AlertDelivery rows with status dead)."""

    __tablename__ = "webhook_delivery"
    id = db.Column(db.Integer, primary_key=True)
    delivery_id = db.Column(db.Integer, db.ForeignKey("alert_delivery.id"), nullable=False, index=True)
    url = db.Column(db.String(500), nullable=False)
    attempt = db.Column(db.Integer, nullable=False)
    status_code = db.Column(db.Integer)
    error = db.Column(db.String(500))
    duration_ms = db.Column(db.Integer)
    attempted_at = db.Column(UTCDateTime, nullable=False)


class SchedulerLease(db.Model):
    """Who runs the scheduled jobs: taken when expired, renewed by its holder on each run."""

    __tablename__ = "scheduler_lease"
    name = db.Column(db.String(40), primary_key=True)
    holder = db.Column(db.String(80), nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
    acquired_at = db.Column(UTCDateTime, nullable=False)
