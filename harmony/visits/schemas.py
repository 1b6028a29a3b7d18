from marshmallow import Schema, fields, validate

from harmony.web import PageArgs


class VisitCreateSchema(Schema):
    # Field checks live in the service so the web and the phones' sync get the same errors.
    id = fields.UUID(load_default=None)
    household_id = fields.Raw(required=True)
    form = fields.Raw()
    topics = fields.Raw()
    notes = fields.Raw()
    answered_on_spot = fields.Raw()
    case_ids = fields.Raw()
    occurred_at = fields.AwareDateTime(load_default=None, default_timezone=None)


class AnnotationCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    text = fields.Raw(required=True)


class AnnotationSchema(Schema):
    id = fields.String()
    visit_id = fields.String()
    author_id = fields.Integer()
    grid_id = fields.Integer()
    text = fields.String()
    occurred_at = fields.DateTime()
    received_at = fields.DateTime()


class VisitSchema(Schema):
    id = fields.String()
    household_id = fields.String()
    grid_id = fields.Integer()
    promoter_id = fields.Integer()
    occurred_at = fields.DateTime()
    received_at = fields.DateTime()
    form = fields.String()
    topics = fields.List(fields.String())
    notes = fields.String()
    answered_on_spot = fields.Boolean()
    case_ids = fields.List(fields.String())
    version = fields.Integer()


class VisitDetailSchema(VisitSchema):
    annotations = fields.List(fields.Nested(AnnotationSchema))


class VisitQuerySchema(PageArgs):
    household_id = fields.String(validate=validate.Length(max=36))
    grid_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    # `from` is a Python keyword: the query name is mapped with data_key.
    start = fields.AwareDateTime(data_key="from")
    end = fields.AwareDateTime(data_key="to")


class VisitSummarySchema(Schema):
    household_id = fields.String()
    grid_id = fields.Integer()
    last_visit_at = fields.DateTime(allow_none=True)
    last_visit = fields.Nested(VisitSchema, allow_none=True)
    visits_30d = fields.Integer()
    visits_90d = fields.Integer()


class TodoItemSchema(Schema):
    household_id = fields.String()
    code = fields.String(allow_none=True)
    address = fields.String()
    head_name = fields.String()
    care_tags = fields.List(fields.String())
    last_visit_at = fields.DateTime(allow_none=True)
    days_since = fields.Integer(allow_none=True)


class TodoSchema(Schema):
    grid_id = fields.Integer()
    interval_days = fields.Integer()
    items = fields.List(fields.Nested(TodoItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
