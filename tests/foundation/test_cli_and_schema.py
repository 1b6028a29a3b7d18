import csv
import sqlite3

from sqlalchemy import create_engine, text

from harmony.extensions import db
from harmony.households.models import Household


def test_migrations_produce_the_same_schema_as_the_models(app, db_kind, tmp_path):
    """Run the Alembic migrations into an empty database and compare with the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    if db_kind == "postgresql":
        from tests.conftest import PG_URL
        from harmony.config import normalize_database_url

        url = normalize_database_url(PG_URL)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migcheck CASCADE"))
            conn.execute(text("CREATE SCHEMA migcheck"))
        url_opts = {"connect_args": {"options": "-csearch_path=migcheck"}}
    else:
        url = f"sqlite:///{tmp_path}/migrated.db"
        url_opts = {}
    from harmony import create_app
    from harmony.config import TestConfig

    migrated = create_app(TestConfig, overrides={"SQLALCHEMY_DATABASE_URI": url,
                                                 "SQLALCHEMY_ENGINE_OPTIONS": url_opts})
    with migrated.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []
    if db_kind == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA migcheck CASCADE"))


def test_import_households_checks_every_row_first_and_is_all_or_nothing(demo, app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "grid_code,code,address,head_name,phone,member_count,care_tags\n"
        "C01-X01-T01-V01-G001,IMP-1,新路1号,张三,13800000000,3,elderly_alone\n"
        "NO-SUCH-GRID,IMP-2,新路2号,李四,,2,\n"
        "C01-X01-T01-V01-G001,IMP-3,,王五,,0,rich\n", encoding="utf-8")
    result = runner.invoke(args=["import-households", str(bad)])
    assert result.exit_code != 0
    assert "row 3: grid_code" in result.output
    assert "row 4: address" in result.output and "row 4: member_count" in result.output and "row 4: care_tags" in result.output
    with app.app_context():
        assert db.session.query(Household).filter(Household.code.like("IMP-%")).count() == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "grid_code,code,address,head_name,phone,member_count,care_tags\n"
        "C01-X01-T01-V01-G001,IMP-1,新路1号,张三,13800000000,3,elderly_alone;hardship\n"
        "C01-X01-T01-V01-G002,IMP-2,新路2号,李四,,2,\n", encoding="utf-8")
    result = runner.invoke(args=["import-households", str(good)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        imported = db.session.query(Household).filter(Household.code == "IMP-1").one()
        assert imported.care_tags == ["elderly_alone", "hardship"] and imported.grid_id == demo.grids[0]
    again = runner.invoke(args=["import-households", str(good)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_export_households_round_trips_the_import_format(demo, app, tmp_path):
    out = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["export-households", str(out), "--place", "C01-X01-T01-V01-G001"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    with app.app_context():
        expected = db.session.query(Household).filter_by(grid_id=demo.grids[0]).count()
    assert len(rows) == expected
    assert set(rows[0]) == {"grid_code", "code", "address", "head_name", "phone", "member_count", "care_tags"}
    assert {r["grid_code"] for r in rows} == {"C01-X01-T01-V01-G001"}


def test_backup_makes_a_consistent_sqlite_copy(demo, app, db_kind, tmp_path):
    if db_kind != "sqlite":
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    dest = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT count(*) FROM household").fetchone()[0] == 360
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_create_admin_from_the_console(demo, app, login):
    result = app.test_cli_runner().invoke(args=["create-admin", "--username", "ops-admin"],
                                          input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    admin = login("ops-admin", password="a-long-password")
    assert admin.get("/api/households").get_json()["total"] == 360


def test_demo_command_seeds_an_empty_database_only(app, db_kind):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--households", "500", "--no-history"])
    assert result.exit_code == 0, result.output
    assert "demo-promoter" in result.output
    with app.app_context():
        assert db.session.query(Household).count() == 500
    again = runner.invoke(args=["demo", "--households", "500"])
    assert again.exit_code != 0
