"""Harmony: offline-first grid service and level-by-level dispute resolution."""
import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import InternalServerError

from harmony.clock import Clock
from harmony.config import Config, VERSION
from harmony.errors import ApiError, error_body
from harmony.extensions import api, db, migrate
from harmony.jsonio import HarmonyJSONProvider, install_arguments_parser

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


class HarmonyFlask(Flask):
    json_provider_class = HarmonyJSONProvider


install_arguments_parser()


def create_app(config=None, clock=None, overrides=None):
    """Build the Flask app from a Config class (default Config) plus optional overrides."""
    import harmony.database  # noqa: F401  (engine events)
    from harmony import models  # noqa: F401  (every model registered before migrations)

    app = HarmonyFlask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_object(config or Config)
    app.config.update(overrides or {})
    Config.finalize(app)
    app.extensions["harmony_clock"] = clock or Clock()

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR") or _migrations_dir(), render_as_batch=True, compare_type=True)
    api.init_app(app, spec_kwargs={"info": {"description": "Harmony: grid service and dispute resolution."}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_error_handlers(app)
    _register_cli(app)
    if not app.testing:
        _freeze_startup_heap()
    return app


def _freeze_startup_heap():
    """Move the objects alive after start-up (modules, models, mappers) out of the cyclic GC.

    A server keeps them for life, yet every full collection rescanned all of them: with
    sync batches allocating thousands of containers, that cost ~3 ms per 500-mutation push.
    """
    import gc

    from sqlalchemy.orm import configure_mappers

    configure_mappers()  # else done at the first query, leaving the mappers' objects to be rescanned
    gc.collect()
    gc.freeze()


def _migrations_dir():
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")


def _register_blueprints(app):
    from harmony import pwa
    from harmony.health import blp as health_blp
    from harmony.households.views import blp as households_blp
    from harmony.people.views import auth, people
    from harmony.places.views import blp as places_blp
    from harmony.teams.views import blp as teams_blp

    for blp in (health_blp, auth, people, places_blp, households_blp, teams_blp):
        api.register_blueprint(blp)
    for register in _optional_registrations():
        register(app, api)
    app.register_blueprint(pwa.blp)


def _optional_registrations():
    """Return the register(app, api) hooks of the domain packages that have them."""
    import importlib

    hooks = []
    for name in ("harmony.audit.views", "harmony.ladders.views", "harmony.visits.views", "harmony.cases.views", "harmony.alerts.views",
                 "harmony.reports.views", "sync.views"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        hooks.append(module.register)
    return hooks


def _register_request_hooks(app):
    from harmony.web import authenticate_request

    @app.before_request
    def load_caller():
        authenticate_request()

    @app.after_request
    def finish(response):
        # One commit per request: services only flush.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response


def _register_error_handlers(app):
    from harmony.database import is_locked_error

    @app.errorhandler(ApiError)
    def api_error(exc):
        if exc.keep_changes:
            db.session.commit()
        else:
            db.session.rollback()
        return jsonify(exc.to_dict()), exc.status, exc.headers

    @app.errorhandler(OperationalError)
    def database_busy(exc):
        db.session.rollback()
        if is_locked_error(exc):
            log.warning("database busy: %s", exc.orig)
            body = error_body("busy", "The server is busy; retry shortly. Nothing was saved.")
            return jsonify(body), 503, {"Retry-After": "2"}
        log.exception("database error")
        return jsonify(error_body("database_unavailable", "The database is unavailable; retry later.")), 503, {"Retry-After": "5"}

    @app.errorhandler(OverflowError)  # an integer past 64 bits reaching SQLite's driver
    @app.errorhandler(DataError)
    def value_refused_by_database(exc):
        # A value the schemas let through but the database cannot hold (e.g. an id beyond
        # a 32-bit integer on PostgreSQL): bad input, not a server fault.
        db.session.rollback()
        log.info("database refused a value: %s", getattr(exc, "orig", exc))
        return jsonify(error_body("invalid_value", "A value is out of range or of the wrong kind.")), 422

    @app.errorhandler(InternalServerError)
    def internal_error(exc):
        original = getattr(exc, "original_exception", None)
        if isinstance(original, (DataError, OverflowError)):
            return value_refused_by_database(original)
        if isinstance(original, OperationalError):
            # Raised by the COMMIT in after_request, which Flask routes here rather than to
            # the OperationalError handler: nothing was saved, so the client may retry.
            return database_busy(original)
        db.session.rollback()
        if original is not None:
            log.error("unhandled error", exc_info=original)
        return jsonify(error_body("internal_error", "Something went wrong on the server. Nothing was saved.")), 500


def _register_cli(app):
    from harmony.cli import register_commands

    register_commands(app)


__all__ = ["create_app", "VERSION"]
