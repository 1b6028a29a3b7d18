from harmony.ladders.builtin import FIVE_LEVEL


def test_builtin_ladders_are_listed_with_five_levels(demo, login):
    ladders = login("demo-promoter").get("/api/ladders").get_json()
    by_key = {ladder["key"]: ladder for ladder in ladders}
    assert [level["days"] for level in by_key["five_level"]["levels"]] == [3, 5, 7, 15, 30]
    assert len(by_key["five_station"]["levels"]) == 5


def test_admin_creates_a_ladder_and_bad_levels_name_the_field(demo, login):
    admin = login("demo-admin")
    bad = admin.post("/api/ladders", json={"key": "mine", "name_zh": "本地", "levels": [
        {**FIVE_LEVEL["levels"][0], "days": 0}, {**FIVE_LEVEL["levels"][1], "owner_role": "mayor"}]})
    assert bad.status_code == 422
    fields = bad.get_json()["error"]["fields"]
    assert "days" in fields["levels.0"][0] and "owner_role" in fields["levels.1"][0]
    assert all(l["key"] != "mine" for l in admin.get("/api/ladders").get_json())
    good = admin.post("/api/ladders", json={"key": "mine", "name_zh": "本地", "levels": FIVE_LEVEL["levels"][:3]})
    assert good.status_code == 201, good.get_json()


def test_only_admins_change_ladders_and_attach_them(demo, login):
    promoter = login("demo-promoter")
    assert promoter.post("/api/ladders", json={"key": "x1", "name_zh": "x", "levels": FIVE_LEVEL["levels"]}).status_code == 403
    assert promoter.put(f"/api/places/{demo.townships[0]}/ladder", json={"ladder_id": None}).status_code == 403


def test_attaching_a_ladder_is_inherited_by_the_subtree(demo, ctx):
    from harmony.extensions import db
    from harmony.ladders.service import ladder_for_grid
    from harmony.places.models import Place

    first, last = db.session.get(Place, demo.grids[0]), db.session.get(Place, demo.grids[-1])
    assert ladder_for_grid(first).key == "five_level"
    assert ladder_for_grid(last).key == "five_station"  # the second township runs the five-station method
