"""The cases API: open, events, rules broken online, lists, my work, scope, re-applying a ladder."""
from datetime import timedelta

from sqlalchemy import func, select

from case_helpers import actor, first_household, uid
from harmony.cases import service as cases
from harmony.cases.models import Case, CaseEvent
from harmony.extensions import db


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def post_event(client, clock, case_id, kind, **data):
    clock.advance(timedelta(seconds=1))  # the frozen clock: events of one second fold by arrival, then id
    return client.post(f"/api/cases/{case_id}/events", json={"kind": kind, "data": data})


def new_case(client, grid, **extra):
    body = {"grid_id": grid, "title": "邻里噪音纠纷", "category": "neighbour", "source": "visit",
            "description": "楼上深夜装修", "parties": [{"name": "李强", "role": "applicant"}], **extra}
    response = client.post("/api/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_open_a_case_at_the_first_level_with_owner_deadline_and_timeline(demo, login, clock):
    promoter = login("demo-promoter")
    case = new_case(promoter, demo.grids[0], priority="high")
    assert (case["status"], case["level"], case["level_key"], case["tier"]) == ("open", 1, "promoter", "village")
    assert case["owner_id"] == demo.users["demo-promoter"] and case["level_name_zh"] == "和谐促进员"
    assert case["deadline_at"].startswith((clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    assert [e["kind"] for e in case["timeline"]] == ["opened"] and case["overdue"] is False
    again = promoter.get(f"/api/cases/{case['id']}").get_json()
    assert again["timeline"][0]["data"]["ladder"]["key"] == "five_level"


def test_bad_case_input_names_the_field_and_stores_nothing(demo, login, app):
    promoter = login("demo-promoter")
    grid = demo.grids[0]
    cases_to_try = [
        ({"grid_id": grid, "category": "neighbour", "source": "visit", "title": " "}, "title"),
        ({"grid_id": grid, "title": "t", "category": "gossip", "source": "visit"}, "category"),
        ({"grid_id": grid, "title": "t", "category": "neighbour", "source": "rumour"}, "source"),
        ({"grid_id": grid, "title": "t", "category": "neighbour", "source": "visit", "priority": "asap"}, "priority"),
        ({"grid_id": grid, "title": "t", "category": "neighbour", "source": "visit", "parties": [{"role": "x"}]}, "parties.0.name"),
        ({"grid_id": grid, "title": "t", "category": "neighbour", "source": "visit",
          "parties": [{"name": "x", "household_id": "nope"}]}, "parties.0.household_id"),
        ({"grid_id": "one", "title": "t", "category": "neighbour", "source": "visit"}, "grid_id"),
        ({"grid_id": demo.villages[0], "title": "t", "category": "neighbour", "source": "visit"}, "grid_id"),
        ({"grid_id": grid, "title": "t", "category": "neighbour", "source": "visit", "status": "closed"}, "status"),
    ]
    for body, field in cases_to_try:
        response = promoter.post("/api/cases", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], (field, response.get_json())
    with app.app_context():
        assert count(Case) == 0 and count(CaseEvent) == 0


def test_escalation_online_and_a_broken_rule_is_refused_with_its_name_and_nothing_stored(demo, login, clock):
    promoter, head = login("demo-promoter"), login("demo-gridhead")
    case = new_case(promoter, demo.grids[0])
    url = f"/api/cases/{case['id']}/events"
    skip = head.post(url, json={"kind": "escalated", "data": {"to_level": 3, "reason": "太复杂"}})
    assert skip.status_code == 409
    error = skip.get_json()["error"]
    assert error["code"] == "rule_broken" and error["fields"]["rule"] == ["one_level_at_a_time"]
    assert "level 2" in error["message"]
    ok = post_event(head, clock, case["id"], "escalated", to_level=2, reason="促进员未能化解")
    assert ok.status_code == 201, ok.get_json()
    carry = post_event(head, clock, case["id"], "escalated", to_level=3, reason="x")
    assert carry.status_code == 409 and carry.get_json()["error"]["fields"]["rule"] == ["carrier_required"]
    detail = head.get(f"/api/cases/{case['id']}").get_json()
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "escalated"]
    assert detail["level"] == 2 and detail["owner_id"] == demo.users["demo-gridhead"]


def test_malformed_events_name_the_field(demo, login, app):
    promoter = login("demo-promoter")
    case = new_case(promoter, demo.grids[0])
    url = f"/api/cases/{case['id']}/events"
    tries = [
        ({"kind": "shouted", "data": {}}, "kind"),
        ({"kind": "opened", "data": {}}, "kind"),
        ({"kind": "ladder_reapplied", "data": {}}, "kind"),
        ({"kind": "escalated", "data": {"reason": "x"}}, "data.to_level"),
        ({"kind": "escalated", "data": {"to_level": "2", "reason": "x"}}, "data.to_level"),
        ({"kind": "escalated", "data": {"to_level": 2, "reason": "x", "carried_by": 999999}}, "data.carried_by"),
        ({"kind": "satisfaction", "data": {"rating": 6}}, "data.rating"),
        ({"kind": "mediation", "data": {"held_on": "yesterday", "outcome": "ok"}}, "data.held_on"),
        ({"kind": "assigned", "data": {"committee": "medical", "assignee_id": demo.users["demo-gridhead"]}}, "data.assignee_id"),
        ({"kind": "assigned", "data": {"committee": "gossip"}}, "data.committee"),
        ({"kind": "note", "data": {"text": "x", "mood": "angry"}}, "data.mood"),
        ({"kind": "resolved", "data": {}}, "data.outcome"),
    ]
    for body, field in tries:
        response = promoter.post(url, json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], (field, response.get_json())
    with app.app_context():
        assert count(CaseEvent) == 1


def test_sync_keeps_a_rejected_event_and_the_timeline_shows_why(demo, ctx):
    scope, promoter = actor(demo, "demo-promoter")
    case = cases.open_case(scope, promoter, None, uid(), {"grid_id": demo.grids[0], "title": "欠薪",
                           "category": "labour_wages", "source": "phone"}, ctx.extensions["harmony_clock"].now())
    event = cases.add_event(scope, promoter, None, uid(), case.id, "satisfaction", {"rating": 4},
                            ctx.extensions["harmony_clock"].now())
    assert event.rejected_reason.startswith("not_resolved:")
    db.session.commit()
    timeline = cases.timeline(case)
    assert [(e.kind, bool(e.rejected_reason)) for e in timeline] == [("opened", False), ("satisfaction", True)]
    assert case.satisfaction is None


def test_edit_fields_but_never_the_workflow(demo, login):
    promoter = login("demo-promoter")
    case = new_case(promoter, demo.grids[0])
    ok = promoter.patch(f"/api/cases/{case['id']}", json={"title": "邻里噪音纠纷（已约谈）", "priority": "urgent"})
    assert ok.status_code == 200 and ok.get_json()["title"].endswith("（已约谈）") and ok.get_json()["priority"] == "urgent"
    for body, field in (({"level": 5}, "level"), ({"category": "x"}, "category"), ({"title": ""}, "title")):
        response = promoter.patch(f"/api/cases/{case['id']}", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_people_outside_the_scope_get_404_and_no_data_everywhere(demo, login):
    promoter = login("demo-promoter")
    case = new_case(promoter, demo.grids[0])
    other_promoter, other_village, other_township = login("promoter-5"), login("village-2"), login("township-2")
    for outsider in (other_promoter, other_village, other_township):
        assert outsider.get(f"/api/cases/{case['id']}").status_code == 404
        assert outsider.patch(f"/api/cases/{case['id']}", json={"title": "x"}).status_code == 404
        response = outsider.post(f"/api/cases/{case['id']}/events", json={"kind": "note", "data": {"text": "x"}})
        assert response.status_code == 404
        assert outsider.get("/api/cases").get_json()["total"] == 0
        assert outsider.get("/api/cases/mine").get_json()["total"] == 0
        assert outsider.get(f"/api/cases?place_id={demo.villages[0]}").status_code in (404, 200)
        assert outsider.post("/api/cases", json={"grid_id": demo.grids[0], "title": "t", "category": "neighbour",
                                                 "source": "visit"}).status_code == 404
        assert outsider.post("/api/cases/reapply-ladder", json={"place_id": demo.grids[0]}).status_code in (403, 404)
    assert other_promoter.get(f"/api/cases?place_id={demo.grids[0]}").status_code == 404
    assert login("demo-township").get("/api/cases").get_json()["total"] == 1  # the township above sees it
    assert promoter.client.get("/api/cases").status_code == 401


def test_lists_filter_by_level_status_overdue_category_place_and_owner(demo, login, clock):
    promoter, head = login("demo-promoter"), login("demo-gridhead")
    a = new_case(promoter, demo.grids[0], category="neighbour")
    b = new_case(login("promoter-2"), demo.grids[1], category="family")
    post_event(head, clock, a["id"], "escalated", to_level=2, reason="上报")
    township = login("demo-township")

    def ids(query):
        body = township.get(f"/api/cases?{query}").get_json()
        return sorted(item["id"] for item in body["items"])

    assert ids("level=2") == [a["id"]] and ids("level=1") == [b["id"]]
    assert ids("category=family") == [b["id"]] and ids("status=resolved") == []
    assert ids(f"place_id={demo.grids[1]}") == [b["id"]] and ids(f"place_id={demo.villages[0]}") == sorted([a["id"], b["id"]])
    assert ids(f"owner_id={demo.users['demo-gridhead']}") == [a["id"]]
    assert ids("overdue=true") == []
    clock.advance(timedelta(days=4))  # past the promoter's 3 days, inside the grid group's 5
    assert ids("overdue=true") == [b["id"]] and ids("overdue=false") == [a["id"]]
    assert township.get("/api/cases?status=pending").status_code == 422
    assert township.get("/api/cases?level=0").status_code == 422


def test_my_work_is_the_cases_at_my_level_soonest_deadline_first(demo, login, clock):
    promoter, head = login("demo-promoter"), login("demo-gridhead")
    first = new_case(promoter, demo.grids[0])
    clock.advance(timedelta(hours=5))
    second = new_case(promoter, demo.grids[0])
    mine = promoter.get("/api/cases/mine").get_json()
    assert [c["id"] for c in mine["items"]] == [first["id"], second["id"]]
    assert head.get("/api/cases/mine").get_json()["total"] == 0
    post_event(head, clock, second["id"], "escalated", to_level=2, reason="x")
    assert [c["id"] for c in head.get("/api/cases/mine").get_json()["items"]] == [second["id"]]
    assert [c["id"] for c in promoter.get("/api/cases/mine").get_json()["items"]] == [first["id"]]


def test_changing_a_ladder_keeps_deadlines_until_an_admin_reapplies_it(demo, login, clock):
    promoter, admin = login("demo-promoter"), login("demo-admin")
    case = new_case(promoter, demo.grids[0])
    ladders = {l["key"]: l for l in admin.get("/api/ladders").get_json()}
    levels = ladders["five_level"]["levels"]
    levels[0]["days"] = 10
    assert admin.patch(f"/api/ladders/{ladders['five_level']['id']}", json={"levels": levels}).status_code == 200
    before = promoter.get(f"/api/cases/{case['id']}").get_json()
    assert before["deadline_at"] == case["deadline_at"]  # history is not rewritten
    assert promoter.post("/api/cases/reapply-ladder", json={"place_id": demo.townships[0]}).status_code == 403
    assert admin.post("/api/cases/reapply-ladder", json={"place_id": 999999}).status_code == 404
    result = admin.post("/api/cases/reapply-ladder", json={"place_id": demo.townships[0]}).get_json()
    assert result == {"place_id": demo.townships[0], "open_cases": 1, "reapplied": 1}
    after = promoter.get(f"/api/cases/{case['id']}").get_json()
    assert after["deadline_at"].startswith((clock.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    assert after["timeline"][-1]["kind"] == "ladder_reapplied" and after["ladder_levels"][0]["days"] == 10
    again = admin.post("/api/cases/reapply-ladder", json={"place_id": demo.townships[0]}).get_json()
    assert again["reapplied"] == 0


def test_the_county_needs_a_named_leader_then_resolves(demo, ctx, clock):
    scope, promoter = actor(demo, "demo-promoter")
    case = cases.open_case(scope, promoter, None, uid(), {"grid_id": demo.grids[0], "title": "医疗纠纷",
                           "category": "medical", "source": "resident_request"}, clock.now())
    steps = [("demo-gridhead", 2), ("demo-village", 3), ("liaison-1", 4), ("demo-township", 5)]
    for username, to in steps:
        s, u = actor(demo, username)
        clock.advance(timedelta(minutes=1))
        event = cases.add_event(s, u, None, uid(), case.id, "escalated", {"to_level": to, "reason": "上报"}, clock.now())
        assert event.rejected_reason is None, event.rejected_reason
    county, leader = actor(demo, "demo-county")
    clock.advance(timedelta(minutes=1))
    refused = cases.add_event(county, leader, None, uid(), case.id, "resolved", {"outcome": "x"}, clock.now())
    assert refused.rejected_reason.startswith("leader_needed:")
    clock.advance(timedelta(minutes=1))
    cases.add_event(county, leader, None, uid(), case.id, "leader_assigned", {"leader_id": leader}, clock.now())
    clock.advance(timedelta(minutes=1))
    cases.add_event(county, leader, None, uid(), case.id, "resolved", {"outcome": "案结事了"}, clock.now())
    assert (case.status, case.resolved_tier, case.leader_id) == ("resolved", "county", leader)


def test_satisfaction_on_a_later_visit_links_the_visit(demo, login, ctx, clock):
    scope, promoter = actor(demo, "demo-promoter")
    household = first_household(demo.grids[0])
    db.session.commit()
    client = login("demo-promoter")
    case = new_case(client, demo.grids[0])
    post_event(client, clock, case["id"], "resolved", outcome="当场调解")
    visit = client.post("/api/visits", json={"household_id": household.id, "form": "home_visit",
                                             "case_ids": [case["id"]]}).get_json()
    rated = post_event(client, clock, case["id"], "satisfaction", rating=4, comment="满意", visit_id=visit["id"])
    assert rated.status_code == 201
    detail = client.get(f"/api/cases/{case['id']}").get_json()
    assert detail["satisfaction"] == 4 and detail["resolved_tier"] == "village" and detail["resolved_level"] == 1


def test_a_carrier_or_leader_leaving_later_does_not_rewrite_the_case(demo, ctx, clock):
    from harmony.people.models import RoleAssignment
    from harmony.teams.models import TeamMember

    scope, promoter = actor(demo, "demo-promoter")
    case = cases.open_case(scope, promoter, None, uid(), {"grid_id": demo.grids[0], "title": "交通事故赔偿",
                           "category": "traffic_accident", "source": "phone"}, clock.now())
    for username, to in (("demo-gridhead", 2), ("demo-village", 3), ("liaison-1", 4), ("demo-township", 5)):
        s, u = actor(demo, username)
        clock.advance(timedelta(minutes=1))
        assert cases.add_event(s, u, None, uid(), case.id, "escalated", {"to_level": to, "reason": "r"}, clock.now()).rejected_reason is None
    county, leader = actor(demo, "demo-county")
    for kind, data in (("leader_assigned", {"leader_id": leader}), ("resolved", {"outcome": "ok"})):
        clock.advance(timedelta(minutes=1))
        cases.add_event(county, leader, None, uid(), case.id, kind, data, clock.now())
    # The village cadre leaves the grid group and the leader retires; then the resident rates the result.
    db.session.execute(TeamMember.__table__.delete().where(TeamMember.user_id == demo.users["demo-village"]))
    db.session.execute(RoleAssignment.__table__.delete().where(RoleAssignment.user_id == leader))
    db.session.expire_all()
    clock.advance(timedelta(days=3))
    cases.add_event(scope, promoter, None, uid(), case.id, "satisfaction", {"rating": 5}, clock.now())
    case = db.session.get(Case, case.id)
    assert (case.status, case.resolved_tier, case.satisfaction) == ("resolved", "county", 5)
    assert all(e.rejected_reason is None for e in cases.timeline(case))


def test_huge_numbers_are_refused_not_crashing(demo, login):
    admin = login("demo-admin")
    huge = 2**70
    assert admin.get(f"/api/cases?place_id={huge}").status_code == 422
    assert admin.get(f"/api/cases?owner_id={huge}").status_code == 422
    assert admin.post("/api/cases/reapply-ladder", json={"place_id": huge}).status_code == 422
    response = admin.post("/api/cases", json={"grid_id": huge, "title": "t", "category": "other", "source": "phone"})
    assert response.status_code == 422 and "grid_id" in response.get_json()["error"]["fields"]
    case = new_case(login("demo-promoter"), demo.grids[0])
    for data, field in (({"to_level": 2, "reason": "x", "carried_by": huge}, "data.carried_by"),):
        response = admin.post(f"/api/cases/{case['id']}/events", json={"kind": "escalated", "data": data})
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert admin.get(f"/api/grids/{huge}/todo").status_code == 404
    assert admin.get(f"/api/visits?grid_id={huge}").status_code == 422


def test_my_work_matches_each_role_to_the_places_it_is_held_for(demo, login, clock, app):
    """A grid head of grid 1 who also promotes in grid 2: level-1 cases of grid 2 are theirs,
    level-1 cases of grid 1 belong to grid 1's promoter, level-2 cases of grid 2 to grid 2's head."""
    from harmony.people.models import RoleAssignment, User

    with app.app_context():
        head_id = db.session.scalar(select(User.id).where(User.username == "demo-gridhead"))
        db.session.add(RoleAssignment(user_id=head_id, role="promoter", place_id=demo.grids[1]))
        db.session.commit()
    promoter, head, village = login("demo-promoter"), login("demo-gridhead"), login("demo-village")
    promoters_case = new_case(promoter, demo.grids[0])           # level 1 in grid 1: not the head's work
    heads_own = new_case(head, demo.grids[1])                   # level 1 in grid 2: the head promotes there
    escalated = new_case(head, demo.grids[1])
    post_event(village, clock, escalated["id"], "escalated", to_level=2, reason="x")  # grid 2's group now
    mine = [c["id"] for c in head.get("/api/cases/mine").get_json()["items"]]
    assert mine == [heads_own["id"]]
    assert promoters_case["id"] in [c["id"] for c in promoter.get("/api/cases/mine").get_json()["items"]]
