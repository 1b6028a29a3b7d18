"""The deadline check: who is alerted, once per period, catching up, stopping when the case moves on."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alert_helpers import escalate, make_case, user_id
from harmony.alerts.models import Alert, AlertDelivery
from harmony.alerts.service import check_overdue, check_team_health, check_visit_digest, overdue_period
from harmony.cases.models import Case
from harmony.extensions import db
from tests.conftest import START


def alerts(**where):
    stmt = select(Alert).order_by(Alert.created_at, Alert.recipient_id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Alert, key) == value)
    return db.session.scalars(stmt).all()


def test_overdue_at_association_alerts_its_owners_and_the_township_once(demo, ctx):
    case_id = make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=5))
    db.session.commit()
    result = check_overdue()
    db.session.commit()
    assert [c["case_id"] for c in result.overdue] == [case_id]
    assert result.overdue[0]["overdue_hours"] == 5.0
    got = {a.recipient_id: a.data["role"] for a in alerts(kind="overdue")}
    township = {user_id("demo-township"), user_id("liaison-1"), user_id("liaison-2"), user_id("liaison-3")}
    assert got == {user_id("demo-village"): "owner", **{u: "supervisor" for u in township}}
    alert = alerts(recipient_id=user_id("demo-township"))[0]
    assert alert.title == "案件逾期：邻里纠纷" and "已逾期5小时" in alert.body and alert.data["overdue_hours"] == 5.0
    assert alert.server_seq > 0 and alert.level == 3 and alert.period == 0

    again = check_overdue(at=START + timedelta(hours=3))
    db.session.commit()
    assert again.alerts_created == 0 and len(alerts(kind="overdue")) == 5


def test_english_recipient_gets_english_text(demo, ctx):
    from harmony.people.models import User

    db.session.get(User, user_id("demo-township")).locale = "en"
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=30))
    db.session.commit()
    check_overdue()
    alert = alerts(recipient_id=user_id("demo-township"))[0]
    assert alert.locale == "en" and alert.title == "Case overdue: 邻里纠纷"
    assert "overdue at Village association for 1 d 6 h" in alert.body


def test_repeat_follows_the_cadence_and_a_missed_day_catches_up_with_one_alert(demo, ctx, clock, app):
    deadline = START - timedelta(hours=1)
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=deadline)
    db.session.commit()
    township = user_id("demo-township")
    for minutes in range(0, 24 * 60, 5 * 60):  # runs through the first day: one alert
        check_overdue(at=START + timedelta(minutes=minutes))
    db.session.commit()
    assert [a.period for a in alerts(recipient_id=township)] == [0]
    check_overdue(at=START + timedelta(hours=23, minutes=30))  # 24.5 h overdue: the next day's reminder
    db.session.commit()
    assert [a.period for a in alerts(recipient_id=township)] == [0, 1]
    # The server was down for three days: one alert for the current period, saying how long.
    late = START + timedelta(days=4)
    check_overdue(at=late)
    db.session.commit()
    mine = alerts(recipient_id=township)
    assert [a.period for a in mine] == [0, 1, 4]
    assert mine[-1].data["overdue_hours"] == 97.0 and "4天1小时" in mine[-1].body

    app.config["ALERT_REPEAT_HOURS"] = 6
    assert overdue_period(late, deadline, 6) == 16


def test_no_alert_after_escalation_or_resolution_and_due_soon_goes_to_owners(demo, ctx):
    first = make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    second = make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    db.session.commit()
    check_overdue()
    db.session.commit()
    escalate(first, 4, START)
    db.session.get(Case, second).status = "resolved"
    db.session.commit()
    later = check_overdue(at=START + timedelta(days=2))
    db.session.commit()
    assert later.overdue == [] and later.alerts_created == 0
    # 15 days at the township, reminded 3 days before: the township staff, not the village.
    soon = check_overdue(at=START + timedelta(days=13))
    db.session.commit()
    assert [c["case_id"] for c in soon.due_soon] == [first]
    due = alerts(kind="due_soon")
    assert {a.recipient_id for a in due} == {user_id("demo-township"), user_id("liaison-1"), user_id("liaison-2"),
                                             user_id("liaison-3")}
    assert all(a.level == 4 and "还剩2天" in a.body for a in due)


def test_a_second_stay_at_the_same_level_is_alerted_afresh(demo, ctx):
    """Handed back down and carried up again: the new deadline starts new periods."""
    case_id = make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=2))
    db.session.commit()
    check_overdue()
    db.session.commit()
    escalate(case_id, 2, START + timedelta(hours=1))
    db.session.commit()
    escalate(case_id, 3, START + timedelta(hours=2))
    db.session.commit()
    result = check_overdue(at=START + timedelta(days=7, hours=3))
    db.session.commit()
    assert result.alerts_created == 5
    township = alerts(recipient_id=user_id("demo-township"))
    assert [a.period for a in township] == [0, 0] and township[1].data["overdue_hours"] == 1.0


def test_top_level_alerts_the_named_leader_and_county_leaders(demo, ctx):
    leader = user_id("county-staff")
    make_case(demo.grids[0], demo.users["demo-promoter"], level=5, deadline_at=START - timedelta(hours=1),
              leader_id=leader)
    db.session.commit()
    check_overdue()
    got = {a.recipient_id: a.data["role"] for a in alerts(kind="overdue")}
    assert got == {leader: "leader", user_id("demo-county"): "owner"}


def test_dry_run_finds_but_creates_nothing(demo, ctx):
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=1))
    db.session.commit()
    result = check_overdue(dry_run=True)
    assert len(result.overdue) == 1 and result.alerts_created == 0
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 0


def test_deliveries_are_created_per_channel_the_person_can_receive(demo, ctx, app):
    from harmony.alerts.inbox import set_preferences, subscribe_push
    from harmony.people.models import User

    app.config.update(WEBHOOK_URL="http://127.0.0.1:9/hook", WEBHOOK_SECRET="s3cret")
    township, village = user_id("demo-township"), user_id("demo-village")
    db.session.get(User, township).email = "township@example.org"
    subscribe_push(township, "https://push.example.org/abc", "B" * 87, "a" * 22)
    set_preferences(village, channels=["push"])  # no subscription: nothing to deliver
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=1))
    db.session.commit()
    check_overdue()
    db.session.commit()
    rows = db.session.execute(select(AlertDelivery.recipient_id, AlertDelivery.channel)).all()
    assert sorted(c for r, c in rows if r == township) == ["email", "push", "webhook"]
    assert [c for r, c in rows if r == village] == []
    assert sorted(c for r, c in rows if r == user_id("liaison-1")) == ["webhook"]


def test_two_processes_checking_at_once_create_each_alert_once(demo, app, db_kind):
    from harmony import create_app
    from harmony.config import TestConfig

    with app.app_context():
        for _ in range(20):
            make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=1))
        db.session.commit()
    other = create_app(TestConfig, clock=app.extensions["harmony_clock"],
                       overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    barrier, results, errors = threading.Barrier(2), [], []

    def run(instance):
        with instance.app_context():
            try:
                barrier.wait()
                results.append(check_overdue().alerts_created)
                db.session.commit()
            except Exception as exc:  # pragma: no cover - surfaced below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in (app, other)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    with other.app_context():
        db.engine.dispose()
    assert not errors
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Alert))
        deliveries = db.session.scalar(select(func.count()).select_from(AlertDelivery))
    assert total == 100 and sorted(results) == [0, 100] or sum(results) == 100
    assert deliveries == 0  # nobody has an address in the demo


def test_visit_digest_once_a_day_per_promoter_and_grid_head(demo, ctx):
    result = check_visit_digest()
    db.session.commit()
    head = alerts(kind="visit_digest", recipient_id=user_id("demo-gridhead"))
    assert len(head) == 1 and head[0].data["grids"][0]["grid_id"] == demo.grids[0]
    assert head[0].data["count"] == head[0].data["grids"][0]["count"] > 0
    assert user_id("demo-promoter") in result["recipients"] and user_id("promoter-1b") in result["recipients"]
    assert user_id("demo-township") not in result["recipients"]
    assert check_visit_digest(at=START + timedelta(hours=5))["alerts_created"] == 0
    assert check_visit_digest(at=START + timedelta(days=1))["alerts_created"] == result["alerts_created"]


def test_team_health_weekly_to_administrators(demo, ctx):
    result = check_team_health()
    db.session.commit()
    mine = alerts(kind="team_health")
    assert [a.recipient_id for a in mine] == [user_id("demo-admin")]
    assert mine[0].data["count"] == result["problems"] > 0
    assert {p["problem"] for p in mine[0].data["problems"]} >= {"association_without_liaison_cadre"}
    assert check_team_health(at=START + timedelta(days=3))["alerts_created"] == 0
    assert check_team_health(at=START + timedelta(days=7))["alerts_created"] == 1


def test_auto_escalation_is_off_by_default(demo, ctx):
    make_case(demo.grids[0], demo.users["demo-promoter"], level=1, deadline_at=START - timedelta(hours=50))
    db.session.commit()
    assert check_overdue().escalated == []


def test_auto_escalation_is_recorded_by_the_system_with_the_reason(demo, ctx, app):
    try:
        from harmony.cases.service import add_event, open_case  # noqa: F401
    except ImportError:
        pytest.skip("harmony.cases.service has not landed yet")
    from harmony.cases.models import CaseEvent
    from harmony.cli import system_scope

    case = open_case(system_scope(), demo.users["demo-promoter"], None, "c0ffee00-0000-4000-8000-000000000001",
                     {"grid_id": demo.grids[0], "title": "漏水", "category": "neighbour", "source": "visit"},
                     START - timedelta(days=10))
    db.session.commit()
    assert case.level == 1 and case.deadline_at < START - timedelta(hours=48)
    app.config["AUTO_ESCALATE_AFTER_HOURS"] = 48
    result = check_overdue()
    db.session.commit()
    assert result.escalated == [case.id]
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "escalated"))
    assert event.actor_id is None and event.data["reason"].startswith("system:") and event.rejected_reason is None
    assert db.session.get(Case, case.id).level == 2
    # A second run (or a second process) adds nothing.
    assert check_overdue().escalated == []
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "escalated")) == 1
