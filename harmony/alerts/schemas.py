import re
from urllib.parse import urlparse

from marshmallow import Schema, ValidationError, fields, validate, validates

from harmony.alerts.models import ALERT_KINDS, CHANNELS, DELIVERY_STATUSES, EMAIL_MODES
from harmony.web import PageArgs

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class AlertSchema(Schema):
    id = fields.String()
    kind = fields.String()
    case_id = fields.String(allow_none=True)
    level = fields.Integer(allow_none=True)
    period = fields.Integer()
    grid_id = fields.Integer(allow_none=True)
    locale = fields.String()
    title = fields.String()
    body = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    server_seq = fields.Integer()


class AlertQuerySchema(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread alerts."})
    kind = fields.String(validate=validate.OneOf(ALERT_KINDS))


class ReadAllResultSchema(Schema):
    count = fields.Integer()


class PreferenceSchema(Schema):
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), required=True,
                           metadata={"description": "Channels besides the inbox (always on): email, webhook, push."})
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    email_mode = fields.String(load_default="immediate", validate=validate.OneOf(EMAIL_MODES))
    digest_hour = fields.Integer(load_default=8, validate=validate.Range(min=0, max=23))
    quiet_start = fields.String(allow_none=True, load_default=None, metadata={"description": "HH:MM local"})
    quiet_end = fields.String(allow_none=True, load_default=None, metadata={"description": "HH:MM local"})

    @validates("quiet_start")
    def _start(self, value, **kw):
        if value is not None and not HHMM.match(value):
            raise ValidationError("Use HH:MM, 24-hour (e.g. 22:00).")

    @validates("quiet_end")
    def _end(self, value, **kw):
        if value is not None and not HHMM.match(value):
            raise ValidationError("Use HH:MM, 24-hour (e.g. 07:00).")


class PushKeysSchema(Schema):
    p256dh = fields.String(required=True, validate=validate.Length(min=20, max=200))
    auth = fields.String(required=True, validate=validate.Length(min=8, max=100))


class PushSubscriptionSchema(Schema):
    id = fields.Integer(dump_only=True)
    endpoint = fields.String(required=True, validate=validate.Length(max=1000))
    keys = fields.Nested(PushKeysSchema, required=True, load_only=True)
    created_at = fields.DateTime(dump_only=True)

    @validates("endpoint")
    def _endpoint(self, value, **kw):
        url = urlparse(value)
        local = url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost")
        if not url.netloc or not (url.scheme == "https" or local):
            raise ValidationError("An https:// URL from PushManager.subscribe().")


class PushUnsubscribeSchema(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class VapidKeySchema(Schema):
    public_key = fields.String(allow_none=True)


class DeliveryQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))


class WebhookAttemptSchema(Schema):
    attempt = fields.Integer()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    attempted_at = fields.DateTime()


class DeliverySchema(Schema):
    id = fields.Integer()
    alert_id = fields.String()
    channel = fields.String()
    recipient_id = fields.Integer()
    status = fields.String()
    attempts = fields.Integer()
    crash_retries = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    alert_title = fields.Function(lambda d: d.alert.title)
    alert_kind = fields.Function(lambda d: d.alert.kind)
