"""The fold on its own: plain data in, plain data out; any delivery order gives the same state."""
import copy
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from harmony.cases.fold import fold, order_events, rule_of
from harmony.ladders.builtin import FIVE_LEVEL, FIVE_STATION

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Shanghai
LADDER = copy.deepcopy(FIVE_LEVEL)
PROMOTER, GRID_HEAD, CADRE, LIAISON, TOWNSHIP, LEADER, OUTSIDER = 1, 2, 3, 4, 5, 6, 99
CONTEXT = {
    "tz": "Asia/Shanghai", "calendar": {},
    "owners": {"promoter": [PROMOTER], "grid_head": [GRID_HEAD], "village_cadre": [CADRE],
               "township_staff": [TOWNSHIP, LIAISON], "county_leader": [LEADER]},
    "teams": {"grid_group": 10, "association": 20},
    "members": {10: {GRID_HEAD: "head", CADRE: "village_cadre", PROMOTER: "member"},
                20: {CADRE: "head", LIAISON: "liaison_cadre"}},
}


def ev(id, kind, at, actor=PROMOTER, received=None, **data):
    return {"id": id, "kind": kind, "actor_id": actor, "occurred_at": at, "received_at": received or at + timedelta(days=60),
            "data": data}


def opened(at=T0):
    return ev("e00", "opened", at)


def up(id, to, at, actor, **extra):
    return ev(id, "escalated", at, actor, to_level=to, reason="未能化解", **extra)


def climb(levels=5):
    """Events taking a case from the promoter up to `levels`, each by its rightful carrier."""
    carriers = {2: GRID_HEAD, 3: CADRE, 4: LIAISON, 5: TOWNSHIP}
    return [opened()] + [up(f"e{to:02d}", to, T0 + timedelta(days=to), carriers[to]) for to in range(2, levels + 1)]


def run(events, ladder=LADDER, context=CONTEXT):
    return fold(events, ladder, context)


def test_opened_case_sits_at_the_first_level_with_the_reporter_as_owner_and_a_three_day_deadline():
    result = run([opened()])
    state = result["state"]
    assert (state["status"], state["level"], state["level_key"], state["tier"]) == ("open", 1, "promoter", "village")
    assert state["owner_id"] == PROMOTER and state["level_since"] == T0
    assert state["deadline_at"] == T0 + timedelta(days=3) and state["remind_at"] == T0 + timedelta(days=2)


def test_escalation_one_level_at_a_time_with_carriers_recorded_and_deadlines_from_arrival():
    state = run(climb(4))["state"]
    assert (state["level"], state["level_key"], state["tier"]) == (4, "township_center", "township")
    assert state["level_since"] == T0 + timedelta(days=4)
    assert state["deadline_at"] == T0 + timedelta(days=19) and state["owner_id"] == TOWNSHIP


def test_skipping_a_level_is_kept_but_rejected():
    result = run([opened(), up("e1", 3, T0 + timedelta(hours=1), GRID_HEAD)])
    assert rule_of(result["rejected"]["e1"]) == "one_level_at_a_time"
    assert result["state"]["level"] == 1


def test_village_cadre_must_carry_from_the_grid_group_and_liaison_from_the_association():
    events = climb(2) + [up("x3", 3, T0 + timedelta(days=3), GRID_HEAD)]
    result = run(events)
    assert rule_of(result["rejected"]["x3"]) == "carrier_required"
    # The grid head may log it for the cadre who carried it.
    ok = run(climb(2) + [up("x3", 3, T0 + timedelta(days=3), GRID_HEAD, carried_by=CADRE)])
    assert ok["rejected"]["x3"] is None and ok["state"]["level"] == 3
    wrong = run(climb(3) + [up("x4", 4, T0 + timedelta(days=4), CADRE)])
    assert rule_of(wrong["rejected"]["x4"]) == "carrier_required" and wrong["state"]["level"] == 3


def test_no_carrier_in_the_team_means_the_case_cannot_climb():
    context = {**CONTEXT, "members": {10: {GRID_HEAD: "head"}, 20: {}}}
    result = run(climb(3), context=context)
    assert rule_of(result["rejected"]["e03"]) == "carrier_required" and result["state"]["level"] == 2


def test_top_level_needs_a_leader_before_anything_else_and_escalating_past_it_is_rejected():
    events = climb(5) + [
        ev("r1", "resolved", T0 + timedelta(days=6), LEADER, outcome="调解成功"),
        ev("l1", "leader_assigned", T0 + timedelta(days=7), TOWNSHIP, leader_id=LEADER),
        up("u6", 6, T0 + timedelta(days=8), LEADER),
        ev("r2", "resolved", T0 + timedelta(days=9), LEADER, outcome="案结事了"),
    ]
    result = run(events)
    assert rule_of(result["rejected"]["r1"]) == "leader_needed"
    assert result["rejected"]["l1"] is None
    assert rule_of(result["rejected"]["u6"]) == "past_top"
    state = result["state"]
    assert state["status"] == "resolved" and state["resolved_tier"] == "county" and state["leader_id"] == LEADER
    assert state["resolved_by_id"] == LEADER and state["deadline_at"] is None
    before_leader = run(climb(5))
    assert before_leader["leader_needed"] and before_leader["state"]["owner_id"] is None


def test_leader_must_be_a_county_leader_of_the_place_and_only_at_the_top():
    early = run(climb(4) + [ev("l1", "leader_assigned", T0 + timedelta(days=5), TOWNSHIP, leader_id=LEADER)])
    assert rule_of(early["rejected"]["l1"]) == "no_leader_here"
    stranger = run(climb(5) + [ev("l1", "leader_assigned", T0 + timedelta(days=6), TOWNSHIP, leader_id=OUTSIDER)])
    assert rule_of(stranger["rejected"]["l1"]) == "leader_not_eligible"


def test_deescalation_hands_back_with_a_new_deadline():
    events = climb(5) + [ev("l1", "leader_assigned", T0 + timedelta(days=6), TOWNSHIP, leader_id=LEADER),
                         ev("d1", "deescalated", T0 + timedelta(days=7), LEADER, to_level=4, instructions="请乡镇牵头")]
    state = run(events)["state"]
    assert state["level"] == 4 and state["level_since"] == T0 + timedelta(days=7)
    assert state["deadline_at"] == T0 + timedelta(days=22) and state["leader_id"] == LEADER
    upward = run(climb(2) + [ev("d2", "deescalated", T0 + timedelta(days=3), GRID_HEAD, to_level=2, instructions="x")])
    assert rule_of(upward["rejected"]["d2"]) == "not_downward"


def test_resolve_rate_reopen_close_and_the_closed_case_refuses_work():
    events = climb(2) + [
        ev("s0", "satisfaction", T0 + timedelta(days=2, hours=1), PROMOTER, rating=3),
        ev("r1", "resolved", T0 + timedelta(days=3), GRID_HEAD, outcome="双方和解", agreement="协议书"),
        ev("r2", "resolved", T0 + timedelta(days=3, hours=1), GRID_HEAD, outcome="again"),
        ev("s1", "satisfaction", T0 + timedelta(days=5), PROMOTER, rating=5, visit_id="v1"),
        ev("o1", "reopened", T0 + timedelta(days=8), PROMOTER, reason="又吵起来了"),
        ev("r3", "resolved", T0 + timedelta(days=9), GRID_HEAD, outcome="再次调解"),
        ev("c1", "closed", T0 + timedelta(days=10), GRID_HEAD),
        ev("r4", "resolved", T0 + timedelta(days=11), GRID_HEAD, outcome="x"),
        up("u9", 3, T0 + timedelta(days=11), CADRE),
        ev("n1", "note", T0 + timedelta(days=12), PROMOTER, text="回访"),
    ]
    result = run(events)
    rules = {k: rule_of(v) for k, v in result["rejected"].items() if v}
    assert rules == {"s0": "not_resolved", "r2": "already_resolved", "r4": "case_closed", "u9": "case_closed"}
    state = result["state"]
    assert state["status"] == "closed" and state["closed_at"] == T0 + timedelta(days=10)
    assert state["resolved_level"] == 2 and state["resolved_tier"] == "village" and state["resolved_team_id"] == 10
    assert state["resolved_at"] == T0 + timedelta(days=9) and state["satisfaction"] is None  # rating was for the first settlement


def test_reopened_goes_back_to_the_resolving_level_with_a_new_deadline():
    events = climb(3) + [ev("r1", "resolved", T0 + timedelta(days=4), CADRE, outcome="ok"),
                         ev("o1", "reopened", T0 + timedelta(days=10), PROMOTER, reason="没落实")]
    state = run(events)["state"]
    assert state["status"] == "open" and state["level"] == 3 and state["level_since"] == T0 + timedelta(days=10)
    assert state["deadline_at"] == T0 + timedelta(days=17) and state["resolved_level"] is None


def test_closing_an_unsettled_case_needs_a_reason():
    bare = run([opened(), ev("c1", "closed", T0 + timedelta(hours=2))])
    assert rule_of(bare["rejected"]["c1"]) == "not_resolved"
    withdrawn = run([opened(), ev("c1", "closed", T0 + timedelta(hours=2), reason="当事人撤回")])
    assert withdrawn["state"]["status"] == "closed" and withdrawn["state"]["resolved_tier"] is None


def test_accept_and_assign():
    events = climb(2) + [
        ev("a0", "accepted", T0 + timedelta(days=2, hours=1), OUTSIDER),
        ev("a1", "accepted", T0 + timedelta(days=2, hours=2), CADRE, level=2),
        ev("a2", "accepted", T0 + timedelta(days=2, hours=3), GRID_HEAD, level=1),
        ev("m1", "assigned", T0 + timedelta(days=2, hours=4), GRID_HEAD, committee="medical"),
    ]
    result = run(events)
    assert rule_of(result["rejected"]["a0"]) == "not_level_owner"
    assert rule_of(result["rejected"]["a2"]) == "stale_level"
    assert result["state"]["owner_id"] == CADRE and result["state"]["assigned_committee"] == "medical"


def test_a_phone_clock_in_the_future_cannot_jump_the_queue():
    # Resolved "at" T0+30d by a phone with a wrong clock, but received at T0+2d: it counts from T0+2d,
    # before the escalation the server saw later, so it resolves at level 1.
    events = [opened(), ev("r1", "resolved", T0 + timedelta(days=30), PROMOTER, received=T0 + timedelta(days=2), outcome="ok"),
              up("e2", 2, T0 + timedelta(days=3), GRID_HEAD)]
    result = run(events)
    assert result["order"] == ["e00", "r1", "e2"]
    assert result["state"]["resolved_level"] == 1 and rule_of(result["rejected"]["e2"]) == "already_resolved"


def test_working_day_deadlines_skip_weekends_and_holidays():
    ladder = copy.deepcopy(FIVE_STATION)
    context = {**CONTEXT, "owners": {**CONTEXT["owners"], "county_staff": [7]},
               "calendar": {(T0 + timedelta(days=2)).date(): "holiday"}}
    state = run([opened()], ladder, context)["state"]
    # 5 working days from Monday with Wednesday off: Tue, Thu, Fri, Mon, Tue.
    assert state["deadline_at"] == T0 + timedelta(days=8) and state["level_key"] == "reception_room"


def test_reapplied_ladder_keeps_the_arrival_and_recounts_the_deadline():
    longer = copy.deepcopy(LADDER)
    longer["key"] = "slow"
    longer["levels"][1]["days"] = 10
    events = climb(2) + [ev("x1", "ladder_reapplied", T0 + timedelta(days=5), None, ladder=longer)]
    result = run(events)
    assert result["ladder"]["key"] == "slow"
    assert result["state"]["level_since"] == T0 + timedelta(days=2)
    assert result["state"]["deadline_at"] == T0 + timedelta(days=12)


# --- properties -----------------------------------------------------------------------------

KINDS = ("note", "escalated", "deescalated", "accepted", "assigned", "leader_assigned", "resolved", "satisfaction",
         "reopened", "closed")
ACTORS = (PROMOTER, GRID_HEAD, CADRE, LIAISON, TOWNSHIP, LEADER, OUTSIDER)


@st.composite
def event_lists(draw):
    count = draw(st.integers(min_value=0, max_value=14))
    events = [opened()]
    for n in range(count):
        kind = draw(st.sampled_from(KINDS))
        at = T0 + timedelta(hours=draw(st.integers(min_value=-5, max_value=400)))
        received = at + timedelta(hours=draw(st.integers(min_value=-48, max_value=200)))  # some clocks run ahead
        data = {
            "note": {"text": "记录"}, "escalated": {"to_level": draw(st.integers(1, 6)), "reason": "r"},
            "deescalated": {"to_level": draw(st.integers(1, 5)), "instructions": "i"},
            "accepted": {}, "assigned": {"committee": "labour_wages"},
            "leader_assigned": {"leader_id": draw(st.sampled_from((LEADER, OUTSIDER)))},
            "resolved": {"outcome": "o"}, "satisfaction": {"rating": draw(st.integers(1, 5))},
            "reopened": {"reason": "r"}, "closed": {"reason": draw(st.sampled_from(("", "撤回")))},
        }[kind]
        events.append({"id": f"ev{n:02d}", "kind": kind, "actor_id": draw(st.sampled_from(ACTORS)), "occurred_at": at,
                       "received_at": received, "data": data})
    return events


@settings(max_examples=300, deadline=None)
@given(events=event_lists(), data=st.data())
def test_any_order_and_any_duplicates_give_the_same_result(events, data):
    expected = run(events)
    shuffled = data.draw(st.permutations(events))
    duplicates = data.draw(st.lists(st.sampled_from(events), max_size=5))
    again = run(list(shuffled) + [copy.deepcopy(e) for e in duplicates])
    assert again == expected


@settings(max_examples=300, deadline=None)
@given(events=event_lists())
def test_every_event_is_kept_and_the_state_stays_on_the_ladder(events):
    result = run(events)
    assert set(result["rejected"]) == {e["id"] for e in events}
    assert result["order"] == [e["id"] for e in order_events(events)]
    state = result["state"]
    assert 1 <= state["level"] <= len(LADDER["levels"])
    assert state["level_key"] == LADDER["levels"][state["level"] - 1]["key"]
    if state["status"] == "open":
        assert state["deadline_at"] is not None and state["resolved_at"] is None
    else:
        assert state["deadline_at"] is None
    if state["status"] == "resolved":
        assert state["resolved_level"] == state["level"]
    for reason in result["rejected"].values():
        assert reason is None or (":" in reason and len(reason) < 300)


@settings(max_examples=200, deadline=None)
@given(events=event_lists())
def test_applied_escalations_climb_exactly_one_level(events):
    """Replaying the applied events, each escalation goes from n to n+1 and the carrier rule held."""
    result = run(events)
    by_id = {e["id"]: e for e in events}
    level = 1
    for event_id in result["order"]:
        event = by_id[event_id]
        if result["rejected"][event_id] is not None:
            continue
        if event["kind"] == "escalated":
            assert event["data"]["to_level"] == level + 1
            carrier = LADDER["levels"][level - 1]["carrier_member_role"]
            if carrier:
                team = CONTEXT["teams"][LADDER["levels"][level - 1]["owner_team_kind"]]
                assert CONTEXT["members"][team].get(event["actor_id"]) == carrier
            level += 1
        elif event["kind"] == "deescalated":
            assert event["data"]["to_level"] < level
            level = event["data"]["to_level"]
        elif event["kind"] == "reopened":
            level = level  # back to the level that resolved it, which is where it stood
    assert level == result["state"]["level"]


def test_facts_recorded_at_receipt_decide_the_carrier_rule_not_todays_teams():
    escalation = up("x3", 3, T0 + timedelta(days=3), CADRE)
    escalation["facts"] = {"people": {str(CADRE): {"owner_roles": ["village_cadre"], "member_roles": {"10": "village_cadre"}}}}
    left_the_team = {**CONTEXT, "members": {10: {GRID_HEAD: "head"}, 20: {}}}
    assert run(climb(2) + [escalation], context=left_the_team)["rejected"]["x3"] is None
    without_facts = run(climb(2) + [up("x3", 3, T0 + timedelta(days=3), CADRE)], context=left_the_team)
    assert rule_of(without_facts["rejected"]["x3"]) == "carrier_required"
    outsider = up("x3", 3, T0 + timedelta(days=3), OUTSIDER)
    outsider["facts"] = {"people": {str(OUTSIDER): {"owner_roles": [], "member_roles": {}}}}
    assert rule_of(run(climb(2) + [outsider])["rejected"]["x3"]) == "carrier_required"
