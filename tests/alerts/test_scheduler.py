"""The lease, the jobs, the commands, and the issue's "done when" with two schedulers on one database."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alert_helpers import escalate, make_case, set_email
from harmony import create_app
from harmony.alerts.lease import acquire_lease, lease_holder, release_lease
from harmony.alerts.models import Alert, AlertDelivery
from harmony.cases.models import Case
from harmony.config import TestConfig
from harmony.extensions import db
from harmony.jobs import JOBS, LEASE_NAME, run_once, start_scheduler
from tests.conftest import START


def second_app(app):
    """Another process's app: its own engine and pool on the same database, the same test clock."""
    return create_app(TestConfig, clock=app.extensions["harmony_clock"],
                      overrides={key: app.config[key] for key in (
                          "SQLALCHEMY_DATABASE_URI", "SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "PASSWORD_HASH_PROFILE")
                          if key in app.config})


def test_lease_is_held_by_one_renewed_and_taken_over_when_it_expires(demo, ctx, clock):
    assert acquire_lease(LEASE_NAME, "a", 180)
    assert not acquire_lease(LEASE_NAME, "b", 180)
    clock.advance(timedelta(seconds=170))
    assert acquire_lease(LEASE_NAME, "a", 180)  # renewed: expires 180 s from now
    clock.advance(timedelta(seconds=170))
    assert not acquire_lease(LEASE_NAME, "b", 180)
    clock.advance(timedelta(seconds=11))  # "a" died: its lease ran out
    assert acquire_lease(LEASE_NAME, "b", 180)
    assert not acquire_lease(LEASE_NAME, "a", 180)
    assert lease_holder(LEASE_NAME)[0] == "b"
    assert release_lease(LEASE_NAME, "b") and acquire_lease(LEASE_NAME, "a", 180)


def test_two_processes_asking_at_once_get_one_lease(demo, app):
    other = second_app(app)
    barrier, won = threading.Barrier(2), []

    def ask(instance, name):
        with instance.app_context():
            barrier.wait()
            if acquire_lease(LEASE_NAME, name, 180):
                won.append(name)
            db.session.remove()

    threads = [threading.Thread(target=ask, args=(a, n)) for a, n in ((app, "a"), (other, "b"))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    with other.app_context():
        db.engine.dispose()
    assert len(won) == 1


def test_jobs_have_fixed_ids_coalesce_and_one_instance(demo, app):
    scheduler = start_scheduler(app, holder="test-holder")
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {job_id for job_id, _, _ in JOBS}
        assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
        assert jobs["harmony.alerts.check_deadlines"].trigger.interval == timedelta(minutes=5)
    finally:
        scheduler.harmony_stop()
    assert not scheduler.running


def test_check_overdue_command_prints_what_it_found(demo, app):
    with app.app_context():
        case_id = make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START + timedelta(days=1))
        db.session.commit()
    runner = app.test_cli_runner()
    early = runner.invoke(args=["check-overdue", "--dry-run"])
    assert early.exit_code == 0 and "0 overdue (0 new this period)" in early.output
    dry = runner.invoke(args=["check-overdue", "--at", "2026-11-04T10:00", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"overdue  case {case_id} level 3 (association): 24.0 h past 2026-11-03 10:00" in dry.output
    assert "dry run: nothing created" in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)) == 0
    real = runner.invoke(args=["check-overdue", "--at", "2026-11-04T10:00+08:00"])
    assert real.exit_code == 0 and "5 alerts" in real.output
    repeat = runner.invoke(args=["check-overdue", "--at", "2026-11-04T11:00"])
    assert "1 overdue (0 new this period)" in repeat.output and "0 alerts" in repeat.output
    bad = runner.invoke(args=["check-overdue", "--at", "yesterday"])
    assert bad.exit_code == 2 and "--at" in bad.output
    once = runner.invoke(args=["scheduler", "--once"])
    assert once.exit_code == 0 and "'check'" in once.output


def run_two_schedulers(apps, use_lease):
    """Both processes run the scheduler's main job at the same moment."""
    barrier, errors, results = threading.Barrier(len(apps)), [], []

    def run(instance, n):
        try:
            barrier.wait()
            results.append(run_once(instance, holder=f"process-{n}", use_lease=use_lease))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a, n)) for n, a in enumerate(apps)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    if use_lease:
        assert sum(r is not None for r in results) == 1  # exactly one process did the work
    return results


@pytest.mark.parametrize("use_lease", [True, False], ids=["lease", "claims-only"])
@pytest.mark.parametrize("ending", ["escalated", "resolved"])
def test_done_when_township_supervisor_gets_one_email_and_alert_then_a_daily_reminder_then_none(
        demo, app, login, clock, smtp, ending, use_lease):
    """Clock past the deadline of a case at the village association: the township supervisor gets
    exactly one email and one inbox alert, a reminder the next day, none after the case moves
    on — with two schedulers against the same database (with the lease, and with only the
    delivery claims standing between them)."""
    address = "supervisor@township.example.org"
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TLS="none")
    with app.app_context():
        set_email("demo-township", address)
        case_id = make_case(demo.grids[0], demo.users["demo-promoter"], level=3,
                            deadline_at=START - timedelta(minutes=30))
        db.session.commit()
        db.session.remove()
    other = second_app(app)
    apps = [app, other]
    supervisor = login("demo-township")

    def inbox():
        return supervisor.get("/api/alerts").get_json()

    run_two_schedulers(apps, use_lease)
    assert len(smtp.handler.to(address)) == 1
    first = inbox()
    assert first["total"] == 1 and first["items"][0]["case_id"] == case_id and first["items"][0]["level"] == 3
    for hours in (1, 6, 12):  # later runs the same day: nothing new
        clock.set(START + timedelta(hours=hours))
        run_two_schedulers(apps, use_lease)
    assert len(smtp.handler.to(address)) == 1 and inbox()["total"] == 1

    clock.set(START + timedelta(days=1))  # the next day: one reminder
    run_two_schedulers(apps, use_lease)
    run_two_schedulers(apps, use_lease)
    mails = smtp.handler.to(address)
    assert len(mails) == 2 and "已逾期1天" in mails[1].get_content()
    second = inbox()
    assert second["total"] == 2 and sorted(a["period"] for a in second["items"]) == [0, 1]

    with app.app_context():
        if ending == "escalated":
            escalate(case_id, 4, clock.now())
        else:
            db.session.get(Case, case_id).status = "resolved"
        db.session.commit()
        db.session.remove()
    for days in (2, 3, 4):
        clock.set(START + timedelta(days=days))
        run_two_schedulers(apps, use_lease)
    assert len(smtp.handler.to(address)) == 2 and inbox()["total"] == 2
    with app.app_context():
        sent = db.session.scalars(select(AlertDelivery).where(AlertDelivery.channel == "email")).all()
        assert [d.status for d in sent] == ["sent", "sent"] and all(d.attempts == 1 for d in sent)
    with other.app_context():
        db.engine.dispose()


def test_two_real_scheduler_processes_send_one_email(demo, app, smtp, tmp_path):
    """`flask --app app scheduler --once` started twice at the same moment against one database."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from harmony.clock import Clock

    root = Path(__file__).resolve().parents[2]
    real_now = Clock().now()  # the processes run on the real clock
    address = "supervisor@township.example.org"
    with app.app_context():
        set_email("demo-township", address)
        make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=real_now - timedelta(hours=1))
        db.session.commit()
        db.session.remove()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "HARMONY_DATABASE_URL": url, "HARMONY_SMTP_HOST": "127.0.0.1",
           "HARMONY_SMTP_PORT": str(smtp.port), "HARMONY_SECRET_KEY": "test", "PYTHONPATH": str(root)}
    flask = [sys.executable, "-m", "flask", "--app", "app", "scheduler", "--once"]
    processes = [subprocess.Popen(flask, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert sum("another process holds the lease" in out for out in outputs) == 1, outputs
    assert len(smtp.handler.to(address)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)) == 5
