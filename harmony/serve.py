"""Start-up for `python app.py`: migrate, seed the demo if empty, run the scheduler, serve."""
import logging

from flask_migrate import upgrade

from harmony import create_app
from harmony.extensions import db

log = logging.getLogger(__name__)


def prepare(app, demo=True):
    """Bring the schema to head and seed the demo into an empty database."""
    from harmony.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, is_seeded

    with app.app_context():
        upgrade()
        if demo and not is_seeded():
            log.info("empty database: seeding the demo county (takes a few seconds)")
            _seed()
            print("\nDemo log-ins (password %s):" % DEMO_PASSWORD)
            for username, role, label in DEMO_ACCOUNTS:
                print(f"  {username:16} {role:15} {label}")
            print()
        db.session.remove()


def _seed():
    from harmony.cli import _optional
    from harmony.demo import seed_demo

    result = seed_demo()
    seed_history = _optional("harmony.cases.demo", "seed_history")
    if seed_history:
        seed_history(result)
    db.session.commit()


def serve(host="127.0.0.1", port=5000, demo=True, threads=8, connection_limit=500):
    from waitress import serve as waitress_serve

    app = create_app()
    prepare(app, demo=demo)
    start_scheduler = _optional_scheduler()
    if start_scheduler and app.config["SCHEDULER_ENABLED"]:
        start_scheduler(app)
    print(f"Harmony is running at http://{host}:{port}/  (API docs: /api/docs)")
    # waitress watches its sockets with select(): keep the limit well under its 1024 descriptors.
    waitress_serve(app, host=host, port=port, threads=threads, connection_limit=connection_limit)


def _optional_scheduler():
    try:
        from harmony.jobs import start_scheduler
    except ModuleNotFoundError:
        return None
    return start_scheduler
