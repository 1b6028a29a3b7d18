"""The merge rules, pure: examples and Hypothesis properties over a model server."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.merge import LWW, MANUAL, SERVER, changed_since, merge

POLICIES = {"a": LWW, "b": LWW, "p": MANUAL, "q": MANUAL, "s": SERVER}
INITIAL = {"a": 0, "b": 0, "p": 0, "q": 0, "s": 0}


def test_current_base_applies_everything_but_server_fields():
    out = merge(POLICIES, 3, 3, {}, {"a": 0, "p": 0, "s": 0}, {"a": 1, "p": 2, "s": 9})
    assert out.status == "applied"
    assert out.apply == {"a": 1, "p": 2}
    assert out.ignored == ("s",)


def test_stale_base_with_disjoint_fields_merges():
    since = changed_since([(2, {"b": [0, 5]}, "other")], 1)
    out = merge(POLICIES, 1, 2, since, {"a": 0, "p": 0}, {"a": 1, "p": 1})
    assert (out.status, out.apply, out.conflicts) == ("merged", {"a": 1, "p": 1}, ())


def test_same_field_lww_takes_the_later_arrival():
    since = changed_since([(2, {"a": [0, 5]}, "other")], 1)
    out = merge(POLICIES, 1, 2, since, {"a": 5}, {"a": 7})
    assert (out.status, out.apply) == ("merged", {"a": 7})


def test_same_field_manual_keeps_server_and_reports_base_server_client():
    since = changed_since([(2, {"p": ["base", "srv"]}, "other"), (3, {"p": ["srv", "srv2"]}, "other")], 1)
    out = merge(POLICIES, 1, 3, since, {"p": "srv2", "a": 0}, {"p": "mine", "a": 1})
    assert out.status == "conflict"
    assert out.apply == {"a": 1}
    assert [(c.field, c.base, c.server, c.client) for c in out.conflicts] == [("p", "base", "srv2", "mine")]


def test_agreeing_values_are_no_conflict():
    since = changed_since([(2, {"p": [0, 4]}, "other")], 1)
    assert merge(POLICIES, 1, 2, since, {"p": 4}, {"p": 4}) == merge(POLICIES, 1, 2, since, {"p": 4}, {})


def test_own_earlier_edits_are_not_news():
    since = changed_since([(2, {"p": [0, 4]}, "me"), (3, {"b": [0, 1]}, "other")], 1, client_id="me")
    assert since == {"b": 0}


def test_base_ahead_of_server_is_refused():
    with pytest.raises(ValueError):
        merge(POLICIES, 5, 4, {}, {}, {"a": 1})


# ---- a model server: the merge rules plus the idempotency log, as the real one uses them

class ModelServer:
    def __init__(self):
        self.values = dict(INITIAL)
        self.version = 1
        self.log = []
        self.last_mid = {}
        self.results = {}
        self.conflicts = []

    def receive(self, client, mid, base, fields):
        if mid <= self.last_mid.get(client, 0):
            return self.results[(client, mid)]
        since = changed_since(self.log, base, client)
        out = merge(POLICIES, base, self.version, since, self.values, fields)
        if out.apply:
            self.version += 1
            self.log.append((self.version, {k: [self.values[k], v] for k, v in out.apply.items()}, client))
            self.values.update(out.apply)
        self.conflicts.extend((client, mid, c.field) for c in out.conflicts)
        result = (out.status, self.version, tuple(c.field for c in out.conflicts))
        self.results[(client, mid)] = result
        self.last_mid[client] = mid
        return result


field_values = st.dictionaries(st.sampled_from(sorted(POLICIES)), st.integers(0, 3), min_size=1, max_size=3)
clients_strategy = st.lists(st.lists(field_values, min_size=1, max_size=4), min_size=1, max_size=3)


@st.composite
def deliveries(draw, clients):
    """An interleaving of every client's mutations in its own order, with re-sends mixed in."""
    positions = [0] * len(clients)
    order = []
    while any(p < len(c) for p, c in zip(positions, clients)):
        ready = [i for i, (p, c) in enumerate(zip(positions, clients)) if p < len(c)]
        i = draw(st.sampled_from(ready))
        positions[i] += 1
        order.append((i, positions[i]))
        if draw(st.booleans()):  # a lost response: re-send some already-sent mutations of this client
            start = draw(st.integers(1, positions[i]))
            order.extend((i, k) for k in range(start, positions[i] + 1))
    return order


def run(clients, order):
    server = ModelServer()
    answers = {}
    for i, mid in order:
        result = server.receive(f"c{i}", mid, 1, clients[i][mid - 1])
        answers.setdefault((i, mid), set()).add(result)
    return server, answers


@settings(max_examples=150, deadline=None)
@given(st.data(), clients_strategy)
def test_resends_never_change_state_and_each_mutation_has_one_result(data, clients):
    order = data.draw(deliveries(clients))
    server, answers = run(clients, order)
    first_arrivals = list(dict.fromkeys(order))
    clean, clean_answers = run(clients, first_arrivals)
    assert server.values == clean.values and server.version == clean.version
    assert server.conflicts == clean.conflicts
    total = sum(len(c) for c in clients)
    assert len(answers) == total and all(len(a) == 1 for a in answers.values())
    assert answers == clean_answers


@settings(max_examples=150, deadline=None)
@given(st.data(), st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=4), min_size=1, max_size=4))
def test_edits_of_disjoint_fields_give_the_same_state_in_any_order(data, per_client_values):
    names = ["a", "b", "p", "q"][:len(per_client_values)]
    clients = [[{names[i]: v} for v in values] for i, values in enumerate(per_client_values)]
    server, _ = run(clients, data.draw(deliveries(clients)))
    other, _ = run(clients, data.draw(deliveries(clients)))
    expected = dict(INITIAL, **{names[i]: values[-1] for i, values in enumerate(per_client_values)})
    assert server.values == other.values == expected
    assert server.conflicts == []


@settings(max_examples=150, deadline=None)
@given(st.data(), clients_strategy)
def test_manual_and_server_fields_never_change_silently(data, clients):
    server, _ = run(clients, data.draw(deliveries(clients)))
    assert server.values["s"] == 0  # server-owned: phones never write it
    applied_p = [(v, fields) for v, fields, _ in server.log if "p" in fields]
    for version, fields in applied_p[1:]:
        # A later phone value of p only lands when that phone had seen every earlier p change,
        # which with offline base 1 means it made them itself.
        authors = {c for v, f, c in server.log if "p" in f and v <= version}
        assert len(authors) == 1
