"""The overdue check against 1,000,000 open cases, 1% overdue: cost follows what is due.

For each database (SQLite file, and PostgreSQL when --pg-url is given) this seeds the
demo county, bulk-inserts the cases (executemany on SQLite, COPY on PostgreSQL) with
the five-level ladder snapshot each real case carries, then times with the app's own
code (`harmony.alerts.service.check_overdue`):

  first   the first check: finds the overdue and due-soon cases, creates their alerts
          and outbox rows (the one-time cost when a batch of cases falls due);
  steady  the same check again a minute later (what every 5-minute run costs);
  query   only the overdue query (status='open' AND deadline_at < :at, via the index).

Baseline in the same run: the steady check and the query again with the two indexes the
check relies on (ix_case_open_deadline, ix_case_open_remind) dropped, i.e. a full scan.

    .venv/bin/python bench/overdue.py [--cases 1000000] [--overdue 0.01] [--sqlite-only]
        [--pg-url postgresql://harmony:harmony@127.0.0.1:5432/harmony_bench_alerts]
"""
import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AT = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
CHUNK = 50_000
COLUMNS = ("id", "grid_id", "title", "category", "description", "parties", "priority", "source", "reported_by_id",
           "opened_at", "ladder_key", "ladder_levels", "ladder_day_kind", "status", "level", "level_key", "tier",
           "level_since", "deadline_at", "remind_at", "version", "server_seq", "deleted", "updated_at")


def make_app(url):
    from harmony import create_app
    from harmony.clock import FrozenClock
    from harmony.config import Config

    return create_app(Config, clock=FrozenClock(AT), overrides={
        "SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "SECRET_KEY": "bench"})


def seed(app, total, overdue_share, due_soon_share, rng):
    from sqlalchemy import select

    from harmony.demo import seed_demo
    from harmony.extensions import db
    from harmony.ladders.builtin import FIVE_LEVEL
    from harmony.people.models import User
    from harmony.versioning import allocate_seq

    with app.app_context():
        db.drop_all()
        db.create_all()
        result = seed_demo(households=3000, password_profile="fast")
        for name in ("demo-township", "demo-village", "demo-county"):  # some recipients get email outbox rows
            result["users"][name].email = f"{name}@example.org"
        db.session.commit()
        grids = [g.id for g in result["places"]["grids"]]
        reporter = db.session.scalar(select(User.id).where(User.username == "demo-promoter"))
        levels = FIVE_LEVEL["levels"]
        snapshot = json.dumps(levels, ensure_ascii=False)
        connection = db.session.connection()
        first_seq = allocate_seq(connection, total)
        db.session.commit()
        n_overdue, n_soon = int(total * overdue_share), int(total * due_soon_share)

        def rows():
            for n in range(total):
                level = rng.randint(1, 5)
                spec = levels[level - 1]
                if n < n_overdue:  # past the deadline by up to ten days
                    deadline = AT - timedelta(minutes=rng.randint(1, 10 * 24 * 60))
                elif n < n_overdue + n_soon:  # inside the reminder window
                    deadline = AT + timedelta(minutes=rng.randint(1, spec["remind_days"] * 24 * 60 - 1))
                else:  # due later, outside the reminder window
                    deadline = AT + timedelta(days=spec["remind_days"], minutes=rng.randint(1, 60 * 24 * 60))
                since = deadline - timedelta(days=spec["days"])
                remind = max(deadline - timedelta(days=spec["remind_days"]), since)
                yield (str(uuid.UUID(int=rng.getrandbits(128), version=4)), rng.choice(grids), f"案件 {n}",
                       "neighbour", "", "[]", "normal", "visit", reporter, since, "five_level", snapshot,
                       "calendar", "open", level, spec["key"], spec["tier"], since, deadline, remind, 1,
                       first_seq + n, False, since)

        started = time.perf_counter()
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "postgresql":
                cols = ", ".join(COLUMNS)
                with cursor.copy(f'COPY "case" ({cols}) FROM STDIN') as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                placeholders = ", ".join("?" for _ in COLUMNS)
                sql = f'INSERT INTO "case" ({", ".join(COLUMNS)}) VALUES ({placeholders})'
                batch = []
                for row in rows():
                    batch.append(tuple(_sqlite_value(v) for v in row))
                    if len(batch) >= CHUNK:
                        cursor.execute("BEGIN")
                        cursor.executemany(sql, batch)
                        cursor.execute("COMMIT")
                        batch = []
                if batch:
                    cursor.execute("BEGIN")
                    cursor.executemany(sql, batch)
                    cursor.execute("COMMIT")
            raw.commit()
            if db.engine.dialect.name == "postgresql":
                cursor.execute('ANALYZE "case"')
            else:
                cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
        print(f"  inserted {total:,} cases ({n_overdue:,} overdue, {n_soon:,} due soon) "
              f"in {time.perf_counter() - started:.0f} s", flush=True)


def _sqlite_value(value):
    if isinstance(value, datetime):
        # The text form SQLAlchemy's SQLite DateTime writes (and compares with).
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def timed(fn, repeat=1):
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, out


def measure(app, label):
    from sqlalchemy import func, select, text

    from harmony.alerts.service import check_overdue
    from harmony.cases.models import Case
    from harmony.extensions import db

    def overdue_query():
        return db.session.scalar(select(func.count()).select_from(Case).where(Case.status == "open",
                                                                             Case.deadline_at < AT))

    out = {}
    with app.app_context():
        db.session.remove()
        out["first"], result = timed(lambda: check_overdue(at=AT))
        db.session.commit()
        out["alerts"], out["deliveries"] = result.alerts_created, result.deliveries_created
        out["found_overdue"], out["found_due_soon"] = len(result.overdue), len(result.due_soon)
        later = AT + timedelta(minutes=1)
        out["steady"], result = timed(lambda: check_overdue(at=later), repeat=3)
        db.session.commit()
        assert result.alerts_created == 0
        out["query"], count = timed(overdue_query, repeat=3)
        db.session.commit()
        assert count == out["found_overdue"]
        # Baseline: drop the indexes the check relies on; the same statements now scan the table.
        db.session.execute(text("DROP INDEX ix_case_open_deadline"))
        db.session.execute(text("DROP INDEX ix_case_open_remind"))
        db.session.commit()
        out["steady_noindex"], _ = timed(lambda: check_overdue(at=later), repeat=2)
        db.session.commit()
        out["query_noindex"], _ = timed(overdue_query, repeat=2)
        db.session.commit()
        db.session.execute(text('CREATE INDEX ix_case_open_deadline ON "case" (status, deadline_at)'))
        db.session.execute(text('CREATE INDEX ix_case_open_remind ON "case" (status, remind_at)'))
        db.session.commit()
        db.engine.dispose()
    print(f"  {label}: found {out['found_overdue']:,} overdue and {out['found_due_soon']:,} due soon; "
          f"first check {out['first']:.3f} s ({out['alerts']:,} alerts, {out['deliveries']:,} deliveries created); "
          f"steady check {out['steady']:.3f} s; overdue query {out['query'] * 1000:.1f} ms", flush=True)
    print(f"  {label} baseline without the indexes: steady check {out['steady_noindex']:.3f} s "
          f"(ratio {out['steady_noindex'] / out['steady']:.1f}x), overdue query {out['query_noindex'] * 1000:.1f} ms "
          f"(ratio {out['query_noindex'] / out['query']:.0f}x)", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=float, default=0.01)
    parser.add_argument("--due-soon", type=float, default=0.005)
    parser.add_argument("--pg-url", default=os.environ.get("HARMONY_BENCH_PG_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    from harmony.config import normalize_database_url

    targets = []
    with tempfile.TemporaryDirectory(prefix="harmony-bench-") as tmp:
        targets.append(("SQLite", f"sqlite:///{tmp}/bench.db"))
        if args.pg_url and not args.sqlite_only:
            targets.append(("PostgreSQL", normalize_database_url(args.pg_url)))
        for label, url in targets:
            print(f"{label}: seeding {args.cases:,} open cases …", flush=True)
            app = make_app(url)
            seed(app, args.cases, args.overdue, args.due_soon, random.Random(2010))
            out = measure(app, label)
            verdict = "under" if out["first"] < 1 and out["steady"] < 1 else "NOT under"
            print(f"  {label}: {verdict} 1 s (first {out['first']:.3f} s, steady {out['steady']:.3f} s)", flush=True)


if __name__ == "__main__":
    main()
