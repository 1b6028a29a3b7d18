"""Security headers on every response, no inline scripts, no cookies, rate-limited log-in."""
import re

import pytest

from hostile_helpers import assert_error_shape

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def check_headers(response, where):
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, (where, name, response.headers.get(name))
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    script = directives.get("script-src") or directives.get("default-src")
    assert script, (where, csp)
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, (where, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert directives.get("object-src") == ["'none'"], (where, csp)
    assert "Set-Cookie" not in response.headers, (where, response.headers.get("Set-Cookie"))


def concrete_urls(app, ids):
    """Every GET route, with path parameters filled by real or made-up ids."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            converter = rule._converters[arg].__class__.__name__
            value = ids.get(arg, 1 if converter == "IntegerConverter" else "00000000-0000-4000-8000-000000000000")
            url = re.sub(r"<(?:[^:<>]+:)?" + arg + ">", str(value), url)
        urls.append(url)
    return sorted(set(urls))


def test_every_get_route_sends_the_security_headers_as_anyone(app, demo, login, client):
    admin = login("demo-admin")
    promoter = login("demo-promoter")
    urls = concrete_urls(app, {"filename": "app.js", "path": "app.js", "place_id": demo.grids[0], "user_id": 1})
    assert len(urls) > 20
    seen = set()
    for url in urls:
        for caller in (client, admin, promoter):
            response = caller.get(url)
            seen.add(response.status_code)
            check_headers(response, (url, response.status_code))
            if response.status_code >= 400 and response.mimetype == "application/json":
                assert_error_shape(response)
    assert 200 in seen and 401 in seen


def test_errors_and_other_methods_carry_the_headers(app, demo, login, client):
    promoter = login("demo-promoter")
    responses = [
        client.get("/api/no-such-thing"),
        client.delete("/api/health"),
        client.post("/api/auth/login", data="not json", content_type="text/plain"),
        client.post("/api/auth/login", json={"username": "nobody", "password": "x", "device_name": "p"}),
        promoter.post("/api/sync/push", json={"client_id": "x"}),
        promoter.post("/api/sync/push", json={"client_id": "x", "schema_version": 7, "mutations": []}),
        promoter.post("/api/households", json={"grid_id": demo.grids[1], "address": "a", "head_name": "b"}),
        client.options("/api/health"),
        client.head("/"),
    ]
    for response in responses:
        check_headers(response, (response.request.path, response.status_code))
        if response.status_code >= 400 and response.request.method != "HEAD":
            assert_error_shape(response)


def test_a_500_carries_the_headers_and_the_error_shape(app, demo, login, monkeypatch):
    import sync.service

    app.config["PROPAGATE_EXCEPTIONS"] = False
    promoter = login("demo-promoter")

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(sync.service, "pull", boom)
    response = promoter.post("/api/sync/pull", json={"client_id": "00000000-0000-4000-8000-000000000001"})
    assert response.status_code == 500
    check_headers(response, "500")
    error = assert_error_shape(response)
    assert error["code"] == "internal_error" and "simulated" not in error["message"]


def test_html_pages_have_no_inline_scripts_or_handlers(app, client):
    pages = [u for u in concrete_urls(app, {}) if not u.startswith("/api/") or u == "/api/docs"]
    checked = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        checked += 1
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert re.search(r"\bsrc\s*=", tag, flags=re.I), (url, tag)
        for match in re.finditer(r"<script\b[^>]*\bsrc[^>]*>(.*?)</script>", html, flags=re.I | re.S):
            assert not match.group(1).strip(), (url, "script body next to src")
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), (url, "inline event handler")
        assert not re.search(r"javascript:", html, flags=re.I), (url, "javascript: URL")
        assert not re.search(r"<[^>]+\sstyle\s*=", html, flags=re.I), (url, "inline style attribute (CSP blocks it)")
    assert checked >= 1


def test_log_in_is_rate_limited_per_username_even_with_the_right_password(app, demo, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        response = client.post("/api/auth/login", json={"username": "demo-promoter", "password": "wrong",
                                                        "device_name": "p"})
        assert_error_shape(response, 401)
    response = client.post("/api/auth/login", json={"username": "demo-promoter", "password": "harmony-demo",
                                                    "device_name": "p"})
    error = assert_error_shape(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert error["code"] == "too_many_requests"
    # Another account is not locked out by this one's failures.
    ok = client.post("/api/auth/login", json={"username": "demo-gridhead", "password": "harmony-demo",
                                              "device_name": "p"})
    assert ok.status_code == 200


@pytest.mark.parametrize("username", ["demo-promoter", "nobody-here"])
def test_failed_log_in_does_not_say_whether_the_user_exists(app, demo, client, username):
    response = client.post("/api/auth/login", json={"username": username, "password": "wrong", "device_name": "p"})
    error = assert_error_shape(response, 401)
    assert error["message"] == "Username or password is incorrect."
