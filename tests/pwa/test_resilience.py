"""What the field does to a phone: lost responses, stale cursors, full storage, a new app version."""
import shutil

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

FULL_STORAGE = """
window.__storageFull = false;
for (const name of ['add', 'put']) {
  const original = IDBObjectStore.prototype[name];
  IDBObjectStore.prototype[name] = function (...args) {
    if (window.__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return original.apply(this, args);
  };
}
"""


def record_visit(page, household_id, notes):
    page.goto(f"/#/household/{household_id}/visit")
    page.click("[data-topic=liaison]")
    page.fill("textarea[name=notes]", notes)
    page.click("form button[type=submit]")


def first_household(page, n=0):
    return page.locator("#household-list li a").nth(n).get_attribute("href").rsplit("/", 1)[1]


def server_visits(api, notes):
    return [v for v in api("demo-promoter").pull_all().get("visit", {}).values() if v["notes"] == notes]


def test_lost_push_response_is_retried_without_duplicates(phones, api):
    phone = phones(service_workers="block")  # page.route sees every request
    page = phone.page
    phone.login("demo-promoter")
    household_id = first_household(page, 2)
    calls = []

    def lose_first_response(route):
        calls.append(route.request.post_data_json)
        if len(calls) == 1:
            route.fetch()  # the server commits the batch…
            route.abort("connectionreset")  # …but the phone never hears back
        else:
            route.continue_()

    page.route("**/api/sync/push", lose_first_response)
    phone.context.set_offline(True)
    record_visit(page, household_id, "Visit whose first push response was lost")
    page.wait_for_selector(f"a[href='#/household/{household_id}/visit']")
    page.goto("/#/sync")
    page.wait_for_selector("#unsent-count")
    phone.context.set_offline(False)  # the `online` event starts a sync by itself
    page.wait_for_function("() => document.querySelector('#sync-status .error') && !document.getElementById('sync-now').disabled")
    assert len(calls) == 1
    expect(page.locator("#unsent-count")).to_have_text("1")  # the failure is shown; the outbox kept the visit
    phone.sync_now()
    assert len(calls) == 2 and calls[0]["mutations"] == calls[1]["mutations"]  # same mids re-sent
    assert len(server_visits(api, "Visit whose first push response was lost")) == 1
    expect(page.locator("#problems li[data-status]")).to_have_count(0)  # a duplicate is not a problem


def test_stale_cursor_resets_and_keeps_the_outbox(phones, api):
    phone = phones()
    page = phone.page
    phone.login("demo-promoter")
    # The list redraws while pages of the first pull arrive: compare it with the server, waiting for it to be complete.
    total = len(api("demo-promoter").pull_all()["household"])
    rows = page.locator("#household-list li a")
    expect(rows).to_have_count(total)
    household_id = first_household(page, 3)
    phone.context.set_offline(True)
    record_visit(page, household_id, "Visit made before a cursor reset")
    page.wait_for_selector(f"a[href='#/household/{household_id}/visit']")
    phone.put_meta("cursor", "not-a-valid-cursor")
    phone.context.set_offline(False)
    phone.sync_now()
    assert len(server_visits(api, "Visit made before a cursor reset")) == 1
    page.goto("/#/households")
    expect(rows).to_have_count(total)  # re-downloaded, every row
    page.goto(f"/#/household/{household_id}")
    page.wait_for_selector(".visits li:has-text('Visit made before a cursor reset')")


def test_full_storage_is_reported_and_nothing_half_saved(phones):
    phone = phones()
    phone.context.add_init_script(FULL_STORAGE)
    page = phone.page
    phone.login("demo-promoter")
    household_id = first_household(page, 4)
    phone.context.set_offline(True)
    page.evaluate("() => { window.__storageFull = true; }")
    record_visit(page, household_id, "Visit on a full phone")
    page.wait_for_selector("#banner:not([hidden])")
    assert "Storage is full" in page.locator("#banner").text_content()
    assert "nothing was lost" in page.locator("form .error").text_content()
    page.evaluate("() => { window.__storageFull = false; }")
    assert phone.outbox_count() == 0
    page.click("form button[type=submit]")  # the form kept what was typed: save again
    page.wait_for_selector(f"a[href='#/household/{household_id}/visit']")
    assert phone.outbox_count() == 1
    page.wait_for_selector(".visits li:has-text('Visit on a full phone')")


def test_new_version_waits_for_the_users_tap(phones, server, tmp_path, monkeypatch):
    from harmony import pwa

    static = tmp_path / "static"
    shutil.copytree(pwa.STATIC_DIR, static)
    monkeypatch.setattr(pwa, "STATIC_DIR", static)
    phone = phones()
    page = phone.page
    phone.login("demo-promoter")
    shell_caches = "() => caches.keys().then(k => k.filter(n => n.startsWith('harmony-shell-')))"
    before = page.evaluate(shell_caches)
    assert len(before) == 1

    with open(static / "styles.css", "a") as f:
        f.write("\n.update-marker { color: #000; }\n")
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_selector("#update:not([hidden])")
    phone.shot("update-ready")
    # Until the tap, the page keeps running the old version entirely.
    assert page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => !!r.waiting)")
    page.click("#update button")
    page.wait_for_function(f"() => caches.keys().then(k => !k.includes({before[0]!r}))")
    page.wait_for_selector("#tabs:not([hidden])")
    after = page.evaluate(shell_caches)
    assert len(after) == 1 and after != before
    css = page.evaluate("() => fetch('/static/styles.css').then(r => r.text())")
    assert ".update-marker" in css
    assert page.locator("#update").is_hidden()


def test_two_tabs_sync_one_at_a_time(phones, api):
    phone = phones()
    phone.login("demo-promoter")
    first = phone.page
    second = phone.context.new_page()
    second.goto("/")
    second.wait_for_selector("#household-list li a")
    household_id = first_household(first, 7)
    pushes = []
    phone.context.on("request", lambda r: r.url.endswith("/api/sync/push") and pushes.append(r))
    phone.context.set_offline(True)
    record_visit(first, household_id, "Visit while two tabs are open")
    first.wait_for_selector(f"a[href='#/household/{household_id}/visit']")
    phone.context.set_offline(False)  # both tabs see `online`; the Web Lock lets one of them sync
    for page in (first, second):
        page.wait_for_function("() => /^Synced/.test(document.getElementById('sync-chip').textContent)")
    assert len(pushes) == 1
    assert len(server_visits(api, "Visit while two tabs are open")) == 1
    second.close()


def test_interrupted_first_download_resumes_from_the_saved_cursor(phones, api):
    import json

    phone = phones(service_workers="block")
    page = phone.page
    pulls = []

    def small_pages_and_one_cut(route):
        body = route.request.post_data_json
        body["limit"] = 20  # many pages, so the cut lands in the middle of the download
        pulls.append(body)
        if len(pulls) == 3:
            route.abort("connectionreset")
        else:
            route.continue_(post_data=json.dumps(body))

    page.route("**/api/sync/pull", small_pages_and_one_cut)
    page.goto("/")
    page.fill("input[name=username]", "demo-promoter")
    page.fill("input[name=password]", "harmony-demo")
    page.click("form button[type=submit]")
    page.wait_for_function("() => Number(document.documentElement.dataset.syncs || 0) >= 1")
    assert len(pulls) == 3 and pulls[0]["cursor"] is None and pulls[2]["cursor"] is not None
    kept = page.evaluate("""() => new Promise(resolve => {
        const open = indexedDB.open('harmony');
        open.onsuccess = () => {
            const tx = open.result.transaction(['meta', 'household', 'place']);
            const cursor = tx.objectStore('meta').get('cursor');
            const counts = [tx.objectStore('household').count(), tx.objectStore('place').count()];
            tx.oncomplete = () => resolve({ cursor: cursor.result.value, rows: counts[0].result + counts[1].result });
        };
    })""")
    assert kept["cursor"] == pulls[2]["cursor"] and 0 < kept["rows"] <= 40  # two pages saved, with their cursor

    phone.sync_now()
    assert pulls[3]["cursor"] == pulls[2]["cursor"]  # resumed where it stopped, not from zero
    page.goto("/#/households")
    expected = len(api("demo-promoter").pull_all()["household"])
    expect(page.locator("#household-list li a")).to_have_count(expected)


SLOW_PULLS = """
window.__pulls = 0;
const originalFetch = window.fetch;
window.fetch = function (input, init) {
  if (String(input.url || input).endsWith('/api/sync/pull')) {
    window.__pulls += 1;
    if (window.__slowPulls) return new Promise(resolve => setTimeout(resolve, 1500)).then(() => originalFetch(input, init));
  }
  return originalFetch(input, init);
};
"""


def test_a_sync_asked_for_during_another_runs_again_after_it(phones):
    # Resolving a conflict online asks for a sync; if one is already pulling, its pull may predate
    # the resolution, so a second sync must follow instead of the request being folded into the first.
    phone = phones(service_workers="block")
    phone.context.add_init_script(SLOW_PULLS)
    phone.login("demo-promoter")
    pulls = phone.page.evaluate("""async () => {
        const sync = await import('/static/js/sync.js');
        window.__slowPulls = true;
        const before = window.__pulls;
        const first = sync.syncNow('manual');
        await new Promise(resolve => setTimeout(resolve, 300));  // the first sync is now waiting for its pull
        const second = sync.syncNow('conflict');
        const third = sync.syncNow('conflict');
        await Promise.all([first, second, third]);
        return { pulls: window.__pulls - before, shared: second === third };
    }""")
    assert pulls == {"pulls": 2, "shared": True}
