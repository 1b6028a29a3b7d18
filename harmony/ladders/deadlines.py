"""Deadlines in calendar or working days, in the configured time zone. Pure functions."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def is_working_day(day, calendar):
    """`calendar` maps date -> "holiday" | "workday" (make-up working days, 调休)."""
    marked = calendar.get(day)
    if marked == "holiday":
        return False
    if marked == "workday":
        return True
    return day.weekday() < 5


def add_days(start, days, day_kind="calendar", tz="Asia/Shanghai", calendar=None):
    """Return the moment `days` calendar or working days after `start` (aware UTC in, aware UTC out).

    Working days keep the local time of day and skip weekends and holidays, so a case
    arriving on Friday 16:00 with one working day is due Monday 16:00.
    """
    if day_kind == "calendar":
        return start + timedelta(days=days)
    if day_kind != "working":
        raise ValueError(f"unknown day kind {day_kind!r}")
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, calendar or {}):
            counted += 1
    due = datetime.combine(day, local.time().replace(tzinfo=None)).replace(tzinfo=zone)
    return due.astimezone(start.tzinfo)


def level_deadline(since, level, day_kind="calendar", tz="Asia/Shanghai", calendar=None):
    """Return (deadline, remind_at) for a case that reached `level` at `since`."""
    deadline = add_days(since, level["days"], day_kind, tz, calendar)
    remind_at = deadline - timedelta(days=level.get("remind_days") or 0)
    return deadline, max(remind_at, since)
