from marshmallow import Schema, fields, validate

from harmony.teams.models import MEMBER_ROLES, TEAM_KINDS
from harmony.web import PageArgs


class TeamMemberSchema(Schema):
    user_id = fields.Integer(required=True)
    member_role = fields.String(load_default="member", validate=validate.OneOf(MEMBER_ROLES))
    display_name = fields.Function(lambda m: m.user.display_name, dump_only=True)


class TeamSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(TEAM_KINDS))
    place_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    members = fields.List(fields.Nested(TeamMemberSchema), dump_only=True)


class TeamQuerySchema(PageArgs):
    kind = fields.String(validate=validate.OneOf(TEAM_KINDS))
    place_id = fields.Integer()


class TeamProblemSchema(Schema):
    place_id = fields.Integer()
    place_code = fields.String()
    place_name = fields.String()
    team_id = fields.Integer(allow_none=True)
    problem = fields.String()
    message = fields.String()
    households = fields.Integer()
    expected_min = fields.Integer()
    expected_max = fields.Integer()
