from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from harmony.extensions import db
from harmony.ladders import service
from harmony.ladders.models import CalendarDay
from harmony.ladders.schemas import AttachSchema, CalendarDaySchema, LadderSchema, LadderUpdateSchema
from harmony.places.schemas import PlaceSchema
from harmony.web import login_required

blp = Blueprint("ladders", __name__, url_prefix="/api", description="Escalation ladders and the working-day calendar")


@blp.get("/ladders")
@blp.response(200, LadderSchema(many=True))
@login_required
def list_ladders():
    return service.list_ladders()


@blp.post("/ladders")
@blp.arguments(LadderSchema)
@blp.response(201, LadderSchema)
@login_required
def create_ladder(args):
    return service.create_ladder(g.scope, **args)


@blp.get("/ladders/<int:ladder_id>")
@blp.response(200, LadderSchema)
@login_required
def get_ladder(ladder_id):
    return service.get_ladder(ladder_id)


@blp.patch("/ladders/<int:ladder_id>")
@blp.arguments(LadderUpdateSchema)
@blp.response(200, LadderSchema)
@login_required
def update_ladder(args, ladder_id):
    return service.update_ladder(g.scope, ladder_id, args)


@blp.put("/places/<int:place_id>/ladder")
@blp.arguments(AttachSchema)
@blp.response(200, PlaceSchema)
@login_required
def attach_ladder(args, place_id):
    """Attach a ladder to a place; its subtree inherits it."""
    return service.attach_ladder(g.scope, place_id, args["ladder_id"])


@blp.get("/calendar")
@blp.response(200, CalendarDaySchema(many=True))
@login_required
def list_calendar():
    return db.session.scalars(select(CalendarDay).order_by(CalendarDay.day)).all()


@blp.put("/calendar")
@blp.arguments(CalendarDaySchema)
@blp.response(200, CalendarDaySchema)
@login_required
def set_calendar_day(args):
    """Mark a holiday or a make-up working day; kind null clears the mark."""
    row = service.set_calendar_day(g.scope, args["day"], args["kind"], args.get("name"))
    return row or args


def register(app, api):
    api.register_blueprint(blp)
