from marshmallow import Schema, fields, validate

from harmony.people.models import ROLES
from harmony.web import PageArgs


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    device_name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class RoleSchema(Schema):
    id = fields.Integer(dump_only=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    place_id = fields.Integer(required=True)
    place_code = fields.Function(lambda a: a.place.code, dump_only=True)
    place_name = fields.Function(lambda a: a.place.name_zh, dump_only=True)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    display_name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.Email(allow_none=True)
    locale = fields.String()
    active = fields.Boolean()
    appointment_date = fields.Date(allow_none=True)
    permit_no = fields.String(allow_none=True)
    contact_card_no = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleSchema))


class SessionSchema(Schema):
    token = fields.String()
    user = fields.Nested(UserSchema)


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$", error="3–64 letters, digits, '.', '_' or '-'."))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(load_default=None, validate=validate.Length(max=32))
    email = fields.Email(load_default=None)
    appointment_date = fields.Date(load_default=None)
    permit_no = fields.String(load_default=None, validate=validate.Length(max=40))
    contact_card_no = fields.String(load_default=None, validate=validate.Length(max=40))
    roles = fields.List(fields.Nested(RoleSchema), load_default=list)


class UserUpdateSchema(Schema):
    password = fields.String(load_only=True, validate=validate.Length(min=10, max=200))
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    email = fields.Email(allow_none=True)
    locale = fields.String(validate=validate.OneOf(["zh-CN", "en"]))
    active = fields.Boolean()
    appointment_date = fields.Date(allow_none=True)
    permit_no = fields.String(allow_none=True, validate=validate.Length(max=40))
    contact_card_no = fields.String(allow_none=True, validate=validate.Length(max=40))


class UserQuerySchema(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))
    place_id = fields.Integer()
    q = fields.String(validate=validate.Length(max=80))


class DeviceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
