"""Hypothesis fuzzing of the push/pull payload checks and the merge rules: any JSON in, no crash out."""
import json
import uuid
from datetime import timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hostile_helpers import TS, assert_error_shape, household_of
from sync import merge as rules
from sync.schemas import check_pull_body, check_push_envelope, parse_ts

JSON_SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70) \
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50)
JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=5)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=30)
KEYS = st.sampled_from(["mid", "table", "op", "id", "base_version", "fields", "client_ts", "extra"])
MUTATION = st.dictionaries(KEYS, JSON | st.just("visit") | st.just("create") | st.just(TS)
                           | st.builds(lambda: str(uuid.uuid4())) | st.integers(1, 10), max_size=8)
ENVELOPE = st.fixed_dictionaries({}, optional={
    "client_id": st.builds(lambda: str(uuid.uuid4())) | JSON,
    "schema_version": st.just(1) | JSON,
    "mutations": st.lists(MUTATION | JSON, max_size=6) | JSON,
    "junk": JSON,
})
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(body=ENVELOPE | JSON)
def test_push_envelope_check_never_raises_and_names_fields(body):
    errors = check_push_envelope(json.loads(json.dumps(body)))
    assert isinstance(errors, dict)
    for name, messages in errors.items():
        assert isinstance(name, str)  # a body may well hold a field named ""; it is named back as such
        assert isinstance(messages, list) and messages and all(isinstance(m, str) and m for m in messages)
    if not errors:
        # Accepted: exactly the shape the service relies on.
        assert isinstance(body, dict) and set(body) <= {"client_id", "schema_version", "mutations"}
        assert isinstance(body["schema_version"], int) and not isinstance(body["schema_version"], bool)
        mids = [m["mid"] for m in body["mutations"]]
        assert mids == sorted(set(mids)) and all(isinstance(m, int) and m > 0 for m in mids)
        for m in body["mutations"]:
            assert isinstance(m["table"], str) and m["op"] in ("create", "update", "delete")
            assert "fields" not in m or isinstance(m["fields"], dict)
            assert m["_ts"].tzinfo is not None


@settings(max_examples=80, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.fixed_dictionaries({}, optional={"client_id": st.builds(lambda: str(uuid.uuid4())) | JSON,
                                                "cursor": st.none() | JSON, "limit": st.integers() | JSON,
                                                "junk": JSON}) | JSON)
def test_pull_body_check_never_raises(body):
    errors, client_id, cursor, limit = check_pull_body(body, 1000)
    assert isinstance(errors, dict)
    if not errors:
        assert isinstance(client_id, str) and (cursor is None or isinstance(cursor, str))
        assert isinstance(limit, int) and 1 <= limit <= 1000


@FAST
@given(value=JSON | st.datetimes().map(lambda d: d.isoformat()) | st.text(alphabet="0123456789-:T+Z. ", max_size=40))
def test_client_ts_parsing_never_raises_and_is_utc(value):
    parsed = parse_ts(value)
    assert parsed is None or parsed.tzinfo == timezone.utc


SMALL = JSON_SCALARS | st.lists(st.integers(0, 3), max_size=3)
POLICY = st.sampled_from([rules.LWW, rules.SERVER, rules.MANUAL])
FIELD_NAMES = st.sampled_from(["address", "head_name", "phone", "status", "title", "priority"])


@st.composite
def merge_inputs(draw):
    policies = draw(st.dictionaries(FIELD_NAMES, POLICY, min_size=1))
    names = sorted(policies)
    current = draw(st.integers(1, 20))
    base = draw(st.integers(1, current))
    client = draw(st.dictionaries(st.sampled_from(names), SMALL, min_size=1))
    server = {name: draw(SMALL) for name in names}
    since = draw(st.dictionaries(st.sampled_from(names), SMALL)) if base < current else {}
    return policies, base, current, since, server, client


@FAST
@given(data=merge_inputs())
def test_merge_never_applies_server_owned_fields_and_flags_only_manual_clashes(data):
    policies, base, current, since, server, client = data
    outcome = rules.merge(policies, base, current, since, server, client)
    assert set(outcome.apply) <= set(client)
    assert all(policies[name] != rules.SERVER for name in outcome.apply)
    for conflict in outcome.conflicts:
        assert policies[conflict.field] == rules.MANUAL and conflict.field in since
        assert conflict.client == client[conflict.field] and conflict.server == server.get(conflict.field)
        assert conflict.field not in outcome.apply
    assert (outcome.status == "conflict") == bool(outcome.conflicts)
    if not outcome.conflicts:
        assert outcome.status == ("merged" if base < current else "applied")
    # The same inputs in another order give the same outcome.
    again = rules.merge(dict(reversed(list(policies.items()))), base, current, dict(reversed(list(since.items()))),
                        server, dict(reversed(list(client.items()))))
    assert again == outcome


@FAST
@given(history=st.lists(st.tuples(st.integers(1, 30), st.dictionaries(FIELD_NAMES, st.tuples(SMALL, SMALL), max_size=3)),
                        max_size=8, unique_by=lambda h: h[0]),
       base=st.integers(0, 30))
def test_changed_since_gives_the_value_at_the_base(history, base):
    since = rules.changed_since(history, base)
    later = sorted((v, f) for v, f in history if v > base)
    expected = {}
    for _, fields in later:
        for name, (old, _) in fields.items():
            expected.setdefault(name, old)
    assert since == expected


@pytest.fixture
def promoter(app, demo, login):
    return login("demo-promoter"), household_of(app, demo.grids[0])


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=ENVELOPE)
def test_any_push_body_over_http_is_answered_without_a_5xx(app, promoter, body):
    api, household_id = promoter
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for m in body.get("mutations", []) if isinstance(body.get("mutations"), list) else []:
        if isinstance(m, dict) and isinstance(m.get("fields"), dict) and "household_id" in m["fields"]:
            m["fields"]["household_id"] = household_id
    response = api.post("/api/sync/push", json=body)
    assert response.status_code in (200, 400, 403, 413, 426), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        payload = response.get_json()
        assert len(payload["results"]) == len(body["mutations"])
        assert all(r["status"] in ("applied", "duplicate", "merged", "conflict", "rejected", "forbidden", "gone")
                   for r in payload["results"])
    else:
        assert_error_shape(response)


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_to_push_and_pull_are_a_4xx_or_200(app, promoter, raw):
    api, _ = promoter
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for url in ("/api/sync/push", "/api/sync/pull"):
        response = api.client.post(url, data=raw, content_type="application/json", headers=api.headers)
        assume(response.status_code != 200 or url == "/api/sync/pull")
        assert response.status_code < 500, (url, raw[:100], response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert_error_shape(response)
