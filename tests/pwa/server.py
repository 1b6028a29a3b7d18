"""A real Harmony server on 127.0.0.1 for browser tests (and `python -m tests.pwa.server` by hand).

The schema is built with create_all and the demo county seeded, like the other tests.
"""
import argparse
import threading

from sqlalchemy import text
from werkzeug.serving import make_server

from harmony import create_app
from harmony.config import TestConfig, normalize_database_url
from harmony.extensions import db


def build_app(database_url, households=360, reset=True):
    app = create_app(TestConfig, overrides={"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
                                             "PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        if reset:
            if db.engine.dialect.name == "postgresql":
                db.drop_all()
                db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
            db.create_all()
            seed(households)
        db.session.remove()
    return app


def seed(households):
    from harmony.demo import seed_demo

    result = seed_demo(households=households, password_profile="fast")
    try:
        from harmony.cases.demo import seed_history
    except ImportError:  # the cases package's demo history is optional
        seed_history = None
    if seed_history is not None:
        seed_history(result)
    db.session.commit()
    return result


class ServerThread(threading.Thread):
    def __init__(self, app, port=0):
        super().__init__(daemon=True)
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def run(self):
        self.server.serve_forever()

    def stop(self):
        self.server.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve a fresh demo database for trying the PWA.")
    parser.add_argument("--database", default="sqlite:////tmp/pwa/dev.db")
    parser.add_argument("--port", type=int, default=5050)
    parser.add_argument("--keep", action="store_true", help="Reuse the database as it is.")
    args = parser.parse_args()
    if args.database.startswith("sqlite:////") and not args.keep:
        import os
        path = args.database[len("sqlite:///"):]
        if os.path.exists(path):
            os.remove(path)
    application = build_app(args.database, reset=not args.keep)
    thread = ServerThread(application, args.port)
    print("serving", thread.url, flush=True)
    thread.server.serve_forever()
