"""Find what is due and create each alert once (plus one outbox row per channel).

Detection only writes rows; delivery (harmony.alerts.delivery) sends them later, so a
crash after the commit loses nothing. Every alert's id is derived from its dedupe key
(kind, case, level, period, recipient) and inserted with ON CONFLICT DO NOTHING: two
processes running the same check at once create one alert, and only the process whose
insert took effect creates its deliveries.
"""
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from harmony.alerts import texts
from harmony.alerts.models import (CHANNELS, Alert, AlertDelivery, CaseAlertMark, NotificationPreference,
                                   PushSubscription)
from harmony.cases.models import Case
from harmony.clock import ensure_utc, local_zone, now
from harmony.errors import ApiError
from harmony.extensions import db
from harmony.households.models import Household
from harmony.ladders.service import level_owner_ids, place_at_kind
from harmony.people.models import RoleAssignment, User
from harmony.places.models import Place
from harmony.versioning import allocate_seq
from harmony.visits.models import Visit

log = logging.getLogger(__name__)
ID_NAMESPACE = uuid.UUID("6f1d3c1e-5b1a-4f7e-9a57-0a1e77a1e475")
CHUNK = 500


@dataclass
class CheckResult:
    at: datetime
    dry_run: bool = False
    overdue: list = field(default_factory=list)  # one dict per overdue case with new work this run
    due_soon: list = field(default_factory=list)
    overdue_total: int = 0  # every overdue case, including those already alerted this period
    due_soon_total: int = 0
    escalated: list = field(default_factory=list)  # case ids escalated by the system
    alerts_created: int = 0
    deliveries_created: int = 0

    def summary(self):
        return (f"{self.overdue_total} overdue ({len(self.overdue)} new this period), "
                f"{self.due_soon_total} due soon ({len(self.due_soon)} new), "
                f"{self.alerts_created} alerts and {self.deliveries_created} deliveries created, "
                f"{len(self.escalated)} auto-escalated")


def alert_id(dedupe_key):
    return str(uuid.uuid5(ID_NAMESPACE, dedupe_key))


def dedupe_key(kind, case_id, level, period, recipient_id, deadline_at=None):
    """(kind, case, level, period, recipient), plus the deadline for case alerts.

    The deadline tells apart two stays at the same level (handed back down and carried up
    again): the second stay counts its periods afresh and must not collide with the first.
    """
    stay = f"@{int(deadline_at.timestamp())}" if deadline_at else ""
    return f"{kind}:{case_id or '-'}:{level or 0}{stay}:{period}:{recipient_id}"


def overdue_period(at, deadline_at, cadence_hours):
    """Return which repeat period `at` falls in: 0 in the first `cadence` hours past the deadline."""
    return int((at - deadline_at) // timedelta(hours=cadence_hours))


# ------------------------------------------------------------------ recipients

class _Recipients:
    """Level owners per (grid, role), looked up once per check rather than once per case."""

    def __init__(self):
        self._grids, self._owners, self._county_leaders = {}, {}, {}

    def grid(self, grid_id):
        if grid_id not in self._grids:
            self._grids[grid_id] = db.session.get(Place, grid_id)
        return self._grids[grid_id]

    def owners(self, grid_id, level):
        key = (grid_id, level["owner_role"])
        if key not in self._owners:
            self._owners[key] = level_owner_ids(self.grid(grid_id), level)
        return self._owners[key]

    def county_leaders(self, grid_id):
        if grid_id not in self._county_leaders:
            county_id = place_at_kind(self.grid(grid_id), "county")
            self._county_leaders[grid_id] = list(db.session.scalars(
                select(RoleAssignment.user_id).where(RoleAssignment.role == "county_leader",
                                                     RoleAssignment.place_id == county_id)
                .order_by(RoleAssignment.user_id).distinct()))
        return self._county_leaders[grid_id]

    def for_overdue(self, case):
        """Return [(user_id, role)]: the level's owners, then the supervisors one level up."""
        levels, index = case.ladder_levels, case.level - 1
        out = {}
        owners = ([case.owner_id] if case.owner_id else []) + self.owners(case.grid_id, levels[index])
        if case.leader_id and levels[index].get("leader_required"):
            out[case.leader_id] = "leader"
        for user_id in owners:
            out.setdefault(user_id, "owner")
        if index + 1 < len(levels):
            above = self.owners(case.grid_id, levels[index + 1])
        else:  # the top: the named leader and the county's leaders
            above = ([case.leader_id] if case.leader_id else []) + self.county_leaders(case.grid_id)
        for user_id in above:
            out.setdefault(user_id, "leader" if user_id == case.leader_id else "supervisor")
        return list(out.items())

    def for_due_soon(self, case):
        level = case.ladder_levels[case.level - 1]
        owners = ([case.owner_id] if case.owner_id else []) + self.owners(case.grid_id, level)
        if case.leader_id and level.get("leader_required"):
            owners = [case.leader_id] + owners
        return [(user_id, "owner") for user_id in dict.fromkeys(owners)]


# ------------------------------------------------------------------ the deadline check

CASE_COLUMNS = (Case.id, Case.grid_id, Case.title, Case.level, Case.level_key, Case.deadline_at, Case.remind_at,
                Case.owner_id, Case.leader_id, Case.ladder_levels)


def _needs_work(kind, at):
    """Join a case to its mark; true when the case was not yet alerted for its level, deadline and period."""
    on = and_(CaseAlertMark.case_id == Case.id, CaseAlertMark.kind == kind)
    return on, or_(CaseAlertMark.case_id.is_(None), CaseAlertMark.level != Case.level,
                   CaseAlertMark.deadline_at != Case.deadline_at, CaseAlertMark.next_at <= at)


def check_overdue(at=None, dry_run=False):
    """Find open cases past their deadline or inside their reminder window; alert each recipient once.

    Both queries read only what is due (indexes on status+deadline_at and status+remind_at),
    so a check costs what is due, not the size of the case table; and they return only the
    cases not yet alerted for their current level and period (case_alert_mark), so a run in
    which nothing new fell due does almost nothing. Repeat reminders follow ALERT_REPEAT_HOURS:
    the period number is part of the alert's key, and a check after missed runs creates only
    the current period's alert.
    """
    cfg = current_app.config
    at = ensure_utc(at) if at else now()
    cadence = cfg["ALERT_REPEAT_HOURS"]
    result = CheckResult(at=at, dry_run=dry_run)
    recipients = _Recipients()
    candidates, marks = [], []
    is_overdue = (Case.status == "open", Case.deadline_at < at, Case.deleted.is_(False))
    # The reminder index, not the deadline one: `deadline_at >= at` covers nearly every open case.
    # coalesce() keeps SQLite's planner from choosing the deadline index for that condition.
    is_due_soon = (Case.status == "open", Case.remind_at <= at, func.coalesce(Case.deadline_at, None) >= at,
                   Case.deleted.is_(False))
    result.overdue_total = db.session.scalar(select(func.count()).select_from(Case).where(*is_overdue))
    result.due_soon_total = db.session.scalar(select(func.count()).select_from(Case).where(*is_due_soon))

    on, needs_work = _needs_work("overdue", at)
    overdue_rows = db.session.execute(
        select(*CASE_COLUMNS).outerjoin(CaseAlertMark, on).where(*is_overdue, needs_work).order_by(Case.deadline_at)
    ).all()
    for case in overdue_rows:
        hours = (at - case.deadline_at) / timedelta(hours=1)
        period = overdue_period(at, case.deadline_at, cadence)
        item = {"case_id": case.id, "level": case.level, "level_key": case.level_key, "deadline_at": case.deadline_at,
                "overdue_hours": round(hours, 1), "period": period, "recipients": []}
        result.overdue.append(item)
        if not case.ladder_levels or not 1 <= case.level <= len(case.ladder_levels):
            log.warning("case %s has level %s outside its ladder; skipped", case.id, case.level)
            continue
        level = case.ladder_levels[case.level - 1]
        who = recipients.for_overdue(case)
        item["recipients"] = [user_id for user_id, _ in who]
        for user_id, role in who:
            candidates.append(_case_alert("overdue", case, level, period, user_id, role,
                                          overdue_hours=item["overdue_hours"]))
        marks.append({"case_id": case.id, "kind": "overdue", "level": case.level, "deadline_at": case.deadline_at,
                      "period": period, "next_at": case.deadline_at + timedelta(hours=cadence) * (period + 1),
                      "marked_at": at})

    on, needs_work = _needs_work("due_soon", at)
    due_rows = db.session.execute(
        select(*CASE_COLUMNS).outerjoin(CaseAlertMark, on).where(*is_due_soon, needs_work)
    ).all()
    for case in due_rows:
        item = {"case_id": case.id, "level": case.level, "level_key": case.level_key, "deadline_at": case.deadline_at,
                "hours_left": round((case.deadline_at - at) / timedelta(hours=1), 1), "recipients": []}
        result.due_soon.append(item)
        if not case.ladder_levels or not 1 <= case.level <= len(case.ladder_levels):
            continue
        level = case.ladder_levels[case.level - 1]
        who = recipients.for_due_soon(case)
        item["recipients"] = [user_id for user_id, _ in who]
        for user_id, role in who:
            candidates.append(_case_alert("due_soon", case, level, 0, user_id, role, hours_left=item["hours_left"]))
        marks.append({"case_id": case.id, "kind": "due_soon", "level": case.level, "deadline_at": case.deadline_at,
                      "period": 0, "next_at": None, "marked_at": at})

    if not dry_run:
        result.alerts_created, result.deliveries_created = create_alerts(candidates, at)
        _set_marks(marks)
        result.escalated = _auto_escalate(at)
    log.info("deadline check at %s: %s", at.isoformat(), result.summary())
    return result


def _set_marks(marks):
    if not marks:
        return
    stmt = _insert(CaseAlertMark)
    stmt = stmt.on_conflict_do_update(index_elements=["case_id", "kind"], set_={
        name: getattr(stmt.excluded, name) for name in ("level", "deadline_at", "period", "next_at", "marked_at")})
    db.session.connection().execute(stmt, marks)


def _case_alert(kind, case, level, period, user_id, role, **data):
    return {"kind": kind, "case_id": case.id, "level": case.level, "period": period, "recipient_id": user_id,
            "grid_id": case.grid_id, "deadline_at": case.deadline_at,
            "data": {"case_title": case.title, "level_key": case.level_key, "level_name_zh": level.get("name_zh"),
                     "level_name_en": level.get("name_en"), "deadline_at": case.deadline_at.isoformat(),
                     "role": role, **data}}


def _carrier(case):
    """Return who carries a case up from its level when the ladder names one (the team member with that role)."""
    from harmony.ladders.service import level_owner_team_id
    from harmony.teams.models import TeamMember

    level = case.ladder_levels[case.level - 1]
    role = level.get("carrier_member_role")
    if not role:
        return None
    team_id = level_owner_team_id(db.session.get(Place, case.grid_id), level)
    if team_id is None:
        return None
    return db.session.scalar(select(TeamMember.user_id).where(TeamMember.team_id == team_id,
                                                              TeamMember.member_role == role)
                             .order_by(TeamMember.user_id).limit(1))


def _auto_escalate(at):
    """Escalate cases past the grace period (AUTO_ESCALATE_AFTER_HOURS), recorded as a system event."""
    grace = current_app.config.get("AUTO_ESCALATE_AFTER_HOURS")
    if not grace:
        return []
    overdue_rows = db.session.execute(select(*CASE_COLUMNS).where(
        Case.status == "open", Case.deadline_at < at - timedelta(hours=grace), Case.deleted.is_(False))).all()
    try:
        from harmony.cases.service import add_event
    except ImportError:
        log.warning("AUTO_ESCALATE_AFTER_HOURS is set but harmony.cases.service.add_event is not available")
        return []
    from harmony.cli import system_scope

    escalated = []
    for case in overdue_rows:
        if not case.ladder_levels or case.level >= len(case.ladder_levels):
            continue  # the top level has nowhere to go
        hours = (at - case.deadline_at) / timedelta(hours=1)
        if hours < grace:
            continue
        # The event id is derived from (case, level): a second process escalating the same
        # case at the same level adds the same event, which the cases service ignores.
        event_id = str(uuid.uuid5(ID_NAMESPACE, f"auto-escalate:{case.id}:{case.level}"))
        reason = f"system: overdue {hours:.0f} h at level {case.level} ({case.level_key}), grace {grace} h"
        data = {"to_level": case.level + 1, "reason": reason}
        carrier = _carrier(case)
        if carrier:
            data["carried_by"] = carrier
        try:
            with db.session.begin_nested():
                event = add_event(system_scope(), None, None, event_id, case.id, "escalated", data, at)
        except ApiError as exc:
            log.warning("case %s: auto-escalation refused: %s %s", case.id, exc.message, exc.fields)
            continue
        if event.rejected_reason:
            log.warning("case %s: auto-escalation kept but not applied: %s", case.id, event.rejected_reason)
            continue
        escalated.append(case.id)
        log.info("case %s auto-escalated from level %s after %.0f h overdue", case.id, case.level, hours)
    return escalated


# ------------------------------------------------------------------ digests

def local_day(at):
    return at.astimezone(local_zone()).date()


def digest_due(kind, at=None):
    """Return True when today's visit digest (or this week's team report) is due and not yet made.

    Checked every half hour rather than at one fixed minute, so a server that was down
    at the digest hour still sends it when it comes back.
    """
    at = ensure_utc(at) if at else now()
    local = at.astimezone(local_zone())
    hour = current_app.config.get("DIGEST_HOUR", 8)
    if kind == "visit_digest":
        period = local.date().toordinal()
        if local.hour < hour:
            return False
    else:
        year, week, weekday = local.date().isocalendar()
        period = year * 100 + week
        if weekday == 1 and local.hour < hour:
            return False
    return db.session.scalar(select(Alert.id).where(Alert.kind == kind, Alert.period == period).limit(1)) is None


def check_visit_digest(at=None, dry_run=False):
    """Tell each promoter and grid head, once a day, how many of their households wait for a visit."""
    cfg = current_app.config
    at = ensure_utc(at) if at else now()
    days = cfg["VISIT_INTERVAL_DAYS"]
    cutoff = at - timedelta(days=days)
    visited = exists().where(Visit.household_id == Household.id, Visit.occurred_at >= cutoff)
    counts = db.session.execute(
        select(Household.grid_id, func.count()).where(Household.active.is_(True), Household.deleted.is_(False),
                                                      ~visited).group_by(Household.grid_id)
    ).all()
    recipients = _Recipients()
    per_person = {}
    for grid_id, count in counts:
        grid = recipients.grid(grid_id)
        for role in ("promoter", "grid_head"):
            for user_id in recipients.owners(grid_id, {"owner_role": role}):
                per_person.setdefault(user_id, []).append(
                    {"grid_id": grid_id, "grid_name": grid.name_zh, "grid_name_en": grid.name_en, "count": count})
    period = local_day(at).toordinal()
    candidates = [{"kind": "visit_digest", "case_id": None, "level": None, "period": period, "recipient_id": user_id,
                   "grid_id": grids[0]["grid_id"] if len(grids) == 1 else None,
                   "data": {"days": days, "count": sum(g["count"] for g in grids), "grids": grids}}
                  for user_id, grids in per_person.items()]
    created = (0, 0) if dry_run else create_alerts(candidates, at)
    log.info("visit digest at %s: %d grids with unvisited households, %d people, %d alerts created",
             at.isoformat(), len(counts), len(per_person), created[0])
    return {"at": at, "grids": len(counts), "recipients": sorted(per_person), "alerts_created": created[0],
            "deliveries_created": created[1]}


def check_team_health(at=None, dry_run=False):
    """Send each administrator, once a week, the team composition problems in their subtree."""
    from harmony.cli import system_scope
    from harmony.teams.service import team_health

    at = ensure_utc(at) if at else now()
    problems = team_health(system_scope())
    paths = dict(db.session.execute(select(Place.id, Place.path)).all()) if problems else {}
    admins = db.session.execute(
        select(RoleAssignment.user_id, Place.path).join(Place, Place.id == RoleAssignment.place_id)
        .where(RoleAssignment.role == "admin")
    ).all()
    mine = {}
    for user_id, admin_path in admins:
        found = [p for p in problems if paths.get(p["place_id"], "").startswith(admin_path)]
        mine.setdefault(user_id, [])
        mine[user_id] += [p for p in found if p not in mine[user_id]]
    year, week, _ = local_day(at).isocalendar()
    period = year * 100 + week
    candidates = [{"kind": "team_health", "case_id": None, "level": None, "period": period, "recipient_id": user_id,
                   "grid_id": None, "data": {"count": len(found), "problems": found[:50]}}
                  for user_id, found in mine.items() if found]
    created = (0, 0) if dry_run else create_alerts(candidates, at)
    log.info("team health at %s: %d problems, %d administrators alerted", at.isoformat(), len(problems), created[0])
    return {"at": at, "problems": len(problems), "alerts_created": created[0], "deliveries_created": created[1]}


# ------------------------------------------------------------------ creating alerts once

def _insert(model):
    return (pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)(model)


def create_alerts(candidates, at):
    """Insert the alerts that do not exist yet and their deliveries; return (alerts, deliveries) created."""
    for c in candidates:
        c["dedupe_key"] = dedupe_key(c["kind"], c["case_id"], c["level"], c["period"], c["recipient_id"],
                                     c.get("deadline_at"))
        c["id"] = alert_id(c["dedupe_key"])
    unique = {c["id"]: c for c in candidates}
    existing = set()
    ids = list(unique)
    for start in range(0, len(ids), CHUNK):
        existing.update(db.session.scalars(select(Alert.id).where(Alert.id.in_(ids[start:start + CHUNK]))))
    new = [c for key, c in unique.items() if key not in existing]
    if not new:
        return 0, 0
    users = {}
    user_ids = sorted({c["recipient_id"] for c in new})
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start:start + CHUNK]
        for row in db.session.execute(select(User.id, User.locale, User.email, User.active).where(User.id.in_(chunk))):
            users[row.id] = row
    new = [c for c in new if c["recipient_id"] in users and users[c["recipient_id"]].active]
    if not new:
        return 0, 0
    rows = []
    connection = db.session.connection()
    first = allocate_seq(connection, len(new))
    for offset, c in enumerate(new):
        locale = users[c["recipient_id"]].locale or texts.DEFAULT_LOCALE
        title, body = render(c["kind"], locale, c["data"], at)
        rows.append({"id": c["id"], "dedupe_key": c["dedupe_key"], "kind": c["kind"], "case_id": c["case_id"],
                     "level": c["level"], "period": c["period"], "recipient_id": c["recipient_id"],
                     "grid_id": c["grid_id"], "locale": locale, "title": title[:200], "body": body,
                     "data": c["data"], "created_at": at, "read_at": None, "version": 1,
                     "server_seq": first + offset, "deleted": False, "updated_at": at})
    # One executemany: SQLAlchemy sends it as multi-row INSERTs and gathers RETURNING, which
    # lists only the rows this process inserted (a concurrent twin's are skipped).
    inserted = set(_insert_ignoring_conflicts(connection, Alert, rows, returning="id"))
    deliveries = _delivery_rows([r for r in rows if r["id"] in inserted], users, at)
    if deliveries:
        _insert_ignoring_conflicts(connection, AlertDelivery, deliveries)
    return len(inserted), len(deliveries)


def _insert_ignoring_conflicts(connection, model, rows, returning=None):
    """INSERT … ON CONFLICT DO NOTHING for many rows; return the `returning` column of the rows inserted.

    On PostgreSQL the rows go in by COPY into a temporary table and one set-based
    INSERT … SELECT: SQLAlchemy's multi-row VALUES pages (tens of thousands of
    placeholders each, re-parsed by psycopg) and row-by-row executemany both cost
    seconds for 40,000 alerts.
    """
    if connection.dialect.name != "postgresql":
        stmt = _insert(model).on_conflict_do_nothing()
        if returning:
            return list(connection.execute(stmt.returning(getattr(model, returning)), rows).scalars())
        connection.execute(stmt, rows)
        return []
    from psycopg.types.json import Json

    table = model.__table__
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    quoted = ", ".join(f'"{name}"' for name in names)
    temp = f"tmp_insert_{table.name}"
    dialect = connection.dialect
    processors = [column.type._cached_bind_processor(dialect) for column in columns]
    json_columns = {i for i, column in enumerate(columns) if isinstance(column.type, db.JSON)}

    def value(i, raw):
        if i in json_columns:
            return None if raw is None else Json(raw)
        return processors[i](raw) if processors[i] else raw

    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DELETE ROWS AS '
                       f'SELECT * FROM "{table.name}" WITH NO DATA')
        cursor.execute(f"DELETE FROM {temp}")
        with cursor.copy(f"COPY {temp} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(value(i, row[name]) for i, name in enumerate(names)))
        cursor.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM {temp} ON CONFLICT DO NOTHING'
                       + (f' RETURNING "{returning}"' if returning else ""))
        return [r[0] for r in cursor.fetchall()] if returning else []
    finally:
        cursor.close()


def _delivery_rows(alerts, users, at):
    """One outbox row per channel the recipient wants and can receive."""
    if not alerts:
        return []
    recipient_ids = sorted({a["recipient_id"] for a in alerts})
    prefs, pushable = {}, set()
    for start in range(0, len(recipient_ids), CHUNK):
        chunk = recipient_ids[start:start + CHUNK]
        prefs.update({p.user_id: p for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(chunk)))})
        pushable.update(db.session.scalars(
            select(PushSubscription.user_id).where(PushSubscription.user_id.in_(chunk)).distinct()))
    webhook = bool(current_app.config.get("WEBHOOK_URL") and current_app.config.get("WEBHOOK_SECRET"))
    rows = []
    for alert in alerts:
        user_id = alert["recipient_id"]
        pref = prefs.get(user_id)
        wanted = pref.channels if pref else CHANNELS
        for channel in CHANNELS:
            if channel not in wanted:
                continue
            if channel == "email" and not ((pref and pref.email) or users[user_id].email):
                continue
            if channel == "webhook" and not webhook:
                continue
            if channel == "push" and user_id not in pushable:
                continue
            due = at
            if channel == "email" and pref and pref.email_mode == "digest":
                due = next_digest_time(at, pref.digest_hour)
            rows.append({"alert_id": alert["id"], "channel": channel, "recipient_id": user_id, "status": "pending",
                         "attempts": 0, "crash_retries": 0, "next_attempt_at": due, "created_at": at})
    return rows


def next_digest_time(at, hour):
    """Return the next moment at `hour`:00 local time, strictly after `at`."""
    zone = local_zone()
    local = at.astimezone(zone)
    due = datetime.combine(local.date(), time(hour)).replace(tzinfo=zone)
    if due <= local:
        due = datetime.combine(local.date() + timedelta(days=1), time(hour)).replace(tzinfo=zone)
    return ensure_utc(due)


def render(kind, locale, data, at):
    """Return (title, body) of an alert in `locale`."""
    zone = local_zone()
    en = locale == "en"
    if kind in ("overdue", "due_soon"):
        deadline = datetime.fromisoformat(data["deadline_at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M")
        level_name = (data.get("level_name_en") if en else data.get("level_name_zh")) or data.get("level_key")
        values = {"case_title": data["case_title"], "level_name": level_name, "deadline": deadline}
        if kind == "overdue":
            values["overdue"] = texts.duration(locale, data["overdue_hours"])
            values["role_note"] = texts.text(locale, f"role.{data['role']}")
        else:
            values["left"] = texts.duration(locale, data["hours_left"])
        return texts.text(locale, f"{kind}.title", **values), texts.text(locale, f"{kind}.body", **values)
    if kind == "visit_digest":
        grids = texts.joined(locale, [f"{(g['grid_name_en'] if en and g.get('grid_name_en') else g['grid_name'])}"
                                      f" ({g['count']})" for g in data["grids"]])
        values = {"count": data["count"], "days": data["days"], "grids": grids}
        return texts.text(locale, "visit_digest.title", **values), texts.text(locale, "visit_digest.body", **values)
    if kind == "team_health":
        examples = texts.joined(locale, [f"{p['place_name']}: {p['message']}" for p in data["problems"][:3]])
        values = {"count": data["count"], "examples": examples}
        return texts.text(locale, "team_health.title", **values), texts.text(locale, "team_health.body", **values)
    raise ValueError(f"unknown alert kind {kind!r}")
