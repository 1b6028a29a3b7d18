"""Pull: exactly the user's scope, in server order, paged; resets; tombstones; removals."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from harmony.extensions import db
from harmony.households.models import Household
from harmony.places.models import Place
from harmony.visits.models import Visit
from sync_helpers import first_household


def ids(state, table):
    return {key[1] for key in state if key[0] == table}


def grid_households(app, grid_id):
    with app.app_context():
        return set(db.session.scalars(select(Household.id).where(Household.grid_id == grid_id, Household.deleted.is_(False))))


def test_promoter_gets_exactly_their_grid(app, demo, phone):
    state, _ = phone().pull_all(limit=100)
    grid = demo.grids[0]
    assert ids(state, "household") == grid_households(app, grid)
    with app.app_context():
        place = db.session.get(Place, grid)
        units = set(db.session.scalars(select(Place.id).where(Place.parent_id == grid)))
        expected = set(place.ancestor_ids()) | units
    assert ids(state, "place") == expected  # the grid, its units, and the names above it
    assert {t for t, _ in state} <= {"place", "household"}


def test_supervisor_gets_the_subtree(app, demo, phone):
    state, _ = phone("demo-village").pull_all()
    with app.app_context():
        village = db.session.get(Place, demo.villages[0])
        grids = set(db.session.scalars(select(Place.id).where(Place.parent_id == village.id, Place.kind == "grid")))
        expected = set(db.session.scalars(select(Household.id).where(Household.grid_id.in_(grids))))
    assert ids(state, "household") == expected
    assert not ids(state, "household") & grid_households(app, demo.grids[-1])


def test_pages_are_in_server_order_and_resume_from_the_cursor(app, demo, phone):
    p = phone()
    everything, _ = p.pull_all(limit=1000)
    seen, cursor, seqs = {}, None, []
    while True:
        page = p.pull(cursor, limit=7)
        assert len(page["changes"]) <= 7
        seqs.extend(c["server_seq"] for c in page["changes"])
        seen.update({(c["table"], c["id"]): c for c in page["changes"]})
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert seen == everything
    assert p.pull(cursor)["changes"] == []


def test_changes_after_the_cursor_only(app, demo, phone, login):
    p = phone()
    _, cursor = p.pull_all()
    hid = first_household(app, demo.grids[0])
    login("demo-gridhead").patch(f"/api/households/{hid}", json={"address": "新华街9号"})
    page = p.pull(cursor)
    assert [(c["table"], c["id"], c["op"], c["version"]) for c in page["changes"]] == [("household", hid, "upsert", 2)]
    assert page["changes"][0]["fields"]["address"] == "新华街9号"


def test_deletes_are_tombstones_pulled_like_changes(app, demo, phone, login):
    p = phone()
    _, cursor = p.pull_all()
    hid = first_household(app, demo.grids[0])
    assert login("demo-admin").delete(f"/api/households/{hid}").status_code == 204
    page = p.pull(cursor)
    assert [(c["id"], c["op"]) for c in page["changes"]] == [(hid, "delete")]
    fresh, _ = phone(device_name="new phone").pull_all()
    assert ("household", hid) not in fresh


def test_moving_a_household_out_sends_a_removal_to_phones_that_lose_it(app, demo, phone, login):
    p = phone()
    village_phone = phone("demo-village")
    _, cursor = p.pull_all()
    _, village_cursor = village_phone.pull_all()
    hid = first_household(app, demo.grids[0])
    response = login("demo-village").post(f"/api/households/{hid}/move", json={"to_grid_id": demo.grids[1]})
    assert response.status_code == 200, response.get_json()
    page = p.pull(cursor)
    assert [(c["table"], c["id"], c["op"]) for c in page["changes"]] == [("household", hid, "remove")]
    # The village still sees it (both grids are in its subtree): an upsert, no removal.
    changes = village_phone.pull(village_cursor)["changes"]
    assert [(c["id"], c["op"], c["fields"].get("grid_id")) for c in changes] == [(hid, "upsert", demo.grids[1])]
    assert p.pull(page["cursor"])["changes"] == []


def test_cursor_resets(app, demo, phone, login):
    p = phone()
    _, cursor = p.pull_all()
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    page = p.pull(tampered)
    assert page["reset"] is True and page["reset_reason"] == "bad_signature"
    other = phone("demo-gridhead")
    page = other.pull(cursor)
    assert page["reset"] is True and page["reset_reason"] == "other_user"
    assert "reset" not in p.pull(cursor)


def test_a_scope_change_resets_the_cursor(app, demo, phone, login):
    p = phone()
    _, cursor = p.pull_all()
    admin = login("demo-admin")
    response = admin.post(f"/api/people/{p.api.user['id']}/roles", json={"role": "promoter", "place_id": demo.grids[1]})
    assert response.status_code in (200, 201), response.get_json()
    page = p.pull(cursor, limit=1000)
    assert page["reset"] is True and page["reset_reason"] == "scope_changed"
    state, _ = p.pull_all()
    assert ids(state, "household") == grid_households(app, demo.grids[0]) | grid_households(app, demo.grids[1])


def test_an_old_cursor_resets(app, demo, phone, clock):
    p = phone()
    _, cursor = p.pull_all()
    clock.advance(timedelta(days=181))
    assert p.pull(cursor)["reset_reason"] == "too_old"


def test_pull_body_is_checked(app, demo, phone):
    p = phone()
    for body, field in (({"client_id": "x"}, "client_id"), ({"client_id": p.client_id, "limit": 5000}, "limit"),
                        ({"client_id": p.client_id, "limit": 0}, "limit"), ({"client_id": p.client_id, "cursor": 5}, "cursor"),
                        ({"client_id": p.client_id, "extra": 1}, "extra")):
        response = p.api.post("/api/sync/pull", json=body)
        assert response.status_code == 400, body
        assert field in response.get_json()["error"]["fields"]


def test_visits_are_bounded_by_history_depth(app, demo, phone, clock):
    hid = first_household(app, demo.grids[0])
    p = phone()
    old = p.mutation("visit", "create", fields={"household_id": hid, "form": "home_visit"},
                     client_ts=(clock.now() - timedelta(days=400)).isoformat())
    recent = p.mutation("visit", "create", fields={"household_id": hid, "form": "phone_call"})
    assert [r["status"] for r in p.push([old, recent])["results"]] == ["applied", "applied"]
    state, _ = phone(device_name="second").pull_all()
    assert ids(state, "visit") == {recent["id"]}
    assert state[("visit", recent["id"])]["fields"]["form"] == "phone_call"
    other_grid, _ = phone("promoter-2").pull_all()
    assert ids(other_grid, "visit") == set()


def test_alerts_go_only_to_their_recipient_who_may_mark_them_read(app, demo, phone, clock):
    alerts = pytest.importorskip("harmony.alerts.models")
    me, other = demo.users["demo-promoter"], demo.users["demo-gridhead"]
    with app.app_context():
        for n, user in enumerate((me, other)):
            db.session.add(alerts.Alert(id=str(uuid.uuid4()), dedupe_key=f"k{n}", kind="overdue", recipient_id=user,
                                        title="逾期", created_at=clock.now()))
        db.session.commit()
        mine = db.session.scalar(select(alerts.Alert.id).where(alerts.Alert.recipient_id == me))
        theirs = db.session.scalar(select(alerts.Alert.id).where(alerts.Alert.recipient_id == other))
    p = phone()
    state, _ = p.pull_all()
    assert ids(state, "alert") == {mine}
    results = p.push([p.mutation("alert", "update", mine, {"read_at": "2026-11-02T11:00:00+08:00"}, base_version=1),
                      p.mutation("alert", "update", theirs, {"read_at": "2026-11-02T11:00:00+08:00"}, base_version=1),
                      p.mutation("alert", "update", mine, {"title": "hacked"}, base_version=1)])["results"]
    assert [r["status"] for r in results] == ["applied", "forbidden", "rejected"]
    with app.app_context():
        assert db.session.get(alerts.Alert, mine).read_at.isoformat() == "2026-11-02T03:00:00+00:00"


def test_a_fresh_pull_skips_tombstones(app, demo, phone, login):
    hid = first_household(app, demo.grids[0])
    login("demo-admin").delete(f"/api/households/{hid}")
    state, _ = phone().pull_all()
    assert ("household", hid) not in state


def test_visit_rows_seen_once(app, demo, phone):
    hid = first_household(app, demo.grids[0])
    p = phone()
    _, cursor = p.pull_all()
    p.push([p.mutation("visit", "create", fields={"household_id": hid}) for _ in range(5)])
    page = p.pull(cursor, limit=3)
    rest = p.pull(page["cursor"], limit=3)
    got = [c["id"] for c in page["changes"] + rest["changes"]]
    assert len(got) == 5 == len(set(got)) and not rest["has_more"]
    with app.app_context():
        assert set(got) == set(db.session.scalars(select(Visit.id)))
