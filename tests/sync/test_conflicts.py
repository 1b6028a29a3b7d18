"""Merges and conflicts through the API: households, resolving, pulling conflicts."""
from sqlalchemy import select

from harmony.extensions import db
from harmony.households.models import Household
from sync.models import SyncConflict
from sync_helpers import first_household


def household(app, household_id):
    with app.app_context():
        return db.session.get(Household, household_id)


def test_current_base_applies_and_bumps_the_version(app, demo, phone):
    hid = first_household(app, demo.grids[0])
    result = phone().push_one("household", "update", hid, {"address": "新华街8号", "member_count": 5}, base_version=1)
    assert (result["status"], result["version"]) == ("applied", 2)
    h = household(app, hid)
    assert (h.address, h.member_count, h.version) == ("新华街8号", 5, 2)


def test_stale_base_with_disjoint_fields_is_merged(app, demo, phone):
    hid = first_household(app, demo.grids[0])
    phone("demo-gridhead").push_one("household", "update", hid, {"member_count": 6}, base_version=1)
    result = phone().push_one("household", "update", hid, {"address": "桥头街3号"}, base_version=1)
    assert (result["status"], result["version"]) == ("merged", 3)
    h = household(app, hid)
    assert (h.address, h.member_count) == ("桥头街3号", 6)


def test_same_ordinary_field_last_arrival_wins(app, demo, phone):
    hid = first_household(app, demo.grids[0])
    phone("demo-gridhead").push_one("household", "update", hid, {"address": "A路1号"}, base_version=1)
    result = phone().push_one("household", "update", hid, {"address": "B路2号"}, base_version=1)
    assert result["status"] == "merged"
    assert household(app, hid).address == "B路2号"


def test_phone_clash_keeps_the_server_value_and_records_a_conflict(app, demo, phone, login):
    hid = first_household(app, demo.grids[0])
    head = login("demo-gridhead")
    assert head.patch(f"/api/households/{hid}", json={"phone": "13800000001"}).status_code == 200
    p = phone()
    result = p.push_one("household", "update", hid, {"phone": "13900000002", "member_count": 4}, base_version=1)
    assert result["status"] == "conflict"
    assert [c["field"] for c in result["conflicts"]] == ["phone"]
    h = household(app, hid)
    assert (h.phone, h.member_count) == ("13800000001", 4)  # the other field still applied
    with app.app_context():
        conflict = db.session.scalar(select(SyncConflict))
        original = conflict.base_value
        assert (conflict.server_value, conflict.client_value) == ("13800000001", "13900000002")
        assert conflict.id == result["conflicts"][0]["conflict_id"]
    # Pulled by the phone like any record.
    state, _ = p.pull_all()
    pulled = state[("sync_conflict", conflict.id)]["fields"]
    assert pulled["field"] == "phone" and pulled["status"] == "open" and pulled["base_value"] == original
    # Listed for the grid head, who resolves it with the phone's value.
    listed = head.get("/api/sync/conflicts").get_json()
    assert [c["id"] for c in listed["items"]] == [conflict.id]
    response = head.post(f"/api/sync/conflicts/{conflict.id}/resolve", json={"choice": "client"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "resolved"
    assert household(app, hid).phone == "13900000002"
    again = head.post(f"/api/sync/conflicts/{conflict.id}/resolve", json={"choice": "server"})
    assert again.status_code == 409
    assert head.get("/api/sync/conflicts").get_json()["items"] == []
    assert len(head.get("/api/sync/conflicts?status=resolved").get_json()["items"]) == 1


def test_resolving_needs_a_supervisor_in_scope_and_a_valid_choice(app, demo, phone, login):
    hid = first_household(app, demo.grids[0])
    login("demo-gridhead").patch(f"/api/households/{hid}", json={"phone": "13800000001"})
    result = phone().push_one("household", "update", hid, {"phone": "13900000002"}, base_version=1)
    conflict_id = result["conflicts"][0]["conflict_id"]
    promoter = login("demo-promoter")
    assert promoter.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choice": "client"}).status_code == 403
    outsider = login("township-2")
    assert outsider.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choice": "client"}).status_code == 404
    assert outsider.get("/api/sync/conflicts").get_json()["items"] == []
    head = login("demo-gridhead")
    bad = head.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choice": "maybe"})
    assert bad.status_code == 422 and "choice" in bad.get_json()["error"]["fields"]
    missing = head.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choice": "value"})
    assert missing.status_code == 422 and "value" in missing.get_json()["error"]["fields"]
    invalid = head.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choice": "value", "value": "call me"})
    assert invalid.status_code == 422 and "phone" in invalid.get_json()["error"]["fields"]
    ok = head.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choice": "value", "value": "0575-1234567"})
    assert ok.status_code == 200
    assert household(app, hid).phone == "0575-1234567"


def test_two_offline_edits_of_one_field_from_the_same_phone_do_not_clash(app, demo, phone):
    hid = first_household(app, demo.grids[0])
    p = phone()
    results = p.push([p.mutation("household", "update", hid, {"phone": "13900000001"}, base_version=1),
                      p.mutation("household", "update", hid, {"phone": "13900000002"}, base_version=1)])["results"]
    assert [r["status"] for r in results] == ["applied", "merged"]
    assert household(app, hid).phone == "13900000002"


def test_update_needs_a_sane_base_version(app, demo, phone):
    hid = first_household(app, demo.grids[0])
    p = phone()
    results = p.push([p.mutation("household", "update", hid, {"address": "x路"}),
                      p.mutation("household", "update", hid, {"address": "x路"}, base_version=9)])["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all("base_version" in r["errors"] for r in results)


def test_create_of_an_existing_household_is_a_duplicate(app, demo, phone):
    from sync_helpers import household_fields

    p = phone()
    m = p.mutation("household", "create", fields=household_fields(demo.grids[0]))
    first = p.push([m])["results"][0]
    other = phone(device_name="second phone")
    again = other.push([{**m, "mid": 1}])["results"][0]
    assert again["status"] == "duplicate" and again["version"] == first["version"]
