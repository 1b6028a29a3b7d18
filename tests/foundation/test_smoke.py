from harmony.extensions import db


def test_health_reports_version_and_database(client, db_kind):
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["database"] == db_kind
    assert body["version"]


def test_promoter_logs_in_and_sees_only_their_grid(demo, login):
    promoter = login("demo-promoter")
    first_grid = demo.grids[0]
    households = promoter.get("/api/households?per_page=500").get_json()
    assert households["total"] > 0
    assert {h["grid_id"] for h in households["items"]} == {first_grid}
    places = promoter.get("/api/places?per_page=500").get_json()["items"]
    assert {p["id"] for p in places if p["kind"] == "grid"} == {first_grid}


def test_every_list_caps_the_page_number_with_the_field_named(demo, login):
    """Every list shares PageArgs: a page beyond 1,000,000 is refused as bad input, everywhere alike."""
    admin = login("demo-admin")
    for url in ("/api/households", "/api/places", "/api/cases", "/api/visits", "/api/alerts", "/api/audit"):
        assert admin.get(f"{url}?page=1000000").status_code == 200, url
        response = admin.get(f"{url}?page=1000001")
        assert response.status_code == 422, url
        assert "page" in str(response.get_json()["error"]["fields"]), url
