"""The injectable clock: all deadline and audit logic reads time from here."""
from datetime import datetime, timezone


class Clock:
    """Real time, in UTC."""

    def now(self):
        return datetime.now(timezone.utc)


class FrozenClock(Clock):
    """A clock that stands still until moved; for tests and `--at` commands."""

    def __init__(self, at):
        self.at = ensure_utc(at)

    def now(self):
        return self.at

    def set(self, at):
        self.at = ensure_utc(at)

    def advance(self, delta):
        self.at = self.at + delta


def ensure_utc(value):
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def local_zone():
    """The configured time zone (TIMEZONE): whose calendar days reports, digests and quiet hours count."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return ZoneInfo(current_app.config["TIMEZONE"])


def now():
    """Return the app's current time (UTC, aware)."""
    from flask import current_app

    return current_app.extensions["harmony_clock"].now()
