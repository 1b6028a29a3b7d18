"""household_visit_days: kept in step with visits and households by every write path.

The coverage report counts visited households from this summary, so it must equal, after
any sequence of writes, what `rebuild` computes from the raw visits; and its day masks
must select exactly the households with a visit on a local day of the interval.
"""
import uuid
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from harmony.extensions import db
from harmony.households.models import Household, HouseholdVisitDays
from harmony.clock import local_zone
from harmony.households.visit_days import rebuild, record_visits
from harmony.reports.service import _visited_per_grid, make_interval

def summary():
    columns = HouseholdVisitDays.__table__.c
    return sorted(tuple(row) for row in db.session.execute(select(*columns)))


def rebuilt():
    """The table as `rebuild` computes it from the visits (rolled back afterwards)."""
    savepoint = db.session.begin_nested()
    rebuild(db.session.connection())
    rows = summary()
    savepoint.rollback()
    return rows


def row_of(household_id, year):
    return db.session.get(HouseholdVisitDays, (household_id, year))


def push(api, client_id, mutations):
    response = api.post("/api/sync/push", json={"client_id": client_id, "schema_version": 1, "mutations": mutations})
    assert response.status_code == 200, response.get_json()
    return [r["status"] for r in response.get_json()["results"]]


def visit_mutation(mid, household_id, client_ts):
    return {"mid": mid, "table": "visit", "op": "create", "id": str(uuid.uuid4()), "base_version": None,
            "fields": {"household_id": household_id, "form": "home_visit", "topics": ["liaison"]},
            "client_ts": client_ts}


def test_every_write_path_keeps_the_summary_equal_to_a_rebuild(app, demo, login):
    promoter, village, admin = login("demo-promoter"), login("demo-village"), login("demo-admin")
    grid, other_grid = demo.grids[0], demo.grids[1]
    with app.app_context():
        h1, h2, h3 = db.session.scalars(select(Household.id).where(Household.grid_id == grid, Household.active.is_(True))
                                        .order_by(Household.code).limit(3)).all()

    # The API, at 23:30 local on New Year's Eve: day 31 of December 2025.
    response = promoter.post("/api/visits", json={"household_id": h1, "occurred_at": "2025-12-31T23:30:00+08:00"})
    assert response.status_code == 201, response.get_json()
    # Sync's bulk path: 15:59:59 UTC is still 31 Dec locally, 16:00 UTC is 1 Jan 2026.
    client_id = str(uuid.uuid4())
    batch = [visit_mutation(1, h2, "2025-12-31T15:59:59Z"), visit_mutation(2, h3, "2025-12-31T16:00:00Z"),
             visit_mutation(3, h1, "2026-01-01T00:10:00+08:00")]
    assert push(promoter, client_id, batch) == ["applied"] * 3
    with app.app_context():
        after_batch = summary()
    assert push(promoter, client_id, batch) == ["applied"] * 3  # a retry: the original results, no change
    # Sync's per-mutation path (a batch of one).
    # The same visits again under new mids (a reinstalled phone): duplicates, no change either.
    again = [{**m, "mid": m["mid"] + 100} for m in batch]
    assert push(promoter, client_id, again) == ["duplicate"] * 3
    with app.app_context():
        assert summary() == after_batch
    assert push(promoter, client_id, [visit_mutation(200, h2, "2026-03-15T09:00:00+08:00")]) == ["applied"]
    with app.app_context():
        assert row_of(h1, 2025).m12 & (1 << 30) and row_of(h1, 2026).m1 & 1
        assert row_of(h2, 2025).m12 & (1 << 30) and row_of(h2, 2026).m3 & (1 << 14)
        assert row_of(h3, 2026).m1 & 1
        assert row_of(h3, 2025) is None or not row_of(h3, 2025).m12 & (1 << 30)
        assert summary() == rebuilt()

    # A move carries the household's rows to its new grid.
    assert village.post(f"/api/households/{h2}/move", json={"to_grid_id": other_grid}).status_code == 200
    # Deactivated, the household stops counting; reactivated, it counts again.
    assert village.patch(f"/api/households/{h3}", json={"active": False}).status_code == 200
    with app.app_context():
        assert {r.grid_id for r in db.session.scalars(select(HouseholdVisitDays).where(HouseholdVisitDays.household_id == h2))} == {other_grid}
        assert not row_of(h3, 2026).counted
        assert summary() == rebuilt()
    assert village.patch(f"/api/households/{h3}", json={"active": True}).status_code == 200
    assert admin.delete(f"/api/households/{h1}").status_code == 204
    with app.app_context():
        assert row_of(h3, 2026).counted and not row_of(h1, 2026).counted
        assert summary() == rebuilt()


def test_coverage_across_new_year_counts_each_household_once(app, demo, login):
    promoter = login("demo-promoter")
    grid = demo.grids[0]
    with app.app_context():
        h1, h2, h3 = db.session.scalars(select(Household.id).where(Household.grid_id == grid, Household.active.is_(True))
                                        .order_by(Household.code).limit(3)).all()
        counted = db.session.scalar(select(db.func.count()).select_from(Household).where(
            Household.grid_id == grid, Household.active.is_(True), Household.deleted.is_(False)))
    client_id = str(uuid.uuid4())
    # h1 on both sides of midnight (once), h2 only the day before the interval, h3 on its last day.
    assert push(promoter, client_id, [
        visit_mutation(1, h1, "2025-12-31T22:00:00+08:00"), visit_mutation(2, h1, "2026-01-01T08:00:00+08:00"),
        visit_mutation(3, h2, "2025-12-30T23:59:59+08:00"), visit_mutation(4, h3, "2026-01-01T23:59:00+08:00"),
    ]) == ["applied"] * 4
    body = login("demo-admin").get(f"/api/reports/coverage?place={grid}&from=2025-12-31&to=2026-01-01&lang=en").get_json()
    # The demo's own visits are in the 90 days before 2 Nov 2026: none in this interval.
    assert body["total"]["households_visited"] == 2
    assert body["total"]["households"] == counted
    assert body["total"]["visits"] == 3


DAYS = st.dates(min_value=date(2024, 11, 1), max_value=date(2027, 2, 28))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visits=st.lists(st.tuples(st.integers(0, 2), DAYS, st.integers(0, 24 * 60 - 1)), max_size=12),
       first=DAYS, length=st.integers(0, 500))
def test_day_masks_select_exactly_the_households_visited_in_the_interval(app, demo, visits, first, length):
    last = first + timedelta(days=length)
    with app.app_context():
        ids = db.session.scalars(select(Household.id).where(Household.deleted.is_(False), Household.active.is_(True))
                                .order_by(Household.id).limit(3)).all()
        db.session.execute(delete(HouseholdVisitDays))
        zone = local_zone()
        pairs = [(ids[h], datetime(d.year, d.month, d.day, tzinfo=zone) + timedelta(minutes=m)) for h, d, m in visits]
        record_visits(db.session.connection(), pairs)
        interval = make_interval(first, last)
        found = sum(count for _grid, count in db.session.execute(_visited_per_grid(interval)))
        expected = len({household for household, at in pairs if interval.start <= at < interval.end})
        db.session.rollback()
    assert found == expected


def test_demo_seeder_and_rebuild_command_agree_with_the_visits(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--households", "150"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        maintained = summary()
        assert maintained  # the demo's 90 days of visits
        assert maintained == rebuilt()
        db.session.execute(delete(HouseholdVisitDays))
        db.session.commit()
    result = runner.invoke(args=["rebuild-visit-days"])
    assert result.exit_code == 0, result.output
    assert f"Rebuilt {len(maintained)} household-year rows" in result.output
    with app.app_context():
        assert summary() == maintained
