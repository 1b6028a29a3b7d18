from harmony.extensions import db
from harmony.households.models import Household, HouseholdMove


def test_admin_builds_the_tree_one_kind_at_a_time(demo, login):
    admin = login("demo-admin")
    grid = admin.post("/api/places", json={"code": "NEW-G1", "kind": "grid", "name_zh": "新网格",
                                           "parent_id": demo.villages[0], "subkind": "office_building"})
    assert grid.status_code == 201, grid.get_json()
    wrong = admin.post("/api/places", json={"code": "NEW-T1", "kind": "township", "name_zh": "错",
                                            "parent_id": demo.villages[0]})
    assert wrong.status_code == 422
    assert "kind" in wrong.get_json()["error"]["fields"]
    duplicate = admin.post("/api/places", json={"code": "NEW-G1", "kind": "grid", "name_zh": "重复",
                                                "parent_id": demo.villages[0]})
    assert duplicate.status_code == 409 and "code" in duplicate.get_json()["error"]["fields"]
    bad_subkind = admin.post("/api/places", json={"code": "NEW-G2", "kind": "grid", "name_zh": "x",
                                                  "parent_id": demo.villages[0], "subkind": "castle"})
    assert bad_subkind.status_code == 422
    assert admin.get("/api/places?q=NEW-G2").get_json()["total"] == 0


def test_roles_must_be_bound_to_the_right_kind_of_place(demo, login):
    admin = login("demo-admin")
    person = admin.post("/api/people", json={"username": "li-si", "password": "long-enough-pw", "display_name": "李四"})
    assert person.status_code == 201
    pid = person.get_json()["id"]
    wrong = admin.post(f"/api/people/{pid}/roles", json={"role": "grid_head", "place_id": demo.villages[0]})
    assert wrong.status_code == 422 and "place_id" in wrong.get_json()["error"]["fields"]
    ok = admin.post(f"/api/people/{pid}/roles", json={"role": "grid_head", "place_id": demo.grids[2]})
    assert ok.status_code == 201
    assert [r["role"] for r in admin.get(f"/api/people/{pid}").get_json()["roles"]] == ["grid_head"]


def test_person_input_errors_name_the_field_and_store_nothing(demo, login):
    admin = login("demo-admin")
    before = admin.get("/api/people").get_json()["total"]
    short = admin.post("/api/people", json={"username": "ab", "password": "short", "display_name": ""})
    assert short.status_code == 422
    assert set(short.get_json()["error"]["fields"]) == {"username", "password", "display_name"}
    taken = admin.post("/api/people", json={"username": "demo-promoter", "password": "long-enough-pw",
                                            "display_name": "x"})
    assert taken.status_code == 409
    assert admin.get("/api/people").get_json()["total"] == before


def test_household_validation_and_care_tags(demo, login):
    promoter = login("demo-promoter")
    bad = promoter.post("/api/households", json={"grid_id": demo.grids[0], "address": "", "head_name": "王",
                                                  "member_count": 0, "care_tags": ["rich"], "phone": "call me"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) >= {"address", "member_count", "care_tags", "phone"}
    good = promoter.post("/api/households", json={"grid_id": demo.grids[0], "address": "中心路1号", "head_name": "王五",
                                                   "care_tags": ["elderly_alone"]})
    assert good.status_code == 201
    tagged = promoter.get("/api/households?care_tag=elderly_alone&per_page=500").get_json()["items"]
    assert good.get_json()["id"] in {h["id"] for h in tagged}
    assert all("elderly_alone" in h["care_tags"] for h in tagged)


def test_household_moves_between_grids_and_keeps_its_history(demo, login, app):
    village = login("demo-village")
    household = village.get(f"/api/households?grid_id={demo.grids[0]}&per_page=1").get_json()["items"][0]
    moved = village.post(f"/api/households/{household['id']}/move", json={"to_grid_id": demo.grids[1]})
    assert moved.status_code == 200 and moved.get_json()["grid_id"] == demo.grids[1]
    assert login("demo-promoter").get(f"/api/households/{household['id']}").status_code == 404
    assert login("promoter-2").get(f"/api/households/{household['id']}").status_code == 200
    with app.app_context():
        move = db.session.query(HouseholdMove).filter_by(household_id=household["id"]).one()
        assert (move.from_grid_id, move.to_grid_id) == (demo.grids[0], demo.grids[1])
        assert move.server_seq > 0
    same = village.post(f"/api/households/{household['id']}/move", json={"to_grid_id": demo.grids[1]})
    assert same.status_code == 422
    outside = village.post(f"/api/households/{household['id']}/move", json={"to_grid_id": demo.grids[-1]})
    assert outside.status_code == 404
    assert login("demo-promoter").post(f"/api/households/{household['id']}/move",
                                       json={"to_grid_id": demo.grids[0]}).status_code in (403, 404)


def test_edits_bump_version_and_server_seq(demo, login, app):
    promoter = login("demo-promoter")
    household = promoter.get("/api/households?per_page=1").get_json()["items"][0]
    with app.app_context():
        before = db.session.get(Household, household["id"]).server_seq
    updated = promoter.patch(f"/api/households/{household['id']}",
                             json={"member_count": household["member_count"] % 6 + 1})
    assert updated.get_json()["version"] == household["version"] + 1
    with app.app_context():
        assert db.session.get(Household, household["id"]).server_seq > before


def test_teams_composition_rules(demo, login):
    admin = login("demo-admin")
    new_grid = admin.post("/api/places", json={"code": "G-NEW", "kind": "grid", "name_zh": "新网格",
                                               "parent_id": demo.villages[0]}).get_json()
    problems = {(p["place_id"], p["problem"]) for p in admin.get("/api/teams/health").get_json()}
    assert (new_grid["id"], "no_grid_group") in problems
    assert (new_grid["id"], "grid_size_out_of_range") in problems
    team = admin.post("/api/teams", json={"kind": "grid_group", "place_id": new_grid["id"], "name": "新组"}).get_json()
    problems = {(p["place_id"], p["problem"]) for p in admin.get("/api/teams/health").get_json()}
    assert (new_grid["id"], "grid_group_without_village_cadre") in problems
    cadre = admin.get("/api/people?role=village_cadre&place_id=%d" % demo.villages[0]).get_json()["items"][0]
    assert admin.post(f"/api/teams/{team['id']}/members",
                      json={"user_id": cadre["id"], "member_role": "village_cadre"}).status_code == 201
    problems = {(p["place_id"], p["problem"]) for p in admin.get("/api/teams/health").get_json()}
    assert (new_grid["id"], "grid_group_without_village_cadre") not in problems
    wrong_place = admin.post("/api/teams", json={"kind": "association", "place_id": new_grid["id"], "name": "x"})
    assert wrong_place.status_code == 422


def test_list_endpoints_paginate(demo, login):
    admin = login("demo-admin")
    first = admin.get("/api/households?per_page=7&page=1").get_json()
    second = admin.get("/api/households?per_page=7&page=2").get_json()
    assert len(first["items"]) == 7 and first["total"] == 360
    assert not {h["id"] for h in first["items"]} & {h["id"] for h in second["items"]}
    assert admin.get("/api/households?per_page=5000").status_code == 422
