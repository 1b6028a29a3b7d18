"""Operator commands for sync: `flask --app app sync-prune`."""
import click

from harmony.extensions import db


@click.command("sync-prune")
def prune_command():
    """Delete stored push results older than SYNC_RESULT_RETENTION_DAYS."""
    from sync.service import prune_results

    count = prune_results()
    db.session.commit()
    click.echo(f"Deleted {count} stored push results.")


commands = [prune_command]
