from flask import current_app, g
from flask_smorest import Blueprint

from harmony.alerts import inbox
from harmony.alerts.schemas import (AlertQuerySchema, AlertSchema, DeliveryQuerySchema, DeliverySchema,
                                    PreferenceSchema, PushSubscriptionSchema, PushUnsubscribeSchema,
                                    ReadAllResultSchema, VapidKeySchema)
from harmony.web import login_required, page_schema, paginate

blp = Blueprint("alerts", __name__, url_prefix="/api/alerts", description="The alert inbox and how alerts reach people")


def register(app, api):
    api.register_blueprint(blp)


@blp.get("")
@blp.arguments(AlertQuerySchema, location="query")
@blp.response(200, page_schema(AlertSchema))
@login_required
def list_alerts(args):
    """List my alerts, unread first."""
    return paginate(inbox.list_alerts(g.user.id, args["unread"], args.get("kind")), args)


@blp.post("/<alert_id>/read")
@blp.response(200, AlertSchema)
@login_required
def mark_read(alert_id):
    return inbox.mark_read(g.user.id, alert_id)


@blp.post("/read-all")
@blp.response(200, ReadAllResultSchema)
@login_required
def mark_all_read():
    return {"count": inbox.mark_all_read(g.user.id)}


@blp.get("/preferences")
@blp.response(200, PreferenceSchema)
@login_required
def get_preferences():
    return inbox.get_preferences(g.user.id)


@blp.put("/preferences")
@blp.arguments(PreferenceSchema)
@blp.response(200, PreferenceSchema)
@login_required
def set_preferences(args):
    """Choose channels, quiet hours (delay, never drop) and immediate or daily-digest email."""
    return inbox.set_preferences(g.user.id, **args)


@blp.get("/push/key")
@blp.response(200, VapidKeySchema)
@login_required
def vapid_public_key():
    """The VAPID public key (applicationServerKey for PushManager.subscribe)."""
    return {"public_key": current_app.config.get("VAPID_PUBLIC_KEY")}


@blp.post("/push-subscriptions")
@blp.arguments(PushSubscriptionSchema)
@blp.response(201, PushSubscriptionSchema)
@login_required
def subscribe_push(args):
    return inbox.subscribe_push(g.user.id, args["endpoint"], args["keys"]["p256dh"], args["keys"]["auth"])


@blp.delete("/push-subscriptions")
@blp.arguments(PushUnsubscribeSchema)
@blp.response(204)
@login_required
def unsubscribe_push(args):
    inbox.unsubscribe_push(g.user.id, args["endpoint"])


@blp.get("/deliveries")
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, page_schema(DeliverySchema))
@login_required
def list_deliveries(args):
    """Administrators: the outbox; `status=dead` is the dead-letter list."""
    return paginate(inbox.list_deliveries(g.scope, args.get("status"), args.get("channel")), args)


@blp.post("/deliveries/<int:delivery_id>/resend")
@blp.response(200, DeliverySchema)
@login_required
def resend_delivery(delivery_id):
    """Administrators: put a dead letter back in the outbox."""
    return inbox.resend_delivery(g.scope, delivery_id)
