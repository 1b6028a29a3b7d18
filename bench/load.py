"""Load: N simulated phones push visits and case events and pull, all at once; count what was lost.

Each phone has its own promoter account, device token and client id. It pulls its grid,
then loops: push a batch (visits, and every few rounds a case with notes), re-sending the
same batch with the same mids on any network error, timeout or 5xx until it gets the
per-mutation results; then pull the changes since its cursor. After the run the database
is compared with what the phones believe they sent:

- lost: a mutation the server acknowledged (applied/duplicate/merged) with no row;
- duplicated: more than one row for one mutation (rows carry a per-mutation marker),
  or rows from the load accounts that no phone sent;
- pull gaps / pull repeats: an acknowledged record of a phone's grid that its pulls never
  delivered, or delivered twice at the same version.

    .venv/bin/python bench/load.py --db postgresql --phones 200 --seconds 60
    .venv/bin/python bench/load.py --db sqlite --phones 200 --seconds 60

Arrivals: every phone logs in and makes its first full pull (16 at a time) before the clock
starts; then each waits a uniform 0–`--think` seconds before its first push, so the 200
phones join over the first ~10 s and all sync concurrently for the rest of the run.
On PostgreSQL the default server is the one docs/deployment.md recommends: gunicorn with
3 synchronous workers for pulls and the rest, and a pool of 2 for pushes (the phones send
pushes to its port, standing in for the proxy's routing); `--push-workers 0 --workers 4`
is the single pool of earlier runs. Each phase prints the time requests spent inside a
gunicorn worker (its access log) next to what the phones waited.

Loopback only. `--max-total` is a hard limit on the whole run (setup included).
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "load-phone-pw"
DEFAULT_PG = "postgresql://harmony:harmony@127.0.0.1:5432/harmony_load"
APP_NAME = "harmony-load-server"  # application_name of the server's PostgreSQL connections
ACKED = ("applied", "duplicate", "merged", "conflict")


# ---------------------------------------------------------------- database


def with_app_name(url, name=APP_NAME):
    """Tag the server's PostgreSQL connections so faults can find exactly them."""
    if not url.startswith("postgres"):
        return url
    return url + ("&" if "?" in url else "?") + f"application_name={name}"


def ensure_pg_database(url):
    """Create the PostgreSQL database named in `url` if it does not exist."""
    import psycopg

    base, _, name = url.split("?")[0].rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database(url, households=3000, phones=200, stamp_head=False, log=print):
    """Build a fresh schema with the demo county and `phones` promoter accounts.

    Returns [(username, grid_id)]. Accounts are spread over the grids round-robin.
    """
    from sqlalchemy import select, text

    from harmony import create_app
    from harmony.cli import system_scope
    from harmony.config import Config, normalize_database_url
    from harmony.demo import seed_demo
    from harmony.extensions import db
    from harmony.people.service import create_user
    from harmony.places.models import Place

    if url.startswith("postgres"):
        ensure_pg_database(url)
    # Accounts get cheap Argon2 parameters: log-in is set-up here, not what is measured
    # (the server verifies with the parameters stored in each hash).
    app = create_app(Config, overrides={"SQLALCHEMY_DATABASE_URI": normalize_database_url(url),
                                        "PASSWORD_HASH_PROFILE": "fast", "SCHEDULER_ENABLED": False})
    started = time.monotonic()
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.session.commit()
        seed_demo(households=households, password_profile="fast")
        db.session.commit()
        grids = db.session.scalars(select(Place.id).where(Place.kind == "grid").order_by(Place.id)).all()
        scope = system_scope()
        accounts = []
        for n in range(phones):
            grid_id = grids[n % len(grids)]
            username = f"load-{n:04d}"
            create_user(scope, username, PASSWORD, f"负载测试{n}", roles=[{"role": "promoter", "place_id": grid_id}])
            accounts.append((username, grid_id))
        db.session.commit()
        if stamp_head:
            # `python app.py` migrates to head on start: mark the create_all schema as current.
            from flask_migrate import stamp

            stamp()
        db.session.remove()
        db.engine.dispose()
    log(f"prepared {households} households in {len(grids)} grids, {phones} phone accounts "
        f"({time.monotonic() - started:.1f} s)")
    return accounts


def db_engine(url):
    from sqlalchemy import create_engine

    from harmony.config import normalize_database_url

    return create_engine(normalize_database_url(url))


# ---------------------------------------------------------------- server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app in child processes: gunicorn (PostgreSQL) or `python app.py` (SQLite).

    With `push_workers`, pushes get a gunicorn pool of their own on `push_port` (behind a
    proxy that routes /api/sync/push there; see docs/deployment.md) and the main pool serves
    everything else.
    """

    def __init__(self, url, kind=None, port=None, workers=4, threads=8, worker_threads=1, push_workers=0,
                 log_path=None, extra_env=None):
        self.url = url
        self.kind = kind or ("gunicorn" if url.startswith("postgres") else "app.py")
        self.port = port or free_port()
        self.push_port = free_port() if push_workers else self.port
        self.workers, self.threads, self.worker_threads = workers, threads, worker_threads
        self.push_workers = push_workers
        self.log_path = log_path or os.path.join(tempfile.gettempdir(), f"harmony-load-server-{self.port}.log")
        # gunicorn's access log gives each request's time inside a worker: the rest of what a
        # phone waits is queueing (for a worker, or in the listen backlog) and the network.
        self.access_log = self.log_path[:-4] + ".access.log" if self.log_path.endswith(".log") else self.log_path + ".access"
        self.extra_env = extra_env or {}
        self.procs = []
        self.starts = 0

    def command(self, push_pool=False):
        python = sys.executable
        if self.kind == "gunicorn":
            gunicorn = str(Path(python).with_name("gunicorn"))
            workers, threads = (self.push_workers, 1) if push_pool else (self.workers, self.worker_threads)
            port = self.push_port if push_pool else self.port
            threaded = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else []
            return [gunicorn, "-w", str(workers), *threaded, "-b", f"127.0.0.1:{port}", "--timeout", "60",
                    "--graceful-timeout", "5", "--log-level", "warning",
                    "--access-logfile", self.access_log, "--access-logformat", "%(m)s %(U)s %(s)s %(D)s",
                    "app:create_app()"]
        return [python, "app.py", "--no-demo", "--port", str(self.port), "--threads", str(self.threads)]

    def describe(self):
        text = " ".join(self.command()) + f" on port {self.port}"
        if self.push_workers:
            text += f"; pushes: {' '.join(self.command(push_pool=True))} on port {self.push_port}"
        return text

    def env(self):
        env = dict(os.environ)
        env.update({"HARMONY_DATABASE_URL": with_app_name(self.url), "HARMONY_SCHEDULER": "0",
                    "HARMONY_SECRET_KEY": "load-bench-secret", "PYTHONUNBUFFERED": "1"})
        env.update(self.extra_env)
        return env

    def start(self, timeout=60):
        log = open(self.log_path, "ab")
        pools = [(self.port, False)] + ([(self.push_port, True)] if self.push_workers else [])
        self.procs = [subprocess.Popen(self.command(push_pool), cwd=ROOT, env=self.env(), stdout=log, stderr=log,
                                       start_new_session=True) for _, push_pool in pools]
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        for port, _ in pools:
            self._wait_healthy(port, deadline)
        return self

    def _wait_healthy(self, port, deadline):
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"server exited with {proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within the time limit; see {self.log_path}")

    def access_log_size(self):
        try:
            return os.path.getsize(self.access_log)
        except OSError:
            return 0

    def request_times(self, since=0):
        """{path: [seconds inside a worker]} from the access log after byte offset `since` (gunicorn only)."""
        times = {}
        try:
            with open(self.access_log, "rb") as f:
                f.seek(since)
                for line in f:
                    parts = line.decode("utf-8", "replace").split()
                    if len(parts) == 4 and parts[3].isdigit():
                        times.setdefault(parts[1], []).append(int(parts[3]) / 1e6)
        except OSError:
            pass
        return times

    def pids(self):
        """The server process and all its descendants."""
        roots = [proc.pid for proc in self.procs if proc.poll() is None]
        if not roots:
            return []
        children = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
        found, todo = [], roots
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def rss_kb(self):
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total

    def cpu_seconds(self):
        """CPU time used so far by the live server processes (and their reaped children)."""
        total = 0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15]) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total

    def kill(self):
        """SIGKILL the whole server (masters and workers): a power cut, not a shutdown."""
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)

    def stop(self):
        for proc in self.procs:
            if proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)

    def restart(self):
        self.kill()
        return self.start()


# ---------------------------------------------------------------- phones


def cursor_seq(cursor):
    """The sequence number inside a cursor, for diagnostics only (the signature is not checked)."""
    import base64

    if not cursor:
        return 0
    try:
        part = cursor.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))).get("q")
    except (ValueError, AttributeError):
        return None


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def utc_now_iso():
    # The phone's own clock (client_ts): the server never orders anything by it.
    return datetime.now(timezone.utc).isoformat()


class Phone:
    """One phone: an account, a client id, an outbox of batches, a cursor and what it has seen."""

    def __init__(self, port, username, grid_id, timeout=30.0, password=PASSWORD, host="127.0.0.1", push_port=None):
        self.host, self.port, self.timeout = host, port, timeout
        self.push_port = push_port or port
        self.username, self.grid_id, self.password = username, grid_id, password
        self.client_id = str(uuid.uuid4())
        self.token = None
        self.conn = None
        self.mid = 0
        self.cursor = None
        self.households = []
        self.cases = []  # case ids this phone opened that the server accepted
        self.cases_supported = True
        # What the phone believes: mutation -> its final result
        self.sent = {}  # (table, id) -> {"mid", "marker", "status"}
        self.last_acked_mid = 0
        self.seen = {}  # (table, id, version) -> deliveries
        self.resets = 0
        self.repeats, self.seen_seq = [], {}  # diagnostics for deliveries seen twice
        self.push_latencies, self.pull_latencies = [], []
        self.attempt_errors = {}  # "503" / "ConnectionRefusedError" / ... -> count
        self.http_500 = 0
        self.unacked = 0
        self.stop_at = None

    # -- transport

    def _request(self, path, body, timeout=None):
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        port = self.push_port if path == "/api/sync/push" else self.port
        if self.conn is not None and self.conn.port != port:
            self.close()  # one connection at a time, like a phone behind one proxy address
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, port, timeout=timeout or self.timeout)
        try:
            self.conn.request("POST", path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except AttributeError as exc:
            # http.client can trip over a socket the server closed mid-response.
            self.close()
            raise ConnectionError(f"connection dropped: {exc}") from exc
        except Exception:
            self.close()
            raise
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = {"_raw": raw[:200].decode("utf-8", "replace")}
        return response.status, dict(response.getheaders()), payload

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _note(self, key):
        self.attempt_errors[key] = self.attempt_errors.get(key, 0) + 1

    def call(self, path, body, latencies=None, deadline=None):
        """POST until a final answer (2xx/4xx); retry network errors and 5xx with backoff."""
        delay = 0.05
        while True:
            started = time.monotonic()
            try:
                status, headers, payload = self._request(path, body)
            except (OSError, http.client.HTTPException) as exc:
                self._note(type(exc).__name__)
                status = None
            else:
                if status < 500:
                    if latencies is not None and status == 200:
                        latencies.append(time.monotonic() - started)
                    return status, payload
                self._note(str(status))
                if status == 500:
                    self.http_500 += 1
                retry_after = headers.get("Retry-After")
                if retry_after and retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), 2.0))
            if deadline is not None and time.monotonic() > deadline:
                return None, None
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 2.0)

    def login(self, deadline=None):
        status, body = self.call("/api/auth/login", {"username": self.username, "password": self.password,
                                                     "device_name": f"phone {self.username}"}, deadline=deadline)
        if status != 200:
            raise RuntimeError(f"log-in of {self.username} failed: {status} {body}")
        self.token = body["token"]

    # -- protocol

    def _mutation(self, table, op, record_id, fields):
        self.mid += 1
        return {"mid": self.mid, "table": table, "op": op, "id": record_id, "base_version": None,
                "fields": fields, "client_ts": utc_now_iso()}

    def make_batch(self, visits=20, with_case=False, rng=random):
        batch = []
        for _ in range(visits):
            record_id = str(uuid.uuid4())
            m = self._mutation("visit", "create", record_id, {
                "household_id": rng.choice(self.households), "form": rng.choice(("home_visit", "phone_call")),
                "topics": rng.sample(["liaison", "residents_views", "mediation", "safety"], 2),
                "notes": f"load {self.client_id} {self.mid} 走访记录", "answered_on_spot": rng.random() < 0.6,
                "case_ids": []})
            batch.append(m)
        if with_case and self.cases_supported:
            case_id = str(uuid.uuid4())
            batch.append(self._mutation("case", "create", case_id, {
                "grid_id": self.grid_id, "title": f"邻里纠纷 load {self.client_id} {self.mid + 1}",
                "category": "neighbour", "description": "楼上漏水", "parties": [], "priority": "normal",
                "source": "visit"}))
            for n in range(2):
                batch.append(self._mutation("case_event", "create", str(uuid.uuid4()), {
                    "case_id": case_id, "kind": "note",
                    "data": {"text": f"load {self.client_id} {self.mid + 1} 调解记录 {n}"}}))
        return batch

    def push(self, batch, deadline=None):
        """Push one batch until the server answers it; return the results (None if out of time)."""
        body = {"client_id": self.client_id, "schema_version": 1, "mutations": batch}
        status, payload = self.call("/api/sync/push", body, self.push_latencies, deadline)
        if status is None:
            self.unacked += len(batch)
            for m in batch:
                self.sent[(m["table"], m["id"])] = {"mid": m["mid"], "status": "unacked"}
            return None
        if status != 200:
            raise RuntimeError(f"{self.username}: push answered {status}: {payload}")
        results = payload["results"]
        if [r["mid"] for r in results] != [m["mid"] for m in batch]:
            raise RuntimeError(f"{self.username}: results do not match the batch mids")
        for m, r in zip(batch, results):
            self.sent[(m["table"], m["id"])] = {"mid": m["mid"], "status": r["status"], "message": r.get("message")}
            if m["table"] == "case":
                if r["status"] in ACKED:
                    self.cases.append(m["id"])
                elif "cannot be synced" in (r.get("message") or ""):
                    self.cases_supported = False
        self.last_acked_mid = payload["last_mid"]
        return results

    def pull(self, deadline=None, limit=500):
        """Pull every page after the cursor; count deliveries."""
        while True:
            body = {"client_id": self.client_id, "cursor": self.cursor, "limit": limit}
            status, page = self.call("/api/sync/pull", body, self.pull_latencies, deadline)
            if status is None:
                return False
            if status != 200:
                raise RuntimeError(f"{self.username}: pull answered {status}: {page}")
            if page.get("reset"):
                self.resets += 1
                self.seen.clear()
            for change in page["changes"]:
                if change["table"] == "household" and change["op"] == "upsert" and not self.cursor_started:
                    self.households.append(change["id"])
                key = (change["table"], change["id"], change["version"])
                self.seen[key] = self.seen.get(key, 0) + 1
                if self.seen[key] > 1:
                    self.repeats.append({"change": {k: change[k] for k in ("table", "id", "op", "version", "server_seq")},
                                         "after": cursor_seq(self.cursor), "first_seen_seq": self.seen_seq.get(key)})
                self.seen_seq.setdefault(key, change["server_seq"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                self.cursor_started = True
                return True

    cursor_started = False

    def run(self, until, hard_deadline, visits, case_every, think, rng):
        rounds = 0
        if think:
            time.sleep(think * rng.random())  # phones arrive spread out, not all in one instant
        while time.monotonic() < until:
            rounds += 1
            batch = self.make_batch(visits, with_case=case_every and rounds % case_every == 0, rng=rng)
            if self.push(batch, hard_deadline) is None:
                return
            if not self.pull(hard_deadline):
                return
            if think:
                time.sleep(think * rng.uniform(0.5, 1.5))


# ---------------------------------------------------------------- the run


class RssSampler(threading.Thread):
    def __init__(self, server, every=0.5):
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.peak = self.last = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.every):
            self.last = self.server.rss_kb()
            self.peak = max(self.peak, self.last)


def run_phones(phones, seconds, hard_deadline, visits=20, case_every=5, think=1.0, seed=1):
    """Run the phones concurrently for `seconds`; return (elapsed, errors)."""
    errors = []
    until = time.monotonic() + seconds

    def body(phone, n):
        try:
            phone.run(until, hard_deadline, visits, case_every, think, random.Random(seed * 100003 + n))
        except Exception as exc:  # reported, never silent
            errors.append(f"{phone.username}: {exc!r}")

    threads = [threading.Thread(target=body, args=(p, n), daemon=True) for n, p in enumerate(phones)]
    started = time.monotonic()
    cpu = os.times()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, hard_deadline - time.monotonic()))
    used = os.times()
    client_cpu = (used.user - cpu.user) + (used.system - cpu.system)
    return time.monotonic() - started, errors, client_cpu


def parallel(phones, method, hard_deadline, width=16):
    """Call `method(phone, deadline)` for every phone, `width` at a time (log-in, first pull)."""
    errors = []
    lock = threading.Lock()
    todo = list(phones)

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                phone = todo.pop()
            try:
                method(phone, hard_deadline)
            except Exception as exc:
                errors.append(f"{phone.username}: {exc!r}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(width)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, hard_deadline - time.monotonic()))
    return errors


def verify(url, phones):
    """Compare the database with what the phones believe they sent; return a dict of counts."""
    from sqlalchemy import text

    by_table = {"visit": {}, "case": {}, "case_event": {}}
    for phone in phones:
        for (table, record_id), info in phone.sent.items():
            by_table[table][record_id] = (phone, info)
    out = {"acked": 0, "lost": 0, "duplicated": 0, "rejected": 0, "unacked": 0, "unexpected_rows": 0,
           "rejected_messages": {}, "by_table": {}}
    engine = db_engine(url)
    usernames = [p.username for p in phones]
    with engine.connect() as conn:
        user_ids = [r[0] for r in conn.execute(text("SELECT id FROM \"user\" WHERE username IN :names")
                                               .bindparams(_expanding("names")), {"names": usernames})]
        stored = {}
        if user_ids:
            stored["visit"] = conn.execute(text(
                "SELECT id, notes FROM visit WHERE promoter_id IN :ids").bindparams(_expanding("ids")),
                {"ids": user_ids}).all()
            stored["case"] = conn.execute(text(
                "SELECT id, title FROM \"case\" WHERE reported_by_id IN :ids").bindparams(_expanding("ids")),
                {"ids": user_ids}).all()
            stored["case_event"] = conn.execute(text(
                "SELECT id, data FROM case_event WHERE actor_id IN :ids AND kind = 'note'")
                .bindparams(_expanding("ids")), {"ids": user_ids}).all()
        else:
            stored = {"visit": [], "case": [], "case_event": []}
        result_rows = {r[0]: (r[1], r[2]) for r in conn.execute(text(
            "SELECT client_id, count(*), count(DISTINCT mid) FROM sync_result WHERE client_id IN :c GROUP BY client_id")
            .bindparams(_expanding("c")), {"c": [p.client_id for p in phones]})} if phones else {}
        last_mids = dict(conn.execute(text("SELECT id, last_mid FROM sync_client WHERE id IN :c")
                                      .bindparams(_expanding("c")), {"c": [p.client_id for p in phones]}).all())
    engine.dispose()
    for table, sent in by_table.items():
        ids = {}
        markers = {}
        for record_id, label in stored.get(table, []):
            ids[record_id] = ids.get(record_id, 0) + 1
            marker = _marker(label)
            if marker:
                markers[marker] = markers.get(marker, 0) + 1
        t = {"acked": 0, "lost": 0, "duplicated": 0, "rejected": 0, "unacked": 0, "unexpected_rows": 0}
        for record_id, (phone, info) in sent.items():
            status = info["status"]
            if status in ACKED:
                t["acked"] += 1
                if ids.get(record_id, 0) == 0:
                    t["lost"] += 1
            elif status == "unacked":
                t["unacked"] += 1
            else:
                t["rejected"] += 1
                msg = (info.get("message") or status)[:80]
                out["rejected_messages"][msg] = out["rejected_messages"].get(msg, 0) + 1
        t["duplicated"] = sum(n - 1 for n in ids.values() if n > 1) + sum(n - 1 for n in markers.values() if n > 1)
        t["unexpected_rows"] = sum(1 for record_id in ids if record_id not in sent)
        out["by_table"][table] = t
        for key in t:
            out[key] += t[key]
    # Bookkeeping: one stored result per processed mid, and last_mid as the phone saw it.
    out["result_rows_mismatch"] = 0
    out["last_mid_mismatch"] = 0
    for phone in phones:
        acked_mids = {info["mid"] for info in phone.sent.values() if info["status"] != "unacked"}
        rows, distinct = result_rows.get(phone.client_id, (0, 0))
        if rows != distinct or distinct < len(acked_mids):
            out["result_rows_mismatch"] += 1
        if phone.last_acked_mid and last_mids.get(phone.client_id, 0) < phone.last_acked_mid:
            out["last_mid_mismatch"] += 1
    # Pulls: every acknowledged visit of a phone's grid reached that phone exactly once.
    acked_by_grid = {}
    for phone in phones:
        for (table, record_id), info in phone.sent.items():
            if table == "visit" and info["status"] in ACKED:
                acked_by_grid.setdefault(phone.grid_id, set()).add(record_id)
    gaps = repeats = 0
    for phone in phones:
        seen_visits = {record_id for (table, record_id, _v) in phone.seen if table == "visit"}
        gaps += len(acked_by_grid.get(phone.grid_id, set()) - seen_visits)
        repeats += sum(n - 1 for n in phone.seen.values() if n > 1)
    out["pull_gaps"], out["pull_repeats"] = gaps, repeats
    out["repeat_examples"] = [r for p in phones for r in p.repeats][:5]
    out["pull_resets"] = sum(p.resets for p in phones)
    return out


def _expanding(name):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def _marker(label):
    """The 'load <client> <n>' marker a phone puts in each record it makes (unique per mutation)."""
    if isinstance(label, str) and label.startswith("{"):
        try:
            label = json.loads(label)
        except ValueError:
            return None
    if isinstance(label, dict):
        label = label.get("text", "")
    if not isinstance(label, str):
        return None
    parts = label.split()
    if "load" not in parts:
        return None
    i = parts.index("load")
    return " ".join(parts[i:i + 3])


def summarize(phones, elapsed, rss, verdict):
    pushes = [x for p in phones for x in p.push_latencies]
    pulls = [x for p in phones for x in p.pull_latencies]
    mutations = sum(1 for p in phones for info in p.sent.values() if info["status"] != "unacked")
    errors = {}
    for p in phones:
        for k, v in p.attempt_errors.items():
            errors[k] = errors.get(k, 0) + v
    return {
        "phones": len(phones), "seconds": round(elapsed, 1),
        "pushes": len(pushes), "pulls": len(pulls), "mutations": mutations,
        "mutations_per_s": round(mutations / elapsed, 1) if elapsed else 0,
        "requests_per_s": round((len(pushes) + len(pulls)) / elapsed, 1) if elapsed else 0,
        "push_ms": {f"p{q}": round(percentile(pushes, q) * 1000, 1) for q in (50, 95, 99)},
        "pull_ms": {f"p{q}": round(percentile(pulls, q) * 1000, 1) for q in (50, 95, 99)},
        "server_rss_mb": {"peak": round(rss[0] / 1024, 1), "end": round(rss[1] / 1024, 1)},
        "retried_attempts": errors, "http_500": sum(p.http_500 for p in phones),
        **verdict,
    }


def print_report(title, s):
    print(f"\n== {title}")
    print(f"phones {s['phones']}, {s['seconds']} s: {s['pushes']} pushes, {s['pulls']} pulls, "
          f"{s['mutations']} mutations answered")
    print(f"throughput: {s['mutations_per_s']} mutations/s, {s['requests_per_s']} requests/s")
    print("push latency ms: p50 {p50}  p95 {p95}  p99 {p99}".format(**s["push_ms"]))
    print("pull latency ms: p50 {p50}  p95 {p95}  p99 {p99}".format(**s["pull_ms"]))
    for kind, ms in s.get("server_ms", {}).items():
        print(f"  {kind} inside a server worker ms: p50 {ms['p50']}  p95 {ms['p95']}  p99 {ms['p99']}"
              "  (the rest of the latency is queueing)")
    print(f"server RSS MB (all processes): peak {s['server_rss_mb']['peak']}, end {s['server_rss_mb']['end']}")
    print(f"retried attempts: {s['retried_attempts'] or 'none'}; HTTP 500: {s['http_500']}")
    print(f"acknowledged {s['acked']}  LOST {s['lost']}  DUPLICATED {s['duplicated']}  "
          f"unexpected rows {s['unexpected_rows']}  rejected {s['rejected']}  unacknowledged at stop {s['unacked']}")
    print(f"pull: gaps {s['pull_gaps']}, repeats {s['pull_repeats']}, resets {s['pull_resets']}; "
          f"bookkeeping mismatches: results {s['result_rows_mismatch']}, last_mid {s['last_mid_mismatch']}")
    for table, t in s["by_table"].items():
        print(f"  {table:10} acked {t['acked']:6}  lost {t['lost']}  duplicated {t['duplicated']}  rejected {t['rejected']}")
    for msg, n in s["rejected_messages"].items():
        print(f"  rejected x{n}: {msg}")


def make_phones(port, accounts, timeout=30.0, push_port=None):
    return [Phone(port, username, grid_id, timeout=timeout, push_port=push_port) for username, grid_id in accounts]


def phase(server, accounts, seconds, hard_deadline, url, visits, case_every, think, title, seed=1):
    """Log in and first-sync every phone, then run them; return the summary."""
    phones = make_phones(server.port, accounts, push_port=server.push_port)
    errors = parallel(phones, lambda p, d: p.login(d), hard_deadline)
    errors += parallel(phones, lambda p, d: p.pull(d), hard_deadline)
    if errors:
        raise RuntimeError(f"set-up failed for {len(errors)} phones, e.g. {errors[:3]}")
    sampler = RssSampler(server)
    sampler.start()
    server_cpu, machine_busy = server.cpu_seconds(), busy_cpu_seconds()
    log_offset = server.access_log_size()
    elapsed, run_errors, client_cpu = run_phones(phones, seconds, hard_deadline, visits, case_every, think, seed)
    server_cpu, machine_busy = server.cpu_seconds() - server_cpu, busy_cpu_seconds() - machine_busy
    # A last pull so every phone has caught up before the pulls are checked.
    run_errors += parallel(phones, lambda p, d: p.pull(d), hard_deadline)
    sampler.stopped.set()
    for p in phones:
        p.close()
    summary = summarize(phones, elapsed, (max(sampler.peak, sampler.last), server.rss_kb()), verify(url, phones))
    summary["phone_errors"] = run_errors
    summary["cpu_seconds"] = {"server": round(server_cpu, 1), "load_client": round(client_cpu, 1),
                              "machine_busy": round(machine_busy, 1),
                              "available": round(elapsed * (os.cpu_count() or 1), 1)}
    c = summary["cpu_seconds"]
    requests = summary["pushes"] + summary["pulls"]
    c["server_ms_per_request"] = round(server_cpu * 1000 / requests, 1) if requests else None
    print(f"CPU seconds: server {c['server']} ({c['server_ms_per_request']} ms per request), load client "
          f"{c['load_client']}, whole machine busy {c['machine_busy']} of {c['available']} (the rest: PostgreSQL "
          f"and any other process on these {os.cpu_count()} cores); load average now {open('/proc/loadavg').read().split()[:3]}")
    inside = server.request_times(log_offset)
    summary["server_ms"] = {path.rsplit("/", 1)[-1]: {f"p{q}": round(percentile(v, q) * 1000, 1) for q in (50, 95, 99)}
                            for path, v in inside.items() if path in ("/api/sync/push", "/api/sync/pull")}
    print_report(title, summary)
    for e in run_errors[:10]:
        print("  phone error:", e)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--url", help=f"database URL (default {DEFAULT_PG}, or a fresh SQLite file)")
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-total", type=float, default=900, help="hard limit on the whole run, seconds")
    parser.add_argument("--visits", type=int, default=20, help="visits per push")
    parser.add_argument("--case-every", type=int, default=5, help="a case with two notes every N pushes (0: never)")
    parser.add_argument("--think", type=float, default=10.0, help="mean pause between a phone's syncs, seconds")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (PostgreSQL)")
    parser.add_argument("--worker-threads", type=int, default=1,
                        help="threads per gunicorn worker (PostgreSQL); above 1 uses the gthread worker")
    parser.add_argument("--push-workers", type=int, default=2,
                        help="a separate gunicorn pool of this many workers for pushes (PostgreSQL; 0: one pool)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (SQLite)")
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-phone baseline")
    parser.add_argument("--json", help="also write the summaries to this file")
    parser.add_argument("--p95-target-ms", type=float, default=1000,
                        help="the run fails when p95 push latency under load is above this (0: no target)")
    args = parser.parse_args(argv)

    hard_deadline = time.monotonic() + args.max_total
    threading.Timer(args.max_total + 30, lambda: os._exit(3)).start()  # nothing outlives the limit
    if args.url:
        url = args.url
    elif args.db == "postgresql":
        url = DEFAULT_PG
    else:
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="harmony-load-"), "load.db")
    if not url.startswith(("sqlite", "postgres")) or ("127.0.0.1" not in url and "localhost" not in url
                                                        and not url.startswith("sqlite")):
        parser.error("loopback databases only")
    lock = exclusive(url)  # noqa: F841  (held until exit)
    summaries = {"db": args.db, "machine": machine(), "args": vars(args)}
    print(f"machine: {summaries['machine']}")
    accounts = prepare_database(url, args.households, args.phones + 1, stamp_head=args.db == "sqlite")
    server = Server(url, workers=args.workers, threads=args.threads, worker_threads=args.worker_threads,
                    push_workers=args.push_workers if args.db == "postgresql" else 0)
    print(f"server: {server.describe()} ({args.db})")
    server.start()
    try:
        if not args.no_baseline:
            summaries["baseline"] = phase(server, accounts[-1:], min(10, args.seconds), hard_deadline, url,
                                          args.visits, args.case_every, 0.0, "baseline: 1 phone, no pauses")
        summaries["load"] = phase(server, accounts[:args.phones], args.seconds, hard_deadline, url, args.visits,
                                  args.case_every, args.think, f"load: {args.phones} phones")
    finally:
        server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(summaries, indent=2, ensure_ascii=False))
    load = summaries["load"]
    result = load_verdict(load, args.p95_target_ms)
    print("\nRESULT:", result)
    ok = result == "PASS"
    os._exit(0 if ok else 1)


def load_verdict(load, p95_target_ms):
    """Return "PASS", or "FAIL: …" naming every broken promise: nothing lost or repeated, no 500, p95 on target."""
    broken = [name for name, bad in (
        ("lost", load["lost"]), ("duplicated", load["duplicated"]), ("http_500", load["http_500"]),
        ("phone_errors", len(load["phone_errors"])), ("pull_gaps", load["pull_gaps"]),
        ("pull_repeats", load["pull_repeats"])) if bad]
    p95 = load["push_ms"]["p95"]
    if p95_target_ms and not p95 <= p95_target_ms:  # NaN (no push answered) fails too
        broken.append(f"p95 push {p95} ms > target {p95_target_ms:g} ms")
    return "PASS" if not broken else "FAIL: " + ", ".join(broken)


def busy_cpu_seconds():
    """CPU seconds the whole machine has spent busy (not idle or waiting on I/O) since boot."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def exclusive(url):
    """Hold a lock file so two load runs never share (and drop) one database."""
    import fcntl
    import hashlib

    path = os.path.join(tempfile.gettempdir(), "harmony-load-" + hashlib.sha1(url.encode()).hexdigest()[:12] + ".lock")
    handle = open(path, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit(f"another load run is using {url.split('@')[-1]}; wait for it to finish") from None
    return handle


def machine():
    import platform

    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":")[1].strip()
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "mem_total": mem, "python": platform.python_version(),
            "loadavg_at_start": open("/proc/loadavg").read().split()[:3],
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


if __name__ == "__main__":
    main()
