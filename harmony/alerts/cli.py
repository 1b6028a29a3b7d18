"""`flask --app app check-overdue` and `flask --app app scheduler`."""
import signal
import threading
from datetime import datetime, timezone

import click
from flask import current_app

from harmony.clock import local_zone
from harmony.extensions import db


def parse_at(value):
    """ISO 8601; without an offset the time is read in the configured TIMEZONE."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("Use ISO 8601, e.g. 2026-11-02T10:00+08:00.", param_hint="--at")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return parsed.astimezone(timezone.utc)


@click.command("check-overdue")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="Check as of this time (ISO 8601) instead of now.")
@click.option("--dry-run", is_flag=True, help="Print what is due; create nothing.")
def check_overdue_command(at_text, dry_run):
    """Run the overdue and due-soon check once and print what it found."""
    from harmony.alerts.service import check_overdue

    at = parse_at(at_text) if at_text else None
    result = check_overdue(at=at, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    zone = local_zone()
    click.echo(f"Check at {result.at.astimezone(zone).isoformat()}{' (dry run: nothing created)' if dry_run else ''}")
    for item in result.overdue:
        click.echo(f"  overdue  case {item['case_id']} level {item['level']} ({item['level_key']}): "
                   f"{item['overdue_hours']} h past {item['deadline_at'].astimezone(zone):%Y-%m-%d %H:%M}, "
                   f"period {item['period']}, " + _who(item))
    for item in result.due_soon:
        click.echo(f"  due soon case {item['case_id']} level {item['level']} ({item['level_key']}): "
                   f"{item['hours_left']} h left, " + _who(item))
    click.echo(result.summary())


def _who(item):
    return f"recipients {item['recipients']}"


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run the deadline check and one delivery pass under the lease, then exit.")
def scheduler_command(once):
    """Run the scheduled jobs in this process (only the lease holder among all processes does the work)."""
    from harmony.jobs import new_holder_id, run_once, start_scheduler

    app = current_app._get_current_object()
    holder = new_holder_id()
    if once:
        result = run_once(app, holder)
        click.echo(f"{holder}: {'another process holds the lease; nothing done' if result is None else result}")
        return
    scheduler = start_scheduler(app, holder)
    click.echo(f"Scheduler {holder} running; Ctrl-C to stop.")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    while not stopping.wait(1):
        pass
    scheduler.harmony_stop()
    click.echo("Scheduler stopped; lease released.")


commands = [check_overdue_command, scheduler_command]
