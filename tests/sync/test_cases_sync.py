"""Cases through sync: open, edit with merge policies, append events; pulled with their events."""
import uuid

import pytest
from sqlalchemy import select

from harmony.extensions import db

cases_service = pytest.importorskip("harmony.cases.service")
from harmony.cases.models import Case, CaseEvent  # noqa: E402


def case_fields(grid_id, **extra):
    return {"grid_id": grid_id, "title": "邻里漏水纠纷", "category": "neighbour", "description": "楼上漏水",
            "parties": [{"name": "张三", "role": "申请人"}], "priority": "normal", "source": "visit", **extra}


def open_case(p, grid_id, **extra):
    m = p.mutation("case", "create", fields=case_fields(grid_id, **extra))
    result = p.push([m])["results"][0]
    assert result["status"] == "applied", result
    return m["id"], result


def test_a_phone_opens_a_case_and_adds_a_note(app, demo, phone):
    p = phone()
    case_id, result = open_case(p, demo.grids[0])
    note = p.push_one("case_event", "create", fields={"case_id": case_id, "kind": "note", "data": {"text": "已上门"}})
    assert note["status"] == "applied"
    again = p.push_one("case_event", "create", note["id"], fields={"case_id": case_id, "kind": "note", "data": {"text": "已上门"}})
    assert again["status"] == "duplicate"
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "open" and case.reported_by_id == p.api.user["id"]
        kinds = sorted(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)))
        assert kinds == ["note", "opened"]
    state, _ = phone(device_name="other").pull_all()
    assert ("case", case_id) in state
    assert {k for k, c in state.items() if k[0] == "case_event" and c["fields"]["case_id"] == case_id} \
        == {("case_event", i) for i in kinds_ids(app, case_id)}


def kinds_ids(app, case_id):
    with app.app_context():
        return set(db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == case_id)))


def test_bad_and_out_of_scope_case_mutations(app, demo, phone):
    p = phone()
    case_id, _ = open_case(p, demo.grids[0])
    results = p.push([
        p.mutation("case", "create", fields=case_fields(demo.grids[0], category="aliens")),
        p.mutation("case", "create", fields=case_fields(demo.grids[1])),
        p.mutation("case_event", "create", fields={"case_id": case_id, "kind": "teleported", "data": {}}),
        p.mutation("case_event", "create", fields={"case_id": str(uuid.uuid4()), "kind": "note", "data": {"text": "x"}}),
        p.mutation("case", "update", case_id, {"priority": "whenever"}, base_version=1),
        p.mutation("case", "update", case_id, {"reported_by_id": 1}, base_version=1),
    ])["results"]
    assert [r["status"] for r in results] == ["rejected", "forbidden", "rejected", "forbidden", "rejected", "rejected"]
    assert "category" in results[0]["errors"] and "kind" in results[2]["errors"]
    assert "priority" in results[4]["errors"] and list(results[5]["errors"]) == ["reported_by_id"]


def test_case_merge_policies(app, demo, phone, login):
    p = phone()
    case_id, _ = open_case(p, demo.grids[0])
    with app.app_context():
        version = db.session.get(Case, case_id).version
    head = phone("demo-gridhead")
    assert head.push_one("case", "update", case_id, {"title": "漏水（已核实）", "priority": "high"},
                         base_version=version)["status"] == "applied"
    # The promoter edited offline from the old version: title is last-arrival-wins, priority is
    # manual (conflict, server value kept), status is server-owned (ignored), description merges.
    result = p.push_one("case", "update", case_id, {"title": "漏水（第二次）", "priority": "low",
                                                   "status": "closed", "description": "补充说明"},
                        base_version=version)
    assert result["status"] == "conflict"
    assert [c["field"] for c in result["conflicts"]] == ["priority"]
    assert result["ignored"] == ["status"]
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.title, case.priority, case.status, case.description) == ("漏水（第二次）", "high", "open", "补充说明")


def test_an_event_that_breaks_a_rule_is_kept_with_its_reason(app, demo, phone):
    p = phone()
    case_id, _ = open_case(p, demo.grids[0])
    result = p.push_one("case_event", "create", fields={"case_id": case_id, "kind": "satisfaction", "data": {"rating": 5}})
    assert result["status"] == "applied"
    assert result.get("rejected_reason")
