from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from harmony.access import require_admin
from harmony.audit.models import AuditEntry
from harmony.errors import Forbidden
from harmony.web import PageArgs, login_required, page_schema, paginate

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="The audit log (administrators)")


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    device_id = fields.Integer(allow_none=True)
    action = fields.String()
    table_name = fields.String()
    record_id = fields.String()
    changes = fields.Dict()


class AuditQuerySchema(PageArgs):
    table = fields.String(validate=validate.Length(max=40))
    record_id = fields.String(validate=validate.Length(max=40))
    user_id = fields.Integer()


@blp.get("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
@login_required
def list_audit(args):
    """List audit entries, newest first (administrators of the whole tree only)."""
    require_admin(g.scope)
    if not g.scope.all_places:
        # Entries are not tied to places, so only a whole-tree administrator may read them.
        raise Forbidden("Only an administrator of the whole tree may read the audit log.")
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if args.get("table"):
        stmt = stmt.where(AuditEntry.table_name == args["table"])
    if args.get("record_id"):
        stmt = stmt.where(AuditEntry.record_id == args["record_id"])
    if args.get("user_id"):
        stmt = stmt.where(AuditEntry.user_id == args["user_id"])
    return paginate(stmt, args)


def register(app, api):
    api.register_blueprint(blp)
