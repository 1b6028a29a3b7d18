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


def test_a_server_app_freezes_its_start_up_heap_and_a_test_app_does_not(tmp_path):
    # A long-running server's full GC collections would otherwise rescan every module,
    # model and mapper on each pass; tests build many apps, whose garbage must stay collectable.
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("import gc, sys; from harmony import create_app; from harmony.config import Config, TestConfig; "
              "config = TestConfig if sys.argv[1] == 'test' else Config; "
              "create_app(config, overrides={'SQLALCHEMY_DATABASE_URI': sys.argv[2]}); print(gc.get_freeze_count())")
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, HARMONY_SCHEDULER="0", HARMONY_SECRET_KEY="test-secret", PYTHONPATH=str(root))
    counts = {}
    for kind in ("server", "test"):
        done = subprocess.run([sys.executable, "-c", script, kind, f"sqlite:///{tmp_path / 'app.db'}"], env=env,
                              cwd=str(root), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        counts[kind] = int(done.stdout.split()[-1])
    assert counts["server"] > 10_000 and counts["test"] == 0, counts
