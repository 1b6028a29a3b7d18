"""The person-facing side: the inbox, preferences, push subscriptions, and the admin's dead letters."""
from sqlalchemy import false, select, update

from harmony.access import require_admin
from harmony.alerts.models import CHANNELS, Alert, AlertDelivery, NotificationPreference, PushSubscription
from harmony.clock import now
from harmony.errors import Invalid, NotFound, RuleBroken
from harmony.extensions import db


def list_alerts(user_id, unread=False, kind=None):
    """Return the query of a person's alerts: unread first, newest first."""
    stmt = select(Alert).where(Alert.recipient_id == user_id, Alert.deleted.is_(False))
    if unread:
        stmt = stmt.where(Alert.read_at.is_(None))
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    return stmt.order_by(Alert.read_at.is_not(None), Alert.created_at.desc(), Alert.id)


def mark_read(user_id, alert_id):
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.recipient_id != user_id or alert.deleted:
        raise NotFound("No such alert.")
    if alert.read_at is None:
        alert.read_at = now()
        db.session.flush()
    return alert


def mark_all_read(user_id):
    """Mark every unread alert read (through the ORM so each gets a new version for sync)."""
    alerts = db.session.scalars(select(Alert).where(Alert.recipient_id == user_id, Alert.read_at.is_(None),
                                                    Alert.deleted.is_(False))).all()
    stamp = now()
    for alert in alerts:
        alert.read_at = stamp
    db.session.flush()
    return len(alerts)


def get_preferences(user_id):
    pref = db.session.get(NotificationPreference, user_id)
    return pref or NotificationPreference(user_id=user_id, channels=list(CHANNELS), email=None,
                                          email_mode="immediate", digest_hour=8)


def set_preferences(user_id, channels, email=None, email_mode="immediate", digest_hour=8, quiet_start=None,
                    quiet_end=None):
    if (quiet_start is None) != (quiet_end is None):
        field = "quiet_end" if quiet_end is None else "quiet_start"
        raise Invalid("Quiet hours need both a start and an end.", fields={field: ["Give both, or neither."]})
    pref = db.session.get(NotificationPreference, user_id)
    if pref is None:
        pref = NotificationPreference(user_id=user_id)
        db.session.add(pref)
    pref.channels = [c for c in CHANNELS if c in set(channels)]
    pref.email, pref.email_mode, pref.digest_hour = email, email_mode, digest_hour
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.updated_at = now()
    db.session.flush()
    return pref


def subscribe_push(user_id, endpoint, p256dh, auth):
    """Store a browser's push subscription (an endpoint moves to the person who subscribed last)."""
    sub = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is None:
        sub = PushSubscription(endpoint=endpoint, created_at=now())
        db.session.add(sub)
    sub.user_id, sub.p256dh, sub.auth, sub.last_error = user_id, p256dh, auth, None
    db.session.flush()
    return sub


def unsubscribe_push(user_id, endpoint):
    sub = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                           PushSubscription.user_id == user_id))
    if sub is None:
        raise NotFound("No such push subscription.", fields={"endpoint": ["Not subscribed."]})
    db.session.delete(sub)
    db.session.flush()


def list_deliveries(scope, status=None, channel=None):
    """Return the query of outbox rows an administrator may see (dead letters with status=dead)."""
    require_admin(scope)
    stmt = select(AlertDelivery).join(Alert, Alert.id == AlertDelivery.alert_id)
    if not scope.all_places:
        # Alerts without a grid (digests to administrators) are only for whole-tree admins.
        stmt = stmt.where(Alert.grid_id.in_(sorted(scope.grid_ids)) if scope.grid_ids else false())
    if status:
        stmt = stmt.where(AlertDelivery.status == status)
    if channel:
        stmt = stmt.where(AlertDelivery.channel == channel)
    return stmt.order_by(AlertDelivery.id.desc())


def resend_delivery(scope, delivery_id):
    """Put a dead letter back in the outbox with fresh attempts."""
    require_admin(scope)
    delivery = db.session.get(AlertDelivery, delivery_id)
    if delivery is None or not (scope.all_places or delivery.alert.grid_id in scope.grid_ids):
        raise NotFound("No such delivery.")
    if delivery.status != "dead":
        raise RuleBroken(f"Only dead deliveries can be re-sent; this one is {delivery.status}.",
                         fields={"status": [delivery.status]})
    db.session.execute(update(AlertDelivery).where(AlertDelivery.id == delivery.id).values(
        status="pending", attempts=0, crash_retries=0, next_attempt_at=now(), claimed_by=None, claimed_at=None))
    db.session.flush()
    db.session.refresh(delivery)
    return delivery
