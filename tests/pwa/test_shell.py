"""The app shell without a browser: precache list complete, strings in both languages, CSP-safe markup."""
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"


def shell_urls():
    from bench.shell_size import shell_urls as urls

    return urls()


def test_every_module_and_asset_is_precached():
    urls = set(shell_urls())
    needed = {"/static/" + str(p.relative_to(STATIC)) for p in STATIC.glob("js/**/*.js") if p.name != "apidocs.js"}
    needed |= {"/static/" + str(p.relative_to(STATIC)) for p in STATIC.glob("i18n/*.json")}
    needed |= {"/static/" + str(p.relative_to(STATIC)) for p in STATIC.glob("vendor/*.*js")}
    needed |= {"/", "/manifest.webmanifest", "/static/styles.css"}
    assert needed - urls == set(), "add these to SHELL in static/sw.js and bump CACHE_VERSION"
    from bench.shell_size import path_of

    assert [u for u in urls if not path_of(u).exists()] == []


def test_imports_resolve_to_precached_files():
    urls = set(shell_urls())
    for path in STATIC.glob("js/**/*.js"):
        if path.name == "apidocs.js":
            continue
        for spec in re.findall(r"""^import .*? from '([^']+)';""", path.read_text(), re.M):
            target = (path.parent / spec).resolve()
            assert "/static/" + str(target.relative_to(STATIC)) in urls, (path, spec)


def test_shell_is_small():
    from bench.shell_size import TARGET, sizes

    assert sum(packed for _, _, packed, excluded in sizes() if not excluded) <= TARGET


def used_keys():
    keys = set()
    for path in STATIC.glob("js/**/*.js"):
        keys |= set(re.findall(r"\bt\('([A-Za-z0-9_.]+)'[,)]", path.read_text()))
    return keys


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_string_exists_in_both_languages(lang):
    strings = json.loads((STATIC / "i18n" / f"{lang}.json").read_text())
    assert used_keys() - set(strings) == set()
    # Keys built at run time (t('form.' + f)) for every value the app knows.
    store = (STATIC / "js" / "store.js").read_text()
    for const, prefix in (("FORMS", "form."), ("TOPICS", "topic."), ("CATEGORIES", "category."), ("PRIORITIES", "priority.")):
        values = re.findall(r"'([a-z_]+)'", re.search(rf"export const {const} = \[(.*?)\];", store).group(1))
        assert [v for v in values if prefix + v not in strings] == [], const
    for status in ("applied", "duplicate", "merged", "conflict", "rejected", "forbidden", "gone"):
        assert "status." + status in strings
    for status in ("merged", "conflict", "rejected", "forbidden", "gone"):
        assert "problems.what." + status in strings


def test_both_languages_have_the_same_keys():
    zh = json.loads((STATIC / "i18n" / "zh-CN.json").read_text())
    en = json.loads((STATIC / "i18n" / "en.json").read_text())
    assert set(zh) == set(en)


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts, self.style_attrs, self.handlers, self.external = 0, [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
        if "style" in attrs:
            self.style_attrs.append(tag)
        self.handlers += [name for name in attrs if name.startswith("on")]
        for name in ("src", "href"):
            if attrs.get(name, "").startswith(("http:", "https:", "//")):
                self.external.append(attrs[name])

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("name", ["index.html", "apidocs.html"])
def test_pages_are_csp_safe(name):
    parser = _Markup()
    parser.feed((STATIC / name).read_text())
    assert parser.inline_scripts == 0 and parser.style_attrs == [] and parser.handlers == [] and parser.external == []


def test_scripts_do_not_use_eval_or_html_strings():
    for path in STATIC.glob("js/**/*.js"):
        source = path.read_text()
        assert "innerHTML" not in source and "eval(" not in source and "new Function" not in source, path


def test_manifest_and_icons(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    body = json.loads(manifest.data)
    assert body["name"] == "和谐促进" and body["display"] == "standalone" and body["theme_color"]
    for icon in body["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png.data[16:20], "big"), int.from_bytes(png.data[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def test_shell_routes_and_headers(client):
    index = client.get("/")
    assert index.status_code == 200 and b'src="/static/js/app.js"' in index.data
    assert index.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in index.headers["Content-Security-Policy"]
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/js/app.js").mimetype == "text/javascript"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"/static/js/apidocs.js" in docs.data
    assert client.get("/static/../harmony/pwa.py").status_code == 404


def test_vendored_libraries_are_pinned():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    versions = dict(line.split() for line in (STATIC / "vendor" / "VERSIONS.txt").read_text().splitlines())
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version == versions[name]
