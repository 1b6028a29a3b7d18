"""The demo history: visits over 90 days, cases at every level, ratings, overdue work; all rules kept."""
import time
from datetime import timedelta

from sqlalchemy import func, select

from harmony.cases.demo import seed_history
from harmony.cases.models import Case, CaseEvent
from harmony.clock import now
from harmony.demo import seed_demo
from harmony.extensions import db
from harmony.households.models import Household
from harmony.visits.models import Visit


def test_demo_history_is_believable_and_derived_by_the_rules(ctx):
    result = seed_demo(households=360, password_profile="fast")
    started = time.monotonic()
    counts = seed_history(result)
    elapsed = time.monotonic() - started
    db.session.commit()
    assert elapsed < 20
    assert counts["visits"] > 300 and counts["cases"] >= 25
    at = now()
    oldest = db.session.scalar(select(func.min(Visit.occurred_at)))
    assert at - timedelta(days=91) < oldest and db.session.scalar(select(func.max(Visit.occurred_at))) <= at
    visited = db.session.scalar(select(func.count(func.distinct(Visit.household_id))))
    assert 0 < visited < db.session.scalar(select(func.count()).select_from(Household))  # some never visited
    per_grid = dict(db.session.execute(select(Visit.grid_id, func.count(func.distinct(Visit.household_id)))
                                       .group_by(Visit.grid_id)).all())
    assert max(per_grid.values()) > 2 * min(per_grid.values())  # coverage varies by grid

    # The one flagged event is on purpose: a grid group without a village cadre cannot carry a case up.
    rejected = db.session.scalars(select(CaseEvent).where(CaseEvent.rejected_reason.isnot(None))).all()
    assert [e.rejected_reason.split(":")[0] for e in rejected] == ["carrier_required"]
    all_cases = db.session.scalars(select(Case)).all()
    open_levels = {(c.ladder_key, c.level) for c in all_cases if c.status == "open"}
    assert {("five_level", n) for n in range(1, 6)} <= open_levels
    assert {c.resolved_tier for c in all_cases if c.resolved_tier} == {"village", "township", "county"}
    assert any(c.satisfaction for c in all_cases) and any(c.status == "closed" for c in all_cases)
    assert any(c.status == "open" and c.deadline_at < at for c in all_cases)
    assert any(c.status == "open" and c.deadline_at > at for c in all_cases)
    assert len({c.category for c in all_cases}) >= 4
    assert any(c.status == "open" and c.level == 5 and c.leader_id is None for c in all_cases)  # leader needed
