from flask import g
from flask_smorest import Blueprint

from harmony.places import service
from harmony.places.schemas import PlaceQuerySchema, PlaceSchema, PlaceUpdateSchema
from harmony.web import login_required, page_schema, paginate

blp = Blueprint("places", __name__, url_prefix="/api/places", description="The place tree")


@blp.get("")
@blp.arguments(PlaceQuerySchema, location="query")
@blp.response(200, page_schema(PlaceSchema))
@login_required
def list_places(args):
    """List the places the caller serves (and the names of those above them)."""
    return paginate(service.list_places(g.scope, args.get("kind"), args.get("parent_id"), args.get("q")), args)


@blp.post("")
@blp.arguments(PlaceSchema)
@blp.response(201, PlaceSchema)
@login_required
def create_place(args):
    return service.create_place(g.scope, **args)


@blp.get("/<int:place_id>")
@blp.response(200, PlaceSchema)
@login_required
def get_place(place_id):
    return service.get_place(g.scope, place_id)


@blp.patch("/<int:place_id>")
@blp.arguments(PlaceUpdateSchema)
@blp.response(200, PlaceSchema)
@login_required
def update_place(args, place_id):
    return service.update_place(g.scope, place_id, args)
