"""Hostile input: each gets a clear 4xx (or a per-mutation refusal) naming the problem, and stores nothing."""
import json
import uuid

import pytest
from sqlalchemy import select

from harmony.cases.models import Case, CaseEvent
from harmony.extensions import db
from harmony.households.models import Household
from harmony.visits.models import Visit
from hostile_helpers import TS, assert_error_shape, count, household_of, push_body, visit_mutation
from sync.models import SyncClient, SyncResult

INJECTIONS = [
    "'; DROP TABLE visit; --",
    "\" OR 1=1 --",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}} ${7*7} %s %n",
    "\u202etxt.exe \ufeff \u0007",
]


def nothing_synced(app):
    return count(app, SyncClient) == 0 and count(app, SyncResult) == 0 and count(app, Visit) == 0


# ---------------------------------------------------------------- sizes


def test_batch_over_the_mutation_limit_is_413_with_the_limit_and_stores_nothing(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    limit = app.config["SYNC_MAX_MUTATIONS"]
    body = push_body([visit_mutation(n + 1, household_id) for n in range(limit + 1)])
    error = assert_error_shape(promoter.post("/api/sync/push", json=body), 413)
    assert str(limit) in error["message"]
    assert nothing_synced(app)


def test_body_over_the_byte_limit_is_413_before_parsing(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    limit = app.config["SYNC_MAX_BYTES"]
    body = push_body([visit_mutation(1, household_id, notes="x" * (limit + 10))])
    error = assert_error_shape(promoter.post("/api/sync/push", json=body), 413)
    assert str(limit) in error["message"]
    # A body that lies about its length is measured after reading, not trusted.
    raw = json.dumps(body).encode()
    response = promoter.client.post("/api/sync/push", data=raw, content_type="application/json",
                                    headers={**promoter.headers, "Content-Length": "100"})
    assert 400 <= response.status_code < 500
    assert nothing_synced(app)


def test_oversized_fields_are_refused_by_name(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    body = push_body([visit_mutation(1, household_id, notes="长" * 4001),
                      visit_mutation(2, household_id, notes="x", case_ids=["c"] * 21)])
    results = promoter.post("/api/sync/push", json=body).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "notes" in results[0]["errors"] and "case_ids" in results[1]["errors"]
    admin = login("demo-admin")
    before = count(app, Household)
    response = admin.post("/api/households", json={"grid_id": demo.grids[0], "address": "路" * 201, "head_name": "王伟"})
    assert "address" in assert_error_shape(response, 422)["fields"]
    response = admin.get("/api/households", query_string={"q": "x" * 81})
    assert "q" in assert_error_shape(response, 422)["fields"]
    assert count(app, Household) == before and count(app, Visit) == 0


def test_a_long_list_of_repeated_topics_is_stored_once_each_on_the_slow_path(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    visit_id = str(uuid.uuid4())
    body = push_body([visit_mutation(1, household_id, visit_id, topics=["liaison"] * 10_000),
                      {**visit_mutation(2, household_id), "table": "nope"}])  # forces one savepoint per mutation
    assert promoter.post("/api/sync/push", json=body).get_json()["results"][0]["status"] == "applied"
    with app.app_context():
        assert db.session.get(Visit, visit_id).topics == ["liaison"]


def test_bulk_path_stores_repeated_topics_like_the_slow_path(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    body = push_body([visit_mutation(n + 1, household_id, ids[n], topics=["liaison"] * 10_000) for n in range(2)])
    assert [r["status"] for r in promoter.post("/api/sync/push", json=body).get_json()["results"]] == ["applied"] * 2
    with app.app_context():
        assert [len(db.session.get(Visit, i).topics) for i in ids] == [1, 1]


@pytest.mark.parametrize("shape", ["list", "dict"])
def test_deeply_nested_json_is_a_400_not_a_crash(app, demo, login, shape):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # see what a phone would get, not the test client's re-raise
    promoter = login("demo-promoter")
    depth = 100_000
    raw = ("[" * depth + "]" * depth) if shape == "list" else ('{"a":' * depth + "1" + "}" * depth)
    for url in ("/api/sync/push", "/api/sync/pull"):
        response = promoter.client.post(url, data=raw, content_type="application/json", headers=promoter.headers)
        assert_error_shape(response)
        assert response.status_code == 400, (url, response.status_code)
    assert nothing_synced(app)


def test_deeply_nested_json_on_ordinary_endpoints_is_a_4xx(app, demo, login):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = login("demo-admin")
    raw = '{"grid_id":' * 50_000 + "1" + "}" * 50_000
    for url in ("/api/households", "/api/auth/login"):
        response = admin.client.post(url, data=raw, content_type="application/json", headers=admin.headers)
        assert_error_shape(response)
        assert 400 <= response.status_code < 500, (url, response.status_code)


def test_nested_values_inside_fields_are_refused(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    nested = [[[[[["deep"]]]]]]
    body = push_body([visit_mutation(1, household_id, topics=nested), visit_mutation(2, household_id, notes={"a": nested}),
                      visit_mutation(3, household_id, case_ids=[{"id": nested}])])
    results = promoter.post("/api/sync/push", json=body).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert [list(r["errors"]) for r in results] == [["topics"], ["notes"], ["case_ids"]]
    assert count(app, Visit) == 0


@pytest.mark.parametrize("household_id", [["x"], {"id": "x"}, 12345, None])
def test_a_household_id_that_is_no_string_is_refused_by_name_in_a_batch(app, demo, login, household_id):
    # The bulk path once hashed every household_id before checking it: a list or object was a 500.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    promoter = login("demo-promoter")
    good = household_of(app, demo.grids[0])
    body = push_body([visit_mutation(1, good), visit_mutation(2, household_id)])
    response = promoter.post("/api/sync/push", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert list(results[1]["errors"]) == ["household_id"]
    assert count(app, Visit, Visit.household_id == good) == count(app, Visit)


# ---------------------------------------------------------------- types and names


@pytest.mark.parametrize("envelope, field", [
    ({"client_id": 12345, "schema_version": 1, "mutations": []}, "client_id"),
    ({"client_id": "CID", "schema_version": "1", "mutations": []}, "schema_version"),
    ({"client_id": "CID", "schema_version": True, "mutations": []}, "schema_version"),
    ({"client_id": "CID", "schema_version": 1, "mutations": {"0": {}}}, "mutations"),
    ({"client_id": "CID", "schema_version": 1, "mutations": [None]}, "mutations.0"),
    ({"client_id": "CID", "schema_version": 1, "mutations": "[]"}, "mutations"),
    ({"client_id": "CID", "schema_version": 1, "mutations": [], "is_admin": True}, "is_admin"),
])
def test_wrong_envelope_types_are_400_naming_the_field(app, demo, login, envelope, field):
    promoter = login("demo-promoter")
    envelope = {k: (str(uuid.uuid4()) if v == "CID" else v) for k, v in envelope.items()}
    error = assert_error_shape(promoter.post("/api/sync/push", json=envelope), 400)
    assert field in error["fields"], error
    assert nothing_synced(app)


@pytest.mark.parametrize("key, value", [
    ("mid", "1"), ("mid", 1.5), ("mid", -1), ("mid", 2 ** 70), ("mid", True),
    ("table", 7), ("table", "x" * 41), ("op", "drop"), ("op", None),
    ("id", {"$ne": 1}), ("id", "x" * 37), ("base_version", "1"), ("base_version", 0),
    ("fields", ["household_id"]), ("fields", "household_id=1"),
    ("client_ts", 1730000000), ("client_ts", "2026-11-02T10:00:00"), ("client_ts", "yesterday"),
])
def test_wrong_mutation_types_are_400_naming_the_field(app, demo, login, key, value):
    promoter = login("demo-promoter")
    mutation = visit_mutation(1, household_of(app, demo.grids[0]))
    mutation[key] = value
    error = assert_error_shape(promoter.post("/api/sync/push", json=push_body([mutation])), 400)
    assert f"mutations.0.{key}" in error["fields"], error
    assert nothing_synced(app)


def test_wrong_field_types_are_rejected_per_mutation_and_the_rest_applies(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    bad = [("household_id", 5), ("topics", "liaison"), ("answered_on_spot", "yes"), ("form", ["home_visit"]),
           ("case_ids", "abc"), ("notes", 12)]
    mutations = []
    for n, (name, value) in enumerate(bad):
        m = visit_mutation(n + 1, household_id)
        m["fields"][name] = value
        mutations.append(m)
    mutations.append(visit_mutation(len(bad) + 1, household_id))
    results = promoter.post("/api/sync/push", json=push_body(mutations)).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * len(bad) + ["applied"]
    for (name, _), result in zip(bad, results):
        assert name in result["errors"], result
    assert count(app, Visit) == 1


def test_unknown_tables_ops_and_fields_are_refused_by_name(app, demo, login):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    mutations = [
        {**visit_mutation(1, household_id), "table": "user"},
        {**visit_mutation(2, household_id), "table": "sqlite_master"},
        {**visit_mutation(3, household_id), "table": "visit; DROP TABLE visit"},
        {**visit_mutation(4, household_id), "op": "delete"},
        visit_mutation(5, household_id, promoter_id=1),
        visit_mutation(6, household_id, grid_id=demo.grids[1], server_seq=1, version=99),
        {**visit_mutation(7, household_id), "table": "sync_conflict"},
    ]
    results = promoter.post("/api/sync/push", json=push_body(mutations)).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 7
    assert "table" in results[0]["errors"] and "table" in results[1]["errors"] and "table" in results[2]["errors"]
    assert "op" in results[3]["errors"] and "op" in results[6]["errors"]
    assert list(results[4]["errors"]) == ["promoter_id"]
    assert set(results[5]["errors"]) == {"grid_id", "server_seq", "version"}
    assert count(app, Visit) == 0


# ---------------------------------------------------------------- injection strings


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_and_returned_verbatim_and_inert(app, demo, login, text):
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    client_id = str(uuid.uuid4())
    visit_id = str(uuid.uuid4())
    body = push_body([visit_mutation(1, household_id, visit_id, notes=text)], client_id)
    assert promoter.post("/api/sync/push", json=body).get_json()["results"][0]["status"] == "applied"
    with app.app_context():
        assert db.session.get(Visit, visit_id).notes == text
        assert db.session.scalar(select(db.func.count()).select_from(Household)) == 360  # tables intact
    response = promoter.post("/api/sync/pull", json={"client_id": client_id, "cursor": None, "limit": 1000})
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    pulled = [c for c in response.get_json()["changes"] if c["id"] == visit_id]
    assert pulled[0]["fields"]["notes"] == text
    # The REST API hands the same string back as JSON data, never as markup.
    admin = login("demo-admin")
    created = admin.post("/api/households", json={"grid_id": demo.grids[0], "address": text[:200] or "x",
                                                  "head_name": text[:80] or "x"})
    assert created.status_code == 201, created.get_json()
    fetched = admin.get(f"/api/households/{created.get_json()['id']}")
    assert fetched.mimetype == "application/json" and fetched.get_json()["head_name"] == text[:80]
    assert "<script" not in fetched.get_data(as_text=True).lower() or fetched.mimetype == "application/json"


def test_a_nul_character_in_text_is_refused_or_kept_never_a_500(app, demo, login, db_kind, request):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    body = push_body([visit_mutation(1, household_id, notes="a\x00b"), visit_mutation(2, household_id)])
    response = promoter.post("/api/sync/push", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    results = response.get_json()["results"]
    assert results[1]["status"] == "applied"
    assert results[0]["status"] == "applied" or "notes" in results[0]["errors"]


def test_ladder_for_a_place_that_does_not_exist_is_a_4xx(app, demo, login):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = login("demo-admin")
    response = admin.put("/api/places/999999/ladder", json={"ladder_id": None})
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:200])
    assert_error_shape(response)


def test_injection_in_query_parameters_matches_nothing(app, demo, login):
    admin = login("demo-admin")
    for q in ("' OR '1'='1", "\\", "') OR 1=1 --", "\" UNION SELECT password_hash FROM user --"):
        response = admin.get("/api/households", query_string={"q": q})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["total"] == 0, q
    for grid in ("1 OR 1=1", "1;DROP TABLE household"):
        assert_error_shape(admin.get("/api/households", query_string={"grid_id": grid}), 422)


def test_like_wildcards_in_the_household_search_match_literally(app, demo, login):
    admin = login("demo-admin")
    for q in ("%", "_", "%%"):
        assert admin.get("/api/households", query_string={"q": q}).get_json()["total"] == 0, q


BIG = 2 ** 70


@pytest.mark.parametrize("method, url, body", [
    ("get", f"/api/teams?place_id={BIG}", None),
    ("get", f"/api/households?grid_id={BIG}", None),
    ("get", f"/api/households?page={BIG}", None),
    ("get", f"/api/people?place_id={BIG}", None),
    ("get", f"/api/places/{BIG}", None),
    ("get", f"/api/places?parent_id={BIG}", None),
    ("get", f"/api/teams/{BIG}", None),
    ("get", f"/api/people/{BIG}", None),
    ("get", f"/api/ladders/{BIG}", None),
    ("post", "/api/households", {"grid_id": BIG, "address": "a", "head_name": "b"}),
    ("post", "/api/teams", {"kind": "grid_group", "place_id": BIG, "name": "x"}),
])
def test_huge_integers_are_a_4xx(app, demo, login, method, url, body, db_kind):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = login("demo-admin")
    response = getattr(admin, method)(url, json=body) if body else getattr(admin, method)(url)
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:200])
    assert_error_shape(response)


def test_huge_integers_in_a_push_keep_their_exact_value(app, demo, login):
    # The fast parser (orjson) would read integers past 64 bits as floats: the stdlib reads
    # those bodies, so they meet the usual per-field checks and come back exactly.
    promoter = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    before = count(app, Visit, Visit.household_id == household_id)
    body = push_body([visit_mutation(1, household_id, record_id=BIG), visit_mutation(2, household_id, notes=-BIG)])
    response = promoter.post("/api/sync/push", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    first, second = response.get_json()["results"]
    assert (first["status"], first["id"]) == ("rejected", BIG) and "id" in first["errors"]
    assert second["status"] == "rejected" and "notes" in second["errors"]
    error = assert_error_shape(promoter.post("/api/sync/push", json=push_body([visit_mutation(-BIG, household_id)])), 400)
    assert "mutations.0.mid" in error["fields"]
    assert count(app, Visit, Visit.household_id == household_id) == before


@pytest.mark.parametrize("url", [f"/api/visits?grid_id={BIG}", f"/api/cases?grid_id={BIG}", f"/api/cases/{BIG}"])
def test_huge_integers_in_the_visits_and_cases_api_are_not_a_500(app, demo, login, url):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = login("demo-admin").get(url)
    assert response.status_code < 500, response.get_data(as_text=True)[:200]
    if response.status_code >= 400:
        assert_error_shape(response)


def test_team_for_a_place_that_does_not_exist_is_a_4xx(app, demo, login):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = login("demo-admin")
    response = admin.post("/api/teams", json={"kind": "grid_group", "place_id": 999_999, "name": "x"})
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:200])
    assert "place_id" in assert_error_shape(response)["fields"]


# ---------------------------------------------------------------- who is asking


def test_another_users_client_id_is_403_and_stores_nothing(app, demo, login):
    owner = login("demo-promoter")
    household_id = household_of(app, demo.grids[0])
    client_id = str(uuid.uuid4())
    assert owner.post("/api/sync/push", json=push_body([visit_mutation(1, household_id)], client_id)).status_code == 200
    thief = login("promoter-2")
    other_household = household_of(app, demo.grids[1])
    for url, body in (("/api/sync/push", push_body([visit_mutation(2, other_household)], client_id)),
                      ("/api/sync/pull", {"client_id": client_id, "cursor": None, "limit": 10})):
        error = assert_error_shape(thief.post(url, json=body), 403)
        assert error["code"] == "client_taken"
    assert count(app, Visit) == 1 and count(app, SyncResult) == 1
    with app.app_context():
        assert db.session.get(SyncClient, client_id).last_mid == 1


def test_a_cursor_from_another_user_or_forged_resets_and_leaks_nothing(app, demo, login):
    owner = login("demo-promoter")
    page = owner.post("/api/sync/pull", json={"client_id": str(uuid.uuid4()), "cursor": None, "limit": 5}).get_json()
    other = login("promoter-2")
    for cursor in (page["cursor"], page["cursor"][:-3] + "abc", "x" * 999):
        body = other.post("/api/sync/pull", json={"client_id": str(uuid.uuid4()), "cursor": cursor, "limit": 1000}).get_json()
        assert body.get("reset") is True
        grids = {c["fields"].get("grid_id") for c in body["changes"] if c["table"] == "household"}
        assert grids == {demo.grids[1]}


def _revoked(app, login, client):
    api = login("demo-promoter")
    assert api.post("/api/auth/logout").status_code == 204
    return api.headers


def _deactivated(app, login, client):
    from harmony.people.models import User

    api = login("promoter-2")
    with app.app_context():
        db.session.get(User, api.user["id"]).active = False
        db.session.commit()
    return api.headers


@pytest.mark.parametrize("make_headers", [
    _revoked, _deactivated,
    lambda app, login, client: {"Authorization": "Bearer hmy_" + "A" * 43},
    lambda app, login, client: {"Authorization": "Bearer " + "' OR 1=1 --"},
    lambda app, login, client: {"Authorization": "Basic ZGVtbzpkZW1v"},
    lambda app, login, client: {"Authorization": "Bearer " + "x" * 100_000},
    lambda app, login, client: {},
], ids=["revoked", "deactivated-user", "unknown", "injection", "basic", "huge", "none"])
def test_bad_or_revoked_tokens_are_401_and_store_nothing(app, demo, login, client, make_headers):
    headers = make_headers(app, login, client)
    household_id = household_of(app, demo.grids[0])
    before = count(app, SyncClient)
    for url, body in (("/api/sync/push", push_body([visit_mutation(1, household_id)])),
                      ("/api/sync/pull", {"client_id": str(uuid.uuid4()), "cursor": None, "limit": 10})):
        error = assert_error_shape(client.post(url, json=body, headers=headers), 401)
        assert error["code"] == "unauthorized"
    assert_error_shape(client.get("/api/households", headers=headers), 401)
    assert count(app, Visit) == 0 and count(app, SyncClient) == before


# ---------------------------------------------------------------- outside the caller's scope


def test_promoter_pushing_into_another_grid_is_forbidden_and_stores_nothing(app, demo, login):
    promoter = login("demo-promoter")
    mine, theirs = household_of(app, demo.grids[0]), household_of(app, demo.grids[1])
    admin = login("demo-admin")
    # A case in someone else's grid, made by its own promoter.
    other = login("promoter-2")
    other_case = str(uuid.uuid4())
    made = other.post("/api/sync/push", json=push_body([{
        "mid": 1, "table": "case", "op": "create", "id": other_case, "base_version": None, "client_ts": TS,
        "fields": {"grid_id": demo.grids[1], "title": "邻里纠纷", "category": "neighbour", "description": "",
                   "parties": [], "priority": "normal", "source": "visit"}}])).get_json()["results"][0]
    assert made["status"] == "applied", made
    before_cases, before_events = count(app, Case), count(app, CaseEvent)
    mutations = [
        visit_mutation(1, theirs),
        {"mid": 2, "table": "case", "op": "create", "id": str(uuid.uuid4()), "base_version": None, "client_ts": TS,
         "fields": {"grid_id": demo.grids[1], "title": "t", "category": "neighbour", "description": "",
                    "parties": [], "priority": "normal", "source": "visit"}},
        {"mid": 3, "table": "case_event", "op": "create", "id": str(uuid.uuid4()), "base_version": None,
         "client_ts": TS, "fields": {"case_id": other_case, "kind": "note", "data": {"text": "偷看"}}},
        {"mid": 4, "table": "case", "op": "update", "id": other_case, "base_version": 1, "client_ts": TS,
         "fields": {"title": "改了"}},
        {"mid": 5, "table": "household", "op": "update", "id": theirs, "base_version": 1, "client_ts": TS,
         "fields": {"address": "改了"}},
        {"mid": 6, "table": "household", "op": "create", "id": str(uuid.uuid4()), "base_version": None,
         "client_ts": TS, "fields": {"grid_id": demo.grids[1], "address": "a", "head_name": "b"}},
        visit_mutation(7, mine),
    ]
    results = promoter.post("/api/sync/push", json=push_body(mutations)).get_json()["results"]
    assert [r["status"] for r in results] == ["forbidden"] * 6 + ["applied"], results
    assert count(app, Visit) == 1
    assert count(app, Case) == before_cases and count(app, CaseEvent) == before_events
    with app.app_context():
        assert db.session.get(Household, theirs).address != "改了"
        assert db.session.get(Case, other_case).title == "邻里纠纷"
    assert admin  # the admin log-in above is only there to prove cross-user tokens do not mix


def test_place_ids_outside_the_scope_get_4xx_through_the_rest_api(app, demo, login):
    gridhead = login("demo-gridhead")
    theirs = household_of(app, demo.grids[1])
    before = count(app, Household)
    checks = [
        gridhead.post("/api/households", json={"grid_id": demo.grids[1], "address": "a", "head_name": "b"}),
        gridhead.post("/api/households", json={"grid_id": demo.county, "address": "a", "head_name": "b"}),
        gridhead.post("/api/households", json={"grid_id": 10 ** 9, "address": "a", "head_name": "b"}),
        gridhead.get(f"/api/households/{theirs}"),
        gridhead.patch(f"/api/households/{theirs}", json={"address": "改了"}),
        gridhead.post(f"/api/households/{household_of(app, demo.grids[0])}/move", json={"to_grid_id": demo.grids[1]}),
        gridhead.get(f"/api/places/{demo.grids[1]}"),
        gridhead.get(f"/api/places/{demo.townships[1]}"),
    ]
    for response in checks:
        error = assert_error_shape(response)
        assert response.status_code in (403, 404, 422), (response.status_code, error)
    listed = gridhead.get("/api/households", query_string={"grid_id": demo.grids[1]})
    assert listed.status_code in (403, 404) or listed.get_json()["total"] == 0
    assert count(app, Household) == before
    with app.app_context():
        assert db.session.get(Household, theirs).address != "改了"
