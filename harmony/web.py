"""What every view shares: the caller, their scope, pagination."""
from functools import wraps

from flask import g, request
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from harmony.access import scope_for
from harmony.errors import Unauthorized
from harmony.extensions import db


def authenticate_request():
    """Load g.user, g.device and g.scope from the bearer token, if any."""
    from harmony.people.service import authenticate

    g.user = g.device = g.scope = None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return
    device = authenticate(header[7:].strip())
    if device is None:
        return
    g.device, g.user = device, device.user
    g.scope = scope_for(device.user)
    # The audit log reads the acting person from the session (services stay request-free).
    db.session.info["actor"] = (device.user_id, device.id)


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            raise Unauthorized("Log in first: send 'Authorization: Bearer <token>'.")
        return view(*args, **kwargs)

    return wrapper


class PageArgs(Schema):
    # Capped so page × per_page stays far inside every database's OFFSET range.
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def page_schema(item_schema):
    """Return a schema class for a page of `item_schema` items."""
    return type(
        f"{item_schema.__name__.replace('Schema', '')}PageSchema",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


def paginate(stmt, args):
    page, per_page = args.get("page", 1), args.get("per_page", 50)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
