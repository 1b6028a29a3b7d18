"""Protocol shapes: fast hand-written envelope checks, marshmallow schemas for the API docs.

Push envelopes are checked by plain Python, not marshmallow: a batch of 500 mutations
must validate in a millisecond or two for the push throughput target.
"""
import re
from datetime import datetime, timezone

from marshmallow import Schema, fields, validate

SCHEMA_VERSIONS = (1,)
OPS = ("create", "update", "delete")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_MID = 2 ** 62
MUTATION_KEYS = frozenset(("mid", "table", "op", "id", "base_version", "fields", "client_ts"))


def is_uuid(value):
    return isinstance(value, str) and UUID_RE.match(value) is not None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def parse_ts(value):
    """Return an aware UTC datetime from ISO-8601 text with an offset, or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(timezone.utc)


def check_push_envelope(body):
    """Return {field path: [messages]} for a malformed push envelope (empty when fine).

    Mutations get their `client_ts` parsed into `_ts` as a side effect.
    """
    errors = {}
    if not isinstance(body, dict):
        return {"_schema": ["The body must be a JSON object."]}
    unknown = set(body) - {"client_id", "schema_version", "mutations"}
    for name in sorted(unknown):
        errors[name] = ["Unknown field."]
    if not is_uuid(body.get("client_id")):
        errors["client_id"] = ["Required: a UUID made by the phone's local database."]
    if not _is_int(body.get("schema_version")):
        errors["schema_version"] = ["Required: an integer."]
    mutations = body.get("mutations")
    if not isinstance(mutations, list):
        errors["mutations"] = ["Required: a list (it may be empty)."]
        return errors
    previous = 0
    for index, m in enumerate(mutations):
        where = f"mutations.{index}"
        if not isinstance(m, dict):
            errors[where] = ["Must be an object."]
            continue
        bad = {}
        if not MUTATION_KEYS.issuperset(m):
            for name in set(m) - MUTATION_KEYS:
                bad[name] = "Unknown field."
        mid = m.get("mid")
        if not _is_int(mid) or not 0 < mid < MAX_MID:
            bad["mid"] = "Required: a positive integer."
        elif mid <= previous:
            bad["mid"] = "Must increase within the batch."
        else:
            previous = mid
        if not isinstance(m.get("table"), str) or not 0 < len(m["table"]) <= 40:
            bad["table"] = "Required: a table name."
        if m.get("op") not in OPS:
            bad["op"] = f"Required: one of {', '.join(OPS)}."
        record_id = m.get("id")
        if not ((isinstance(record_id, str) and 0 < len(record_id) <= 36) or _is_int(record_id)):
            bad["id"] = "Required: the record's id (a UUID for records made on the phone)."
        base = m.get("base_version")
        if base is not None and (not _is_int(base) or base < 1):
            bad["base_version"] = "Must be a positive integer or null."
        if "fields" in m and not isinstance(m["fields"], dict):
            bad["fields"] = "Must be an object."
        ts = parse_ts(m.get("client_ts"))
        if ts is None:
            bad["client_ts"] = "Required: ISO-8601 time with a UTC offset, e.g. 2026-11-02T10:00:00+08:00."
        else:
            m["_ts"] = ts
        for name, message in bad.items():
            errors[f"{where}.{name}"] = [message]
    return errors


def check_pull_body(body, limit_max):
    """Return (errors, client_id, cursor, limit)."""
    errors = {}
    if not isinstance(body, dict):
        return {"_schema": ["The body must be a JSON object."]}, None, None, None
    for name in sorted(set(body) - {"client_id", "cursor", "limit"}):
        errors[name] = ["Unknown field."]
    client_id = body.get("client_id")
    if not is_uuid(client_id):
        errors["client_id"] = ["Required: the phone's client UUID."]
    cursor = body.get("cursor")
    if cursor is not None and (not isinstance(cursor, str) or len(cursor) > 1000):
        errors["cursor"] = ["Must be the opaque cursor string from the last pull, or null."]
    limit = body.get("limit", 500)
    if not _is_int(limit) or not 1 <= limit <= limit_max:
        errors["limit"] = [f"Must be an integer from 1 to {limit_max}."]
    return errors, client_id, cursor, limit


# ---- marshmallow schemas: the OpenAPI description of the protocol ----

class MutationSchema(Schema):
    mid = fields.Integer(required=True, metadata={"description": "Increases per client."})
    table = fields.String(required=True)
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    id = fields.Raw(required=True, metadata={"description": "Record id (UUID made on the phone)."})
    base_version = fields.Integer(allow_none=True)
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    client_ts = fields.String(required=True, metadata={"description": "ISO-8601 with offset."})


class PushSchema(Schema):
    client_id = fields.String(required=True)
    schema_version = fields.Integer(required=True)
    mutations = fields.List(fields.Nested(MutationSchema), required=True)


class ResultSchema(Schema):
    mid = fields.Integer()
    status = fields.String(metadata={"description": "applied | duplicate | merged | conflict | rejected | forbidden | gone"})
    table = fields.String()
    id = fields.Raw()
    version = fields.Integer(allow_none=True)
    server_seq = fields.Integer(allow_none=True)
    errors = fields.Dict()
    message = fields.String()
    conflicts = fields.List(fields.Dict())
    ignored = fields.List(fields.String())


class PushResponseSchema(Schema):
    results = fields.List(fields.Nested(ResultSchema))
    last_mid = fields.Integer()


class PullSchema(Schema):
    client_id = fields.String(required=True)
    cursor = fields.String(allow_none=True)
    limit = fields.Integer(load_default=500)


class ChangeSchema(Schema):
    table = fields.String()
    id = fields.Raw()
    op = fields.String(metadata={"description": "upsert | delete | remove"})
    version = fields.Integer(allow_none=True)
    server_seq = fields.Integer()
    fields_ = fields.Dict(data_key="fields", attribute="fields")


class PullResponseSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String()
    has_more = fields.Boolean()
    last_mid = fields.Integer()
    reset = fields.Boolean(metadata={"description": "Present and true: drop local copies, keep the outbox."})
    reset_reason = fields.String()


class ConflictSchema(Schema):
    id = fields.String()
    table = fields.String(attribute="table_name")
    record_id = fields.String()
    field = fields.String()
    base_version = fields.Integer(allow_none=True)
    base_value = fields.Raw(allow_none=True)
    server_value = fields.Raw(allow_none=True)
    client_value = fields.Raw(allow_none=True)
    grid_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    status = fields.String()
    resolution = fields.String(allow_none=True)
    resolved_value = fields.Raw(allow_none=True)
    resolved_by_id = fields.Integer(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class ConflictQuerySchema(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved", "all")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ResolveSchema(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(("server", "client", "value")))
    value = fields.Raw(allow_none=True, metadata={"description": "The value to keep when choice is 'value'."})
