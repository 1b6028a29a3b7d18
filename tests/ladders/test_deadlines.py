from datetime import date, datetime, timezone

import pytest

from harmony.ladders.deadlines import add_days, level_deadline

UTC = timezone.utc
# Friday 2026-11-06 16:00 in Shanghai = 08:00 UTC.
FRIDAY_4PM = datetime(2026, 11, 6, 8, 0, tzinfo=UTC)


def test_calendar_days_count_weekends():
    assert add_days(FRIDAY_4PM, 3) == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)


def test_working_days_skip_the_weekend_and_keep_the_local_time():
    assert add_days(FRIDAY_4PM, 1, "working") == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)  # Monday 16:00


def test_working_days_skip_holidays_and_count_makeup_workdays():
    calendar = {date(2026, 11, 9): "holiday", date(2026, 11, 8): "workday"}  # Sunday made a working day
    # Sat no, Sun (make-up) yes = 1, Mon holiday no, Tue = 2.
    assert add_days(FRIDAY_4PM, 2, "working", calendar=calendar) == datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def test_local_date_decides_across_midnight_utc():
    # Saturday 01:00 in Shanghai is still Friday in UTC; one working day is Monday 01:00 local.
    start = datetime(2026, 11, 6, 17, 0, tzinfo=UTC)
    assert add_days(start, 1, "working") == datetime(2026, 11, 8, 17, 0, tzinfo=UTC)


def test_reminder_comes_before_the_deadline_but_never_before_arrival():
    level = {"days": 3, "remind_days": 1}
    deadline, remind = level_deadline(FRIDAY_4PM, level)
    assert (deadline - remind).days == 1
    deadline, remind = level_deadline(FRIDAY_4PM, {"days": 1, "remind_days": 5})
    assert remind == FRIDAY_4PM


def test_unknown_day_kind_is_refused():
    with pytest.raises(ValueError):
        add_days(FRIDAY_4PM, 1, "lunar")
