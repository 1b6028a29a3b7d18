"""HTTP endpoints of the sync protocol (docs/sync-protocol.md)."""
from flask import current_app, g, request
from flask_smorest import Blueprint

from harmony import jsonio
from harmony.database import reads_mostly
from harmony.errors import ApiError
from harmony.web import login_required, page_schema, paginate
from sync import service
from sync.schemas import (SCHEMA_VERSIONS, ConflictQuerySchema, ConflictSchema, PullResponseSchema, PullSchema,
                          PushResponseSchema, PushSchema, ResolveSchema, check_pull_body, check_push_envelope)

blp = Blueprint("sync", __name__, url_prefix="/api/sync", description="Offline sync: push, pull, conflicts")


def _json_response(body):
    # Unsorted, compact JSON: Flask's provider sorts keys, which costs more than it is worth here.
    return current_app.response_class(jsonio.dumps(body), mimetype="application/json")


def _too_large(message):
    return ApiError(message, code="payload_too_large", status=413)


def _json_body(max_bytes):
    """Return (parsed JSON body, whether it may hold a NUL), refusing bodies over max_bytes before parsing."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise _too_large(f"The batch is {length} bytes; the limit is {max_bytes} bytes. Send fewer mutations per push.")
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise _too_large(f"The batch is over the limit of {max_bytes} bytes. Send fewer mutations per push.")
    try:
        # JSON can carry NUL only as the escape \u0000 (strict parsing refuses a raw one).
        return jsonio.loads(raw), b"\\u0000" in raw
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested brackets
        raise ApiError("The body is not valid JSON.", fields={"_schema": ["Invalid JSON."]},
                       code="malformed_envelope", status=400) from None


@blp.post("/push")
@blp.doc(requestBody={"content": {"application/json": {"schema": PushSchema}}})
@blp.response(200, PushResponseSchema)
@login_required
def push():
    """Apply a batch of mutations from a phone's outbox; one result per mutation, in order."""
    config = current_app.config
    body, may_contain_nul = _json_body(config["SYNC_MAX_BYTES"])
    version = body.get("schema_version") if isinstance(body, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version not in SCHEMA_VERSIONS:
        raise ApiError(f"schema_version {version} is not supported; this server speaks "
                       f"{', '.join(map(str, SCHEMA_VERSIONS))}. Update the app.",
                       code="upgrade_required", status=426)
    mutations = body.get("mutations") if isinstance(body, dict) else None
    limit = config["SYNC_MAX_MUTATIONS"]
    if isinstance(mutations, list) and len(mutations) > limit:
        raise _too_large(f"The batch has {len(mutations)} mutations; the limit is {limit}. Send at most {limit} per push.")
    errors = check_push_envelope(body)
    if errors:
        raise ApiError("The push envelope is malformed; nothing was stored.", fields=errors,
                       code="malformed_envelope", status=400)
    # Returned as a Response: the schema documents it, but dumping 500 results through
    # marshmallow would cost more than applying them.
    return _json_response(service.push(g.user.id, g.device.id, g.scope, body, may_contain_nul))


@blp.post("/pull")
@blp.doc(requestBody={"content": {"application/json": {"schema": PullSchema}}})
@blp.response(200, PullResponseSchema)
@login_required
@reads_mostly  # a POST that only reads (bar binding a new client id): never queued behind pushes
def pull():
    """Return the next page of changes in the caller's scope after the cursor."""
    body, _ = _json_body(current_app.config["SYNC_MAX_BYTES"])
    errors, client_id, cursor, limit = check_pull_body(body, current_app.config["SYNC_PULL_LIMIT_MAX"])
    if errors:
        raise ApiError("The pull request is malformed.", fields=errors, code="malformed_envelope", status=400)
    return _json_response(service.pull(g.user.id, g.device.id, g.scope, client_id, cursor, limit))


@blp.get("/conflicts")
@blp.arguments(ConflictQuerySchema, location="query")
@blp.response(200, page_schema(ConflictSchema))
@login_required
def list_conflicts(args):
    """List sync conflicts in the caller's places (and those the caller caused)."""
    return paginate(service.list_conflicts(g.scope, g.user.id, args["status"]), args)


@blp.post("/conflicts/<conflict_id>/resolve")
@blp.arguments(ResolveSchema)
@blp.response(200, ConflictSchema)
@login_required
def resolve_conflict(args, conflict_id):
    """Settle a conflict: keep the server value, take the phone's, or set another value."""
    if args["choice"] == "value" and "value" not in args:
        raise ApiError("Give the value to keep.", fields={"value": ["Required when choice is 'value'."]},
                       code="validation_error", status=422)
    return service.resolve_conflict(g.scope, g.user.id, conflict_id, args["choice"], args.get("value"))


def register(app, api):
    api.register_blueprint(blp)
