from flask import Response, g
from flask_smorest import Blueprint

from harmony.reports import export, service
from harmony.reports.schemas import ReportQuerySchema, ReportSchema
from harmony.web import login_required

blp = Blueprint("reports", __name__, url_prefix="/api/reports", description="Indicator reports (JSON, CSV, XLSX)")


@blp.get("/<name>")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.alt_response(200, description="The same table as CSV or XLSX (format=csv|xlsx)", success=True,
                  content_type="text/csv")
@login_required
def get_report(args, name):
    """Return one report for a place in your scope, broken down by child place."""
    lang = args.get("lang") or (g.user.locale if g.user.locale in ("zh-CN", "en") else "zh-CN")
    result = service.run_report(g.scope, name, args.get("place"), args.get("from_"), args.get("to"), lang)
    if args["format"] == "json":
        return result
    body, content_type = export.render(result, args["format"])
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{export.filename(result, args["format"])}"'})


def register(app, api):
    api.register_blueprint(blp)
