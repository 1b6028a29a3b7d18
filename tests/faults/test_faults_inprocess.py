"""Database faults inside one request: a locked SQLite file, a connection lost at commit.

The promise: 503 with Retry-After and the one error shape, never a 500, and nothing half-stored;
the phone's retry then applies the batch exactly once.
"""
import sqlite3
import uuid

import pytest
from sqlalchemy.exc import OperationalError

import harmony.database
from harmony.extensions import db
from harmony.visits.models import Visit
from hostile_helpers import assert_error_shape, count, household_of, push_body, visit_mutation
from sync.models import SyncClient, SyncResult


@pytest.fixture
def short_busy_timeout(monkeypatch):
    # Read when each SQLite connection opens: the app's engine connects lazily, after this.
    monkeypatch.setattr(harmony.database, "SQLITE_BUSY_TIMEOUT_MS", 200)


def test_sqlite_locked_by_another_writer_is_503_then_the_retry_applies_once(app, demo, login, db_kind,
                                                                             short_busy_timeout):
    if db_kind != "sqlite":
        pytest.skip("SQLite locking")
    promoter = login("demo-promoter")
    with app.app_context():
        db.engine.dispose()  # new connections pick up the short busy timeout
        path = db.engine.url.database
    household_id = household_of(app, demo.grids[0])
    body = push_body([visit_mutation(1, household_id), visit_mutation(2, household_id)])
    other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        for url, payload in (("/api/sync/push", body),
                             ("/api/sync/pull", {"client_id": body["client_id"], "cursor": None, "limit": 10})):
            response = promoter.post(url, json=payload)
            error = assert_error_shape(response, 503)
            assert error["code"] == "busy" and int(response.headers["Retry-After"]) > 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert count(app, Visit) == 0 and count(app, SyncClient) == 0 and count(app, SyncResult) == 0
    results = promoter.post("/api/sync/push", json=body).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert promoter.post("/api/sync/push", json=body).get_json()["results"] == results
    assert count(app, Visit) == 2


def test_reads_are_not_blocked_by_a_writer_in_wal_mode(app, demo, login, db_kind, short_busy_timeout):
    if db_kind != "sqlite":
        pytest.skip("SQLite locking")
    admin = login("demo-admin")
    assert admin.get("/api/households").status_code == 200  # the token's hourly last-use touch is a write
    with app.app_context():
        db.engine.dispose()
        path = db.engine.url.database
    other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert admin.get("/api/households").status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_pull_is_not_queued_behind_a_writer_and_still_sees_committed_pushes(app, demo, login, db_kind,
                                                                               short_busy_timeout):
    # Pulls are POSTs but only read: in WAL mode they must not wait for the write lock.
    if db_kind != "sqlite":
        pytest.skip("SQLite locking")
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    body = push_body([visit_mutation(1, household_id)])
    assert promoter.post("/api/sync/push", json=body).status_code == 200
    first = promoter.post("/api/sync/pull", json={"client_id": body["client_id"], "cursor": None, "limit": 1000})
    assert first.status_code == 200 and not first.get_json()["has_more"]
    with app.app_context():
        db.engine.dispose()
        path = db.engine.url.database
    other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    visit_id = str(uuid.uuid4())
    # Another phone's push, committed; then a writer holding the lock.
    assert promoter.post("/api/sync/push", json=push_body([visit_mutation(1, household_id, visit_id)])).status_code == 200
    other.execute("BEGIN IMMEDIATE")
    try:
        response = promoter.post("/api/sync/pull", json={"client_id": body["client_id"],
                                                         "cursor": first.get_json()["cursor"], "limit": 1000})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = response.get_json()
    assert [(c["table"], c["id"]) for c in page["changes"]] == [("visit", visit_id)] and page["last_mid"] == 1


def test_a_pull_binds_a_new_client_id_and_refuses_another_users(app, demo, login):
    # The pull's client row is only read once bound: binding and the owner check still happen.
    promoter = login("demo-promoter")
    client_id = str(uuid.uuid4())
    assert promoter.post("/api/sync/pull", json={"client_id": client_id, "cursor": None, "limit": 10}).status_code == 200
    with app.app_context():
        client = db.session.get(SyncClient, client_id)
        assert client is not None and client.last_pull_at is not None
        owner, device = client.user_id, client.device_id
    again = login("demo-promoter")  # a second log-in: a new device token on the same phone
    assert again.post("/api/sync/pull", json={"client_id": client_id, "cursor": None, "limit": 10}).status_code == 200
    with app.app_context():
        client = db.session.get(SyncClient, client_id)
        assert client.user_id == owner and client.device_id != device
    other = login("demo-gridhead")
    error = assert_error_shape(other.post("/api/sync/pull", json={"client_id": client_id, "cursor": None, "limit": 10}), 403)
    assert error["code"] == "client_taken"


@pytest.mark.parametrize("message", ["database is locked", "server closed the connection unexpectedly"])
def test_a_database_failure_at_commit_is_503_not_500(app, demo, login, monkeypatch, message):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    real_commit = db.session.commit

    def failing_commit():
        raise OperationalError("COMMIT", {}, Exception(message))

    monkeypatch.setattr(db.session, "commit", failing_commit, raising=False)
    try:
        response = promoter.post("/api/sync/push", json=push_body([visit_mutation(1, household_id)]))
    finally:
        monkeypatch.setattr(db.session, "commit", real_commit, raising=False)
    assert_error_shape(response, 503)
    assert int(response.headers["Retry-After"]) > 0


def test_a_database_failure_inside_the_request_is_503_and_stores_nothing(app, demo, login, monkeypatch):
    import sync.service

    app.config["PROPAGATE_EXCEPTIONS"] = False
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    real = sync.service.prune_results

    def drop(at=None):
        real(at)
        raise OperationalError("DELETE FROM sync_result", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(sync.service, "prune_results", drop)
    body = push_body([visit_mutation(1, household_id, str(uuid.uuid4())), visit_mutation(2, household_id)])
    response = promoter.post("/api/sync/push", json=body)
    error = assert_error_shape(response, 503)
    assert error["code"] == "database_unavailable" and int(response.headers["Retry-After"]) > 0
    assert count(app, Visit) == 0 and count(app, SyncResult) == 0 and count(app, SyncClient) == 0
    monkeypatch.setattr(sync.service, "prune_results", real)
    assert {r["status"] for r in promoter.post("/api/sync/push", json=body).get_json()["results"]} == {"applied"}
    assert count(app, Visit) == 2
