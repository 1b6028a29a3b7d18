"""Push throughput: visit mutations in batches of 500 over HTTP vs raw sqlite3 upserts.

Starts the app under waitress on 127.0.0.1 (a subprocess, its own SQLite file, demo
county seeded), logs in as the demo promoter and pushes BATCHES batches of 500 visit
creates over one keep-alive connection: envelope checks, scope, idempotency log and
the commit are all included. The baseline, in the same run, writes the same rows with
Python's sqlite3 `executemany` as upserts into a file with the same visit table and
indexes (one transaction per 500, same WAL/synchronous settings). Prints both and the ratio.

    .venv/bin/python bench/sync_push.py [--batches 40]
"""
import argparse
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 500
SERVER = ("import sys; from harmony import create_app; from waitress import serve; "
          "serve(create_app(), host='127.0.0.1', port=int(sys.argv[1]), threads=4, _quiet=True)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url):
    from harmony import create_app
    from harmony.config import Config
    from harmony.extensions import db
    from harmony.demo import seed_demo
    from harmony.households.models import Household
    from sqlalchemy import select

    app = create_app(Config, overrides={"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.create_all()
        result = seed_demo(households=3000)
        db.session.commit()
        grid = result["places"]["grids"][0].id
        households = list(db.session.scalars(select(Household.id).where(Household.grid_id == grid)))
        db.engine.dispose()
    return households


def make_batches(households, count):
    base = datetime(2026, 11, 1, tzinfo=timezone.utc)
    batches, mid = [], 0
    for b in range(count):
        mutations = []
        for n in range(BATCH):
            mid += 1
            mutations.append({"mid": mid, "table": "visit", "op": "create", "id": str(uuid.uuid4()), "base_version": None,
                              "client_ts": (base + timedelta(minutes=mid)).isoformat(),
                              "fields": {"household_id": households[mid % len(households)], "form": "home_visit",
                                         "topics": ["liaison", "residents_views"], "notes": f"走访记录 {mid}",
                                         "answered_on_spot": mid % 3 == 0, "case_ids": []}})
        batches.append(mutations)
    return batches


def wait_for(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def request(conn, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {data[:300]!r}")
    return json.loads(data)


def cpu_seconds(pid):
    """User+system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_run(port, batches, client_id, server_pid):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    token = request(conn, "/api/auth/login", json.dumps({"username": "demo-promoter", "password": "harmony-demo",
                                                         "device_name": "bench"}))["token"]
    bodies = [json.dumps({"client_id": client_id, "schema_version": 1, "mutations": b}, ensure_ascii=False).encode()
              for b in batches]
    request(conn, "/api/sync/push", bodies[0], token)  # warm-up, not timed
    cpu_before = cpu_seconds(server_pid)
    started = time.perf_counter()
    for body in bodies[1:]:
        result = request(conn, "/api/sync/push", body, token)
        assert all(r["status"] == "applied" for r in result["results"]), result["results"][:3]
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(server_pid) - cpu_before
    # A replay of the last batch must change nothing and answer the same.
    assert request(conn, "/api/sync/push", bodies[-1], token)["results"] == result["results"]
    conn.close()
    return (len(bodies) - 1) * BATCH, elapsed, server_cpu


def raw_run(path, batches, households_grid):
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from harmony import models  # noqa: F401
    import sync.models  # noqa: F401
    from harmony.visits.models import Visit

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(str(CreateTable(Visit.__table__).compile(dialect=sqlite.dialect())))
    for index in Visit.__table__.indexes:
        conn.execute(str(CreateIndex(index).compile(dialect=sqlite.dialect())))
    columns = ["id", "household_id", "grid_id", "promoter_id", "device_id", "occurred_at", "received_at", "form", "topics",
               "notes", "answered_on_spot", "case_ids", "version", "server_seq", "deleted", "updated_at"]
    sql = (f"INSERT INTO visit ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
           f"ON CONFLICT(id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns[1:]))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    seq = 0
    prepared = []
    for batch in batches:
        rows = []
        for m in batch:
            seq += 1
            f = m["fields"]
            occurred = datetime.fromisoformat(m["client_ts"]).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
            rows.append((m["id"], f["household_id"], households_grid, 1, 1, occurred, now, f["form"], json.dumps(f["topics"]),
                         f["notes"], f["answered_on_spot"], json.dumps(f["case_ids"]), 1, seq, False, now))
        prepared.append(rows)
    started = time.perf_counter()
    for rows in prepared[1:]:
        conn.execute("BEGIN")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return (len(prepared) - 1) * BATCH, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=41, help="batches of 500 (the first is a warm-up)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="harmony-bench-push-"))
    url = f"sqlite:///{tmp / 'app.db'}"
    print(f"preparing {url} (demo county, 3000 households)…", flush=True)
    households = prepare_database(url)
    batches = make_batches(households, args.batches)
    port = free_port()
    env = dict(os.environ, HARMONY_DATABASE_URL=url, HARMONY_SCHEDULER="0",
               HARMONY_SECRET_KEY="bench-secret", PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env, cwd=str(ROOT))
    try:
        wait_for(port)
        count, elapsed, server_cpu = http_run(port, batches, str(uuid.uuid4()), server.pid)
    finally:
        server.terminate()
        server.wait(10)
    raw_count, raw_elapsed = raw_run(str(tmp / "raw.db"), batches, 0)
    http_rate, raw_rate = count / elapsed, raw_count / raw_elapsed
    print(f"push over HTTP : {count} visit mutations in {elapsed:.2f} s = {http_rate:,.0f} mutations/s "
          f"({elapsed / (count / BATCH) * 1000:.1f} ms per batch of {BATCH})")
    print(f"server CPU     : {server_cpu:.2f} s ({server_cpu / (count / BATCH) * 1000:.1f} ms per batch; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"raw sqlite3    : {raw_count} upserts in {raw_elapsed:.2f} s = {raw_rate:,.0f} rows/s")
    print(f"ratio          : 1/{raw_rate / http_rate:.1f} of raw (target ≥ 1/15); "
          f"target ≥ 10,000/s {'met' if http_rate >= 10000 else 'NOT met'}")


if __name__ == "__main__":
    main()
