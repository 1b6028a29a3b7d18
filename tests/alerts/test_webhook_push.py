"""Webhook (HMAC-signed, retried, dead letters) and Web Push (VAPID, aes128gcm) against loopback servers."""
import base64
import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import select

from alert_helpers import make_case, user_id
from harmony.alerts.delivery import deliver_pending
from harmony.alerts.inbox import set_preferences, subscribe_push
from harmony.alerts.models import AlertDelivery, PushSubscription, WebhookDelivery
from harmony.alerts.service import check_overdue
from harmony.extensions import db
from tests.conftest import START

SECRET = "webhook-secret-for-tests"


def only(channel, username):
    set_preferences(user_id(username), channels=[channel])
    for other in ("demo-village", "liaison-1", "liaison-2", "liaison-3", "demo-township"):
        if other != username:
            set_preferences(user_id(other), channels=[])


def webhook_setup(app, demo, sink):
    app.config.update(WEBHOOK_URL=sink.url + "/hook", WEBHOOK_SECRET=SECRET, ALERT_MAX_ATTEMPTS=3)
    only("webhook", "demo-township")
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    db.session.commit()
    check_overdue()
    db.session.commit()
    return db.session.scalar(select(AlertDelivery).where(AlertDelivery.channel == "webhook"))


def test_webhook_posts_signed_json(demo, ctx, app, http_sink):
    delivery = webhook_setup(app, demo, http_sink)
    assert deliver_pending()["sent"] == 1
    [request] = http_sink.requests
    body = request["body"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["x-harmony-signature"], expected)
    assert request["headers"]["x-harmony-delivery"] == str(delivery.id)
    payload = json.loads(body)
    assert payload["alert"]["kind"] == "overdue" and payload["alert"]["title"] == "案件逾期：邻里纠纷"
    assert payload["recipient"]["id"] == user_id("demo-township") and payload["alert"]["data"]["overdue_hours"] == 2.0
    [log] = db.session.scalars(select(WebhookDelivery)).all()
    assert log.status_code == 201 and log.error is None and log.attempt == 1


def test_webhook_retries_with_backoff_then_dead_letter_and_admin_resends(demo, app, client, login, clock, http_sink):
    with app.app_context():
        delivery_id = webhook_setup(app, demo, http_sink).id
        http_sink.codes = [500, 503, 502]
        deliver_pending()
        clock.advance(timedelta(seconds=60))
        deliver_pending()
        clock.advance(timedelta(seconds=120))
        assert deliver_pending()["dead"] == 1
        codes = [row.status_code for row in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]
        assert codes == [500, 503, 502]
        db.session.remove()
    admin = login("demo-admin")
    dead = admin.get("/api/alerts/deliveries?status=dead").get_json()
    assert [d["id"] for d in dead["items"]] == [delivery_id] and dead["items"][0]["last_error"] == "HTTP 502"
    assert login("demo-township").get("/api/alerts/deliveries?status=dead").status_code == 403
    assert admin.get("/api/alerts/deliveries?status=lost").status_code == 422
    resent = admin.post(f"/api/alerts/deliveries/{delivery_id}/resend")
    assert resent.status_code == 200 and resent.get_json()["status"] == "pending"
    again = admin.post(f"/api/alerts/deliveries/{delivery_id}/resend")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "rule_broken"
    assert admin.post("/api/alerts/deliveries/999999/resend").status_code == 404
    with app.app_context():
        assert deliver_pending()["sent"] == 1
        assert len(http_sink.requests) == 4
        assert db.session.get(AlertDelivery, delivery_id).status == "sent"


def test_no_webhook_deliveries_without_a_secret(demo, ctx, app, http_sink):
    app.config.update(WEBHOOK_URL=http_sink.url, WEBHOOK_SECRET=None)
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    db.session.commit()
    check_overdue()
    assert db.session.scalar(select(AlertDelivery).where(AlertDelivery.channel == "webhook")) is None


# ------------------------------------------------------------------ Web Push

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys():
    """What a browser makes in PushManager.subscribe: a P-256 key pair and a 16-byte auth secret."""
    import os

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return private, b64(public), os.urandom(16)


def vapid_pair():
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    private = b64(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))
    public = b64(vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    return private, public


def test_push_payload_is_encrypted_for_the_subscription_and_signed_with_vapid(demo, ctx, app, http_sink):
    import http_ece
    import jwt_check

    private_vapid, public_vapid = vapid_pair()
    app.config.update(VAPID_PRIVATE_KEY=private_vapid, VAPID_PUBLIC_KEY=public_vapid,
                      VAPID_SUBJECT="mailto:ops@example.org")
    browser_private, p256dh, auth = browser_keys()
    subscribe_push(user_id("demo-township"), http_sink.url + "/push/abc", p256dh, b64(auth))
    only("push", "demo-township")
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    db.session.commit()
    check_overdue()
    db.session.commit()
    assert deliver_pending()["sent"] == 1
    [request] = http_sink.requests
    assert request["path"] == "/push/abc"
    headers = request["headers"]
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) == 86400
    # Only the browser's private key and auth secret open the payload.
    clear = http_ece.decrypt(request["body"], private_key=browser_private, auth_secret=auth, version="aes128gcm")
    payload = json.loads(clear)
    assert payload["title"] == "案件逾期：邻里纠纷" and payload["kind"] == "overdue" and payload["tag"]
    # The VAPID header names our public key and carries a JWT signed with the private one.
    claims = jwt_check.verify_vapid(headers["authorization"], public_vapid)
    assert claims["aud"] == http_sink.url and claims["sub"] == "mailto:ops@example.org"


def test_push_subscription_gone_is_removed(demo, ctx, app, http_sink):
    private_vapid, public_vapid = vapid_pair()
    app.config.update(VAPID_PRIVATE_KEY=private_vapid, VAPID_PUBLIC_KEY=public_vapid)
    _, p256dh, auth = browser_keys()
    subscribe_push(user_id("demo-township"), http_sink.url + "/push/gone", p256dh, b64(auth))
    only("push", "demo-township")
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    db.session.commit()
    check_overdue()
    db.session.commit()
    http_sink.codes = [410]
    stats = deliver_pending()
    assert stats["dead"] == 1
    assert db.session.scalars(select(PushSubscription)).all() == []
