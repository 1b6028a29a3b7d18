"""Schemathesis against /api/openapi.json as several roles: no 5xx, every error in the one error shape.

Bounded here (HARMONY_FUZZ_EXAMPLES per operation and generation mode, default 4; SQLite only
unless HARMONY_FUZZ_ALL_DATABASES=1: the API code under test is the same); by hand:
    HARMONY_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/hostile/test_hostile_schemathesis.py -m slow
"""
import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("HARMONY_FUZZ_EXAMPLES", "4"))
ROLES = ("demo-promoter", "demo-gridhead", "demo-township", "demo-admin", None)
# Revoking one's own token would log the fuzzer out; both are covered by explicit tests.
SKIP = {("POST", "/api/auth/logout"), ("DELETE", "/api/auth/devices/{device_id}")}


def error_shape_problem(response):
    try:
        body = response.json()
    except Exception:
        return f"not JSON: {response.text[:200]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"}:
        return f"no error object: {body!r:.200}"
    if set(error) != {"code", "message", "fields"} or not isinstance(error["fields"], dict) \
            or not isinstance(error["code"], str) or not isinstance(error["message"], str):
        return f"wrong error shape: {error!r:.200}"
    return None


def test_fuzz_every_operation_as_every_role(app, demo, login, db_kind):
    if db_kind != "sqlite" and os.environ.get("HARMONY_FUZZ_ALL_DATABASES") != "1":
        pytest.skip("the bounded fuzz runs on SQLite; HARMONY_FUZZ_ALL_DATABASES=1 runs it here too")
    tokens = {name: login(name).token for name in ROLES if name}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures, calls, operations = [], [0], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        operations.append(operation)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode), role=st.sampled_from(ROLES))
            def check(case, role):
                headers = dict(case.headers or {})
                headers.pop("Authorization", None)
                if role:
                    headers["Authorization"] = f"Bearer {tokens[role]}"
                case.headers = headers
                where = f"{case.method} {case.formatted_path} as {role or 'anonymous'} ({mode.value})"
                calls[0] += 1
                try:
                    response = case.call()  # the test app re-raises server errors instead of answering 500
                except Exception as exc:
                    failures.append(f"{where}: raised {exc!r:.300}")
                    return
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code} {response.text[:300]}")
                elif response.status_code >= 400 and case.method != "HEAD":
                    problem = error_shape_problem(response)
                    if problem:
                        failures.append(f"{where}: {response.status_code} {problem}")

            started = time.monotonic()
            try:
                check()
            except Exception as exc:  # a generation error is a finding too, not a crash of the run
                if "Unsatisfiable" not in type(exc).__name__:
                    failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc!r:.300}")
            if os.environ.get("HARMONY_FUZZ_VERBOSE"):
                print(f"{time.monotonic() - started:6.2f}s {operation.method.upper()} {operation.path} {mode.value}")
    assert len(operations) >= 20
    assert calls[0] >= len(operations)
    assert not failures, "\n".join(failures[:30])
