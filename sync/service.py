"""Push and pull: idempotent batched writes, gap-safe cursor reads, field merges, conflicts."""
import hashlib
import heapq
import importlib
import itertools
import json
import logging
from datetime import timedelta, timezone

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import ValidationError
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from harmony import jsonio
from harmony.access import STAFF_ROLES, require_grid, require_role
from harmony.cases.models import Case, CaseEvent
from harmony.clock import now
from harmony.dbtypes import UTCDateTime
from harmony.errors import Conflict, Forbidden, Invalid, NotFound, RuleBroken
from harmony.extensions import db
from harmony.households import service as households
from harmony.households.models import Household, HouseholdMove
from harmony.households.schemas import HouseholdSchema, HouseholdUpdateSchema
from harmony.households.visit_days import record_visits
from harmony.versioning import allocate_seq, current_seq
from harmony.visits.models import Visit, VisitAnnotation
from harmony.visits.service import visit_field_errors
from sync import merge as rules
from sync.models import SyncClient, SyncConflict, SyncRecordChange, SyncResult, jsonable
from sync.schemas import is_uuid
from sync.tables import ENVELOPE_COLUMNS, TABLES, alert_model, pull_conditions

log = logging.getLogger(__name__)
VISIT_ROLES = ("promoter", "grid_head", "village_cadre", "liaison_cadre", "admin")
CONFLICT_RESOLVER_ROLES = STAFF_ROLES
NOTES_MAX = 4000
PULL_ORDER = ("place", "household", "visit", "visit_annotation", "case", "case_event", "alert", "sync_conflict")


class Gone(Exception):
    def __init__(self, record):
        super().__init__("The record was deleted.")
        self.record = record


def _optional(module, name):
    """Return a service function of a domain package that may not exist yet."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ModuleNotFoundError, AttributeError):
        return None


# ---------------------------------------------------------------- clients

def bind_client(client_id, user_id, device_id):
    """Return the SyncClient row for client_id, locked, binding it to the user on first use."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    db.session.execute(
        dialect_insert(SyncClient).values(id=client_id, user_id=user_id, device_id=device_id, last_mid=0,
                                          created_at=now()).on_conflict_do_nothing(index_elements=["id"])
    )
    client = db.session.scalar(select(SyncClient).where(SyncClient.id == client_id)
                               .with_for_update().execution_options(populate_existing=True))
    if client.user_id != user_id:
        raise Forbidden("This client_id belongs to another user; make a new one for this account.",
                        code="client_taken")
    if client.device_id != device_id:
        client.device_id = device_id
    return client


# ---------------------------------------------------------------- push

def push(user_id, device_id, scope, body, may_contain_nul=True):
    """Apply a validated push envelope; return {"results": [...], "last_mid": n}.

    `may_contain_nul=False` (the raw JSON had no "\\u0000") skips the per-field NUL scan.
    """
    client = bind_client(body["client_id"], user_id, device_id)
    mutations = body["mutations"]
    stamp = now()
    results = {}
    last_mid = client.last_mid
    old = [m["mid"] for m in mutations if m["mid"] <= last_mid]
    if old:
        stored = dict(db.session.execute(select(SyncResult.mid, SyncResult.result).where(
            SyncResult.client_id == client.id, SyncResult.mid.in_(old))).all())
        for mid in old:
            if mid in stored:
                results[mid] = json.loads(stored[mid])
            else:
                results[mid] = {"mid": mid, "status": "duplicate",
                                "message": "Already processed; its stored result has expired."}
    new = [m for m in mutations if m["mid"] > last_mid]
    if new:
        ctx = PushContext(scope, user_id, device_id, client.id, stamp, may_contain_nul)
        fresh = _apply_batch(ctx, new)
        connection = db.session.connection()
        stamp_value = (_time_text if connection.dialect.name == "sqlite" else _time_naive)(stamp)
        fast_insert(connection, SyncResult.__table__, ("client_id", "mid", "result", "created_at"),
                    [(client.id, r["mid"], encode_result(r), stamp_value) for r in fresh], converted=True)
        for r in fresh:
            results[r["mid"]] = r
        client.last_mid = new[-1]["mid"]
        client.last_push_at = stamp
        pruned = current_app.extensions.setdefault("sync_last_prune", [None])
        if pruned[0] is None or stamp - pruned[0] >= timedelta(hours=1):  # at most hourly per process
            prune_results(stamp)
            pruned[0] = stamp
    db.session.flush()
    counts = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    log.info("push from client %s (user %s): %s", client.id, user_id, counts)
    return {"results": [results[m["mid"]] for m in mutations], "last_mid": client.last_mid}


def encode_result(result):
    """Return a result as the JSON text the idempotency log stores."""
    return jsonio.dumps(result).decode()


def prune_results(at=None):
    """Delete stored push results older than the retention; return how many."""
    days = current_app.config["SYNC_RESULT_RETENTION_DAYS"]
    cutoff = (at or now()) - timedelta(days=days)
    return db.session.execute(delete(SyncResult).where(SyncResult.created_at < cutoff)).rowcount


class PushContext:
    def __init__(self, scope, user_id, device_id, client_id, stamp, may_contain_nul=True):
        self.scope, self.user_id, self.device_id, self.client_id, self.stamp = scope, user_id, device_id, client_id, stamp
        self.may_contain_nul = may_contain_nul


def _result(m, status, record=None, **extra):
    out = {"mid": m["mid"], "status": status, "table": m["table"], "id": m["id"],
           "version": getattr(record, "version", None), "server_seq": getattr(record, "server_seq", None)}
    out.update({k: v for k, v in extra.items() if v})
    return out


def _apply_batch(ctx, mutations):
    """Return the results of `mutations`, applied in order.

    Runs of plain visit creates go through the bulk path; everything else, and a run the
    bulk path declines, one by one. A typical phone batch is twenty visits and a case: on
    PostgreSQL every push holds the sequence counter until it commits, so the visits
    going one by one (~65 ms of ~106 ms) kept every other phone waiting.
    """
    bulk = current_app.config.get("SYNC_BULK", True)
    results, counter_locked = [], False
    for plain_visits, run in itertools.groupby(mutations, key=_plain_visit_create):
        run = list(run)
        done = _bulk_visits(ctx, run) if bulk and plain_visits else None
        if done is None:
            if not counter_locked:
                _lock_counter()
                counter_locked = True
            db.session.info["sync_client_id"] = ctx.client_id  # the change log notes whose edit it was
            try:
                done = [_apply_one(ctx, m) for m in run]
            finally:
                db.session.info.pop("sync_client_id", None)
        results.extend(done)
    return results


def _lock_counter():
    """Take the sequence counter's lock before a handler may lock a record (PostgreSQL).

    Every ORM flush takes the counter, so a handler that locked a record (FOR UPDATE)
    first could deadlock with a request holding the counter. The bulk path locks no
    record before it allocates, so it takes the counter only when it writes: its checks
    run while other phones' pushes hold the counter, which every push needs until commit.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT value FROM sync_counter WHERE id = 1 FOR UPDATE"))


def _plain_visit_create(m):
    """A candidate for the bulk path (which still checks it fully)."""
    fields = m.get("fields")
    return m["table"] == "visit" and m["op"] == "create" and not (isinstance(fields, dict) and fields.get("case_ids"))


def _apply_one(ctx, m):
    """Apply one mutation inside a savepoint; return its result (never raise for bad input)."""
    table = TABLES.get(m["table"])
    if table is None or table.model is None:
        return _result(m, "rejected", errors={"table": [f"Unknown table. Known: {', '.join(sorted(TABLES))}."]},
                       message="Unknown table.")
    if m["op"] not in table.ops:
        allowed = ", ".join(table.ops) or "none (pull only)"
        return _result(m, "rejected", errors={"op": [f"Not allowed on {table.name}; allowed: {allowed}."]},
                       message="Operation not allowed.")
    nul_fields = ctx.may_contain_nul and sorted(k for k, v in (m.get("fields") or {}).items() if _contains_nul(v))
    if nul_fields:
        # PostgreSQL text cannot hold NUL; refuse it on every database so phones see one rule.
        return _result(m, "rejected", errors={k: ["Text must not contain the NUL character."] for k in nul_fields},
                       message="Some fields are invalid.")
    handler = HANDLERS[(table.name, m["op"])]
    try:
        with db.session.begin_nested():
            status, record, extra = handler(ctx, table, m)
    except Invalid as exc:
        return _result(m, "rejected", errors=exc.fields, message=exc.message)
    except (NotFound, Forbidden) as exc:
        return _result(m, "forbidden", message=exc.message)
    except Gone as exc:
        return _result(m, "gone", exc.record, message="The record was deleted.")
    except (RuleBroken, Conflict) as exc:
        return _result(m, "rejected", errors=exc.fields, message=exc.message)
    except IntegrityError as exc:
        log.info("mutation %s of client %s violates a constraint: %s", m["mid"], ctx.client_id, exc.orig)
        return _result(m, "rejected", message="The record breaks a database constraint (a missing or duplicate reference).")
    return _result(m, status, record, **extra)


def _contains_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def _fields(m, allowed):
    fields = m.get("fields") or {}
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise Invalid("Unknown field.", fields={f: ["Unknown field for this table and operation."] for f in unknown})
    return fields


def _require_create_id(m):
    if not is_uuid(m["id"]):
        raise Invalid("A new record's id must be a UUID made on the phone.", fields={"id": ["Must be a UUID."]})


def _load(schema, fields):
    try:
        return schema.load(fields)
    except ValidationError as exc:
        raise Invalid("Some fields are invalid.", fields=exc.messages) from None


def _locked(model, record_id):
    return db.session.scalar(select(model).where(model.id == record_id).with_for_update()
                             .execution_options(populate_existing=True))


def _outcome(ctx, table, record, m, fields):
    base = m.get("base_version")
    if base is None:
        raise Invalid("An update needs the version it was made from.", fields={"base_version": ["Required for updates."]})
    if base > record.version:
        raise Invalid("base_version is newer than the server's record.",
                      fields={"base_version": [f"The server has version {record.version}."]})
    history = []
    if base < record.version:
        rows = db.session.execute(select(SyncRecordChange.version, SyncRecordChange.changes,
                                         SyncRecordChange.client_id).where(
            SyncRecordChange.table_name == table.name, SyncRecordChange.record_id == str(record.id),
            SyncRecordChange.version > base)).all()
        history = [tuple(r) for r in rows]
    since = rules.changed_since(history, base, ctx.client_id)
    server_values = {name: jsonable(getattr(record, name)) for name in fields}
    return rules.merge(table.policies, base, record.version, since, server_values, fields)


def _record_conflicts(ctx, table, record, m, outcome, grid_id):
    made = []
    for c in outcome.conflicts:
        conflict = SyncConflict(table_name=table.name, record_id=str(record.id), field=c.field,
                                base_version=m["base_version"], base_value=c.base, server_value=c.server,
                                client_value=c.client, grid_id=grid_id, user_id=ctx.user_id,
                                client_id=ctx.client_id, mid=m["mid"], status="open", created_at=ctx.stamp)
        db.session.add(conflict)
        made.append(conflict)
    if made:
        db.session.flush()
        log.info("conflict on %s %s fields %s", table.name, record.id, [c.field for c in made])
    return [{"field": c.field, "conflict_id": c.id} for c in made]


def _extra(outcome, conflicts):
    return {"conflicts": conflicts, "ignored": list(outcome.ignored)}


# households

def household_create(ctx, table, m):
    _require_create_id(m)
    fields = _fields(m, table.create_fields)
    existing = db.session.get(Household, m["id"])
    if existing is not None:
        if not ctx.scope.sees_grid(existing.grid_id):
            raise NotFound("No such household.")
        if existing.deleted:
            raise Gone(existing)
        # A create that reaches the server twice (e.g. from a reinstalled phone): lay it over version 1.
        for name in ("grid_id", "code"):
            if name in fields and fields[name] != getattr(existing, name):
                raise Invalid("The household exists with another value.", fields={name: ["Cannot be changed by sync."]})
        rest = {k: v for k, v in fields.items() if k not in ("grid_id", "code")}
        version = existing.version
        status, record, extra = household_update(ctx, table, {**m, "fields": rest, "base_version": m.get("base_version") or 1})
        return ("duplicate" if record.version == version and not extra.get("conflicts") else status), record, extra
    data = _load(HouseholdSchema(), fields)
    grid_id = data.pop("grid_id")
    return "applied", households.create_household(ctx.scope, grid_id, data, household_id=m["id"]), {}


def household_update(ctx, table, m):
    require_role(ctx.scope, *households.EDITOR_ROLES)
    fields = _fields(m, table.policies)
    record = _locked(Household, m["id"])
    if record is None or not ctx.scope.sees_grid(record.grid_id):
        raise NotFound("No such household.")
    if record.deleted:
        raise Gone(record)
    _load(HouseholdUpdateSchema(), fields)
    outcome = _outcome(ctx, table, record, m, fields)
    if outcome.apply:
        households.update_household(ctx.scope, record.id, outcome.apply)
    conflicts = _record_conflicts(ctx, table, record, m, outcome, record.grid_id)
    return outcome.status, record, _extra(outcome, conflicts)


def household_delete(ctx, table, m):
    record = db.session.get(Household, m["id"])
    if record is None or not ctx.scope.sees_grid(record.grid_id):
        raise NotFound("No such household.")
    if record.deleted:
        raise Gone(record)
    households.delete_household(ctx.scope, record.id)
    return "applied", record, {}


# visits (append-only)

def check_visit(scope, fields, households_by_id):
    """Return (grid_id, clean fields) for a visit, or raise Invalid/NotFound/Forbidden."""
    errors, clean = visit_field_errors(fields)
    if errors:
        raise Invalid("Some fields are invalid.", fields=errors)
    household = households_by_id.get(clean["household_id"])
    if household is None or not scope.sees_grid(household[0]):
        raise NotFound("No such household.")
    if household[1]:
        raise Invalid("The household was deleted.", fields={"household_id": ["The household was deleted."]})
    return household[0], clean


def _household_rows(ids):
    """Return {id: (grid_id, deleted)} for household ids (strings); straight to the driver, as
    the bulk path asks for up to 500 at once and SQLAlchemy's IN expansion costs more than the query."""
    if not ids:
        return {}
    connection = db.session.connection()
    marker = "?" if connection.dialect.name == "sqlite" else "%s"
    rows = connection.exec_driver_sql(
        f"SELECT id, grid_id, deleted FROM household WHERE id IN ({', '.join([marker] * len(ids))})", tuple(ids))
    return {r[0]: (r[1], bool(r[2])) for r in rows}


def _existing(model, record_id, scope, grid_of):
    record = db.session.get(model, record_id)
    if record is None:
        return None
    if not scope.sees_grid(grid_of(record)):
        raise NotFound("No such record.")
    return record


def visit_create(ctx, table, m):
    _require_create_id(m)
    fields = _fields(m, table.create_fields)
    existing = _existing(Visit, m["id"], ctx.scope, lambda v: v.grid_id)
    if existing is not None:
        return "duplicate", existing, {}
    record_visit = _optional("harmony.visits.service", "record_visit")
    if record_visit is not None:
        return "applied", record_visit(ctx.scope, ctx.user_id, ctx.device_id, m["id"], fields, m["_ts"]), {}
    require_role(ctx.scope, *VISIT_ROLES)
    grid_id, clean = check_visit(ctx.scope, fields, _household_rows([fields.get("household_id")]))
    visit = Visit(id=m["id"], grid_id=grid_id, promoter_id=ctx.user_id, device_id=ctx.device_id,
                  occurred_at=m["_ts"], received_at=ctx.stamp, **clean)
    db.session.add(visit)
    db.session.flush()
    record_visits(db.session.connection(), [(visit.household_id, visit.occurred_at)])
    return "applied", visit, {}


def _bulk_visits(ctx, mutations):
    """Insert a batch made only of good visit creates with one statement; None to fall back.

    Any doubt (another table, a bad field, an existing id, linked cases) falls back to
    the per-mutation path, which gives each mutation its own result.
    """
    if len(mutations) < 2 or not ctx.scope.has_role(*VISIT_ROLES):
        return None
    if _optional("harmony.visits.service", "record_visit") is not None and \
            not getattr(importlib.import_module("harmony.visits.service"), "BULK_SAFE", False):
        return None
    allowed = set(TABLES["visit"].create_fields)
    ids, household_ids = [], set()
    for m in mutations:
        fields = m.get("fields")
        if m["table"] != "visit" or m["op"] != "create" or not is_uuid(m["id"]) or not isinstance(fields, dict) \
                or not allowed.issuperset(fields) or fields.get("case_ids") or (ctx.may_contain_nul and _contains_nul(fields)):
            return None
        household_id = fields.get("household_id")
        if not isinstance(household_id, str):  # (a list or object could not even be collected in a set)
            return None
        ids.append(m["id"])
        household_ids.add(household_id)
    if len(set(ids)) != len(ids):
        return None
    known = _household_rows(sorted(household_ids))
    rows = []
    try:
        for m in mutations:
            grid_id, clean = check_visit(ctx.scope, m["fields"], known)
            rows.append({"id": m["id"], "grid_id": grid_id, "promoter_id": ctx.user_id, "device_id": ctx.device_id,
                         "occurred_at": m["_ts"], "received_at": ctx.stamp, "version": 1, "deleted": False,
                         "updated_at": ctx.stamp, **clean})
    except (Invalid, NotFound, Forbidden):
        return None
    connection = db.session.connection()
    marker = "?" if connection.dialect.name == "sqlite" else "%s"
    taken = connection.exec_driver_sql(f"SELECT id FROM visit WHERE id IN ({', '.join([marker] * len(ids))}) LIMIT 1",
                                       tuple(ids)).first()
    if taken is not None:
        return None
    first = allocate_seq(connection, len(rows))
    sqlite = connection.dialect.name == "sqlite"
    to_time = _time_text if sqlite else _time_naive
    stamp = to_time(ctx.stamp)
    lists = {}  # topics and case ids repeat a lot: encode each distinct list once

    def as_json(value):
        key = tuple(value)
        if key not in lists:
            lists[key] = json.dumps(value)
        return lists[key]

    prepared = [(row["id"], row["household_id"], row["grid_id"], ctx.user_id, ctx.device_id, to_time(row["occurred_at"]),
                 stamp, row["form"], as_json(row["topics"]), row["notes"], row["answered_on_spot"],
                 as_json(row["case_ids"]), 1, first + offset, False, stamp) for offset, row in enumerate(rows)]
    fast_insert(connection, Visit.__table__, VISIT_COLUMNS, prepared, converted=True)
    record_visits(connection, [(row["household_id"], row["occurred_at"]) for row in rows])
    return [{"mid": m["mid"], "status": "applied", "table": "visit", "id": m["id"], "version": 1,
             "server_seq": first + offset} for offset, m in enumerate(mutations)]


VISIT_COLUMNS = ("id", "household_id", "grid_id", "promoter_id", "device_id", "occurred_at", "received_at", "form",
                 "topics", "notes", "answered_on_spot", "case_ids", "version", "server_seq", "deleted", "updated_at")


def fast_insert(connection, table, columns, rows, converted=False):
    """executemany straight to the driver: SQLAlchemy's per-value type processing would
    cost more than the insert itself for a 500-row batch.

    Values are converted here the way the column types would: aware datetimes to naive
    UTC (text on SQLite, in SQLAlchemy's storage format), JSON columns to JSON text.
    """
    sqlite = connection.dialect.name == "sqlite"
    kinds = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, db.JSON):
            kinds.append("json")
        elif isinstance(column_type, UTCDateTime):
            kinds.append("time")
        else:
            kinds.append(None)
    marker = "?" if sqlite else "%s"
    holders = ", ".join("CAST(%s AS JSON)" % marker if kind == "json" and not sqlite else marker for kind in kinds)
    sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({holders})'
    if not converted:
        converters = [_CONVERT[(kind, sqlite)] for kind in kinds]
        rows = [tuple(convert(value) if convert else value for convert, value in zip(converters, row)) for row in rows]
    connection.exec_driver_sql(sql, rows)


def _time_text(value):
    # SQLAlchemy's SQLite DATETIME storage format (isoformat is much faster than strftime).
    # Times parsed from the envelope are UTC already: then the "+00:00" is simply cut off.
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    return value.isoformat(sep=" ", timespec="microseconds")[:26]


def _time_naive(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None)


_CONVERT = {(None, True): None, (None, False): None, ("json", True): json.dumps, ("json", False): json.dumps,
            ("time", True): _time_text, ("time", False): _time_naive}


def annotation_create(ctx, table, m):
    _require_create_id(m)
    fields = _fields(m, table.create_fields)
    existing = _existing(VisitAnnotation, m["id"], ctx.scope, lambda a: a.grid_id)
    if existing is not None:
        return "duplicate", existing, {}
    annotate = _optional("harmony.visits.service", "annotate_visit")
    if annotate is not None:
        return "applied", annotate(ctx.scope, ctx.user_id, m["id"], fields.get("visit_id"), fields.get("text"), m["_ts"]), {}
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > NOTES_MAX:
        raise Invalid("Some fields are invalid.", fields={"text": [f"Required text, at most {NOTES_MAX} characters."]})
    visit = db.session.get(Visit, fields.get("visit_id")) if isinstance(fields.get("visit_id"), str) else None
    if visit is None or not ctx.scope.sees_grid(visit.grid_id):
        raise NotFound("No such visit.")
    record = VisitAnnotation(id=m["id"], visit_id=visit.id, author_id=ctx.user_id, grid_id=visit.grid_id,
                             text=text, occurred_at=m["_ts"], received_at=ctx.stamp)
    db.session.add(record)
    db.session.flush()
    return "applied", record, {}


# cases

def _case_service(name):
    function = _optional("harmony.cases.service", name)
    if function is None:
        raise RuleBroken("Cases cannot be synced by this server yet.")
    return function


def case_create(ctx, table, m):
    _require_create_id(m)
    fields = _fields(m, table.create_fields)
    existing = _existing(Case, m["id"], ctx.scope, lambda c: c.grid_id)
    if existing is not None:
        return "duplicate", existing, {}
    open_case = _case_service("open_case")
    return "applied", open_case(ctx.scope, ctx.user_id, ctx.device_id, m["id"], fields, m["_ts"]), {}


def case_update(ctx, table, m):
    fields = _fields(m, table.policies)
    record = _locked(Case, m["id"])
    if record is None or not ctx.scope.sees_grid(record.grid_id):
        raise NotFound("No such case.")
    if record.deleted:
        raise Gone(record)
    update = _case_service("update_case_fields")
    editable = {k: v for k, v in fields.items() if table.policies[k] != rules.SERVER}
    if editable:
        # Dry run in a savepoint: role, scope and values are checked by the cases service
        # even for fields that end up kept as conflicts rather than applied.
        dry = db.session.begin_nested()
        try:
            update(ctx.scope, ctx.user_id, record.id, editable)
        finally:
            dry.rollback()
        record = _locked(Case, m["id"])
    outcome = _outcome(ctx, table, record, m, fields)
    if outcome.apply:
        record = update(ctx.scope, ctx.user_id, record.id, outcome.apply)
    conflicts = _record_conflicts(ctx, table, record, m, outcome, record.grid_id)
    return outcome.status, record, _extra(outcome, conflicts)


def event_create(ctx, table, m):
    _require_create_id(m)
    fields = _fields(m, table.create_fields)
    existing = db.session.get(CaseEvent, m["id"])
    if existing is not None:
        case = db.session.get(Case, existing.case_id)
        if case is None or not ctx.scope.sees_grid(case.grid_id):
            raise NotFound("No such case.")
        return "duplicate", existing, {}
    add_event = _case_service("add_event")
    event = add_event(ctx.scope, ctx.user_id, ctx.device_id, m["id"], fields.get("case_id"), fields.get("kind"),
                      fields.get("data") or {}, m["_ts"])
    extra = {}
    if event.rejected_reason:
        extra = {"message": "Stored in the timeline but not applied to the case.", "rejected_reason": event.rejected_reason}
    return "applied", event, extra


# alerts

def alert_update(ctx, table, m):
    fields = _fields(m, table.policies)
    model = alert_model()
    alert = db.session.get(model, m["id"])
    if alert is None or alert.recipient_id != ctx.user_id:
        raise NotFound("No such alert.")
    if getattr(alert, "deleted", False):
        raise Gone(alert)
    if "read_at" in fields:
        from sync.schemas import parse_ts

        value = fields["read_at"]
        parsed = None if value is None else parse_ts(value)
        if value is not None and parsed is None:
            raise Invalid("Some fields are invalid.", fields={"read_at": ["ISO-8601 time with offset, or null."]})
        if alert.read_at != parsed:
            alert.read_at = parsed
            db.session.flush()
    return "applied", alert, {}


HANDLERS = {
    ("household", "create"): household_create,
    ("household", "update"): household_update,
    ("household", "delete"): household_delete,
    ("visit", "create"): visit_create,
    ("visit_annotation", "create"): annotation_create,
    ("case", "create"): case_create,
    ("case", "update"): case_update,
    ("case_event", "create"): event_create,
    ("alert", "update"): alert_update,
}


# ---------------------------------------------------------------- pull

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="harmony-sync-cursor")


def _scope_tag(signature):
    return hashlib.sha256(signature.encode()).hexdigest()[:16]


def make_cursor(user_id, signature, seq):
    return _serializer().dumps({"u": user_id, "s": _scope_tag(signature), "q": seq, "t": int(now().timestamp())})


def read_cursor(token, user_id, signature, high):
    """Return (seq, reason): reason is None for a good cursor, else why the client must reset."""
    if token is None:
        return 0, None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return 0, "bad_signature"
    if not isinstance(data, dict) or data.get("u") != user_id:
        return 0, "other_user"
    if data.get("s") != _scope_tag(signature):
        return 0, "scope_changed"
    max_age = timedelta(days=current_app.config.get("SYNC_CURSOR_MAX_AGE_DAYS", 180))
    if now().timestamp() - data.get("t", 0) > max_age.total_seconds():
        return 0, "too_old"
    seq = data.get("q")
    if not isinstance(seq, int) or seq < 0 or seq > high:
        return 0, "unknown_position"
    return seq, None


def _columns(model):
    return [c for c in model.__table__.columns]


def _fields_of(mapping, names, time_names):
    fields = {name: mapping[name] for name in names}
    for name in time_names:  # the only non-JSON values a row holds
        if fields[name] is not None:
            fields[name] = fields[name].isoformat()
    return fields


# How stale sync_client.last_pull_at may get: a write on every pull would make pulls queue
# for SQLite's write lock behind pushes (docs/performance.md, "Load").
PULL_TOUCH_EVERY = timedelta(hours=1)


def _pull_client(client_id, user_id, device_id):
    """Return the SyncClient for a pull, writing only to bind it (first use, new device)."""
    client = db.session.scalar(select(SyncClient).where(SyncClient.id == client_id))
    if client is None or (client.user_id, client.device_id) != (user_id, device_id):
        return bind_client(client_id, user_id, device_id)  # binds, or refuses another user's id
    return client


def pull(user_id, device_id, scope, client_id, cursor, limit):
    """Return the next page of changes in the user's scope after the cursor."""
    client = _pull_client(client_id, user_id, device_id)
    stamp = now()
    if client.last_pull_at is None or stamp - client.last_pull_at > PULL_TOUCH_EVERY:
        client.last_pull_at = stamp
    connection = db.session.connection()
    # Every row at or below the committed counter value is committed already (the counter
    # row is locked from allocation to commit), so reading only up to it never skips a row.
    high = current_seq(connection)
    after, reason = read_cursor(cursor, user_id, scope.signature, high)
    fresh = after == 0
    config = current_app.config
    at = now()
    streams = []
    for name in PULL_ORDER:
        model = TABLES[name].model
        if model is None:
            continue
        columns = _columns(model)
        field_names = [c.name for c in columns if c.name not in ENVELOPE_COLUMNS]
        times = [c.name for c in columns if c.name not in ENVELOPE_COLUMNS
                 and isinstance(c.type, (UTCDateTime, db.Date, db.DateTime))]
        stmt = (select(*columns).where(*pull_conditions(name, scope, user_id, at, config))
                .where(model.server_seq > after, model.server_seq <= high)
                .order_by(model.server_seq).limit(limit + 1))
        if fresh:
            stmt = stmt.where(model.deleted.is_(False))  # a first download needs no tombstones
        rows = connection.execute(stmt).mappings().all()
        streams.append([(r["server_seq"], name, r, (field_names, times)) for r in rows])
    if not fresh and not scope.all_places and scope.grid_ids:
        grids = sorted(scope.grid_ids)
        moves = connection.execute(
            select(HouseholdMove.household_id, HouseholdMove.server_seq)
            .where(HouseholdMove.from_grid_id.in_(grids), HouseholdMove.to_grid_id.not_in(grids),
                   HouseholdMove.server_seq > after, HouseholdMove.server_seq <= high)
            .order_by(HouseholdMove.server_seq).limit(limit + 1)).all()
        streams.append([(r.server_seq, "household", r, None) for r in moves])
    merged = list(heapq.merge(*streams, key=lambda item: item[0]))
    page = merged[:limit]
    changes = []
    for seq, name, row, field_names in page:
        if field_names is None:
            changes.append({"table": name, "id": row.household_id, "op": "remove", "version": None,
                            "server_seq": seq, "fields": {}})
        elif row["deleted"]:
            changes.append({"table": name, "id": row["id"], "op": "delete", "version": row["version"],
                            "server_seq": seq, "fields": {}})
        else:
            changes.append({"table": name, "id": row["id"], "op": "upsert", "version": row["version"],
                            "server_seq": seq, "fields": _fields_of(row, *field_names)})
    last = page[-1][0] if page else after
    body = {"changes": changes, "cursor": make_cursor(user_id, scope.signature, last),
            "has_more": len(merged) > limit, "last_mid": client.last_mid}
    if reason:
        body["reset"] = True
        body["reset_reason"] = reason
        log.info("pull of client %s reset: %s", client_id, reason)
    return body


# ---------------------------------------------------------------- conflicts

def list_conflicts(scope, user_id, status="open"):
    stmt = select(SyncConflict).order_by(SyncConflict.created_at, SyncConflict.id)
    if status != "all":
        stmt = stmt.where(SyncConflict.status == status)
    grid = scope.filter_grid(SyncConflict.grid_id)
    if grid is not None:
        from sqlalchemy import or_

        stmt = stmt.where(or_(grid, SyncConflict.user_id == user_id))
    return stmt


def resolve_conflict(scope, user_id, conflict_id, choice, value=None):
    """Settle a conflict: keep the server value, take the phone's, or set another value."""
    conflict = db.session.scalar(select(SyncConflict).where(SyncConflict.id == conflict_id).with_for_update())
    if conflict is None or not scope.sees_grid(conflict.grid_id):
        raise NotFound("No such conflict.")
    require_role(scope, *CONFLICT_RESOLVER_ROLES)
    require_grid(scope, conflict.grid_id)
    if conflict.status != "open":
        raise Conflict("This conflict is already resolved.", code="already_resolved")
    if choice == "server":
        chosen = None
    else:
        chosen = conflict.client_value if choice == "client" else value
        changes = {conflict.field: chosen}
        if conflict.table_name == "household":
            _load(HouseholdUpdateSchema(), changes)
            households.update_household(scope, conflict.record_id, changes)
        elif conflict.table_name == "case":
            _case_service("update_case_fields")(scope, user_id, conflict.record_id, changes)
        else:
            raise Invalid("This conflict cannot be resolved here.", fields={"table": ["Unsupported."]})
    conflict.status = "resolved"
    conflict.resolution = choice
    conflict.resolved_value = chosen if choice != "server" else conflict.server_value
    conflict.resolved_by_id = user_id
    conflict.resolved_at = now()
    db.session.flush()
    log.info("conflict %s resolved by user %s: %s", conflict.id, user_id, choice)
    return conflict


__all__ = ["push", "pull", "bind_client", "prune_results", "list_conflicts", "resolve_conflict"]
