"""Two phones edit the same household: disjoint fields merge, the same contact field becomes a conflict."""
import pytest

pytestmark = pytest.mark.slow


def edit(device, household_id, **values):
    page = device.page
    page.goto(f"/#/household/{household_id}/edit")
    page.wait_for_selector("input[name=address]")
    for name, value in values.items():
        page.fill(f"input[name={name}]", str(value))
    page.click("form button[type=submit]")
    page.wait_for_selector(f"a[href='#/household/{household_id}/visit']")


def test_merge_and_conflict_are_shown(phones, api):
    a, b = phones(), phones()
    a.login("demo-promoter")
    b.login("demo-gridhead")
    household_id = a.page.locator("#household-list li a").nth(1).get_attribute("href").rsplit("/", 1)[1]

    # Disjoint fields: A (offline) changes the address, B the number of members.
    a.context.set_offline(True)
    edit(a, household_id, address="Riverside Lane 8")
    edit(b, household_id, member_count=5)
    b.sync_now()
    a.context.set_offline(False)
    a.sync_now()
    merged = a.page.locator("#problems li[data-status=merged]")
    merged.wait_for()
    assert "merged" in merged.text_content()
    record = api("demo-gridhead").pull_all()["household"][household_id]
    assert record["address"] == "Riverside Lane 8" and record["member_count"] == 5

    # The same manual field (phone) on both phones: the server keeps B's value and records a conflict.
    a.context.set_offline(True)
    edit(a, household_id, phone="13900000001")
    edit(b, household_id, phone="13900000002")
    b.sync_now()
    a.context.set_offline(False)
    a.sync_now()
    conflict = a.page.locator("#problems li[data-status=conflict]")
    conflict.wait_for()
    assert "Conflicts" in conflict.text_content()
    a.shot("sync-problems", focus="#problems li[data-status=conflict]")
    a.page.goto(f"/#/household/{household_id}")
    a.page.wait_for_selector("#hh-phone:has-text('13900000002')")  # the server's value, pulled back

    # The grid head settles it on the conflicts screen: take the promoter's number.
    b.sync_now()
    b.page.goto("/#/conflicts")
    row = b.page.locator("#conflict-list li.conflict[data-field=phone]")
    row.wait_for()
    assert "13900000001" in row.locator(".client-value").text_content()
    assert "13900000002" in row.locator(".server-value").text_content()
    b.shot("conflicts")
    row.locator("[data-choice=client]").click()
    b.page.wait_for_selector("#conflict-list li.empty")
    assert api("demo-gridhead").pull_all()["household"][household_id]["phone"] == "13900000001"
    for phone in (a, b):
        assert not [e for e in phone.errors if "Content Security Policy" in e], phone.errors
