"""Keep `household_visit_days` in step with the visits and the households it summarises.

- A visit recorded (by any path: the API, sync's per-mutation or bulk path, the demo
  seeder) sets its local day's bit in its household's row for that year. The row is
  created with the household's current grid and whether it counts.
- A household moved, deactivated, reactivated or deleted carries its rows along.
- `rebuild` recomputes the whole table from the visits, for bulk loads and as the
  reference the tests compare the maintained table with.

Concurrency (PostgreSQL): recording reads the households `FOR SHARE`, so a move waits for
a visit batch in flight (and then updates the rows the batch created), or the batch waits
for the move and reads the new grid. SQLite has one writer at a time. This is why
recording reads the households itself although its callers have just read them: theirs
was an unlocked read, made before they took the sequence counter (row locks taken before
the counter could deadlock with a request that holds it and waits for the row).
"""
from collections import defaultdict
from sqlalchemy import delete, false, select, update

from harmony.clock import ensure_utc, local_zone
from harmony.households.models import Household, HouseholdVisitDays

MONTHS = tuple(f"m{n}" for n in range(1, 13))
_COLUMNS = ("household_id", "year", "grid_id", "counted") + MONTHS


def masks(visits, zone):
    """{(household_id, year): [mask of month 1, …, month 12]} for (household_id, occurred_at) pairs."""
    found = defaultdict(lambda: [0] * 12)
    for household_id, occurred_at in visits:
        day = ensure_utc(occurred_at).astimezone(zone)
        found[(household_id, day.year)][day.month - 1] |= 1 << (day.day - 1)
    return found


def record_visits(connection, visits):
    """Set the visited-day bits of (household_id, occurred_at) pairs; a pair seen before changes nothing."""
    found = masks(visits, local_zone())
    if not found:
        return
    ids = sorted({household_id for household_id, _ in found})
    households = {
        row.id: (row.grid_id, bool(row.active) and not row.deleted)
        for row in connection.execute(
            select(Household.id, Household.grid_id, Household.active, Household.deleted)
            .where(Household.id.in_(ids)).order_by(Household.id).with_for_update(read=True))
    }
    rows = [(household_id, year, *households[household_id], *month_masks)
            for (household_id, year), month_masks in sorted(found.items())]
    marker = "?" if connection.dialect.name == "sqlite" else "%s"
    table = HouseholdVisitDays.__tablename__
    # Straight to the driver: one executemany per batch, no per-value type processing.
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({', '.join([marker] * len(_COLUMNS))}) "
        f"ON CONFLICT (household_id, year) DO UPDATE SET "
        + ", ".join(f"{m} = {table}.{m} | excluded.{m}" for m in MONTHS),
        rows)


def follow_household(connection, household):
    """Carry a household's current grid and whether it counts into its summary rows."""
    connection.execute(
        update(HouseholdVisitDays).where(HouseholdVisitDays.household_id == household.id)
        .values(grid_id=household.grid_id, counted=bool(household.active) and not household.deleted))


def rebuild(connection, chunk=50_000):
    """Recompute the whole table from the non-deleted visits, about `chunk` visits at a time.

    The visits are read in household order and written at household boundaries, so each
    (household, year) row is inserted once: unordered, a big table's rows would each be
    upserted about as many times as the household has visits.
    """
    from harmony.visits.models import Visit  # visits build on households, not the other way round

    connection.execute(delete(HouseholdVisitDays))
    stmt = (select(Visit.household_id, Visit.occurred_at).where(Visit.deleted == false())
            .order_by(Visit.household_id))
    pending, last = [], None
    for household_id, occurred_at in connection.execute(stmt.execution_options(yield_per=chunk)):
        if len(pending) >= chunk and household_id != last:
            record_visits(connection, pending)
            pending = []
        pending.append((household_id, occurred_at))
        last = household_id
    record_visits(connection, pending)
