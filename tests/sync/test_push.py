"""Push: one result per mutation, idempotent retries, bad input never sinks a batch."""
import json
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from harmony.extensions import db
from harmony.households.models import Household
from harmony.visits.models import Visit
from sync.models import SyncClient, SyncResult
from sync_helpers import first_household, household_fields


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def visit(phone, household_id, **fields):
    return phone.mutation("visit", "create", fields={"household_id": household_id, "form": "home_visit",
                                                      "topics": ["liaison"], "notes": "ok", **fields})


def test_create_household_then_retry_returns_the_same_results(app, demo, phone):
    p = phone()
    batch = [p.mutation("household", "create", fields=household_fields(demo.grids[0])),
             p.mutation("household", "create", fields=household_fields(demo.grids[0], address="河埠头2号"))]
    first = p.push(batch)
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    assert all(r["version"] == 1 and r["server_seq"] > 0 for r in first["results"])
    assert first["last_mid"] == 2
    before = count(app, Household)
    again = p.push(batch)  # the first response was "lost": same batch again
    assert again == first
    assert count(app, Household) == before


def test_retry_of_part_of_a_batch_plus_new_mutations(app, demo, phone):
    p = phone()
    household_id = first_household(app, demo.grids[0])
    a, b = visit(p, household_id), visit(p, household_id)
    first = p.push([a, b])
    c = visit(p, household_id)
    second = p.push([b, c])
    assert second["results"][0] == first["results"][1]
    assert second["results"][1]["status"] == "applied"
    assert count(app, Visit) == 3


def test_bad_mutation_does_not_sink_the_batch_and_advances_last_mid(app, demo, phone):
    p = phone()
    household_id = first_household(app, demo.grids[0])
    batch = [visit(p, household_id), visit(p, household_id, form="telepathy"), visit(p, household_id),
             p.mutation("household", "create", fields=household_fields(demo.grids[0], member_count="many"))]
    body = p.push(batch)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["applied", "rejected", "applied", "rejected"]
    assert "form" in body["results"][1]["errors"]
    assert "member_count" in body["results"][3]["errors"]
    assert body["last_mid"] == batch[-1]["mid"]
    assert count(app, Visit) == 2
    assert p.push(batch) == body


def test_unknown_table_field_and_pull_only_tables_are_rejected_by_name(app, demo, phone):
    p = phone()
    household_id = first_household(app, demo.grids[0])
    results = p.push([
        p.mutation("secret_table", "create", fields={}),
        p.mutation("household", "update", household_id, {"address": "x", "is_admin": True}, base_version=1),
        p.mutation("place", "create", fields={"code": "X"}),
        p.mutation("visit", "update", fields={"notes": "changed"}),
        p.mutation("household", "create", fields=household_fields(demo.grids[0], grid_code="G")),
    ])["results"]
    assert [r["status"] for r in results] == ["rejected"] * 5
    assert "table" in results[0]["errors"]
    assert list(results[1]["errors"]) == ["is_admin"]
    assert "op" in results[2]["errors"] and "op" in results[3]["errors"]
    assert list(results[4]["errors"]) == ["grid_code"]


def test_out_of_scope_writes_are_forbidden(app, demo, phone):
    p = phone()
    other_grid = demo.grids[1]
    other_household = first_household(app, other_grid)
    results = p.push([
        p.mutation("household", "create", fields=household_fields(other_grid)),
        p.mutation("household", "update", other_household, {"address": "x"}, base_version=1),
        visit(p, other_household),
        visit(p, str(uuid.uuid4())),
        p.mutation("household", "delete", first_household(app, demo.grids[0])),  # promoters may not delete
    ])["results"]
    assert [r["status"] for r in results] == ["forbidden"] * 5
    assert count(app, Visit) == 0


def test_update_of_a_deleted_household_is_gone(app, demo, phone, login):
    household_id = first_household(app, demo.grids[0])
    assert login("demo-admin").delete(f"/api/households/{household_id}").status_code == 204
    result = phone().push_one("household", "update", household_id, {"address": "新地址"}, base_version=1)
    assert result["status"] == "gone"
    assert result["version"] == 2


def test_same_visit_from_a_new_client_is_a_duplicate(app, demo, phone):
    household_id = first_household(app, demo.grids[0])
    p = phone()
    m = visit(p, household_id)
    first = p.push([m])["results"][0]
    reinstalled = phone()
    second = reinstalled.push([{**m, "mid": 1}])["results"][0]
    assert second["status"] == "duplicate"
    assert (second["version"], second["server_seq"]) == (first["version"], first["server_seq"])
    assert count(app, Visit) == 1


def test_visit_fields_are_stored_with_the_phone_time_and_server_time(app, demo, phone, clock):
    household_id = first_household(app, demo.grids[0])
    p = phone()
    m = visit(p, household_id, answered_on_spot=True)
    m["client_ts"] = "2026-10-30T09:15:00+08:00"
    assert p.push([m, visit(p, household_id)])["results"][0]["status"] == "applied"
    with app.app_context():
        stored = db.session.get(Visit, m["id"])
        assert stored.occurred_at.isoformat() == "2026-10-30T01:15:00+00:00"
        assert stored.received_at == clock.now()
        assert stored.grid_id == demo.grids[0] and stored.answered_on_spot is True
        assert stored.promoter_id == p.api.user["id"]


def test_malformed_envelope_is_400_with_fields_and_stores_nothing(app, demo, phone):
    p = phone()
    good = p.mutation("household", "create", fields=household_fields(demo.grids[0]))
    bad = {**p.mutation("household", "create"), "mid": 1, "client_ts": "yesterday"}
    response = p.api.post("/api/sync/push", json={"client_id": "not-a-uuid", "schema_version": 1,
                                                   "mutations": [good, bad, "x"]})
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert {"client_id", "mutations.1.mid", "mutations.1.client_ts", "mutations.2"} <= set(fields)
    for body in (b"{not json", b"[]", json.dumps({"client_id": p.client_id, "schema_version": 1}).encode()):
        response = p.api.post("/api/sync/push", data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] == "malformed_envelope"
    assert count(app, SyncClient) == 0 and count(app, SyncResult) == 0 and count(app, Household) == 360


def test_over_size_batches_get_413_with_the_limit(app, demo, phone):
    p = phone()
    app.config["SYNC_MAX_MUTATIONS"] = 3
    response = p.api.post("/api/sync/push", json={"client_id": p.client_id, "schema_version": 1,
                                                   "mutations": [p.mutation("visit", "create") for _ in range(4)]})
    assert response.status_code == 413
    assert "3" in response.get_json()["error"]["message"]
    app.config["SYNC_MAX_BYTES"] = 1000
    big = [p.mutation("visit", "create", fields={"notes": "x" * 2000})]
    response = p.api.post("/api/sync/push", json={"client_id": p.client_id, "schema_version": 1, "mutations": big})
    assert response.status_code == 413
    assert "1000 bytes" in response.get_json()["error"]["message"]
    assert count(app, SyncClient) == 0


def test_unknown_schema_version_gets_426(app, demo, phone):
    p = phone()
    body = p.push([p.mutation("visit", "create")], status=426, schema_version=99)
    assert body["error"]["code"] == "upgrade_required"


def test_a_client_id_presented_by_another_user_is_403(app, demo, phone):
    p = phone()
    p.push([p.mutation("household", "create", fields=household_fields(demo.grids[0]))])
    thief = phone("demo-gridhead", client_id=p.client_id)
    body = thief.push([thief.mutation("household", "create", fields=household_fields(demo.grids[0]))], status=403)
    assert body["error"]["code"] == "client_taken"
    thief.pull(status=403)
    # The same user on a new device token keeps the client.
    again = phone(client_id=p.client_id, device_name="re-login")
    assert again.pull()["last_mid"] == 1


def test_push_requires_a_log_in(client):
    response = client.post("/api/sync/push", json={})
    assert response.status_code == 401


def test_results_are_pruned_after_the_retention(app, demo, phone, clock):
    p = phone()
    household_id = first_household(app, demo.grids[0])
    old = visit(p, household_id)
    p.push([old])
    clock.advance(timedelta(days=91))
    p.push([visit(p, household_id)])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SyncResult)) == 1
    replay = p.push([old])["results"][0]
    assert replay["status"] == "duplicate" and replay["mid"] == old["mid"]
    assert count(app, Visit) == 2


def test_bulk_batch_of_visits_is_one_insert_with_consecutive_sequence_numbers(app, demo, phone, monkeypatch):
    import sync.service

    def no_slow_path(*args):
        raise AssertionError("a clean batch of visits must take the bulk path")

    monkeypatch.setattr(sync.service, "_apply_one", no_slow_path)
    p = phone()
    household_id = first_household(app, demo.grids[0])
    results = p.push([visit(p, household_id) for _ in range(50)])["results"]
    seqs = [r["server_seq"] for r in results]
    assert seqs == list(range(seqs[0], seqs[0] + 50))
    assert all(r["status"] == "applied" for r in results)


def test_a_mixed_batch_takes_the_bulk_path_for_its_runs_of_visits(app, demo, phone, monkeypatch):
    """Visits, a case, a visit linked to that case, more visits: each run of plain visits is
    one bulk insert; the case and the linked visit go one by one; results and sequence
    numbers follow the batch's order."""
    import sync.service

    one_by_one = []
    apply_one = sync.service._apply_one
    monkeypatch.setattr(sync.service, "_apply_one", lambda ctx, m: one_by_one.append(m["table"]) or apply_one(ctx, m))
    p = phone()
    household_id = first_household(app, demo.grids[0])
    batch = [visit(p, household_id) for _ in range(3)]
    case = p.mutation("case", "create", fields={
        "grid_id": demo.grids[0], "title": "邻里漏水纠纷", "category": "neighbour", "description": "楼上漏水",
        "parties": [{"name": "张三", "role": "申请人"}], "priority": "normal", "source": "visit"})
    batch += [case, visit(p, household_id, case_ids=[case["id"]])]
    batch += [visit(p, household_id) for _ in range(4)]
    results = p.push(batch)["results"]
    assert [r["status"] for r in results] == ["applied"] * 9
    assert [r["mid"] for r in results] == [m["mid"] for m in batch]
    seqs = [r["server_seq"] for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == 9
    assert one_by_one == ["case", "visit"]
    with app.app_context():
        assert db.session.get(Visit, batch[4]["id"]).case_ids == [case["id"]]
        assert db.session.scalar(select(func.count()).select_from(Visit).where(
            Visit.id.in_([m["id"] for m in batch if m["table"] == "visit"]))) == 8


def test_bulk_and_per_mutation_paths_agree(app, demo, phone):
    """The same visits through the bulk path and the savepoint path store the same rows."""
    household_id = first_household(app, demo.grids[0])
    p = phone()
    bulk = [visit(p, household_id, topics=["mediation", "safety", "mediation"], notes="n1"), visit(p, household_id)]
    p.push(bulk)
    app.config["SYNC_BULK"] = False
    slow = [{**m, "id": str(uuid.uuid4()), "mid": m["mid"] + 10} for m in bulk]
    p.push(slow)
    columns = ("household_id", "grid_id", "promoter_id", "device_id", "occurred_at", "received_at", "form",
               "topics", "notes", "answered_on_spot", "case_ids", "version", "deleted")
    with app.app_context():
        for a, b in zip(bulk, slow):
            va, vb = db.session.get(Visit, a["id"]), db.session.get(Visit, b["id"])
            assert {c: getattr(va, c) for c in columns} == {c: getattr(vb, c) for c in columns}


def test_sync_prune_command_deletes_results_past_the_retention(app, demo, phone, clock):
    p = phone()
    p.push([visit(p, first_household(app, demo.grids[0]))])
    runner = app.test_cli_runner()
    assert "Deleted 0" in runner.invoke(args=["sync-prune"]).output
    clock.advance(timedelta(days=91))
    assert "Deleted 1" in runner.invoke(args=["sync-prune"]).output
    assert count(app, SyncResult) == 0
