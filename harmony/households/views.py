from flask import g
from flask_smorest import Blueprint

from harmony.households import service
from harmony.households.schemas import HouseholdMoveSchema, HouseholdQuerySchema, HouseholdSchema, HouseholdUpdateSchema
from harmony.web import login_required, page_schema, paginate

blp = Blueprint("households", __name__, url_prefix="/api/households", description="Households in grids")


@blp.get("")
@blp.arguments(HouseholdQuerySchema, location="query")
@blp.response(200, page_schema(HouseholdSchema))
@login_required
def list_households(args):
    stmt = service.list_households(g.scope, args.get("grid_id"), args.get("q"), args.get("care_tag"))
    return paginate(stmt, args)


@blp.post("")
@blp.arguments(HouseholdSchema)
@blp.response(201, HouseholdSchema)
@login_required
def create_household(args):
    grid_id = args.pop("grid_id")
    return service.create_household(g.scope, grid_id, args)


@blp.get("/<household_id>")
@blp.response(200, HouseholdSchema)
@login_required
def get_household(household_id):
    return service.get_household(g.scope, household_id)


@blp.patch("/<household_id>")
@blp.arguments(HouseholdUpdateSchema)
@blp.response(200, HouseholdSchema)
@login_required
def update_household(args, household_id):
    return service.update_household(g.scope, household_id, args)


@blp.post("/<household_id>/move")
@blp.arguments(HouseholdMoveSchema)
@blp.response(200, HouseholdSchema)
@login_required
def move_household(args, household_id):
    return service.move_household(g.scope, household_id, args["to_grid_id"], g.user.id)


@blp.delete("/<household_id>")
@blp.response(204)
@login_required
def delete_household(household_id):
    service.delete_household(g.scope, household_id)
