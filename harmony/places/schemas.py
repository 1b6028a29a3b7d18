from marshmallow import Schema, fields, validate

from harmony.places.models import GRID_KINDS, PLACE_KINDS, UNIT_KINDS
from harmony.web import PageArgs


class PlaceSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$", error="1–40 letters, digits, '_' or '-'."))
    kind = fields.String(required=True, validate=validate.OneOf(PLACE_KINDS))
    subkind = fields.String(load_default=None, validate=validate.OneOf(GRID_KINDS + UNIT_KINDS))
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name_en = fields.String(load_default=None, validate=validate.Length(max=120))
    parent_id = fields.Integer(load_default=None)
    ladder_id = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class PlaceUpdateSchema(Schema):
    name_zh = fields.String(validate=validate.Length(min=1, max=120))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=120))
    subkind = fields.String(validate=validate.OneOf(GRID_KINDS + UNIT_KINDS))


class PlaceQuerySchema(PageArgs):
    kind = fields.String(validate=validate.OneOf(PLACE_KINDS))
    parent_id = fields.Integer()
    q = fields.String(validate=validate.Length(max=80))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
