"""Faults, the long versions: phones keep syncing while the server is killed, its database
connections are cut, responses are lost after commit, or several processes write one SQLite
file. At the end the database is checked against what the phones believe they sent.

    .venv/bin/python bench/faults.py sigkill --db postgresql --phones 50 --seconds 60 --every 3
    .venv/bin/python bench/faults.py pgdrop --phones 50 --seconds 60 --every 0.5
    .venv/bin/python bench/faults.py lossy --db sqlite --phones 30 --seconds 60 --loss 0.3
    .venv/bin/python bench/faults.py sqlite-writers --servers 3 --phones 30 --seconds 60

The bounded versions run under pytest: tests/faults/. Loopback only; `--max-total` caps the run.
"""
import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402


class LossyPhone(load.Phone):
    """A phone on a bad line: some requests reach the server but the answer never comes back."""

    loss = 0.3

    def _request(self, path, body, timeout=None):
        if path == "/api/sync/push" and random.random() < self.loss:
            import http.client
            import json

            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            conn.request("POST", path, body=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
            time.sleep(random.uniform(0, 0.05))  # hang up before, during or after the server's commit
            conn.close()
            raise ConnectionResetError("simulated: the answer was lost")
        return super()._request(path, body, timeout)


def run(args):
    hard_deadline = time.monotonic() + args.max_total
    threading.Timer(args.max_total + 30, lambda: os._exit(3)).start()
    if args.scenario == "sqlite-writers":
        args.db = "sqlite"
    if args.db == "postgresql":
        url = args.url or load.DEFAULT_PG.replace("harmony_load", "harmony_load_faults")
    else:
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="harmony-faults-"), "faults.db")
    lock = load.exclusive(url)  # noqa: F841
    print("machine:", load.machine())
    accounts = load.prepare_database(url, args.households, args.phones, stamp_head=args.db == "sqlite")
    servers = [load.Server(url, workers=args.workers, threads=args.threads)]
    if args.scenario == "sqlite-writers":
        servers += [load.Server(url, threads=args.threads) for _ in range(args.servers - 1)]
    for server in servers:
        server.start()
    print(f"scenario {args.scenario}: {' '.join(servers[0].command())} x{len(servers)} on {args.db}")
    phone_class = LossyPhone if args.scenario == "lossy" else load.Phone
    LossyPhone.loss = args.loss
    phones = [phone_class(servers[n % len(servers)].port, username, grid_id, timeout=args.timeout)
              for n, (username, grid_id) in enumerate(accounts)]
    errors = load.parallel(phones, lambda p, d: load.Phone.login(p, d), hard_deadline)
    errors += load.parallel(phones, lambda p, d: p.pull(d), hard_deadline)
    if errors:
        raise SystemExit(f"set-up failed: {errors[:3]}")
    faults = []
    stop = threading.Event()

    def sigkill():
        while not stop.wait(args.every * random.uniform(0.5, 1.5)):
            servers[0].kill()
            faults.append(time.monotonic())
            time.sleep(0.2)
            servers[0].start()

    def pgdrop():
        from sqlalchemy import text

        name = url.rsplit("/", 1)[1]
        engine = load.db_engine(url)
        with engine.connect() as conn:
            while not stop.wait(args.every):
                rows = conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :app AND datname = :db AND state <> 'idle'"),
                    {"app": load.APP_NAME, "db": name}).all()
                conn.commit()
                faults.extend(1 for r in rows if r[0])
        engine.dispose()

    injector = {"sigkill": sigkill, "pgdrop": pgdrop}.get(args.scenario)
    thread = threading.Thread(target=injector, daemon=True) if injector else None
    if thread:
        thread.start()
    elapsed, run_errors, _ = load.run_phones(phones, args.seconds, hard_deadline, args.visits, args.case_every,
                                             args.think)
    stop.set()
    if thread:
        thread.join(30)
    LossyPhone.loss = 0.0
    if args.scenario == "lossy":
        faults = [1] * sum(p.attempt_errors.get("ConnectionResetError", 0) for p in phones)
    run_errors += load.parallel(phones, lambda p, d: p.pull(d), hard_deadline)
    rss = sum(server.rss_kb() for server in servers)
    for server in servers:
        server.stop()
    summary = load.summarize(phones, elapsed, (rss, rss), load.verify(url, phones))
    summary["phone_errors"] = run_errors
    load.print_report(f"{args.scenario}: {len(faults)} faults injected", summary)
    for e in run_errors[:10]:
        print("  phone error:", e)
    ok = (summary["lost"] == 0 and summary["duplicated"] == 0 and summary["unexpected_rows"] == 0
          and not run_errors and summary["pull_gaps"] == 0 and summary["pull_repeats"] == 0
          and (faults or args.scenario in ("lossy", "sqlite-writers")))
    print("\nRESULT:", "PASS" if ok else "FAIL", f"({len(faults)} faults, HTTP 500 answers: {summary['http_500']})")
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=("sigkill", "pgdrop", "lossy", "sqlite-writers"))
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--url", help="PostgreSQL URL (default: database harmony_load_faults on 127.0.0.1)")
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-total", type=float, default=600)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between faults (sigkill, pgdrop)")
    parser.add_argument("--loss", type=float, default=0.3, help="share of push answers lost (lossy)")
    parser.add_argument("--servers", type=int, default=3, help="server processes on one SQLite file (sqlite-writers)")
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--case-every", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="phone's HTTP timeout, seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--households", type=int, default=600)
    args = parser.parse_args(argv)
    if args.scenario == "pgdrop" and args.db != "postgresql":
        parser.error("pgdrop needs --db postgresql")
    os._exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
