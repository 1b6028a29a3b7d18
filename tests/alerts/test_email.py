"""Email over a real SMTP server on loopback (aiosmtpd): refusal, outage, digest, quiet hours."""
from datetime import timedelta

from sqlalchemy import select

from alert_helpers import make_case, set_email, user_id
from harmony.alerts.delivery import deliver_pending
from harmony.alerts.inbox import set_preferences
from harmony.alerts.models import AlertDelivery
from harmony.alerts.service import check_overdue
from harmony.extensions import db
from tests.conftest import START

ADDRESS = "township@example.org"


def setup_case(app, demo, smtp, **case):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TLS="none", ALERT_RETRY_BASE_SECONDS=60)
    set_email("demo-township", ADDRESS)
    case_id = make_case(demo.grids[0], demo.users["demo-promoter"], level=3,
                        deadline_at=case.pop("deadline_at", START - timedelta(hours=2)), **case)
    db.session.commit()
    return case_id


def email_rows():
    return db.session.scalars(select(AlertDelivery).where(AlertDelivery.channel == "email")).all()


def test_one_mail_per_alert_with_subject_and_message_id(demo, ctx, app, smtp):
    setup_case(app, demo, smtp)
    check_overdue()
    db.session.commit()
    stats = deliver_pending()
    assert stats["sent"] == 1
    [mail] = smtp.handler.to(ADDRESS)
    assert mail["Subject"] == "案件逾期：邻里纠纷" and "已逾期2小时" in mail.get_content()
    assert f"harmony-delivery-{email_rows()[0].id}" in mail["Message-ID"]
    assert deliver_pending()["sent"] == 0 and len(smtp.handler.messages) == 1
    [row] = email_rows()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at == START


def test_server_refusing_then_accepting_sends_exactly_once(demo, ctx, app, smtp, clock):
    setup_case(app, demo, smtp)
    check_overdue()
    db.session.commit()
    smtp.handler.refuse = True
    assert deliver_pending()["retry"] == 1
    [row] = email_rows()
    assert row.status == "retry" and "451" in row.last_error and row.next_attempt_at == START + timedelta(seconds=60)
    assert deliver_pending()["sent"] == 0  # not due yet: backoff
    clock.advance(timedelta(seconds=60))
    assert deliver_pending()["retry"] == 1
    db.session.refresh(row)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=120)  # exponential
    smtp.handler.refuse = False
    clock.advance(timedelta(seconds=120))
    assert deliver_pending()["sent"] == 1
    clock.advance(timedelta(hours=1))
    assert deliver_pending()["sent"] == 0
    assert len(smtp.handler.to(ADDRESS)) == 1
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 3


def test_server_down_then_back_and_dead_after_max_attempts(demo, ctx, app, smtp, clock):
    setup_case(app, demo, smtp)
    app.config["ALERT_MAX_ATTEMPTS"] = 2
    check_overdue()
    db.session.commit()
    smtp.stop()
    assert deliver_pending()["retry"] == 1
    assert "Connection refused" in email_rows()[0].last_error or "ConnectionRefused" in email_rows()[0].last_error
    smtp.start()
    clock.advance(timedelta(minutes=1))
    assert deliver_pending()["sent"] == 1
    assert len(smtp.handler.to(ADDRESS)) == 1
    # A second alert meets a server that stays down: dead after ALERT_MAX_ATTEMPTS, kept for resending.
    clock.advance(timedelta(days=1))
    check_overdue()
    db.session.commit()
    smtp.stop()
    deliver_pending()
    clock.advance(timedelta(minutes=1))
    assert deliver_pending()["dead"] == 1
    assert sorted(r.status for r in email_rows()) == ["dead", "sent"]


def test_daily_digest_sends_one_mail_for_many_alerts(demo, ctx, app, smtp, clock):
    setup_case(app, demo, smtp)
    make_case(demo.grids[0], demo.users["demo-promoter"], level=3, deadline_at=START - timedelta(hours=3), title="噪音")
    set_preferences(user_id("demo-township"), channels=["email"], email_mode="digest", digest_hour=18)
    db.session.commit()
    check_overdue()
    db.session.commit()
    assert {r.next_attempt_at for r in email_rows()} == {START.replace(hour=10)}  # 18:00 in Shanghai
    assert deliver_pending()["sent"] == 0
    clock.set(START.replace(hour=10))
    assert deliver_pending()["sent"] == 2
    [mail] = smtp.handler.to(ADDRESS)
    assert mail["Subject"] == "和谐促进：2 条提醒"
    assert "邻里纠纷" in mail.get_content() and "噪音" in mail.get_content()


def test_quiet_hours_delay_but_never_drop(demo, ctx, app, smtp, clock):
    setup_case(app, demo, smtp)
    # START is 10:00 in Shanghai: quiet 09:00–12:00 holds the mail until 12:00 (04:00 UTC).
    set_preferences(user_id("demo-township"), channels=["email"], quiet_start="09:00", quiet_end="12:00",
                    email=None)
    db.session.commit()
    check_overdue()
    db.session.commit()
    assert deliver_pending()["postponed"] == 1 and smtp.handler.messages == []
    [row] = email_rows()
    assert row.status == "pending" and row.attempts == 0 and row.next_attempt_at == START.replace(hour=4)
    clock.set(START.replace(hour=4))
    assert deliver_pending()["sent"] == 1 and len(smtp.handler.to(ADDRESS)) == 1


def test_preference_email_overrides_account_email(demo, ctx, app, smtp):
    setup_case(app, demo, smtp)
    set_preferences(user_id("demo-township"), channels=["email"], email="duty@example.org")
    db.session.commit()
    check_overdue()
    db.session.commit()
    deliver_pending()
    assert len(smtp.handler.to("duty@example.org")) == 1 and smtp.handler.to(ADDRESS) == []


def test_a_claim_lost_mid_send_is_sent_once_more_then_dead_lettered(demo, ctx, app, smtp, clock):
    """A crash after the claim and before `sent`: at most one re-delivery per channel."""
    from sqlalchemy import update

    setup_case(app, demo, smtp)
    check_overdue()
    db.session.commit()
    [row] = email_rows()
    # Simulate a worker that claimed the row and died.
    db.session.execute(update(AlertDelivery).where(AlertDelivery.id == row.id).values(
        status="sending", claimed_by="dead-worker", claimed_at=START, attempts=1))
    db.session.commit()
    assert deliver_pending()["sent"] == 0  # the claim is fresh: not touched
    clock.advance(timedelta(minutes=11))
    stats = deliver_pending()
    assert stats["recovered"] == 1 and stats["sent"] == 1
    db.session.refresh(row)
    assert row.crash_retries == 1 and row.status == "sent"
    # Lost a second time: dead-lettered, not sent a third time.
    db.session.execute(update(AlertDelivery).where(AlertDelivery.id == row.id).values(
        status="sending", claimed_at=clock.now()))
    db.session.commit()
    clock.advance(timedelta(minutes=11))
    assert deliver_pending()["lost"] == 1
    db.session.refresh(row)
    assert row.status == "dead" and len(smtp.handler.to(ADDRESS)) == 1


def test_quiet_hours_across_midnight(ctx):
    from harmony.alerts.delivery import quiet_hours_end
    from harmony.alerts.models import NotificationPreference

    pref = NotificationPreference(quiet_start="22:00", quiet_end="07:00")
    late = START.replace(hour=15)  # 23:00 in Shanghai
    early = START.replace(hour=20)  # 04:00 the next day in Shanghai
    assert quiet_hours_end(pref, late) == START.replace(hour=23)  # 07:00 next morning
    assert quiet_hours_end(pref, early) == START.replace(hour=23)
    assert quiet_hours_end(pref, START) is None  # 10:00
    assert quiet_hours_end(NotificationPreference(), late) is None
