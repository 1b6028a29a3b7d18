"""Browser-test fixtures: a real server on 127.0.0.1 over a fresh seeded database, Chromium phones."""
import os
import uuid

import pytest
import requests
from sqlalchemy import text

from tests.conftest import PG_URL, require_or_skip

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 640}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
SCREENSHOTS = os.environ.get("HARMONY_PWA_SCREENSHOTS") == "1"
SHOT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screenshots")


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if PG_URL else []))
def server(request, tmp_path_factory):
    from harmony.extensions import db
    from tests.pwa.server import ServerThread, build_app, seed

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('pwa') / 'pwa.db'}"
        app = build_app(url)
    else:
        app = build_app(PG_URL, reset=False)
        with app.app_context():
            db.create_all()
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
            seed(360)
            db.session.remove()
    thread = ServerThread(app)
    thread.start()
    thread.app = app
    yield thread
    thread.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    require_or_skip(os.path.exists(CHROMIUM), "Chromium not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Phone:
    """One browser context = one phone, with its console errors collected."""

    def __init__(self, browser, base_url, lang="en", service_workers="allow", user_data_dir=None):
        if user_data_dir:  # a phone whose storage survives a restart of the browser
            self.context = browser.browser_type.launch_persistent_context(
                str(user_data_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport=PHONE, base_url=base_url, service_workers=service_workers)
        else:
            self.context = browser.new_context(viewport=PHONE, base_url=base_url, service_workers=service_workers)
        self.with_worker = service_workers == "allow"
        if lang:
            self.context.add_init_script(f"localStorage.getItem('harmony.lang') || localStorage.setItem('harmony.lang', '{lang}')")
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.base_url = base_url

    def login(self, username):
        page = self.page
        page.goto("/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "harmony-demo")
        page.click("form button[type=submit]")
        page.wait_for_selector("#tabs:not([hidden])")
        if self.with_worker:
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
        self.wait_synced()

    def wait_synced(self, timeout=20000):
        # The chip reads "Synced …" once a sync finished with nothing left to send.
        self.page.wait_for_function(
            "() => document.getElementById('sync-chip') && /^Synced|^已同步/.test(document.getElementById('sync-chip').textContent)",
            timeout=timeout)

    def sync_now(self):
        """Tap "Sync now" and wait until that sync (push and every pull page) has finished."""
        self.page.goto("/#/sync")
        self.page.wait_for_selector("#sync-now")
        before = self.page.evaluate("() => Number(document.documentElement.dataset.syncs || 0)")
        self.page.click("#sync-now")
        self.page.wait_for_function(f"() => Number(document.documentElement.dataset.syncs || 0) > {before}")
        self.page.wait_for_function("() => document.getElementById('unsent-count').textContent === '0'")

    def outbox_count(self):
        return self.page.evaluate("""() => new Promise((resolve, reject) => {
            const open = indexedDB.open('harmony');
            open.onsuccess = () => {
                const req = open.result.transaction('outbox').objectStore('outbox').count();
                req.onsuccess = () => { resolve(req.result); open.result.close(); };
                req.onerror = () => reject(req.error);
            };
        })""")

    def put_meta(self, key, value):
        self.page.evaluate("""([key, value]) => new Promise((resolve, reject) => {
            const open = indexedDB.open('harmony');
            open.onsuccess = () => {
                const tx = open.result.transaction('meta', 'readwrite');
                tx.objectStore('meta').put({ key, value });
                tx.oncomplete = () => { open.result.close(); resolve(); };
                tx.onerror = () => reject(tx.error);
            };
        })""", [key, value])

    def shot(self, name, focus=None):
        if SCREENSHOTS:
            os.makedirs(SHOT_DIR, exist_ok=True)
            self.page.evaluate("() => { const t = document.getElementById('toast'); if (t) t.className = 'toast'; }")
            self.page.wait_for_timeout(300)  # the toast's fade-out
            if focus:
                self.page.locator(focus).first.scroll_into_view_if_needed()
            self.page.screenshot(path=os.path.join(SHOT_DIR, name + ".png"))

    def close(self):
        self.context.close()


@pytest.fixture
def phones(browser, server):
    made = []

    def make(**kw):
        phone = Phone(browser, server.url, **kw)
        made.append(phone)
        return phone

    yield make
    for phone in made:
        phone.close()


class Api:
    """The test's own API client (its own token and sync client id), to check what the server holds."""

    def __init__(self, base_url, username):
        self.base_url = base_url
        body = requests.post(f"{base_url}/api/auth/login", json={"username": username, "password": "harmony-demo",
                                                                  "device_name": "pytest"}, timeout=10).json()
        self.headers = {"Authorization": f"Bearer {body['token']}"}
        self.user = body["user"]

    def get(self, path, **kw):
        return requests.get(self.base_url + path, headers=self.headers, timeout=10, **kw)

    def post(self, path, json=None):
        return requests.post(self.base_url + path, json=json, headers=self.headers, timeout=10)

    def pull_all(self):
        """Every record in this user's scope, by table: {table: {id: record}}."""
        client_id, cursor, out = str(uuid.uuid4()), None, {}
        while True:
            r = self.post("/api/sync/pull", {"client_id": client_id, "cursor": cursor, "limit": 1000})
            assert r.status_code == 200, r.text
            body = r.json()
            for change in body["changes"]:
                table = out.setdefault(change["table"], {})
                if change["op"] == "upsert":
                    table[change["id"]] = {**change["fields"], "id": change["id"], "version": change["version"]}
                else:
                    table.pop(change["id"], None)
            cursor = body["cursor"]
            if not body["has_more"]:
                return out


@pytest.fixture
def api(server):
    return lambda username: Api(server.url, username)
