"""The inbox and preferences over HTTP: only my alerts, unread first; bad input names the field."""
from datetime import timedelta

from sqlalchemy import func, select

from alert_helpers import make_case
from harmony.alerts.models import Alert, NotificationPreference, PushSubscription
from harmony.alerts.service import check_overdue
from harmony.extensions import db
from tests.conftest import START


def seed_alerts(app, demo, clock):
    with app.app_context():
        make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=1),
                  title="第一件")
        make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2),
                  title="第二件")
        db.session.commit()
        check_overdue()
        db.session.commit()
        db.session.remove()


def test_inbox_lists_my_alerts_unread_first_and_marks_them_read(demo, app, login, clock):
    seed_alerts(app, demo, clock)
    township = login("demo-township")
    page = township.get("/api/alerts").get_json()
    assert page["total"] == 2 and all(a["read_at"] is None for a in page["items"])
    first = page["items"][0]
    read = township.post(f"/api/alerts/{first['id']}/read")
    assert read.status_code == 200 and read.get_json()["read_at"] is not None
    assert read.get_json()["version"] == first["version"] + 1  # phones pull the change
    listed = township.get("/api/alerts").get_json()["items"]
    assert [a["read_at"] is None for a in listed] == [True, False]
    assert township.get("/api/alerts?unread=true").get_json()["total"] == 1
    assert township.post("/api/alerts/read-all").get_json() == {"count": 1}
    assert township.get("/api/alerts?unread=true").get_json()["total"] == 0
    assert township.get("/api/alerts?kind=weather").status_code == 422


def test_someone_else_cannot_see_or_read_my_alert(demo, app, login, clock):
    seed_alerts(app, demo, clock)
    alert_id = login("demo-township").get("/api/alerts").get_json()["items"][0]["id"]
    promoter = login("demo-promoter")
    assert promoter.get("/api/alerts").get_json()["total"] == 0
    response = promoter.post(f"/api/alerts/{alert_id}/read")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert promoter.post("/api/alerts/read-all").get_json() == {"count": 0}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert).where(Alert.read_at.isnot(None))) == 0
    assert app.test_client().get("/api/alerts").status_code == 401


def test_preferences_round_trip_and_bad_input_names_the_field(demo, app, login):
    me = login("demo-township")
    assert me.get("/api/alerts/preferences").get_json()["channels"] == ["email", "webhook", "push"]
    good = me.put("/api/alerts/preferences", json={"channels": ["push", "email"], "email_mode": "digest",
                                                   "digest_hour": 18, "quiet_start": "22:00", "quiet_end": "07:00"})
    assert good.status_code == 200, good.get_json()
    assert good.get_json()["channels"] == ["email", "push"]
    assert me.get("/api/alerts/preferences").get_json()["quiet_end"] == "07:00"
    for body, field in [
        ({"channels": ["sms"]}, "channels"),
        ({"channels": [], "quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"channels": [], "quiet_start": "22:00"}, "quiet_end"),
        ({"channels": [], "email": "not-an-address"}, "email"),
        ({"channels": [], "email_mode": "hourly"}, "email_mode"),
        ({"channels": [], "digest_hour": 24}, "digest_hour"),
        ({}, "channels"),
    ]:
        response = me.put("/api/alerts/preferences", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"], (body, response.get_json())
    with app.app_context():
        pref = db.session.get(NotificationPreference, me.user["id"])
        assert pref.channels == ["email", "push"] and pref.digest_hour == 18  # nothing bad was stored


def test_push_subscriptions_validate_and_belong_to_their_owner(demo, app, login):
    me = login("demo-township")
    keys = {"p256dh": "B" * 87, "auth": "a" * 22}
    for body, field in [
        ({"endpoint": "ftp://push.example.org/x", "keys": keys}, "endpoint"),
        ({"endpoint": "http://push.example.org/x", "keys": keys}, "endpoint"),
        ({"endpoint": "https://push.example.org/x"}, "keys"),
        ({"endpoint": "https://push.example.org/x", "keys": {"p256dh": "short", "auth": "a" * 22}}, "keys"),
    ]:
        response = me.post("/api/alerts/push-subscriptions", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], body
    created = me.post("/api/alerts/push-subscriptions", json={"endpoint": "https://push.example.org/x", "keys": keys})
    assert created.status_code == 201 and "keys" not in created.get_json()
    other = login("demo-promoter")
    assert other.delete("/api/alerts/push-subscriptions", json={"endpoint": "https://push.example.org/x"}).status_code == 404
    assert other.delete("/api/alerts/push-subscriptions", json={}).status_code == 422
    assert me.delete("/api/alerts/push-subscriptions", json={"endpoint": "https://push.example.org/x"}).status_code == 204
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert me.get("/api/alerts/push/key").get_json() == {"public_key": None}


def test_alerts_reach_phones_through_sync_pull(demo, app, login, clock):
    import importlib.util

    if importlib.util.find_spec("sync.views") is None:
        import pytest
        pytest.skip("sync has not landed")
    seed_alerts(app, demo, clock)
    me = login("demo-township")
    response = me.post("/api/sync/pull", json={"client_id": "11111111-1111-4111-8111-111111111111", "limit": 1000})
    if response.status_code != 200:
        import pytest
        pytest.skip(f"sync pull contract differs: {response.get_json()}")
    body = response.get_json()
    text = str(body)
    assert "第一件" in text and "第二件" in text
