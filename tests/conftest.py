"""Fixtures: a fresh database per test (SQLite, and PostgreSQL when configured), a frozen clock."""
import os
import shutil
import sqlite3
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from harmony import create_app
from harmony.clock import FrozenClock
from harmony.config import TestConfig, normalize_database_url
from harmony.extensions import db

PG_URL = os.environ.get("HARMONY_TEST_DATABASE_URL")
REQUIRE_ALL = os.environ.get("HARMONY_REQUIRE_ALL") == "1"
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])
# A Monday, 10:00 in Asia/Shanghai.
START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def require_or_skip(condition, reason):
    """Skip when a test's service is missing, except under HARMONY_REQUIRE_ALL=1 (CI)."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "empty.db"
    app = create_app(TestConfig, overrides={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema():
    """Create the schema once on PostgreSQL; each test then truncates every table."""
    if not PG_URL:
        return None
    app = create_app(TestConfig, overrides={"SQLALCHEMY_DATABASE_URI": normalize_database_url(PG_URL)})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.session.commit()
        db.engine.dispose()
    return True


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture(params=DATABASES)
def db_kind(request):
    return request.param


@pytest.fixture
def database_url(db_kind, tmp_path, sqlite_template, pg_schema, request):
    if db_kind == "sqlite":
        path = tmp_path / "test.db"
        # Tests that use the demo start from a copy of a database seeded once per session.
        template = request.getfixturevalue("sqlite_demo_template")[0] if "demo" in request.node.fixturenames else sqlite_template
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    return normalize_database_url(PG_URL)


DEMO_HOUSEHOLDS = 360


def _seed_demo_info():
    from harmony.demo import seed_demo

    result = seed_demo(households=DEMO_HOUSEHOLDS, password_profile="fast")
    db.session.commit()
    return DemoInfo(
        users={name: user.id for name, user in result["users"].items()},
        grids=[g.id for g in result["places"]["grids"]],
        villages=[v.id for v in result["places"]["villages"]],
        townships=[t.id for t in result["places"]["townships"]],
        county=result["places"]["county"].id,
        city=result["places"]["city"].id,
    )


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory):
    """A SQLite file with the small demo county, seeded once; tests get copies."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copy(sqlite_template, path)
    app = create_app(TestConfig, clock=FrozenClock(START),
                     overrides={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        info = _seed_demo_info()
        db.session.remove()
        db.engine.dispose()
    # Fold the WAL into the main file: tests copy only that file.
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path, info


@pytest.fixture(scope="session")
def pg_demo_snapshot(pg_schema):
    """The demo county's rows on PostgreSQL, seeded once and kept in memory for fast restores."""
    app = create_app(TestConfig, clock=FrozenClock(START),
                     overrides={"SQLALCHEMY_DATABASE_URI": normalize_database_url(PG_URL), "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        _truncate_all()
        info = _seed_demo_info()
        rows = {table.name: [dict(r._mapping) for r in db.session.execute(table.select())]
                for table in db.metadata.sorted_tables}
        db.session.rollback()
        _truncate_all()
        db.engine.dispose()
    return rows, info


def _truncate_all():
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def _restore_pg_snapshot(rows):
    for table in db.metadata.sorted_tables:
        if rows.get(table.name):
            db.session.execute(table.insert(), rows[table.name])
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is not False and str(pk[0].type) in ("INTEGER", "BIGINT"):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                    f"(SELECT max(\"{pk[0].name}\") FROM \"{table.name}\"))"))
    db.session.commit()


@pytest.fixture
def app(database_url, clock, db_kind):
    app = create_app(TestConfig, clock=clock, overrides={"SQLALCHEMY_DATABASE_URI": database_url,
                                                          "PASSWORD_HASH_PROFILE": "fast"})
    if db_kind == "postgresql":
        with app.app_context():
            _truncate_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app, db_kind, request):
    """A small demo county (24 grids, 360 households): user ids by username, and place ids."""
    if db_kind == "sqlite":
        return request.getfixturevalue("sqlite_demo_template")[1]
    rows, info = request.getfixturevalue("pg_demo_snapshot")
    with app.app_context():
        _restore_pg_snapshot(rows)
    return info


class DemoInfo:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class ApiClient:
    """A test client logged in as one user on one device."""

    def __init__(self, client, token, user):
        self.client, self.token, self.user = client, token, user
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url, **kw):
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self.headers, **kw)

    def patch(self, url, json=None, **kw):
        return self.client.patch(url, json=json, headers=self.headers, **kw)

    def put(self, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self.headers, **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self.headers, **kw)


@pytest.fixture
def login(client):
    """login(username) -> ApiClient, through the real log-in endpoint."""

    def _login(username, password="harmony-demo", device_name="test-phone"):
        response = client.post("/api/auth/login", json={"username": username, "password": password,
                                                         "device_name": device_name})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        return ApiClient(client, body["token"], body["user"])

    return _login
