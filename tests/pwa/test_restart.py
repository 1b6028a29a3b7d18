"""Weeks in the field: the phone restarts with no network; a household leaves the grid meanwhile."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def record_visit(page, household_id, notes):
    page.goto(f"/#/household/{household_id}/visit")
    page.click("[data-topic=safety]")
    page.fill("textarea[name=notes]", notes)
    page.click("form button[type=submit]")
    page.wait_for_selector(f"a[href='#/household/{household_id}/visit']")


def test_app_opens_after_a_restart_without_network(phones, api, tmp_path):
    phone = phones(user_data_dir=tmp_path / "phone")
    phone.login("demo-promoter")
    page = phone.page
    household_id = page.locator("#household-list li a").nth(5).get_attribute("href").rsplit("/", 1)[1]
    phone.context.set_offline(True)
    record_visit(page, household_id, "Visit recorded before the phone was switched off")
    phone.close()

    phone = phones(user_data_dir=tmp_path / "phone")  # power on, still no signal
    phone.context.set_offline(True)
    page = phone.page
    page.goto("/")
    page.wait_for_selector("#household-list li a")
    expect(page.locator("#sync-chip")).to_contain_text("1 unsent")
    page.goto(f"/#/household/{household_id}")
    page.wait_for_selector(".visits li:has-text('before the phone was switched off')")
    # A correction to the visit, appended while still offline.
    page.click(".visits details.correction summary")
    page.fill(".visits details[open] textarea[name=correction]", "It was the neighbour's son who answered")
    page.click(".visits details[open] button[type=submit]")
    page.wait_for_selector(".annotation:has-text('neighbour')")

    phone.context.set_offline(False)
    phone.sync_now()
    data = api("demo-promoter").pull_all()
    visits = [v for v in data["visit"].values() if v["notes"] == "Visit recorded before the phone was switched off"]
    assert len(visits) == 1
    notes = [a for a in data.get("visit_annotation", {}).values() if a["visit_id"] == visits[0]["id"]]
    assert [a["text"] for a in notes] == ["It was the neighbour's son who answered"]


def test_household_moved_away_while_offline_is_shown_not_dropped(phones, api):
    phone = phones()
    phone.login("demo-promoter")
    page = phone.page
    household_id = page.locator("#household-list li a").nth(6).get_attribute("href").rsplit("/", 1)[1]
    phone.context.set_offline(True)
    record_visit(page, household_id, "Visit to a household that moved away meanwhile")

    admin = api("demo-admin")
    here = admin.get(f"/api/households/{household_id}").json()["grid_id"]
    grids = admin.get("/api/places", params={"kind": "grid", "per_page": 10}).json()["items"]
    other = next(g["id"] for g in grids if g["id"] != here)
    moved = admin.post(f"/api/households/{household_id}/move", {"to_grid_id": other})
    assert moved.status_code == 200, moved.text

    phone.context.set_offline(False)
    phone.sync_now()
    problem = page.locator("#problems li[data-status=forbidden]")
    problem.wait_for()
    assert "outside your area" in problem.text_content()
    problem.locator("summary").click()
    assert "Visit to a household that moved away meanwhile" in problem.locator("pre").text_content()
    page.goto("/#/households")
    page.wait_for_selector("#household-list li a")
    expect(page.locator(f"#household-list a[href='#/household/{household_id}']")).to_have_count(0)  # removed by pull
    expect(page.locator("[data-badge='/sync']")).to_have_text("1")
    page.goto("/#/sync")
    page.locator("#problems li[data-status=forbidden] button:has-text('Handled')").click()
    page.wait_for_selector("#problems .empty")
    assert page.locator("[data-badge='/sync']").is_hidden()
