from marshmallow import Schema, fields, validate


class LevelSchema(Schema):
    key = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    tier = fields.String(required=True)
    owner_role = fields.String(required=True)
    owner_team_kind = fields.String(allow_none=True, load_default=None)
    days = fields.Integer(required=True)
    remind_days = fields.Integer(load_default=0)
    leader_required = fields.Boolean(load_default=False)
    carrier_member_role = fields.String(allow_none=True, load_default=None)


class LadderSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{2,40}$", error="2–40 of a-z, 0-9, _."))
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name_en = fields.String(load_default=None, validate=validate.Length(max=120))
    day_kind = fields.String(load_default="calendar", validate=validate.OneOf(["calendar", "working"]))
    # Levels are checked by the service, which names the level and field that is wrong.
    levels = fields.List(fields.Dict(), required=True)
    updated_at = fields.DateTime(dump_only=True)


class LadderUpdateSchema(Schema):
    name_zh = fields.String(validate=validate.Length(min=1, max=120))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=120))
    day_kind = fields.String(validate=validate.OneOf(["calendar", "working"]))
    levels = fields.List(fields.Dict())


class AttachSchema(Schema):
    ladder_id = fields.Integer(required=True, allow_none=True)


class CalendarDaySchema(Schema):
    day = fields.Date(required=True)
    kind = fields.String(required=True, allow_none=True, validate=validate.OneOf(["holiday", "workday"]))
    name = fields.String(load_default=None, validate=validate.Length(max=80))
