from flask import g
from flask_smorest import Blueprint

from harmony.cases import service
from harmony.cases.fold import rule_of
from harmony.cases.schemas import (CaseCreateSchema, CaseDetailSchema, CaseQuerySchema, CaseSchema, CaseUpdateSchema,
                                   EventCreateSchema, EventSchema, ReapplyResultSchema, ReapplySchema)
from harmony.clock import now
from harmony.dbtypes import new_id
from harmony.errors import RuleBroken
from harmony.web import PageArgs, login_required, page_schema, paginate

CasePageSchema = page_schema(CaseSchema)
blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="Cases and their escalation ladder")


def _device_id():
    return g.device.id if g.get("device") is not None else None


@blp.get("")
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CasePageSchema)
@login_required
def list_cases(args):
    filters = {k: args.get(k) for k in ("level", "status", "overdue", "category", "place_id", "owner_id")}
    return paginate(service.list_cases(g.scope, **filters), args)


@blp.get("/mine")
@blp.arguments(PageArgs, location="query")
@blp.response(200, CasePageSchema)
@login_required
def my_work(args):
    """The open cases waiting on the caller's level within their places, soonest deadline first."""
    return paginate(service.my_work(g.scope, g.user.id), args)


@blp.post("")
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseDetailSchema)
@login_required
def open_case(args):
    case_id = str(args.pop("id") or new_id())
    case = service.open_case(g.scope, g.user.id, _device_id(), case_id, args, now())
    case.timeline = service.timeline(case)
    return case


@blp.post("/reapply-ladder")
@blp.arguments(ReapplySchema)
@blp.response(200, ReapplyResultSchema)
@login_required
def reapply_ladder(args):
    """Administrators: give the open cases under a place their grid's current ladder."""
    return service.reapply_ladder(g.scope, g.user.id, args["place_id"])


@blp.get("/<case_id>")
@blp.response(200, CaseDetailSchema)
@login_required
def get_case(case_id):
    case = service.get_case(g.scope, case_id)
    case.timeline = service.timeline(case)
    return case


@blp.patch("/<case_id>")
@blp.arguments(CaseUpdateSchema)
@blp.response(200, CaseSchema)
@login_required
def update_case(args, case_id):
    return service.update_case_fields(g.scope, g.user.id, case_id, args)


@blp.post("/<case_id>/events")
@blp.arguments(EventCreateSchema)
@blp.response(201, EventSchema)
@login_required
def add_event(args, case_id):
    """Append an event. Online, an event the rules refuse is not stored: the answer names the rule."""
    event = service.add_event(g.scope, g.user.id, _device_id(), str(args["id"] or new_id()), case_id,
                              args["kind"], args["data"], now())
    if event.rejected_reason:
        rule = rule_of(event.rejected_reason)
        raise RuleBroken(event.rejected_reason.split(":", 1)[1].strip(), fields={"rule": [rule]}, code="rule_broken")
    return event


def register(app, api):
    api.register_blueprint(blp)
