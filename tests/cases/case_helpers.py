"""Helpers for calling the case and visit services as a given demo user."""
import uuid
from datetime import datetime, timezone

from harmony.access import scope_for
from harmony.extensions import db
from harmony.people.models import User

START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # the frozen clock's start (tests/conftest.py)


def actor(demo, username):
    """Return (scope, user id) of a demo user."""
    user = db.session.get(User, demo.users[username])
    return scope_for(user), user.id


def uid():
    return str(uuid.uuid4())


def first_household(grid_id):
    from sqlalchemy import select

    from harmony.households.models import Household

    return db.session.scalar(select(Household).where(Household.grid_id == grid_id).order_by(Household.code).limit(1))
