from marshmallow import Schema, fields, validate

from harmony.cases.models import CASE_STATUSES
from harmony.clock import now
from harmony.web import PageArgs


class PartySchema(Schema):
    name = fields.String()
    role = fields.String(allow_none=True)
    household_id = fields.String(allow_none=True)


class CaseCreateSchema(Schema):
    # Checked by the service (it names the field), so the phone and the web get the same errors.
    id = fields.UUID(load_default=None)
    grid_id = fields.Raw(required=True)
    title = fields.Raw(required=True)
    category = fields.Raw(required=True)
    description = fields.Raw()
    parties = fields.Raw()
    priority = fields.Raw()
    source = fields.Raw(required=True)


class CaseUpdateSchema(Schema):
    title = fields.Raw()
    category = fields.Raw()
    description = fields.Raw()
    parties = fields.Raw()
    priority = fields.Raw()


class EventCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    kind = fields.String(required=True)
    data = fields.Dict(load_default=dict)


class EventSchema(Schema):
    id = fields.String()
    case_id = fields.String()
    kind = fields.String()
    actor_id = fields.Integer(allow_none=True)
    occurred_at = fields.DateTime()
    received_at = fields.DateTime()
    data = fields.Dict()
    rejected = fields.Function(lambda e: e.rejected_reason is not None)
    rejected_rule = fields.Function(lambda e: e.rejected_reason.split(":", 1)[0] if e.rejected_reason else None)
    rejected_reason = fields.String(allow_none=True)
    version = fields.Integer()


def _level(case):
    levels = case.ladder_levels or []
    return levels[case.level - 1] if 1 <= (case.level or 0) <= len(levels) else {}


class CaseSchema(Schema):
    id = fields.String()
    grid_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    description = fields.String()
    parties = fields.List(fields.Nested(PartySchema))
    priority = fields.String()
    source = fields.String()
    reported_by_id = fields.Integer()
    opened_at = fields.DateTime()
    ladder_key = fields.String()
    ladder_day_kind = fields.String()
    ladder_levels = fields.List(fields.Dict())
    status = fields.String()
    level = fields.Integer()
    level_key = fields.String()
    level_name_zh = fields.Function(lambda c: _level(c).get("name_zh"))
    level_name_en = fields.Function(lambda c: _level(c).get("name_en"))
    tier = fields.String()
    owner_role = fields.String(allow_none=True)
    level_since = fields.DateTime(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner_team_id = fields.Integer(allow_none=True)
    assigned_committee = fields.String(allow_none=True)
    leader_id = fields.Integer(allow_none=True)
    leader_needed = fields.Function(
        lambda c: c.status == "open" and bool(_level(c).get("leader_required")) and c.leader_id is None)
    deadline_at = fields.DateTime(allow_none=True)
    remind_at = fields.DateTime(allow_none=True)
    overdue = fields.Function(lambda c: c.status == "open" and c.deadline_at is not None and c.deadline_at < now())
    resolved_level = fields.Integer(allow_none=True)
    resolved_level_key = fields.String(allow_none=True)
    resolved_tier = fields.String(allow_none=True)
    resolved_by_id = fields.Integer(allow_none=True)
    resolved_team_id = fields.Integer(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    satisfaction_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class CaseDetailSchema(CaseSchema):
    timeline = fields.List(fields.Nested(EventSchema))


class CaseQuerySchema(PageArgs):
    level = fields.Integer(validate=validate.Range(min=1, max=50))
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    overdue = fields.Boolean()
    category = fields.String()
    place_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    owner_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ReapplySchema(Schema):
    place_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class ReapplyResultSchema(Schema):
    place_id = fields.Integer()
    open_cases = fields.Integer()
    reapplied = fields.Integer()
