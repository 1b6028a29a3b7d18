from harmony.audit.models import AuditEntry
from harmony.extensions import db
from harmony.people.models import DeviceToken, LoginFailure


def test_wrong_password_and_unknown_user_get_the_same_generic_error(demo, client):
    wrong = client.post("/api/auth/login", json={"username": "demo-promoter", "password": "nope", "device_name": "p"})
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "nope", "device_name": "p"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "login_failed"


def test_login_is_rate_limited_per_username(demo, client, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        client.post("/api/auth/login", json={"username": "demo-promoter", "password": "bad", "device_name": "p"})
    blocked = client.post("/api/auth/login", json={"username": "demo-promoter", "password": "harmony-demo",
                                                    "device_name": "p"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Another account is not locked out by someone guessing this one.
    assert client.post("/api/auth/login", json={"username": "demo-gridhead", "password": "harmony-demo",
                                                "device_name": "p"}).status_code == 200


def test_rate_limit_window_passes_with_time(demo, client, app, clock):
    from datetime import timedelta

    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/api/auth/login", json={"username": "demo-promoter", "password": "bad", "device_name": "p"})
    clock.advance(timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1))
    ok = client.post("/api/auth/login", json={"username": "demo-promoter", "password": "harmony-demo", "device_name": "p"})
    assert ok.status_code == 200
    with app.app_context():
        assert db.session.query(LoginFailure).filter_by(username="demo-promoter").count() == 0


def test_login_input_is_validated_and_names_the_field(demo, client):
    response = client.post("/api/auth/login", json={"username": "demo-promoter", "password": "x"})
    assert response.status_code == 422
    assert "device_name" in response.get_json()["error"]["fields"]


def test_requests_without_or_with_a_bad_token_get_401(demo, client):
    assert client.get("/api/households").status_code == 401
    bad = client.get("/api/households", headers={"Authorization": "Bearer hmy_not-a-token"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"


def test_each_device_has_its_own_token_stored_hashed_and_revocable(demo, login, app):
    phone = login("demo-promoter", device_name="phone")
    tablet = login("demo-promoter", device_name="tablet")
    devices = phone.get("/api/auth/devices").get_json()
    assert [d["name"] for d in devices] == ["phone", "tablet"]
    with app.app_context():
        stored = [d.token_hash for d in db.session.query(DeviceToken).all()]
    assert phone.token not in stored and len(stored[0]) == 64
    tablet_id = devices[1]["id"]
    assert phone.delete(f"/api/auth/devices/{tablet_id}").status_code == 200
    assert tablet.get("/api/auth/me").status_code == 401
    assert phone.get("/api/auth/me").status_code == 200


def test_admin_lists_and_revokes_another_persons_device_but_others_cannot(demo, login):
    phone = login("demo-promoter", device_name="phone")
    other = login("demo-gridhead")
    admin = login("demo-admin")
    promoter_id = phone.user["id"]
    assert other.get(f"/api/people/{promoter_id}/devices").status_code == 403
    devices = admin.get(f"/api/people/{promoter_id}/devices").get_json()
    assert other.delete(f"/api/auth/devices/{devices[0]['id']}").status_code == 404
    assert admin.delete(f"/api/auth/devices/{devices[0]['id']}").status_code == 200
    assert phone.get("/api/auth/me").status_code == 401


def test_logout_revokes_the_current_token(demo, login):
    phone = login("demo-promoter")
    assert phone.post("/api/auth/logout").status_code == 204
    assert phone.get("/api/auth/me").status_code == 401


def test_changes_are_audited_with_person_device_and_no_secrets(demo, login, app):
    admin = login("demo-admin", device_name="office-pc")
    created = admin.post("/api/people", json={"username": "new-promoter", "password": "a-long-password",
                                              "display_name": "新促进员",
                                              "roles": [{"role": "promoter", "place_id": demo.grids[1]}]})
    assert created.status_code == 201, created.get_json()
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(table_name="user", action="create",
                                                       record_id=str(created.get_json()["id"])).one()
        device = db.session.query(DeviceToken).filter_by(name="office-pc").one()
        assert entry.user_id == admin.user["id"] and entry.device_id == device.id
        assert entry.changes["password_hash"] == "***"
        assert entry.changes["username"] == "new-promoter"


def test_audit_log_is_readable_by_whole_tree_admins_only(demo, login):
    admin = login("demo-admin")
    household = admin.get("/api/households?per_page=1").get_json()["items"][0]
    new_count = household["member_count"] % 6 + 1  # always a real change
    admin.patch(f"/api/households/{household['id']}", json={"member_count": new_count})
    entries = admin.get(f"/api/audit?table=household&record_id={household['id']}").get_json()["items"]
    assert entries[0]["action"] == "update"
    assert entries[0]["changes"]["member_count"] == [household["member_count"], new_count]
    assert login("demo-township").get("/api/audit").status_code == 403
