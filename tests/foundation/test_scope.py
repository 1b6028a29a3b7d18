"""Authorization = role × place subtree: people outside the scope get 403/404 and no data."""
import pytest


def _ids(response):
    return {item["id"] for item in response.get_json()["items"]}


def test_each_role_sees_exactly_its_subtree_of_households(demo, login, app):
    from harmony.extensions import db
    from harmony.households.models import Household
    from harmony.places.models import Place

    with app.app_context():
        def households_under(place_id):
            root = db.session.get(Place, place_id)
            grids = [p.id for p in db.session.query(Place).filter(Place.path.startswith(root.path), Place.kind == "grid")]
            return {h.id for h in db.session.query(Household).filter(Household.grid_id.in_(grids))}

        expected = {
            "demo-promoter": households_under(demo.grids[0]),
            "demo-gridhead": households_under(demo.grids[0]),
            "demo-village": households_under(demo.villages[0]),
            "demo-township": households_under(demo.townships[0]),
            "demo-county": households_under(demo.county),
            "demo-admin": households_under(demo.city),
        }
    for username, ids in expected.items():
        response = login(username).get("/api/households?per_page=500&page=1")
        seen, page = set(), 1
        while True:
            body = login(username).get(f"/api/households?per_page=500&page={page}").get_json() if page > 1 else response.get_json()
            seen |= {h["id"] for h in body["items"]}
            if page * 500 >= body["total"]:
                break
            page += 1
        assert seen == ids, username


def test_promoter_of_a_stairwell_sees_the_whole_grid(demo, login):
    stairwell = login("promoter-1b")
    grids = {h["grid_id"] for h in stairwell.get("/api/households?per_page=500").get_json()["items"]}
    assert grids == {demo.grids[0]}


def test_outside_records_are_not_found_and_not_changed(demo, login):
    admin = login("demo-admin")
    other_grid = admin.get(f"/api/households?grid_id={demo.grids[-1]}&per_page=1").get_json()["items"][0]
    promoter = login("demo-promoter")
    assert promoter.get(f"/api/households/{other_grid['id']}").status_code == 404
    assert promoter.patch(f"/api/households/{other_grid['id']}", json={"address": "x"}).status_code == 404
    assert promoter.get(f"/api/places/{demo.grids[-1]}").status_code == 404
    assert admin.get(f"/api/households/{other_grid['id']}").get_json()["address"] == other_grid["address"]
    created = promoter.post("/api/households", json={"grid_id": demo.grids[-1], "address": "x", "head_name": "y"})
    assert created.status_code == 404
    township = login("demo-township")
    assert township.get(f"/api/households?grid_id={demo.grids[-1]}").get_json()["items"] == []


def test_promoter_sees_only_names_of_places_above_and_nothing_beside(demo, login):
    places = login("demo-promoter").get("/api/places?per_page=500").get_json()["items"]
    kinds = sorted(p["kind"] for p in places)
    assert kinds == ["city", "county", "grid", "township", "unit", "unit", "unit", "village"]


@pytest.mark.parametrize("username", ["demo-promoter", "demo-gridhead", "demo-village", "demo-township"])
def test_non_admins_cannot_administer(demo, login, username):
    user = login(username)
    assert user.post("/api/places", json={"code": "X1", "kind": "grid", "name_zh": "新网格",
                                          "parent_id": demo.villages[0]}).status_code == 403
    assert user.post("/api/people", json={"username": "zzz", "password": "long-enough-pw",
                                          "display_name": "z"}).status_code == 403
    assert user.post("/api/teams", json={"kind": "grid_group", "place_id": demo.grids[0], "name": "x"}).status_code == 403


def test_people_lists_are_scoped(demo, login):
    village = login("demo-village")
    usernames = set()
    body = village.get("/api/people?per_page=500").get_json()
    usernames = {u["username"] for u in body["items"]}
    assert "demo-promoter" in usernames and "demo-village" in usernames
    assert "promoter-24" not in usernames  # a grid in the other township
    other = [u for u in login("demo-admin").get("/api/people?per_page=500").get_json()["items"]
             if u["username"] == "promoter-24"][0]
    assert village.get(f"/api/people/{other['id']}").status_code == 404


def test_teams_and_team_health_are_scoped(demo, login):
    township = login("demo-township")
    problems = township.get("/api/teams/health").get_json()
    assert problems, "the demo has composition problems in the first township"
    visible = {p["place_id"] for p in problems}
    admin_problems = login("demo-admin").get("/api/teams/health").get_json()
    assert visible < {p["place_id"] for p in admin_problems}
    other_team = login("demo-admin").get(f"/api/teams?place_id={demo.grids[-1]}").get_json()["items"][0]
    assert township.get(f"/api/teams/{other_team['id']}").status_code == 404


def test_ids_beyond_the_database_range_are_bad_input_not_a_crash(demo, login, app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = login("demo-admin")
    huge = 2 ** 40
    for url in (f"/api/teams?place_id={huge}", f"/api/places/{huge}", f"/api/households?grid_id={huge}"):
        response = admin.get(url)
        if response.status_code == 200:  # SQLite holds 64-bit integers: simply nothing matches
            assert response.get_json()["items"] == [], url
        else:
            assert response.status_code in (404, 422), (url, response.status_code)
            assert set(response.get_json()["error"]) == {"code", "message", "fields"}
