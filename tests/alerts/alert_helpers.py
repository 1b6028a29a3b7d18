"""Helpers for the alerts tests: cases made directly with the model."""
import copy
from datetime import timedelta

from harmony.cases.models import Case
from harmony.extensions import db
from harmony.ladders.builtin import FIVE_LEVEL


def make_case(grid_id, reporter_id, level=3, deadline_at=None, remind_at=None, status="open", title="邻里纠纷",
              leader_id=None, owner_id=None, levels=None):
    """Create an open case at `level` of the five-level ladder with the given deadline; return its id."""
    levels = copy.deepcopy(levels or FIVE_LEVEL["levels"])
    case = Case(grid_id=grid_id, title=title, category="neighbour", source="visit", reported_by_id=reporter_id,
                opened_at=deadline_at - timedelta(days=20), ladder_key="five_level", ladder_levels=levels,
                status=status, level=level, level_key=levels[level - 1]["key"], tier=levels[level - 1]["tier"],
                level_since=deadline_at - timedelta(days=levels[level - 1]["days"]), deadline_at=deadline_at,
                remind_at=remind_at or deadline_at - timedelta(days=levels[level - 1]["remind_days"]),
                leader_id=leader_id, owner_id=owner_id)
    db.session.add(case)
    db.session.flush()
    return case.id


def escalate(case_id, to_level, since):
    """Move a case up one level the way the fold would (new level, new deadline)."""
    case = db.session.get(Case, case_id)
    level = case.ladder_levels[to_level - 1]
    case.level, case.level_key, case.level_since = to_level, level["key"], since
    case.deadline_at = since + timedelta(days=level["days"])
    case.remind_at = case.deadline_at - timedelta(days=level["remind_days"])
    db.session.flush()


def configure(app, **values):
    app.config.update(values)


def user_id(username):
    from sqlalchemy import select

    from harmony.people.models import User

    return db.session.scalar(select(User.id).where(User.username == username))


def set_email(username, email):
    from harmony.people.models import User

    db.session.get(User, user_id(username)).email = email
    db.session.flush()
