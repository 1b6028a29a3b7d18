"""First pull of one grid with a small and a huge database: time must not grow with size.

For each size (default 10,000 and 1,000,000 households) a fresh SQLite database gets
the demo county with that many households, plus a year of visits (one a month per
household) in a grid of exactly 150 households. Then that grid's promoter's phone does its first
full pull (pages of 1,000) REPEAT times with new client ids, through the Flask app
in-process; the median is reported, with the ratio large/small (target ≤ 1.5).

    .venv/bin/python bench/sync_pull.py [--sizes 10000 1000000] [--repeat 7]
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GRID_SIZE = 150


def build(url, households):
    from sqlalchemy import select

    from harmony import create_app
    from harmony.config import Config
    from harmony.demo import insert_households, seed_demo
    from harmony.people.models import RoleAssignment, User
    from harmony.people.passwords import hash_password
    from harmony.places.service import add_place
    from harmony.extensions import db
    from harmony.households.models import Household
    from harmony.versioning import allocate_seq
    from harmony.visits.models import Visit

    app = create_app(Config, overrides={"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False,
                                        "SECRET_KEY": "bench", "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        result = seed_demo(households=households - GRID_SIZE, password_profile="fast")
        # A grid of exactly GRID_SIZE households with its own promoter: the demo's grids
        # vary in size with the total, which would blur the comparison.
        grid = add_place("BENCH-G1", "grid", "基准网格", result["places"]["villages"][0], subkind="residential")
        promoter = User(username="bench-promoter", password_hash=hash_password("bench-pw", "fast"),
                        display_name="基准促进员", created_at=app.extensions["harmony_clock"].now())
        promoter.roles.append(RoleAssignment(role="promoter", place_id=grid.id))
        db.session.add(promoter)
        db.session.flush()
        insert_households([grid], GRID_SIZE, random.Random(1), app.extensions["harmony_clock"].now())
        ids = list(db.session.scalars(select(Household.id).where(Household.grid_id == grid.id)))
        now = app.extensions["harmony_clock"].now()
        rows = []
        for month in range(12):
            for household_id in ids:
                rows.append({"id": str(uuid.uuid4()), "household_id": household_id, "grid_id": grid.id,
                             "promoter_id": promoter.id, "device_id": None,
                             "occurred_at": now - timedelta(days=30 * month + 1), "received_at": now, "form": "home_visit",
                             "topics": ["liaison"], "notes": "走访", "answered_on_spot": True, "case_ids": [],
                             "version": 1, "deleted": False, "updated_at": now})
        first = allocate_seq(db.session.connection(), len(rows))
        for offset, row in enumerate(rows):
            row["server_seq"] = first + offset
        db.session.connection().execute(Visit.__table__.insert(), rows)
        db.session.commit()
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return app, len(ids), len(rows), seconds


def first_pull(app, repeat):
    client = app.test_client()
    token = client.post("/api/auth/login", json={"username": "bench-promoter", "password": "bench-pw",
                                                  "device_name": "bench"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    times, cpu, counts = [], [], set()
    for _ in range(repeat):
        client_id, cursor, total = str(uuid.uuid4()), None, 0
        started, cpu_started = time.perf_counter(), time.process_time()
        while True:
            response = client.post("/api/sync/pull", json={"client_id": client_id, "cursor": cursor, "limit": 1000},
                                   headers=headers)
            page = response.get_json()
            total += len(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        counts.add(total)
    return statistics.median(times), min(times), statistics.median(cpu), counts.pop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    results, cpus = [], []
    for size in args.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="harmony-bench-pull-"))
        url = f"sqlite:///{tmp / 'app.db'}"
        app, households, visits, seconds = build(url, size)
        median, best, cpu, changes = first_pull(app, args.repeat)
        results.append(median)
        cpus.append(cpu)
        print(f"{size:>9,} households in the DB (built in {seconds:.0f} s): first pull of one grid "
              f"({households} households, {visits} visits, {changes} changes) median {median * 1000:.0f} ms, "
              f"best {best * 1000:.0f} ms, CPU median {cpu * 1000:.0f} ms "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    ratio = results[1] / results[0]
    print(f"ratio large/small: {ratio:.2f} wall, {cpus[1] / cpus[0]:.2f} CPU "
          f"(target ≤ 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
