"""Faults against a real server process: SIGKILL mid-push, dropped database connections,
responses lost after commit, SQLite writers colliding. Phones retry; nothing is lost or doubled.

Bounded versions (seconds each); `bench/faults.py` runs the long ones by hand.
"""
import json
import random
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from bench import load

pytestmark = pytest.mark.slow


def run_phones_for(phones, seconds, visits=10, case_every=3, deadline_slack=90):
    """Run the phones with no pauses for `seconds`, then pull once more; return errors."""
    hard = time.monotonic() + seconds + deadline_slack
    _, errors, _ = load.run_phones(phones, seconds, hard, visits=visits, case_every=case_every, think=0.0)
    errors += load.parallel(phones, lambda p, d: p.pull(d), hard)
    for p in phones:
        p.close()
    return errors


def start_phones(server, accounts, timeout=10.0):
    phones = load.make_phones(server.port, accounts, timeout=timeout)
    hard = time.monotonic() + 120
    errors = load.parallel(phones, lambda p, d: p.login(d), hard)
    errors += load.parallel(phones, lambda p, d: p.pull(d), hard)
    assert not errors, errors
    return phones


def assert_nothing_lost_or_doubled(url, phones, errors, server=None):
    verdict = load.verify(url, phones)
    log = Path(server.log_path).read_text()[-3000:] if server else ""
    summary = {k: verdict[k] for k in ("acked", "lost", "duplicated", "unexpected_rows", "rejected", "unacked",
                                       "pull_gaps", "pull_repeats", "result_rows_mismatch", "last_mid_mismatch")}
    assert not errors, (errors[:5], log)
    assert verdict["acked"] > 0, summary
    assert verdict["lost"] == 0 and verdict["duplicated"] == 0 and verdict["unexpected_rows"] == 0, summary
    assert verdict["rejected"] == 0 and verdict["unacked"] == 0, (summary, verdict["rejected_messages"])
    assert verdict["pull_gaps"] == 0 and verdict["pull_repeats"] == 0, (summary, verdict["repeat_examples"])
    assert verdict["result_rows_mismatch"] == 0 and verdict["last_mid_mismatch"] == 0, summary
    return verdict


def retried(phones):
    total = {}
    for p in phones:
        for k, v in p.attempt_errors.items():
            total[k] = total.get(k, 0) + v
    return total


def test_sigkill_during_pushes_loses_and_doubles_nothing(served, fault_url):
    server, accounts = served(phones=4, workers=2)
    phones = start_phones(server, accounts, timeout=5.0)
    kills = []

    def killer():
        rng = random.Random(8)
        for _ in range(2):
            time.sleep(rng.uniform(0.6, 1.2))
            server.kill()
            kills.append(time.monotonic())
            time.sleep(0.2)
            server.start()

    thread = threading.Thread(target=killer)
    thread.start()
    errors = run_phones_for(phones, 4.0)
    thread.join()
    assert len(kills) == 2 and server.starts == 3
    verdict = assert_nothing_lost_or_doubled(fault_url, phones, errors, server)
    assert sum(p.http_500 for p in phones) == 0, retried(phones)
    assert retried(phones), "the kills never hit a request: the test proved nothing"
    assert verdict["by_table"]["visit"]["acked"] >= 40


def test_dropped_postgres_connections_mid_transaction(served, fault_url, db_kind):
    if db_kind != "postgresql":
        pytest.skip("PostgreSQL connection faults")
    server, accounts = served(phones=4, workers=2)
    phones = start_phones(server, accounts, timeout=10.0)
    name = fault_url.rsplit("/", 1)[1]
    terminated = []
    stop = threading.Event()

    def dropper():
        # Only this test server's connections (tagged by application_name), never the shared cluster.
        engine = load.db_engine(fault_url)
        with engine.connect() as conn:
            # A bounded number of drops: killing every connection forever would only prove
            # that nothing commits while the database keeps hanging up.
            while not stop.wait(0.3) and len(terminated) < 10:
                rows = conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :app AND datname = :db AND state <> 'idle'"),
                    {"app": load.APP_NAME, "db": name}).all()
                conn.commit()
                terminated.extend(r[0] for r in rows if r[0])
        engine.dispose()

    thread = threading.Thread(target=dropper)
    thread.start()
    try:
        errors = run_phones_for(phones, 4.0)
    finally:
        stop.set()
        thread.join()
    assert len(terminated) >= 3, "no connection was dropped mid-transaction: the test proved nothing"
    assert_nothing_lost_or_doubled(fault_url, phones, errors, server)
    codes = retried(phones)
    # A drop inside the request or during the COMMIT is a 503: the phone retries.
    assert codes.get("503"), codes
    assert not codes.get("500"), codes


def raw_push_then_hang_up(port, token, body):
    """Send a push and close the socket without reading the answer (a phone losing signal)."""
    data = json.dumps(body).encode()
    request = (f"POST /api/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Authorization: Bearer {token}\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request + data)
        s.shutdown(socket.SHUT_WR)


def test_response_lost_after_commit_then_retry_changes_nothing(served, fault_url):
    server, accounts = served(phones=1)
    phone = start_phones(server, accounts)[0]
    batch = phone.make_batch(visits=30, with_case=True)
    body = {"client_id": phone.client_id, "schema_version": 1, "mutations": batch}
    raw_push_then_hang_up(server.port, phone.token, body)
    engine = load.db_engine(fault_url)
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            last = conn.execute(text("SELECT last_mid FROM sync_client WHERE id = :c"), {"c": phone.client_id}).scalar()
            conn.rollback()
            if last == batch[-1]["mid"]:
                break
            time.sleep(0.05)
        assert last == batch[-1]["mid"], "the first attempt never committed"
        stored = {mid: json.loads(r) for mid, r in conn.execute(
            text("SELECT mid, result FROM sync_result WHERE client_id = :c"), {"c": phone.client_id}).all()}
    # The phone never saw an answer: it sends the same batch again, twice, and on a new connection.
    first = phone.push(batch)
    second = phone.push(batch)
    assert first == second == [stored[m["mid"]] for m in batch]
    assert {r["status"] for r in first} == {"applied"}
    # A retry with a client timeout shorter than the server's work, then a patient one.
    more = phone.make_batch(visits=200)
    impatient = load.Phone(server.port, phone.username, phone.grid_id, timeout=0.001)
    impatient.token, impatient.client_id = phone.token, phone.client_id
    with pytest.raises(OSError):
        impatient._request("/api/sync/push", {"client_id": phone.client_id, "schema_version": 1, "mutations": more})
    assert {r["status"] for r in phone.push(more)} == {"applied"}
    phone.pull()
    engine.dispose()
    assert_nothing_lost_or_doubled(fault_url, [phone], [], server)


def test_sqlite_writers_in_two_processes_never_500_and_lose_nothing(served, fault_url, db_kind, log_dir):
    if db_kind != "sqlite":
        pytest.skip("SQLite locking")
    server, accounts = served(phones=8, threads=4)
    second = load.Server(fault_url, threads=4, log_path=str(log_dir / "second.log"))
    second.start()
    try:
        phones = start_phones(server, accounts[:4]) + start_phones(second, accounts[4:])
        errors = run_phones_for(phones, 4.0, visits=5, case_every=2)
    finally:
        second.kill()
    assert_nothing_lost_or_doubled(fault_url, phones, errors, server)
    codes = retried(phones)
    assert sum(p.http_500 for p in phones) == 0, codes
    assert set(codes) <= {"503"}, codes  # busy is answered as 503 + Retry-After, nothing else


def test_app_py_serves_more_phones_at_once_than_waitress_default_limit(served, db_kind):
    # Phones keep their connection open between requests of a sync; waitress's default of
    # 100 open connections left phone 101 unanswered until another phone hung up.
    if db_kind != "sqlite":
        pytest.skip("python app.py (waitress) serves SQLite in these tests")
    server, _ = served(phones=1)
    import http.client

    connections = []
    try:
        for _ in range(150):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/api/health")  # HTTP/1.1: the connection stays open afterwards
            connections.append(conn)
        statuses = [conn.getresponse().status for conn in connections]
    finally:
        for conn in connections:
            conn.close()
    assert statuses == [200] * 150
