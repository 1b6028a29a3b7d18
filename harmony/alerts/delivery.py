"""Send alerts from the outbox (AlertDelivery rows): email, webhook, Web Push.

Each row is claimed before it is sent (status `sending`, committed, by a conditional
UPDATE that only one process can win) and marked `sent` after. What a crash between
the two means differs per channel, see docs/alerts.md:

- a claim left in `sending` longer than ALERT_CLAIM_TIMEOUT_SECONDS is re-sent once
  (at-least-once, bounded: at most one re-delivery per channel); if it is lost again
  it goes to the dead-letter list instead of being sent a third time;
- email carries a Message-ID derived from the delivery, webhooks an X-Harmony-Delivery
  id, push a notification tag = the alert id, so a duplicate can be recognised.

The worker owns its transactions (claims must be visible to other processes before
the network call), so it commits; callers run it in an app context.
"""
import hashlib
import hmac
import json
import logging
import smtplib
import socket
import time as _time
import urllib.error
import urllib.request
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select, update

from harmony.alerts.models import AlertDelivery, NotificationPreference, PushSubscription, WebhookDelivery
from harmony.clock import ensure_utc, local_zone, now
from harmony.extensions import db
from harmony.people.models import User

log = logging.getLogger(__name__)
READY = ("pending", "retry")


class Skip(Exception):
    """Nothing to send to (no address, no subscription): not an error, not retried."""


class DeliveryFailed(Exception):
    """The far side said no (its message is the error recorded); retried with backoff."""


class PermanentFailure(Exception):
    """Retrying cannot help (e.g. a push subscription that is gone)."""


def _cfg(name, default):
    value = current_app.config.get(name)
    return default if value is None else value


# ------------------------------------------------------------------ the worker

def deliver_pending(holder="worker", limit=500):
    """Send what is due in the outbox; return counts by outcome."""
    stats = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0, "postponed": 0, "recovered": 0, "lost": 0}
    stats["lost"], stats["recovered"] = recover_stale_claims()
    at = now()
    due = db.session.execute(
        select(AlertDelivery.id, AlertDelivery.channel, AlertDelivery.recipient_id)
        .where(AlertDelivery.status.in_(READY), AlertDelivery.next_attempt_at <= at)
        .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id).limit(limit)
    ).all()
    db.session.commit()
    if not due:
        return stats
    recipient_ids = {row.recipient_id for row in due}
    prefs = {p.user_id: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(recipient_ids)))}
    batches, digests = [], {}
    for row in due:
        pref = prefs.get(row.recipient_id)
        if row.channel == "email" and pref is not None and pref.email_mode == "digest":
            digests.setdefault(row.recipient_id, []).append(row.id)
        else:
            batches.append((row.channel, row.recipient_id, [row.id]))
    batches += [("email", user_id, ids) for user_id, ids in digests.items()]
    for channel, user_id, ids in batches:
        outcome = _deliver_batch(channel, user_id, ids, prefs.get(user_id), holder)
        for key, count in outcome.items():
            stats[key] += count
    if any(stats.values()):
        log.info("delivery run by %s: %s", holder, stats)
    return stats


def _deliver_batch(channel, user_id, ids, pref, holder):
    at = now()
    quiet_until = quiet_hours_end(pref, at)
    if quiet_until is not None:
        # Quiet hours delay delivery, never drop it.
        db.session.execute(update(AlertDelivery).where(AlertDelivery.id.in_(ids), AlertDelivery.status.in_(READY))
                           .values(next_attempt_at=quiet_until))
        db.session.commit()
        return {"postponed": len(ids)}
    claimed = claim(ids, holder, at)
    if not claimed:
        return {}
    deliveries = db.session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(claimed))
                                    .order_by(AlertDelivery.id)).all()
    user = db.session.get(User, user_id)
    error, outcome = None, "sent"
    try:
        SENDERS[channel](deliveries, user, pref)
    except Skip as exc:
        outcome, error = "skipped", str(exc)
    except PermanentFailure as exc:
        outcome, error = "dead", str(exc)
    except DeliveryFailed as exc:
        outcome, error = "retry", str(exc)
    except Exception as exc:  # noqa: BLE001  (any failure of the far side is retried)
        outcome, error = "retry", f"{type(exc).__name__}: {exc}"
    results = {}
    finished = now()
    for delivery in deliveries:
        state = outcome
        if outcome == "retry" and delivery.attempts >= _cfg("ALERT_MAX_ATTEMPTS", 6):
            state = "dead"
        delivery.status = state
        delivery.last_error = error[:500] if error else None
        if state == "sent":
            delivery.sent_at = finished
        elif state == "retry":
            delivery.next_attempt_at = finished + backoff(delivery.attempts)
        results[state] = results.get(state, 0) + 1
        if state in ("retry", "dead"):
            log.warning("%s delivery %s to user %s failed (attempt %s): %s → %s", channel, delivery.id, user_id,
                        delivery.attempts, error, state)
    db.session.commit()
    return results


def backoff(attempts):
    """Exponential: base, 2×base, 4×base … capped at ALERT_RETRY_MAX_SECONDS."""
    base = _cfg("ALERT_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), _cfg("ALERT_RETRY_MAX_SECONDS", 6 * 3600)))


def claim(ids, holder, at):
    """Mark the rows `sending` for this holder; return the ids this process won."""
    won = []
    for delivery_id in ids:
        result = db.session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery_id, AlertDelivery.status.in_(READY),
                   AlertDelivery.next_attempt_at <= at)
            .values(status="sending", claimed_by=holder[:80], claimed_at=at, attempts=AlertDelivery.attempts + 1)
        )
        if result.rowcount == 1:
            won.append(delivery_id)
    db.session.commit()
    return won


def recover_stale_claims():
    """Release claims whose holder died mid-send: re-send once, then dead-letter; return (dead, released)."""
    cutoff = now() - timedelta(seconds=_cfg("ALERT_CLAIM_TIMEOUT_SECONDS", 600))
    stale = (AlertDelivery.status == "sending", AlertDelivery.claimed_at < cutoff)
    dead = db.session.execute(update(AlertDelivery).where(*stale, AlertDelivery.crash_retries >= 1).values(
        status="dead", last_error="Lost twice while sending; not sent again (at most one re-delivery).")).rowcount
    released = db.session.execute(update(AlertDelivery).where(*stale, AlertDelivery.crash_retries < 1).values(
        status="retry", crash_retries=AlertDelivery.crash_retries + 1, next_attempt_at=now(),
        last_error="The sending process stopped before recording the result; sending once more.")).rowcount
    db.session.commit()
    if dead or released:
        log.warning("stale delivery claims: %d released for one more try, %d dead-lettered", released, dead)
    return dead, released


# ------------------------------------------------------------------ quiet hours

def _parse_hhmm(value):
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_hours_end(pref, at):
    """Return when the quiet hours around `at` end (aware UTC), or None when `at` is not quiet."""
    if pref is None or not pref.quiet_start or not pref.quiet_end:
        return None
    zone = local_zone()
    local = at.astimezone(zone)
    start, end, now_t = _parse_hhmm(pref.quiet_start), _parse_hhmm(pref.quiet_end), local.time()
    if start == end:
        return None
    if start < end:
        quiet = start <= now_t < end
        end_day = local.date()
    else:  # across midnight, e.g. 22:00–07:00
        quiet = now_t >= start or now_t < end
        end_day = local.date() + timedelta(days=1) if now_t >= start else local.date()
    if not quiet:
        return None
    return ensure_utc(datetime.combine(end_day, end).replace(tzinfo=zone))


# ------------------------------------------------------------------ email

def _email_address(user, pref):
    return (pref.email if pref and pref.email else None) or (user.email if user else None)


def send_email(deliveries, user, pref):
    address = _email_address(user, pref)
    if not address:
        raise Skip("No email address.")
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        raise Skip("SMTP_HOST is not configured.")
    alerts = [d.alert for d in deliveries]
    locale = alerts[0].locale
    message = EmailMessage()
    message["From"] = cfg["SMTP_FROM"]
    message["To"] = address
    # A Message-ID per delivery (or digest) lets a mail client recognise a re-sent copy.
    message["Message-ID"] = make_msgid(idstring=f"harmony-delivery-{deliveries[0].id}", domain="harmony.local")
    if len(alerts) == 1:
        message["Subject"] = alerts[0].title
        message.set_content(f"{alerts[0].body}\n")
    else:
        message["Subject"] = ("Harmony: %d alerts" if locale == "en" else "和谐促进：%d 条提醒") % len(alerts)
        message.set_content("\n\n".join(f"{a.title}\n{a.body}" for a in alerts) + "\n")
    _smtp_send(cfg, message)


def _smtp_send(cfg, message):
    host, port, tls = cfg["SMTP_HOST"], cfg["SMTP_PORT"], (cfg.get("SMTP_TLS") or "none").lower()
    timeout = _cfg("SMTP_TIMEOUT_SECONDS", 20)
    smtp_class = smtplib.SMTP_SSL if tls == "ssl" else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if tls == "starttls":
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)


# ------------------------------------------------------------------ webhook

def sign(secret, body):
    """Return the X-Harmony-Signature header value: "sha256=" + HMAC-SHA256(secret, body) in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(delivery, user):
    alert = delivery.alert
    return {
        "delivery_id": delivery.id,
        "attempt": delivery.attempts,
        "sent_at": now().isoformat(),
        "alert": {"id": alert.id, "kind": alert.kind, "case_id": alert.case_id, "level": alert.level,
                  "period": alert.period, "locale": alert.locale, "title": alert.title, "body": alert.body,
                  "data": alert.data, "created_at": alert.created_at.isoformat()},
        "recipient": {"id": user.id, "display_name": user.display_name, "phone": user.phone, "email": user.email},
    }


def send_webhook(deliveries, user, pref):
    cfg = current_app.config
    url, secret = cfg.get("WEBHOOK_URL"), cfg.get("WEBHOOK_SECRET")
    if not url or not secret:
        raise Skip("WEBHOOK_URL and WEBHOOK_SECRET are required.")
    for delivery in deliveries:
        body = json.dumps(webhook_payload(delivery, user), ensure_ascii=False, sort_keys=True).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Harmony-Webhook/1",
            "X-Harmony-Delivery": str(delivery.id),
            "X-Harmony-Event": delivery.alert.kind,
            "X-Harmony-Signature": sign(secret, body),
        })
        started, status, error = _time.monotonic(), None, None
        try:
            with urllib.request.urlopen(request, timeout=_cfg("WEBHOOK_TIMEOUT_SECONDS", 10)) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, socket.timeout, OSError) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        db.session.add(WebhookDelivery(delivery_id=delivery.id, url=url[:500], attempt=delivery.attempts,
                                       status_code=status, error=error, attempted_at=now(),
                                       duration_ms=int((_time.monotonic() - started) * 1000)))
        db.session.flush()
        if error:
            raise DeliveryFailed(error)


# ------------------------------------------------------------------ Web Push

def vapid_key():
    """Return the py_vapid key from VAPID_PRIVATE_KEY (PEM, or base64url raw/DER)."""
    from py_vapid import Vapid

    raw = current_app.config.get("VAPID_PRIVATE_KEY")
    if not raw:
        return None
    if "BEGIN" in raw:
        return Vapid.from_pem(raw.encode())
    return Vapid.from_string(raw)


def push_payload(alert):
    return {"title": alert.title, "body": alert.body, "tag": alert.id, "kind": alert.kind,
            "case_id": alert.case_id, "alert_id": alert.id, "url": "/#/alerts"}


def send_push(deliveries, user, pref):
    from pywebpush import WebPushException, webpush

    key = vapid_key()
    if key is None:
        raise Skip("VAPID_PRIVATE_KEY is not configured.")
    subscriptions = db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)).all()
    if not subscriptions:
        raise Skip("No push subscription.")
    claims = {"sub": current_app.config["VAPID_SUBJECT"]}
    sent, errors = 0, []
    for delivery in deliveries:
        data = json.dumps(push_payload(delivery.alert), ensure_ascii=False)
        for sub in subscriptions:
            try:
                webpush({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}, data=data,
                        vapid_private_key=key, vapid_claims=dict(claims), ttl=24 * 3600,
                        timeout=_cfg("PUSH_TIMEOUT_SECONDS", 10), headers={"Urgency": "high"})
                sent += 1
            except WebPushException as exc:
                code = getattr(exc.response, "status_code", None)
                if code in (404, 410):  # the browser unsubscribed: forget the endpoint
                    log.info("push subscription %s gone (%s); removed", sub.id, code)
                    db.session.delete(sub)
                    continue
                sub.last_error = str(exc)[:500]
                errors.append(str(exc).splitlines()[0])
            except Exception as exc:  # noqa: BLE001
                sub.last_error = f"{type(exc).__name__}: {exc}"[:500]
                errors.append(sub.last_error)
    db.session.flush()
    if errors and not sent:
        raise DeliveryFailed("; ".join(errors)[:500])
    if not sent:
        raise PermanentFailure("Every push subscription is gone.")


SENDERS = {"email": send_email, "webhook": send_webhook, "push": send_push}
