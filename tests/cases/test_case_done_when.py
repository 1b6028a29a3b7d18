"""Issue 4, "done when": the same case, whatever order the phones synced in."""
import itertools
from datetime import timedelta

from case_helpers import START, actor, first_household, uid
from harmony.cases import service as cases
from harmony.cases.models import Case
from harmony.extensions import db
from harmony.visits import service as visits

STATE = ("status", "level", "level_key", "tier", "owner_role", "level_since", "owner_id", "owner_team_id",
         "assigned_committee", "leader_id", "deadline_at", "remind_at", "resolved_level", "resolved_level_key",
         "resolved_tier", "resolved_by_id", "resolved_team_id", "resolved_at", "closed_at", "satisfaction",
         "satisfaction_at")


def test_offline_phones_in_every_order_give_the_same_case_resolved_at_the_township(ctx, demo, clock):
    grid = demo.grids[0]
    household = first_household(grid)
    promoter, head = actor(demo, "demo-promoter"), actor(demo, "demo-gridhead")
    cadre, liaison, township = actor(demo, "demo-village"), actor(demo, "liaison-1"), actor(demo, "demo-township")
    # The phones' own times (kept as reported); all synced later, in some order.
    t_open, t_head, t_cadre, t_liaison = START, START + timedelta(days=1), START + timedelta(days=3), START + timedelta(days=5)
    t_resolved, t_rated = START + timedelta(days=10), START + timedelta(days=14)
    clock.set(START + timedelta(days=20))

    outcomes, n = [], 0
    for order in itertools.permutations(range(5)):
        n += 1
        case_id, ids = uid(), {name: uid() for name in ("head", "cadre", "liaison", "resolved", "visit", "rating")}

        def escalate(who, event_id, to, at):
            scope, user_id = who
            return cases.add_event(scope, user_id, None, event_id, case_id, "escalated",
                                   {"to_level": to, "reason": "本级未能化解"}, at)

        def rate():
            scope, user_id = promoter
            visits.record_visit(scope, user_id, None, ids["visit"], {
                "household_id": household.id, "form": "home_visit", "topics": ["residents_views"],
                "notes": "回访：对调解结果满意", "case_ids": [case_id]}, t_rated)
            cases.add_event(scope, user_id, None, ids["rating"], case_id, "satisfaction",
                            {"rating": 5, "comment": "处理得很好", "visit_id": ids["visit"]}, t_rated)

        deliveries = [
            lambda: escalate(head, ids["head"], 2, t_head),            # the grid head's phone
            lambda: escalate(cadre, ids["cadre"], 3, t_cadre),         # the village cadre carries it up
            lambda: escalate(liaison, ids["liaison"], 4, t_liaison),   # the liaison cadre carries it on
            lambda: cases.add_event(township[0], township[1], None, ids["resolved"], case_id, "resolved",
                                    {"outcome": "调解成功", "agreement": "双方签订调解协议"}, t_resolved),
            rate,                                                      # the promoter's later visit
        ]
        # The promoter's phone syncs the case first: the others only know the case once they pulled it.
        scope, user_id = promoter
        cases.open_case(scope, user_id, None, case_id, {
            "grid_id": grid, "title": "邻里漏水纠纷", "category": "neighbour", "description": "楼上漏水影响楼下",
            "parties": [{"name": "王伟", "role": "applicant", "household_id": household.id}],
            "priority": "normal", "source": "visit"}, t_open)
        for index in order:
            clock.advance(timedelta(minutes=7))
            deliveries[index]()
        deliveries[order[0]]()  # a phone that never saw the answer sends again: it counts once
        db.session.flush()
        case = db.session.get(Case, case_id)
        timeline = cases.timeline(case)
        ordered = {v: k for k, v in ids.items()}
        outcomes.append((
            {name: getattr(case, name) for name in STATE},
            [(ordered.get(e.id, e.kind), e.kind, e.occurred_at, e.rejected_reason) for e in timeline],
        ))
    assert n == 120
    first_state, first_timeline = outcomes[0]
    for state, timeline in outcomes[1:]:
        assert state == first_state
        assert timeline == first_timeline

    state = first_state
    assert state["status"] == "resolved"
    assert (state["resolved_tier"], state["resolved_level"], state["resolved_level_key"]) == ("township", 4, "township_center")
    assert state["resolved_by_id"] == township[1] and state["resolved_at"] == t_resolved
    assert (state["level"], state["tier"], state["level_since"]) == (4, "township", t_liaison)
    assert state["owner_id"] == township[1] and state["owner_role"] == "township_staff"
    assert state["deadline_at"] is None and state["satisfaction"] == 5 and state["satisfaction_at"] == t_rated
    assert [entry[0] for entry in first_timeline] == ["opened", "head", "cadre", "liaison", "resolved", "rating"]
    assert all(entry[3] is None for entry in first_timeline)


def test_before_it_is_resolved_every_order_gives_the_same_owner_and_deadline(ctx, demo, clock):
    grid = demo.grids[0]
    promoter, head = actor(demo, "demo-promoter"), actor(demo, "demo-gridhead")
    cadre, liaison, township = actor(demo, "demo-village"), actor(demo, "liaison-1"), actor(demo, "demo-township")
    steps = [(head, 2, START + timedelta(days=1)), (cadre, 3, START + timedelta(days=2)),
             (liaison, 4, START + timedelta(days=4, hours=5))]
    clock.set(START + timedelta(days=6))
    seen = set()
    for order in itertools.permutations(range(3)):
        case_id = uid()
        cases.open_case(promoter[0], promoter[1], None, case_id, {"grid_id": grid, "title": "土地界址争议",
                        "category": "land_housing", "source": "walk_in"}, START)
        for index in order:
            (scope, user_id), to, at = steps[index]
            cases.add_event(scope, user_id, None, uid(), case_id, "escalated", {"to_level": to, "reason": "上报"}, at)
        case = db.session.get(Case, case_id)
        seen.add((case.level, case.owner_id, case.owner_team_id, case.deadline_at, case.remind_at))
    assert seen == {(4, township[1], None, START + timedelta(days=19, hours=5), START + timedelta(days=16, hours=5))}
