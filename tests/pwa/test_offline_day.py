"""A promoter's day offline in Chromium at 360×640: log in, lose the network, reload, record, sync."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def test_promoter_records_offline_and_sync_sends_exactly_once(phones, api):
    phone = phones()
    page = phone.page
    phone.login("demo-promoter")
    phone.shot("households")
    first = page.locator("#household-list li a").first
    household_id = first.get_attribute("href").rsplit("/", 1)[1]

    phone.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#household-list li a")  # the shell and the data come from the phone
    expect(page.locator("#sync-chip")).to_contain_text("Offline")

    page.goto(f"/#/household/{household_id}")
    page.click(f"a[href='#/household/{household_id}/visit']")
    page.click("[data-form=family_stay]")
    page.click("[data-topic=mediation]")
    page.click("[data-topic=residents_views]")
    page.fill("textarea[name=notes]", "Offline visit: the drain by the lane is blocked")
    page.click("[data-raise]")
    page.fill("input[name=title]", "Blocked drain between neighbours")
    page.select_option("select[name=category]", "neighbour")
    phone.shot("record-visit")
    page.click("form button[type=submit]")
    page.wait_for_selector("h1:has-text('Blocked drain between neighbours')")
    assert phone.outbox_count() == 2  # the case and the visit, saved together

    # Still offline: add a note; reload once more — nothing is lost.
    page.click("details[class=action] summary:has-text('Add a note')")
    page.fill("details[open] textarea[name=text]", "Both families agree to meet on Friday")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".timeline li:has-text('Both families agree')")
    page.reload()
    page.wait_for_selector(".timeline li:has-text('Both families agree')")
    assert phone.outbox_count() == 3

    phone.context.set_offline(False)
    phone.sync_now()
    phone.shot("sync")
    # A second sync sends nothing again.
    phone.sync_now()
    assert phone.outbox_count() == 0

    data = api("demo-promoter").pull_all()
    visits = [v for v in data.get("visit", {}).values() if v["notes"] == "Offline visit: the drain by the lane is blocked"]
    cases = [c for c in data.get("case", {}).values() if c["title"] == "Blocked drain between neighbours"]
    assert len(visits) == 1 and len(cases) == 1
    visit, case = visits[0], cases[0]
    assert visit["household_id"] == household_id
    assert visit["form"] == "family_stay" and sorted(visit["topics"]) == ["mediation", "residents_views"]
    assert visit["case_ids"] == [case["id"]]
    events = [e for e in data.get("case_event", {}).values() if e["case_id"] == case["id"]]
    notes = [e for e in events if e["kind"] == "note"]
    assert len(notes) == 1 and notes[0]["data"]["text"] == "Both families agree to meet on Friday"

    # The case page now shows the server's state (level from the ladder, no "not yet synced").
    page.goto(f"/#/case/{case['id']}")
    page.wait_for_selector("#case-level")
    expect(page.locator(".case-state .badge.pending")).to_have_count(0)
    phone.shot("case")
    assert not [e for e in phone.errors if "Content Security Policy" in e], phone.errors
