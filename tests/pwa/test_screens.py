"""Screens at 360×640: Chinese by default, log-in errors, the contact card and its print layout."""
import pytest

pytestmark = pytest.mark.slow


def test_chinese_by_default_and_english_switch(phones):
    phone = phones(lang=None)
    page = phone.page
    page.goto("/")
    page.wait_for_selector("h1:has-text('登录')")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    page.fill("input[name=username]", "demo-promoter")
    page.fill("input[name=password]", "wrong-password")
    page.click("form button[type=submit]")
    page.wait_for_selector("p.error:has-text('用户名或密码不正确')")
    page.click("#lang")
    page.wait_for_selector("h1:has-text('Log in')")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    phone.shot("login")


def test_touch_targets_are_large_enough(phones):
    phone = phones()
    phone.login("demo-promoter")
    page = phone.page
    household = page.locator("#household-list li a").first.get_attribute("href")
    page.goto("/" + household + "/visit")
    page.wait_for_selector("[data-topic=safety]")
    small = page.evaluate("""() => [...document.querySelectorAll('button, a.button, .tab, input, select, textarea, #household-list a')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.textContent.trim().slice(0, 20) || el.name, el.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scrolling


def test_contact_card_with_qr_and_print_layout(phones):
    phone = phones()
    phone.login("demo-promoter")
    page = phone.page
    page.goto("/#/card")
    card = page.locator(".contact-card")
    card.wait_for()
    user = page.evaluate("""() => new Promise(resolve => {
        const open = indexedDB.open('harmony');
        open.onsuccess = () => {
            const req = open.result.transaction('meta').objectStore('meta').get('user');
            req.onsuccess = () => resolve(req.result.value);
        };
    })""")
    assert user["display_name"] in card.text_content() and user["phone"] in card.text_content()
    assert "LXK-0001" in card.text_content()
    qr = page.locator(".card-qr")
    assert qr.get_attribute("src").startswith("data:image/gif;base64,")
    assert page.evaluate("() => document.querySelector('.card-qr').naturalWidth") > 100
    phone.shot("contact-card")
    page.emulate_media(media="print")
    assert page.locator("#tabs").is_hidden() and page.locator(".topbar").is_hidden()
    assert card.is_visible()
    page.emulate_media(media="screen")


def test_api_docs_page_lists_endpoints(phones):
    phone = phones()
    page = phone.page
    page.goto("/api/docs")
    page.wait_for_selector("#endpoints details")
    assert page.locator("#endpoints details").count() > 10
    assert page.locator("#schemas details").count() > 5
    page.fill("#filter", "/api/sync/push")
    visible = page.locator("#endpoints details:visible")
    assert visible.count() >= 1 and "/api/sync/push" in visible.first.text_content()
    assert not [e for e in phone.errors if "Content Security Policy" in e], phone.errors


def test_village_cadre_opens_a_walk_in_case_in_a_chosen_grid(phones, api):
    phone = phones()
    phone.login("demo-village")
    page = phone.page
    phone.context.set_offline(True)
    page.goto("/#/case/new")
    options = page.locator("select[name=grid_id] option")
    assert options.count() > 1
    grid_id = int(options.nth(1).get_attribute("value"))
    page.select_option("select[name=grid_id]", str(grid_id))
    page.fill("input[name=title]", "Walk-in: wages unpaid at the workshop")
    page.select_option("select[name=category]", "labour_wages")
    page.select_option("select[name=source]", "walk_in")
    page.click("form button[type=submit]")
    page.wait_for_selector("h1:has-text('Walk-in: wages unpaid')")
    phone.context.set_offline(False)
    phone.sync_now()
    cases = [c for c in api("demo-village").pull_all()["case"].values() if c["title"] == "Walk-in: wages unpaid at the workshop"]
    assert len(cases) == 1 and cases[0]["grid_id"] == grid_id and cases[0]["source"] == "walk_in"
