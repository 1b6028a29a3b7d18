"""Reports at county scale: time the coverage and resolution reports on a big county.

Builds (or, with --reuse, reuses) a county of 1,000,000 households, 10,000,000 visits
over one year and 200,000 cases, with bulk loads (PostgreSQL: COPY; SQLite: executemany
in large transactions; the visit indexes are built after the load), then times each
report for a one-month, one-quarter and one-year interval next to a baseline: a plain
COUNT(*) of the visits in the same interval.

    .venv/bin/python bench/reports.py --db postgresql://harmony:harmony@127.0.0.1:5432/harmony_bench
    .venv/bin/python bench/reports.py --db sqlite:////tmp/harmony_bench.db
    … --reuse            (time only, on data built before)
    … --visits 2000000   (smaller build)

Visit ids are UUID-shaped but increase with the row number (like UUIDv7), so the primary
key is built in order; everything else is random (seeded).
"""
import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import false, func, insert, select, text  # noqa: E402

NOW = datetime(2026, 11, 1, 4, 0, tzinfo=timezone.utc)  # Sunday noon in Asia/Shanghai
YEAR_START = datetime(2025, 11, 1, 0, 0, tzinfo=timezone.utc)
CATEGORIES = ("neighbour", "family", "land_housing", "labour_wages", "medical", "traffic_accident",
              "environment", "public_services", "other")


def log(message, *args):
    print(time.strftime("%H:%M:%S"), message % args if args else message, flush=True)


def make_app(url):
    from harmony import create_app
    from harmony.clock import FrozenClock
    from harmony.config import Config, normalize_database_url

    return create_app(Config, clock=FrozenClock(NOW), overrides={
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(url), "SCHEDULER_ENABLED": False,
        "SECRET_KEY": "bench", "PASSWORD_HASH_PROFILE": "fast"})


# ------------------------------------------------------------------ build

def build(args):
    from sqlalchemy.schema import AddConstraint, DropConstraint

    from harmony.extensions import db
    from harmony.visits.models import Visit

    result = households_and_people(args)
    promoters = add_promoters(result)
    db.session.commit()
    log("promoters: %d grids covered", len(promoters))

    # Load visits without their secondary indexes and foreign keys (PostgreSQL checks a
    # foreign key row by row, locking the parent row: hours for 10M rows); build each
    # index afterwards in one pass and validate each key with one join.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text('TRUNCATE "case", case_event, visit, visit_annotation CASCADE'))
    else:
        db.session.execute(text('DELETE FROM "case"'))
        db.session.execute(text("DELETE FROM visit"))
    db.session.commit()
    indexes = list(Visit.__table__.indexes)
    keys = list(Visit.__table__.foreign_key_constraints) if db.engine.dialect.name == "postgresql" else []
    connection = db.session.connection()
    for index in indexes:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    for key in keys:
        connection.exec_driver_sql(f"ALTER TABLE visit DROP CONSTRAINT IF EXISTS {key.name}")
    db.session.commit()
    started = time.perf_counter()
    households = db.session.execute(select(text("id"), text("grid_id")).select_from(text("household"))).all()
    load_visits(households, promoters, args.visits, args.seed)
    log("visits: %d loaded in %.0f s", args.visits, time.perf_counter() - started)
    started = time.perf_counter()
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        connection.exec_driver_sql("SET maintenance_work_mem = '1GB'")
    else:
        connection.exec_driver_sql("PRAGMA cache_size = -1000000")
    for item in keys + indexes:
        t0 = time.perf_counter()
        if item in keys:
            connection.execute(AddConstraint(item))
        else:
            item.create(connection)
        db.session.commit()
        connection = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        log("  %s: %.0f s", item.name, time.perf_counter() - t0)
    log("visit keys and indexes built in %.0f s", time.perf_counter() - started)
    summarise()
    started = time.perf_counter()
    load_cases(result, promoters, args.cases, args.seed)
    log("cases: %d loaded in %.0f s", args.cases, time.perf_counter() - started)
    analyze()


def summarise():
    """Build household_visit_days from the loaded visits (the table coverage reads), timed."""
    from harmony.extensions import db
    from harmony.households.models import HouseholdVisitDays
    from harmony.households.visit_days import rebuild

    HouseholdVisitDays.__table__.create(db.session.connection(), checkfirst=True)
    started = time.perf_counter()
    rebuild(db.session.connection())
    db.session.commit()
    rows = db.session.scalar(select(func.count()).select_from(HouseholdVisitDays))
    log("visit-day summary: %d household-year rows in %.0f s", rows, time.perf_counter() - started)
    analyze()


def households_and_people(args):
    """Seed the demo county, or keep one seeded before with the same household count."""
    from harmony.extensions import db
    from harmony.people.models import User
    from harmony.places.models import Place

    try:
        have = db.session.scalar(text("SELECT count(*) FROM household"))
    except Exception:
        db.session.rollback()
        have = None
    if have == args.households:
        log("households: keeping the %d already there", have)
        grids = db.session.scalars(select(Place).where(Place.kind == "grid").order_by(Place.id)).all()
        users = {u.username: u for u in db.session.scalars(select(User)).all()}
        return {"places": {"grids": grids}, "users": users}
    from harmony.demo import seed_demo

    db.drop_all()
    db.session.commit()
    db.create_all()
    db.session.commit()
    started = time.perf_counter()
    result = seed_demo(households=args.households, password_profile="fast")
    db.session.commit()
    log("households: %d in %.0f s", args.households, time.perf_counter() - started)
    return result


def add_promoters(result):
    """Give every grid a promoter account (the demo makes them for the first 200 grids only)."""
    from harmony.extensions import db
    from harmony.people.models import RoleAssignment, User

    users = result["users"]
    by_grid = {}
    for username, user in users.items():
        for role in user.roles:
            if role.role == "promoter" and role.place.kind == "grid":
                by_grid.setdefault(role.place_id, user.id)
    pw_hash = users["demo-promoter"].password_hash
    missing = [g for g in result["places"]["grids"] if g.id not in by_grid]
    if missing:
        # Kept from an earlier build?
        known = dict(db.session.execute(select(User.username, User.id).where(User.username.like("bench-promoter-%"))).all())
        for g in missing:
            if f"bench-promoter-{g.id}" in known:
                by_grid[g.id] = known[f"bench-promoter-{g.id}"]
        missing = [g for g in missing if g.id not in by_grid]
    connection = db.session.connection()
    if missing:
        stamp = NOW
        connection.execute(insert(User), [
            {"username": f"bench-promoter-{g.id}", "password_hash": pw_hash, "display_name": f"促进员{g.id}",
             "active": True, "locale": "zh-CN", "created_at": stamp} for g in missing])
        ids = dict(db.session.execute(select(User.username, User.id).where(User.username.like("bench-promoter-%"))).all())
        connection.execute(insert(RoleAssignment), [
            {"user_id": ids[f"bench-promoter-{g.id}"], "role": "promoter", "place_id": g.id} for g in missing])
        for g in missing:
            by_grid[g.id] = ids[f"bench-promoter-{g.id}"]
    return by_grid


def _stamp_strings(dialect):
    fmt = "%Y-%m-%d %H:%M:%S.%f" if dialect == "sqlite" else "%Y-%m-%d %H:%M:%S"
    days = [(YEAR_START + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(366)]
    suffix = ".000000" if dialect == "sqlite" else ""
    return days, suffix, fmt


def load_visits(households, promoters, total, seed):
    from harmony.extensions import db
    from harmony.versioning import allocate_seq

    rng = random.Random(seed)
    dialect = db.engine.dialect.name
    days, suffix, _ = _stamp_strings(dialect)
    first_seq = allocate_seq(db.session.connection(), total)
    db.session.commit()
    raw = db.session.connection().connection.driver_connection
    span = 365 * 86400
    n_households = len(households)
    chunk = 200_000

    def rows(start, stop):
        randrange, random_ = rng.randrange, rng.random
        for i in range(start, stop):
            hid, gid = households[randrange(n_households)]
            second = randrange(span)
            day, rest = divmod(second, 86400)
            occurred = f"{days[day]}{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}{suffix}"
            late = rest + 600 if rest < 85000 else rest
            received = f"{days[day]}{late // 3600:02d}:{late % 3600 // 60:02d}:{late % 60:02d}{suffix}"
            vid = f"{i:08x}-{i >> 32:04x}-4000-8000-{rng.getrandbits(48):012x}"
            yield (vid, hid, gid, promoters[gid], occurred, received, "home_visit" if random_() < 0.8 else "phone_call",
                   first_seq + i, received)

    if dialect == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(
                "COPY visit (id, household_id, grid_id, promoter_id, occurred_at, received_at, form, server_seq, "
                "updated_at, topics, notes, answered_on_spot, case_ids, version, deleted) FROM STDIN"
            ) as copy:
                tail = "\t[]\t\tf\t[]\t1\tf\n"
                for start in range(0, total, chunk):
                    lines = [f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{r[7]}\t{r[8]}{tail}"
                             for r in rows(start, min(total, start + chunk))]
                    copy.write("".join(lines))
                    if start % 2_000_000 == 0:
                        log("  visits %d", start)
        db.session.commit()
    else:
        sql = ("INSERT INTO visit (id, household_id, grid_id, promoter_id, occurred_at, received_at, form, server_seq, "
               "updated_at, topics, notes, answered_on_spot, case_ids, version, deleted) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '', 0, '[]', 1, 0)")
        for start in range(0, total, chunk):
            raw.executemany(sql, list(rows(start, min(total, start + chunk))))
            if start % 2_000_000 == 0:
                log("  visits %d", start)
            if (start // chunk) % 5 == 4:  # commit every million rows: the WAL stays small
                db.session.commit()
                raw = db.session.connection().connection.driver_connection
        db.session.commit()


def load_cases(result, promoters, total, seed):
    """Cases spread over the year: about 3/4 resolved (most in the village), the rest open."""
    from harmony.cases.models import Case
    from harmony.extensions import db
    from harmony.ladders.builtin import FIVE_LEVEL
    from harmony.versioning import allocate_seq

    rng = random.Random(seed + 1)
    levels = FIVE_LEVEL["levels"]
    grids = [g.id for g in result["places"]["grids"]]
    connection = db.session.connection()
    rows = []
    first_seq = allocate_seq(connection, total)
    for i in range(total):
        grid = rng.choice(grids)
        opened = YEAR_START + timedelta(seconds=rng.randrange(365 * 86400))
        level = rng.choices((1, 2, 3, 4, 5), weights=(50, 25, 13, 8, 4))[0]
        spec = levels[level - 1]
        row = {
            "id": f"c{i:07x}-0000-4000-8000-{rng.getrandbits(48):012x}", "grid_id": grid, "title": "纠纷",
            "category": rng.choice(CATEGORIES), "description": "", "parties": [], "priority": "normal",
            "source": "visit", "reported_by_id": promoters[grid], "opened_at": opened, "ladder_key": "five_level",
            "ladder_levels": levels, "ladder_day_kind": "calendar", "level": level, "level_key": spec["key"],
            "tier": spec["tier"], "owner_role": spec["owner_role"], "level_since": opened,
            "deadline_at": opened + timedelta(days=sum(l["days"] for l in levels[:level])),
            "version": 1, "server_seq": first_seq + i, "deleted": False, "updated_at": opened,
            "status": "open", "resolved_level": None, "resolved_level_key": None, "resolved_tier": None,
            "resolved_at": None, "resolved_by_id": None, "satisfaction": None, "satisfaction_at": None,
        }
        resolved_at = opened + timedelta(hours=rng.uniform(2, 24 * 8 * level))
        if resolved_at < NOW and rng.random() < 0.9:
            row.update(status="resolved", resolved_level=level, resolved_level_key=spec["key"],
                       resolved_tier=spec["tier"], resolved_at=resolved_at, resolved_by_id=promoters[grid])
            if rng.random() < 0.6:
                row.update(satisfaction=rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 10, 40, 45))[0],
                           satisfaction_at=resolved_at + timedelta(days=2))
        rows.append(row)
        if len(rows) == 20_000:
            connection.execute(insert(Case), rows)
            rows = []
    if rows:
        connection.execute(insert(Case), rows)
    db.session.commit()


def analyze():
    from harmony.extensions import db

    started = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        raw = db.engine.raw_connection()
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE")
        raw.close()
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    log("analyze: %.0f s", time.perf_counter() - started)


# ------------------------------------------------------------------ time

def _backend_cpu(pid):
    """Return the CPU seconds a PostgreSQL backend process has used (same machine only)."""
    import os

    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, repeat, serial=False):
    """Run fn `repeat` times; return (wall times, database CPU times or None, last value).

    With `serial` (PostgreSQL), parallel workers are off so that the backend's own CPU
    time is all the CPU the query used: a figure the load of a shared machine cannot
    inflate, unlike the wall time.
    """
    from harmony.extensions import db

    times, cpus, value = [], [], None
    for _ in range(repeat):
        pid = None
        if db.engine.dialect.name == "postgresql":
            pid = db.session.scalar(text("SELECT pg_backend_pid()"))
            if serial:
                db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        cpu0 = _backend_cpu(pid) if pid else 0
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(_backend_cpu(pid) - cpu0 if pid else None)
        db.session.rollback()
    return times, (cpus if pid else None), value


def measure(args):
    from harmony.cli import system_scope
    from harmony.extensions import db
    from harmony.places.models import Place
    from harmony.reports.service import run_report
    from harmony.visits.models import Visit

    counts = db.session.execute(text(
        "SELECT (SELECT count(*) FROM household), (SELECT count(*) FROM visit), (SELECT count(*) FROM \"case\"), "
        "(SELECT count(*) FROM place WHERE kind = 'grid')")).one()
    log("data: %d households, %d visits, %d cases, %d grids (%s)", *counts, db.engine.dialect.name)
    county = db.session.scalar(select(Place).where(Place.kind == "county"))
    township = db.session.scalar(select(Place).where(Place.kind == "township").order_by(Place.code))
    intervals = {"month": (date(2026, 10, 1), date(2026, 10, 31)), "quarter": (date(2026, 8, 1), date(2026, 10, 31)),
                 "year": (date(2025, 11, 1), date(2026, 10, 31))}
    results = []
    for span, (first, last) in intervals.items():
        if span not in args.spans.split(","):
            continue
        from harmony.reports.service import make_interval

        interval = make_interval(first, last)

        def baseline():
            # The same visits the report reads (live ones in the interval), counted and nothing else.
            stmt = select(func.count()).select_from(Visit).where(
                Visit.occurred_at >= interval.start, Visit.occurred_at < interval.end, Visit.deleted == false())
            return db.session.scalar(stmt)

        base_times, base_cpu, base_count = timed(baseline, args.repeat, args.serial)
        base = statistics.median(base_times)
        log("%-7s baseline COUNT(*) live visits in interval = %d: median %.3f s%s (load average %s)", span, base_count,
            base, f", database CPU {statistics.median(base_cpu):.2f} s" if base_cpu else "",
            " ".join(open("/proc/loadavg").read().split()[:3]))
        # The coverage report's visited households come from the summary: check them against
        # the raw visits once (the distinct-household join the summary replaces).
        raw_visited = db.session.scalar(text(
            "SELECT count(*) FROM household h WHERE h.active AND NOT h.deleted AND h.id IN "
            "(SELECT household_id FROM visit WHERE occurred_at >= :start AND occurred_at < :end AND deleted = false)"),
            {"start": interval.start.replace(tzinfo=None), "end": interval.end.replace(tzinfo=None)})
        checked = run_report(system_scope(), "coverage", county.code, first, last, "en")["total"]["households_visited"]
        log("%-7s check: visited households from the raw visits %d, from the report %d: %s", span, raw_visited,
            checked, "equal" if raw_visited == checked else "DIFFERENT")
        for place in (county, township):
            for name in ("coverage", "resolution"):
                times, cpu, value = timed(lambda: run_report(system_scope(), name, place.code, first, last, "en"),
                                          args.repeat, args.serial)
                med = statistics.median(times)
                summary = {k: value["total"].get(k) for k in ("households", "households_visited", "coverage_pct",
                                                              "visits", "opened", "resolved", "share_village_pct")
                           if k in value["total"]}
                log("%-7s %-10s %-8s first %.3f s, median of %d %.3f s, ratio to baseline %.1f%s  %s",
                    span, name, place.kind, times[0], args.repeat, med, med / base if base else 0,
                    f", database CPU {statistics.median(cpu):.2f} s" if cpu else "", json.dumps(summary))
                results.append((span, name, place.kind, times[0], med, med / base if base else 0))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL (PostgreSQL or sqlite:///path)")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=10_000_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="time only, on data built before")
    parser.add_argument("--serial", action="store_true",
                        help="PostgreSQL: no parallel workers, so the backend CPU time is the whole query's")
    parser.add_argument("--spans", default="month,quarter,year", help="intervals to time")
    args = parser.parse_args()
    app = make_app(args.db)
    with app.app_context():
        if not args.reuse:
            started = time.perf_counter()
            build(args)
            log("build: %.0f s in all", time.perf_counter() - started)
        else:
            from sqlalchemy import inspect

            from harmony.extensions import db
            if not inspect(db.engine).has_table("household_visit_days") or not db.session.scalar(
                    text("SELECT count(*) FROM household_visit_days")):
                summarise()  # data built before the summary existed
        measure(args)


if __name__ == "__main__":
    main()
