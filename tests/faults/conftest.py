"""Fault fixtures: a real server process on its own database, and phones from bench/load.py."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The hostile-input helpers (row counts, push bodies, the error shape) serve these tests too.
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

from bench import load  # noqa: E402

PG_URL = os.environ.get("HARMONY_TEST_DATABASE_URL")


def fault_database_url(db_kind, tmp_path):
    """A database of its own: a temp SQLite file, or '<test database>_faults' on PostgreSQL."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'faults.db'}"
    base, _, name = PG_URL.split("?")[0].rpartition("/")
    return f"{base}/{name}_faults"


@pytest.fixture
def fault_url(db_kind, tmp_path):
    return fault_database_url(db_kind, tmp_path)


@pytest.fixture
def log_dir(request):
    """Server logs kept outside pytest's rotating temp dirs, so a failure can be read afterwards."""
    import re
    import tempfile

    path = Path(tempfile.gettempdir()) / "harmony-faults" / re.sub(r"[^\w.-]+", "_", request.node.name)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.log"):
        old.unlink()
    return path


@pytest.fixture
def served(fault_url, db_kind, log_dir):
    """start(phones=N, **server options) -> (server, accounts); the server is killed at the end."""
    servers = []

    def start(phones=4, households=200, **options):
        accounts = load.prepare_database(fault_url, households, phones, stamp_head=db_kind == "sqlite",
                                         log=lambda *a: None)
        server = load.Server(fault_url, log_path=str(log_dir / "server.log"), **options)
        servers.append(server)
        server.start()
        return server, accounts

    yield start
    for server in servers:
        server.kill()
