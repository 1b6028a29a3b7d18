"""Extension objects, bound to the app in create_app (init_app pattern)."""
from flask_migrate import Migrate
import marshmallow as ma
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())


class ErrorSchema(ma.Schema):
    """The one error shape of every 4xx/5xx."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class HarmonyApi(Api):
    """flask-smorest Api whose errors use Harmony's one error shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        from harmony.errors import error_body

        messages = None
        data = getattr(error, "data", None) or {}
        if "messages" in data:
            # webargs nests by location ("json", "query"); fields are what the client needs.
            messages = {}
            for location, location_errors in data["messages"].items():
                if isinstance(location_errors, dict):
                    messages.update(location_errors)
                else:  # e.g. {"json": ["Invalid JSON body."]}: the body as a whole is wrong
                    messages[location] = location_errors
        code = (error.name or "error").lower().replace(" ", "_")
        if error.code == 422:
            code = "validation_error"
        message = "Some fields are invalid." if messages else (error.description or error.name)
        response = error_body(code, message, messages)
        headers = data.get("headers") or {}
        if hasattr(error, "get_headers"):
            for key, value in error.get_headers():
                if key.lower() != "content-type":
                    headers.setdefault(key, value)
        return response, error.code, headers


api = HarmonyApi()
