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
