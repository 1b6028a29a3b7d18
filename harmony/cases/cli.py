"""Case commands for operators: `flask --app app cases-refold`."""
import click
from sqlalchemy import select

from harmony.extensions import db


@click.command("cases-refold")
@click.option("--place", "place_code", help="Only the open cases under this place code (default: all).")
def refold_command(place_code):
    """Re-derive open cases from their events (e.g. after the holiday calendar changed)."""
    from harmony.cases.models import Case
    from harmony.cases.service import refold
    from harmony.places.models import Place

    stmt = select(Case).where(Case.status == "open", Case.deleted.is_(False)).order_by(Case.id)
    if place_code:
        place = db.session.scalar(select(Place).where(Place.code == place_code))
        if place is None:
            raise click.ClickException(f"No place with code {place_code!r}.")
        stmt = stmt.where(Case.grid_id.in_(select(Place.id).where(Place.path.startswith(place.path))))
    changed = 0
    for case in db.session.scalars(stmt).all():
        before = (case.deadline_at, case.level, case.owner_id)
        refold(case)
        changed += before != (case.deadline_at, case.level, case.owner_id)
    db.session.commit()
    click.echo(f"Re-folded open cases; {changed} changed.")


commands = [refold_command]
