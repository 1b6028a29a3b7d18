from flask import g
from flask_smorest import Blueprint
from sqlalchemy import func, select

from harmony.clock import now
from harmony.dbtypes import new_id
from harmony.extensions import db
from harmony.visits import service
from harmony.visits.schemas import (AnnotationCreateSchema, AnnotationSchema, VisitCreateSchema, VisitDetailSchema,
                                    VisitQuerySchema, VisitSchema, VisitSummarySchema, TodoSchema)
from harmony.web import PageArgs, login_required, page_schema, paginate

blp = Blueprint("visits", __name__, url_prefix="/api", description="Home visits and the promoter's to-do list")


def _device_id():
    return g.device.id if g.get("device") is not None else None


@blp.post("/visits")
@blp.arguments(VisitCreateSchema)
@blp.response(201, VisitSchema)
@login_required
def record_visit(args):
    """Record a visit; `occurred_at` defaults to now (phones send their own time through sync)."""
    visit_id = str(args.pop("id") or new_id())
    occurred_at = args.pop("occurred_at") or now()
    return service.record_visit(g.scope, g.user.id, _device_id(), visit_id, args, occurred_at)


@blp.get("/visits")
@blp.arguments(VisitQuerySchema, location="query")
@blp.response(200, page_schema(VisitSchema))
@login_required
def list_visits(args):
    stmt = service.list_visits(g.scope, args.get("household_id"), args.get("grid_id"), args.get("start"), args.get("end"))
    return paginate(stmt, args)


@blp.get("/visits/<visit_id>")
@blp.response(200, VisitDetailSchema)
@login_required
def get_visit(visit_id):
    visit = service.get_visit(g.scope, visit_id)
    visit.annotations = service.annotations(visit)
    return visit


@blp.post("/visits/<visit_id>/annotations")
@blp.arguments(AnnotationCreateSchema)
@blp.response(201, AnnotationSchema)
@login_required
def annotate_visit(args, visit_id):
    return service.annotate_visit(g.scope, g.user.id, str(args["id"] or new_id()), visit_id, args["text"], now())


@blp.get("/households/<household_id>/visits-summary")
@blp.response(200, VisitSummarySchema)
@login_required
def household_summary(household_id):
    return service.household_summary(g.scope, household_id)


@blp.get("/grids/<int:grid_id>/todo")
@blp.arguments(PageArgs, location="query")
@blp.response(200, TodoSchema)
@login_required
def grid_todo(args, grid_id):
    """The promoter's to-do list: households not visited within VISIT_INTERVAL_DAYS, never-visited first."""
    stmt, days = service.grid_todo(g.scope, grid_id)
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    at = now()
    items = [{"household_id": h.id, "code": h.code, "address": h.address, "head_name": h.head_name,
              "care_tags": h.care_tags, "last_visit_at": last,
              "days_since": (at - last).days if last else None}
             for h, last in db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))]
    return {"grid_id": grid_id, "interval_days": days, "items": items, "page": page, "per_page": per_page, "total": total}


def register(app, api):
    api.register_blueprint(blp)
