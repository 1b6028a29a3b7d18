from marshmallow import Schema, fields, validate

from harmony.reports.labels import LANGS
from harmony.reports.service import FORMATS


class ReportQuerySchema(Schema):
    place = fields.String(load_default=None, metadata={"description": "Place id or code (default: your top place)."})
    from_ = fields.Date(data_key="from", load_default=None, metadata={"description": "First day, YYYY-MM-DD (local)."})
    to = fields.Date(load_default=None, metadata={"description": "Last day, inclusive, YYYY-MM-DD (default: today)."})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))
    lang = fields.String(load_default=None, validate=validate.OneOf(LANGS + ("zh",)))


class ColumnSchema(Schema):
    key = fields.String()
    label = fields.String()


class PlaceRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class SectionSchema(Schema):
    key = fields.String()
    title = fields.String()
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Dict())


class ReportSchema(Schema):
    """The JSON shape of every report (see docs/reports.md)."""

    report = fields.String()
    title = fields.String()
    lang = fields.String()
    place = fields.Nested(PlaceRefSchema)
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    timezone = fields.String()
    generated_at = fields.String()
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Dict())
    total = fields.Dict()
    sections = fields.List(fields.Nested(SectionSchema))
