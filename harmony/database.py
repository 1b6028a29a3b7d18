"""Database engine settings: SQLite pragmas and write transactions that take the lock up front."""
import sqlite3

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    # A deferred transaction that reads and then writes fails at once with "database is
    # locked" if another writer committed in between; IMMEDIATE waits its turn instead.
    # Plain reads (GET, and POSTs marked reads_mostly) stay deferred so they never queue
    # behind writers in WAL mode.
    read_only = has_request_context() and (request.method in ("GET", "HEAD", "OPTIONS") or _reads_mostly())
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reads_mostly(view):
    """Mark a view that only reads, bar a rare small write: its SQLite transaction starts deferred.

    The rare write then fails at once with "database is locked" if another writer committed
    since the view's first read: the request is answered 503 busy and the client retries.
    """
    view.reads_mostly = True
    return view


def _reads_mostly():
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "reads_mostly", False)


def database_kind(engine):
    return engine.dialect.name


def is_locked_error(exc):
    return "database is locked" in str(exc) or "could not serialize" in str(exc) or "deadlock detected" in str(exc)
