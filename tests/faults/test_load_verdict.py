"""The load bench's verdict: a run passes only when nothing is lost or repeated and p95 push meets its target."""
from bench.load import load_verdict

GOOD = {"lost": 0, "duplicated": 0, "http_500": 0, "phone_errors": [], "pull_gaps": 0, "pull_repeats": 0,
        "push_ms": {"p50": 80.0, "p95": 400.0, "p99": 900.0}}


def test_a_clean_run_on_target_passes():
    assert load_verdict(GOOD, 1000) == "PASS"


def test_a_clean_run_over_the_latency_target_fails():
    # 2026-11: 1,174 pushes with p95 1.49 s still printed PASS, because only losses counted.
    slow = {**GOOD, "push_ms": {**GOOD["push_ms"], "p95": 1490.0}}
    assert load_verdict(slow, 1000) == "FAIL: p95 push 1490.0 ms > target 1000 ms"
    assert load_verdict(slow, 0) == "PASS"  # no target asked for


def test_every_broken_promise_is_named():
    bad = {**GOOD, "lost": 2, "pull_gaps": 1, "phone_errors": ["boom"]}
    assert load_verdict(bad, 1000) == "FAIL: lost, phone_errors, pull_gaps"


def test_a_run_where_no_push_was_answered_fails():
    silent = {**GOOD, "push_ms": {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}}
    assert load_verdict(silent, 1000) == "FAIL: p95 push nan ms > target 1000 ms"
