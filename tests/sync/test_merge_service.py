"""The real server against the model server of test_merge.py: random offline edits of one
household from several phones, interleaved and re-sent, give the state and the results the
pure merge rules predict; every mutation has exactly one result however often it is sent."""
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmony.extensions import db
from harmony.households.models import Household
from sync.merge import LWW, MANUAL, changed_since, merge
from sync.models import SyncConflict
from sync_helpers import Phone

POLICIES = {"address": LWW, "member_count": LWW, "phone": MANUAL}
VALUES = {"address": st.sampled_from(["东路1号", "西路2号", "南路3号"]), "member_count": st.integers(1, 3),
          "phone": st.sampled_from(["13800000001", "13800000002", "13800000003"])}
edit = st.fixed_dictionaries({}, optional=VALUES).filter(bool)
phones_strategy = st.lists(st.lists(edit, min_size=1, max_size=3), min_size=2, max_size=3)


@st.composite
def deliveries(draw, phones):
    positions, order = [0] * len(phones), []
    while any(p < len(e) for p, e in zip(positions, phones)):
        i = draw(st.sampled_from([i for i, (p, e) in enumerate(zip(positions, phones)) if p < len(e)]))
        positions[i] += 1
        order.append((i, positions[i]))
        if draw(st.booleans()):
            start = draw(st.integers(1, positions[i]))
            order.extend((i, k) for k in range(start, positions[i] + 1))
    return order


def predict(initial, phones, order):
    values, version, log, last, results, conflicts = dict(initial), 1, [], {}, {}, 0
    for i, mid in order:
        if mid <= last.get(i, 0):
            continue
        fields = phones[i][mid - 1]
        out = merge(POLICIES, 1, version, changed_since(log, 1, i), values, fields)
        if out.apply:
            version += 1
            log.append((version, {k: [values[k], v] for k, v in out.apply.items()}, i))
            values.update(out.apply)
        conflicts += len(out.conflicts)
        results[(i, mid)] = (out.status, version, [c.field for c in out.conflicts])
        last[i] = mid
    return values, version, results, conflicts


def test_the_server_does_what_the_merge_rules_predict(app, demo, login):
    apis = [login(name) for name in ("demo-promoter", "demo-gridhead", "demo-village")]
    grid = demo.grids[0]

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data(), phones_strategy)
    def check(data, edits):
        order = data.draw(deliveries(edits))
        with app.app_context():
            household = Household(id=str(uuid.uuid4()), grid_id=grid, address="起点路0号", head_name="王伟", phone=None,
                                  member_count=1, care_tags=[], created_at=app.extensions["harmony_clock"].now())
            db.session.add(household)
            db.session.commit()
            household_id = household.id
        phones = [Phone(apis[i]) for i in range(len(edits))]
        mutations = [[p.mutation("household", "update", household_id, fields, base_version=1) for fields in e]
                     for p, e in zip(phones, edits)]
        answers = {}
        for i, mid in order:
            result = phones[i].push([mutations[i][mid - 1]])["results"][0]
            answers.setdefault((i, mid), []).append(result)
        values, version, results, conflicts = predict({"address": "起点路0号", "member_count": 1, "phone": None},
                                                      edits, order)
        for key, got in answers.items():
            assert all(r == got[0] for r in got), "a re-sent mutation got a different answer"
            status, expected_version, fields = results[key]
            assert (got[0]["status"], got[0]["version"]) == (status, expected_version)
            assert [c["field"] for c in got[0].get("conflicts", [])] == fields
        assert len(answers) == sum(len(e) for e in edits)
        with app.app_context():
            stored = db.session.get(Household, household_id)
            assert {k: getattr(stored, k) for k in POLICIES} == values
            assert stored.version == version
            assert db.session.query(SyncConflict).filter_by(record_id=household_id).count() == conflicts

    check()
