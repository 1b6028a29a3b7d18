"""A supervisor sees what is late: an overdue alert in the inbox, the case at their level, the dashboard."""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def open_case_through_sync(api_client, grid_id, title):
    case_id = str(uuid.uuid4())
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
        "mid": 1, "table": "case", "op": "create", "id": case_id, "base_version": None,
        "fields": {"grid_id": grid_id, "title": title, "category": "neighbour", "description": "Fence built over the line",
                   "parties": [], "priority": "normal", "source": "walk_in"},
        "client_ts": datetime.now(timezone.utc).isoformat()}]}
    r = api_client.post("/api/sync/push", body)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
    return case_id


def make_overdue(app, case_id):
    """Move the case's deadline into the past and run the real deadline check."""
    from harmony.alerts.service import check_overdue
    from harmony.cases.models import Case
    from harmony.extensions import db

    with app.app_context():
        case = db.session.get(Case, case_id)
        case.deadline_at = datetime.now(timezone.utc) - timedelta(days=2)
        db.session.commit()
        result = check_overdue()
        db.session.commit()
        db.session.remove()
    return result


def test_overdue_alert_reaches_the_grid_heads_inbox(phones, api, server):
    promoter = api("demo-promoter")
    grid_id = next(r["place_id"] for r in promoter.user["roles"] if r["role"] == "promoter")
    case_id = open_case_through_sync(promoter, grid_id, "Fence dispute past its deadline")
    result = make_overdue(server.app, case_id)
    gridhead = api("demo-gridhead")
    assert gridhead.user["id"] in next(o["recipients"] for o in result.overdue if o["case_id"] == case_id)

    phone = phones()
    phone.login("demo-gridhead")
    page = phone.page
    page.goto("/#/alerts")
    item = page.locator(f"#alert-list li.unread[data-kind=overdue][data-case='{case_id}']")
    item.wait_for()
    badge = page.locator("[data-badge='/alerts']")
    expect(badge).to_have_text(re.compile(r"^[1-9][0-9]*$"))  # the badge counts the unread alert drawn above
    unread_before = int(badge.text_content())
    phone.shot("alerts")

    item.locator("button").click()  # opens the case and marks the alert read
    page.wait_for_selector("h1:has-text('Fence dispute past its deadline')")
    expect(page.locator(".case-state .badge.danger")).to_have_count(1)  # overdue
    phone.sync_now()
    page.goto("/#/alerts")
    page.locator(f"#alert-list li.read[data-case='{case_id}']").wait_for()
    expect(badge).to_have_text(str(unread_before - 1))
    alerts = [a for a in gridhead.pull_all().get("alert", {}).values() if a["case_id"] == case_id]
    assert alerts and all(a["read_at"] for a in alerts if a["recipient_id"] == gridhead.user["id"])

    # Carry it up one level, then settle it there and record the resident's rating.
    page.goto(f"/#/case/{case_id}")
    page.click("details[class=action] summary:has-text('Escalate')")
    page.fill("details[open] textarea[name=reason]", "Not settled at the promoter's level in time")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".timeline li:has-text('Escalated')")
    phone.sync_now()
    server_case = gridhead.pull_all()["case"][case_id]
    assert server_case["level"] == 2
    page.goto("/#/cases?tab=mine")
    page.locator(f"#case-list a[href='#/case/{case_id}']").wait_for()  # waiting at the grid head's level
    page.goto(f"/#/case/{case_id}")
    page.click("details[class=action] summary:has-text('Resolve')")
    page.fill("details[open] textarea[name=outcome]", "Fence moved back 30 cm; both sign")
    page.click("details[open] button[type=submit]")
    page.click("details[class=action] summary:has-text('rating')")
    page.click("details[open] button[aria-label='4 of 5']")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".timeline li:has-text('Satisfaction')")
    phone.sync_now()
    server_case = gridhead.pull_all()["case"][case_id]
    assert server_case["status"] == "resolved" and server_case["satisfaction"] == 4
    assert server_case["resolved_level"] == 2

    page.goto("/#/dashboard")
    page.wait_for_selector("#chart-coverage")
    page.wait_for_function("() => window.Chart !== undefined")
    page.wait_for_function("() => Chart.getChart('chart-coverage') && Chart.getChart('chart-levels')")
    assert page.evaluate("() => Chart.getChart('chart-coverage').data.labels.length") >= 1
    assert page.locator("#dashboard-source").text_content()
    phone.shot("dashboard")
    assert not [e for e in phone.errors if "Content Security Policy" in e], phone.errors
