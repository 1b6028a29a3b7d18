from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from harmony.config import VERSION
from harmony.extensions import db

blp = Blueprint("health", __name__, url_prefix="/api", description="Service health")


class HealthSchema(Schema):
    status = fields.String()
    version = fields.String()
    database = fields.String()
    migration_head = fields.String(allow_none=True)


@blp.get("/health")
@blp.response(200, HealthSchema)
@blp.doc(security=[])
def health():
    """Report version, database kind and migration head."""
    try:
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no alembic table: a database made by create_all (tests)
        db.session.rollback()
        head = None
    return {"status": "ok", "version": VERSION, "database": db.engine.dialect.name, "migration_head": head}
