from marshmallow import Schema, fields, validate

from harmony.households.models import CARE_TAGS
from harmony.web import PageArgs


class HouseholdSchema(Schema):
    id = fields.String(dump_only=True)
    grid_id = fields.Integer(required=True)
    unit_id = fields.Integer(load_default=None, allow_none=True)
    code = fields.String(load_default=None, validate=validate.Length(max=40))
    address = fields.String(required=True, validate=validate.Length(min=1, max=200))
    head_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{3,32}$", error="Digits, '+', '-' or spaces; 3–32 characters."))
    member_count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99))
    care_tags = fields.List(fields.String(validate=validate.OneOf(CARE_TAGS)), load_default=list)
    active = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)


class HouseholdUpdateSchema(Schema):
    unit_id = fields.Integer(allow_none=True)
    address = fields.String(validate=validate.Length(min=1, max=200))
    head_name = fields.String(validate=validate.Length(min=1, max=80))
    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{3,32}$", error="Digits, '+', '-' or spaces; 3–32 characters."))
    member_count = fields.Integer(validate=validate.Range(min=1, max=99))
    care_tags = fields.List(fields.String(validate=validate.OneOf(CARE_TAGS)))
    active = fields.Boolean()


class HouseholdMoveSchema(Schema):
    to_grid_id = fields.Integer(required=True)


class HouseholdQuerySchema(PageArgs):
    grid_id = fields.Integer()
    q = fields.String(validate=validate.Length(max=80))
    care_tag = fields.String(validate=validate.OneOf(CARE_TAGS))


class CareTagsField(fields.Field):
    """Care tags in CSV: separated by ';'."""

    def _deserialize(self, value, attr, data, **kwargs):
        tags = [t.strip() for t in (value or "").split(";") if t.strip()]
        unknown = [t for t in tags if t not in CARE_TAGS]
        if unknown:
            raise self.make_error("unknown", tags=", ".join(unknown))
        return tags

    default_error_messages = {"unknown": "Unknown care tag(s): {tags}. Known: " + ", ".join(CARE_TAGS) + "."}


class HouseholdImportSchema(Schema):
    grid_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    code = fields.String(load_default=None, validate=validate.Length(max=40))
    address = fields.String(required=True, validate=validate.Length(min=1, max=200))
    head_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^([0-9+\- ]{3,32})?$", error="Digits, '+', '-' or spaces; 3–32 characters."))
    member_count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99))
    care_tags = CareTagsField(load_default=list)

    class Meta:
        from marshmallow import RAISE

        unknown = RAISE
