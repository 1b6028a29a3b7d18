"""Configuration read from HARMONY_* environment variables, with safe defaults."""
import os
import secrets
from pathlib import Path

VERSION = "0.1.0"


def _env(name, default=None, cast=str):
    raw = os.environ.get(f"HARMONY_{name}")
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return cast(raw)


def _secret_key(instance_path):
    """Return HARMONY_SECRET_KEY, or one generated once into instance/secret_key."""
    given = _env("SECRET_KEY")
    if given:
        return given
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    TESTING = False
    # Filled in by create_app once the instance folder is known.
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    JSON_AS_ASCII = False

    API_TITLE = "Harmony API"
    API_VERSION = VERSION
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = None  # served by harmony.apidocs without a CDN

    TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
    GRID_MIN_HOUSEHOLDS = _env("GRID_MIN_HOUSEHOLDS", 100, int)
    GRID_MAX_HOUSEHOLDS = _env("GRID_MAX_HOUSEHOLDS", 150, int)
    VISIT_INTERVAL_DAYS = _env("VISIT_INTERVAL_DAYS", 30, int)
    LOGIN_MAX_FAILURES = _env("LOGIN_MAX_FAILURES", 10, int)
    LOGIN_WINDOW_MINUTES = _env("LOGIN_WINDOW_MINUTES", 15, int)
    PAGE_SIZE_MAX = 500

    SYNC_MAX_MUTATIONS = _env("SYNC_MAX_MUTATIONS", 500, int)
    SYNC_MAX_BYTES = _env("SYNC_MAX_BYTES", 2 * 1024 * 1024, int)
    SYNC_RESULT_RETENTION_DAYS = _env("SYNC_RESULT_RETENTION_DAYS", 90, int)
    SYNC_PULL_LIMIT_MAX = 1000
    SYNC_CASE_HISTORY_DAYS = _env("SYNC_CASE_HISTORY_DAYS", 90, int)
    SYNC_VISIT_HISTORY_DAYS = _env("SYNC_VISIT_HISTORY_DAYS", 365, int)

    SCHEDULER_ENABLED = _env("SCHEDULER", True, bool)
    CHECK_INTERVAL_MINUTES = _env("CHECK_INTERVAL_MINUTES", 5, int)
    ALERT_REPEAT_HOURS = _env("ALERT_REPEAT_HOURS", 24, int)
    AUTO_ESCALATE_AFTER_HOURS = _env("AUTO_ESCALATE_AFTER_HOURS", None, int)  # off by default
    DIGEST_HOUR = _env("DIGEST_HOUR", 8, int)  # local hour for daily digests
    SCHEDULER_LEASE_SECONDS = _env("SCHEDULER_LEASE_SECONDS", 180, int)
    ALERT_MAX_ATTEMPTS = _env("ALERT_MAX_ATTEMPTS", 6, int)
    ALERT_RETRY_BASE_SECONDS = _env("ALERT_RETRY_BASE_SECONDS", 60, int)
    ALERT_RETRY_MAX_SECONDS = _env("ALERT_RETRY_MAX_SECONDS", 6 * 3600, int)
    ALERT_CLAIM_TIMEOUT_SECONDS = _env("ALERT_CLAIM_TIMEOUT_SECONDS", 600, int)

    SMTP_HOST = _env("SMTP_HOST")
    SMTP_PORT = _env("SMTP_PORT", 25, int)
    SMTP_TLS = _env("SMTP_TLS", "none")  # none | starttls | ssl
    SMTP_USER = _env("SMTP_USER")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_FROM = _env("SMTP_FROM", "harmony@localhost")
    WEBHOOK_URL = _env("WEBHOOK_URL")
    WEBHOOK_SECRET = _env("WEBHOOK_SECRET")
    VAPID_PRIVATE_KEY = _env("VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY = _env("VAPID_PUBLIC_KEY")
    VAPID_SUBJECT = _env("VAPID_SUBJECT", "mailto:admin@localhost")

    @classmethod
    def finalize(cls, app):
        """Fill the values that depend on the instance folder."""
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _secret_key(app.instance_path)
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            url = _env("DATABASE_URL")
            if not url:
                Path(app.instance_path).mkdir(parents=True, exist_ok=True)
                url = "sqlite:///" + str(Path(app.instance_path) / "harmony.db")
            app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(url)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SCHEDULER_ENABLED = False
    LOGIN_MAX_FAILURES = 5


def normalize_database_url(url):
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
