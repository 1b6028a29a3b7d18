"""Operator commands: `flask --app app <command>`."""
import csv
import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from harmony.extensions import db


COMMAND_MODULES = ("harmony.cases.cli", "harmony.alerts.cli", "harmony.reports.cli", "sync.cli")


def register_commands(app):
    """Add the core commands, and the `commands` list of each package that has a cli module."""
    import importlib

    commands = [demo_command, create_admin_command, import_households_command, export_households_command,
                backup_command, rebuild_visit_days_command]
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        commands.extend(module.commands)
    for command in commands:
        if not getattr(command.callback, "_harmony_app_context", False):
            # Every command runs inside the app context (also under the test CLI runner).
            command.callback = with_appcontext(command.callback)
            command.callback._harmony_app_context = True
        app.cli.add_command(command)


def system_scope():
    """The scope of an operator at the console: everything."""
    from harmony.access import Scope

    return Scope(user_id=0, roles=frozenset({"admin"}), all_places=True, signature="console")


@click.command("demo")
@click.option("--households", default=3000, show_default=True, help="How many households to generate.")
@click.option("--history/--no-history", default=True, help="Also generate visits and cases.")
def demo_command(households, history):
    """Seed the demo county into an empty database."""
    from harmony.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, is_seeded, seed_demo

    if is_seeded():
        raise click.ClickException("The database already holds places; the demo goes only into an empty one.")
    with click.progressbar(length=households, label="households", file=sys.stderr) as bar:
        result = seed_demo(households=households, progress=bar.update)
    if history:
        seed_history = _optional("harmony.cases.demo", "seed_history")
        if seed_history:
            seed_history(result)
    db.session.commit()
    click.echo(f"Demo county seeded: {households} households. Log-ins (password {DEMO_PASSWORD}):")
    for username, role, _ in DEMO_ACCOUNTS:
        click.echo(f"  {username:16} {role}")


def _optional(module_name, attr):
    import importlib

    try:
        return getattr(importlib.import_module(module_name), attr)
    except ModuleNotFoundError:
        return None


@click.command("create-admin")
@click.option("--username", required=True)
@click.option("--display-name", default="管理员")
@click.option("--place", "place_code", help="Place code to administer (default: the root).")
@click.password_option()
def create_admin_command(username, display_name, place_code, password):
    """Create an administrator account."""
    from harmony.errors import ApiError
    from harmony.people.service import create_user
    from harmony.places.models import Place

    if place_code:
        place = db.session.scalar(select(Place).where(Place.code == place_code))
    else:
        place = db.session.scalar(select(Place).where(Place.parent_id.is_(None)).order_by(Place.id))
    if place is None:
        raise click.ClickException("No such place: create the place tree first (or run `demo`).")
    try:
        create_user(system_scope(), username, password, display_name, roles=[{"role": "admin", "place_id": place.id}])
    except ApiError as exc:
        raise click.ClickException(f"{exc.message} {exc.fields or ''}")
    db.session.commit()
    click.echo(f"Administrator {username} created for {place.code}.")


HOUSEHOLD_COLUMNS = ("grid_code", "code", "address", "head_name", "phone", "member_count", "care_tags")


@click.command("import-households")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_households_command(path):
    """Import households from CSV: every row is checked first; all or nothing."""
    from harmony.households.service import import_rows

    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    errors, count = import_rows(rows)
    if errors:
        for line, field, message in errors:
            click.echo(f"row {line}: {field}: {message}", err=True)
        db.session.rollback()
        raise click.ClickException(f"{len(errors)} error(s); nothing was imported.")
    db.session.commit()
    click.echo(f"Imported {count} households.")


@click.command("export-households")
@click.argument("path", type=click.Path(dir_okay=False), default="-")
@click.option("--place", "place_code", help="Only households under this place.")
def export_households_command(path, place_code):
    """Export households as CSV (the import format)."""
    from harmony.households.service import export_rows

    handle = sys.stdout if path == "-" else open(path, "w", newline="", encoding="utf-8")
    writer = csv.writer(handle)
    writer.writerow(HOUSEHOLD_COLUMNS)
    count = 0
    for row in export_rows(place_code):
        writer.writerow(row)
        count += 1
    if handle is not sys.stdout:
        handle.close()
        click.echo(f"Exported {count} households to {path}.")


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False))
def backup_command(dest):
    """Copy the SQLite database consistently while the app runs (online backup)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException("For PostgreSQL use pg_dump (see the README).")
    source_path = engine.url.database
    dest_path = Path(dest)
    if dest_path.exists():
        raise click.ClickException(f"{dest} exists; choose a new file.")
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(dest_path)
    with target:
        source.backup(target, pages=1024)
    target.close()
    source.close()
    current_app.logger.info("backup written to %s", dest_path)
    click.echo(f"Backup written to {dest_path} ({dest_path.stat().st_size} bytes).")


@click.command("rebuild-visit-days")
def rebuild_visit_days_command():
    """Recompute which days each household was visited (the coverage report's summary) from the visits."""
    from harmony.households.models import HouseholdVisitDays
    from harmony.households.visit_days import rebuild

    rebuild(db.session.connection())
    db.session.commit()
    count = db.session.scalar(select(db.func.count()).select_from(HouseholdVisitDays))
    click.echo(f"Rebuilt {count} household-year rows from the visits.")
