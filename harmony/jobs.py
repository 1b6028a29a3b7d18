"""Scheduled jobs (APScheduler): thin wrappers that call the alerts services.

Every job has a fixed id, coalesces missed runs, never overlaps itself, runs in an app
context, and first takes the database lease: with several workers or machines only the
lease holder does the work. The work itself is also safe twice (alerts are keyed, and
deliveries are claimed), so a lease handed over mid-run cannot double-send.
"""
import atexit
import logging
import os
import socket
import uuid

from apscheduler.schedulers.background import BackgroundScheduler

from harmony.extensions import db

log = logging.getLogger(__name__)
LEASE_NAME = "harmony-jobs"


def new_holder_id():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:80]


def lease_seconds(config):
    return config.get("SCHEDULER_LEASE_SECONDS") or 180


# ------------------------------------------------------------------ the jobs (each in its own app context)

def check_deadlines_job():
    """Find overdue and due-soon cases, commit the alerts, then send from the outbox."""
    from harmony.alerts.delivery import deliver_pending
    from harmony.alerts.service import check_overdue

    result = check_overdue()
    db.session.commit()
    stats = deliver_pending(holder=_current_holder())
    return {"check": result.summary(), "delivery": stats}


def deliver_job():
    from harmony.alerts.delivery import deliver_pending

    return deliver_pending(holder=_current_holder())


def visit_digest_job():
    """Once a day after VISIT_DIGEST_HOUR (catching up if that hour was missed)."""
    from harmony.alerts.service import check_visit_digest, digest_due

    if not digest_due("visit_digest"):
        return "not due"
    result = check_visit_digest()
    db.session.commit()
    return result


def team_health_job():
    """Once a week (Monday after VISIT_DIGEST_HOUR, or later that week if missed)."""
    from harmony.alerts.service import check_team_health, digest_due

    if not digest_due("team_health"):
        return "not due"
    result = check_team_health()
    db.session.commit()
    return result


def renew_lease_job():
    return "held"


JOBS = (
    # (id, function, trigger kwargs from config)
    ("harmony.alerts.check_deadlines", check_deadlines_job, lambda c: {"minutes": c["CHECK_INTERVAL_MINUTES"]}),
    ("harmony.alerts.deliver", deliver_job, lambda c: {"seconds": c.get("DELIVERY_INTERVAL_SECONDS") or 60}),
    ("harmony.alerts.visit_digest", visit_digest_job, lambda c: {"minutes": 30}),
    ("harmony.alerts.team_health", team_health_job, lambda c: {"minutes": 60}),
    ("harmony.scheduler.lease", renew_lease_job, lambda c: {"seconds": max(lease_seconds(c) // 3, 5)}),
)


def _current_holder():
    from flask import current_app

    return current_app.extensions.get("harmony_scheduler_holder", "cli")


def run_job(app, job_id, func, holder, use_lease=True):
    """Run one job in an app context under the lease; return its result, or None if another process holds it."""
    from harmony.alerts.lease import acquire_lease

    with app.app_context():
        app.extensions["harmony_scheduler_holder"] = holder
        try:
            if use_lease and not acquire_lease(LEASE_NAME, holder, lease_seconds(app.config)):
                log.debug("job %s skipped: another process holds the lease", job_id)
                return None
            result = func()
            db.session.commit()
            if job_id != "harmony.scheduler.lease":
                log.info("job %s done by %s: %s", job_id, holder, result)
            return result
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            raise
        finally:
            db.session.remove()


def run_once(app, holder=None, use_lease=True):
    """Run the deadline check and one delivery pass now (the scheduler's main job); for --once and tests."""
    return run_job(app, "harmony.alerts.check_deadlines", check_deadlines_job, holder or new_holder_id(),
                   use_lease=use_lease)


def _safe(app, job_id, func, holder):
    def call():
        try:
            run_job(app, job_id, func, holder)
        except Exception:  # logged in run_job; the scheduler keeps going
            pass
    return call


def start_scheduler(app, holder=None):
    """Start the background scheduler with every job registered under its fixed id; return it."""
    from harmony.alerts.lease import release_lease

    holder = holder or new_holder_id()
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"], job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    for job_id, func, trigger in JOBS:
        scheduler.add_job(_safe(app, job_id, func, holder), "interval", id=job_id, name=job_id,
                          replace_existing=True, **trigger(app.config))
    scheduler.start()
    log.info("scheduler %s started with jobs %s", holder, ", ".join(j[0] for j in JOBS))

    def stop():
        if scheduler.running:
            scheduler.shutdown(wait=True)
        with app.app_context():
            try:
                release_lease(LEASE_NAME, holder)
            finally:
                db.session.remove()

    scheduler.harmony_holder = holder
    scheduler.harmony_stop = stop
    atexit.register(stop)
    return scheduler
