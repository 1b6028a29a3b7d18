"""A scheduler process SIGKILLed in the middle of sending: the other takes the lease over and
the alert is sent once — not lost, not twice, and not created twice."""
import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from harmony.clock import Clock
from harmony.extensions import db

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "alerts"))


class StallingMail:
    """An SMTP sink whose first message never completes (the sender dies mid-DATA); later ones are kept."""

    def __init__(self):
        self.messages, self.calls, self.released = [], 0, False
        self.first_arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.calls += 1
        if self.calls == 1:
            self.first_arrived.set()
            while not self.released:
                await asyncio.sleep(0.05)
            return "451 4.3.0 the sender is gone"
        self.messages.append(envelope.rcpt_tos)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scheduler_killed_mid_send_hands_over_and_the_alert_goes_out_once(app, demo):
    from aiosmtpd.controller import Controller

    from alert_helpers import make_case, set_email
    from harmony.alerts.models import Alert, AlertDelivery

    address = "center@township.example.org"
    with app.app_context():
        set_email("demo-township", address)
        make_case(demo.grids[0], demo.users["demo-promoter"], level=3,
                  deadline_at=Clock().now() - timedelta(hours=1))  # the processes run on the real clock
        db.session.commit()
        db.session.remove()
    sink, port = StallingMail(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "HARMONY_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "HARMONY_SMTP_HOST": "127.0.0.1", "HARMONY_SMTP_PORT": str(port), "HARMONY_SECRET_KEY": "test",
           "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "flask", "--app", "app", "scheduler", "--once"]
    try:
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, start_new_session=True)
        assert sink.first_arrived.wait(120), first.communicate(timeout=30)[0]
        os.killpg(first.pid, signal.SIGKILL)  # mid-send: the message is in flight, its result never recorded
        first.wait(10)
        with app.app_context():
            alerts_after_first = db.session.scalar(select(func.count()).select_from(Alert))
            sending = db.session.scalars(select(AlertDelivery).where(AlertDelivery.status == "sending")).all()
            assert alerts_after_first > 0 and len(sending) == 1
            db.session.remove()

        # While the dead process's lease is still valid, nobody else works.
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert "another process holds the lease" in second.stdout, second.stdout + second.stderr
        # Time passes (the lease and the claim age past their limits): a stand-in for waiting minutes.
        with app.app_context():
            db.session.execute(text("UPDATE scheduler_lease SET expires_at = :t"),
                               {"t": Clock().now() - timedelta(seconds=1)})
            for delivery in sending:
                db.session.get(AlertDelivery, delivery.id).claimed_at -= timedelta(hours=1)
            db.session.commit()
            db.session.remove()
        third = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert third.returncode == 0 and "another process" not in third.stdout, third.stdout + third.stderr
        # Running again changes nothing.
        fourth = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert fourth.returncode == 0, fourth.stdout + fourth.stderr
        deadline = time.monotonic() + 10
        while not sink.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [address in rcpts for rcpts in sink.messages] == [True], sink.messages
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Alert)) == alerts_after_first
            email = db.session.scalars(select(AlertDelivery).where(AlertDelivery.channel == "email")).all()
            assert [d.status for d in email] == ["sent"], [(d.status, d.last_error) for d in email]
            db.session.remove()
    finally:
        sink.released = True
        controller.stop()
