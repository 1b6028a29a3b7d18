from flask import g
from flask_smorest import Blueprint

from harmony.teams import service
from harmony.teams.schemas import TeamMemberSchema, TeamProblemSchema, TeamQuerySchema, TeamSchema
from harmony.web import login_required, page_schema, paginate

blp = Blueprint("teams", __name__, url_prefix="/api/teams", description="Grid groups and associations")


@blp.get("")
@blp.arguments(TeamQuerySchema, location="query")
@blp.response(200, page_schema(TeamSchema))
@login_required
def list_teams(args):
    return paginate(service.list_teams(g.scope, args.get("kind"), args.get("place_id")), args)


@blp.post("")
@blp.arguments(TeamSchema)
@blp.response(201, TeamSchema)
@login_required
def create_team(args):
    return service.create_team(g.scope, **args)


@blp.get("/health")
@blp.response(200, TeamProblemSchema(many=True))
@login_required
def team_health():
    """List composition problems: groups without a village cadre, associations without a liaison cadre, grids out of size."""
    return service.team_health(g.scope)


@blp.get("/<int:team_id>")
@blp.response(200, TeamSchema)
@login_required
def get_team(team_id):
    return service.get_team(g.scope, team_id)


@blp.post("/<int:team_id>/members")
@blp.arguments(TeamMemberSchema)
@blp.response(201, TeamMemberSchema)
@login_required
def add_member(args, team_id):
    return service.add_member(g.scope, team_id, args["user_id"], args["member_role"])


@blp.delete("/<int:team_id>/members/<int:user_id>")
@blp.response(204)
@login_required
def remove_member(team_id, user_id):
    service.remove_member(g.scope, team_id, user_id)
