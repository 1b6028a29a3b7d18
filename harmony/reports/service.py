"""Indicator reports for a place and a date range, broken down by child place.

Every number is computed in the database with GROUP BY over the fact tables (visits,
households, cases); Python only arranges the aggregated rows (one per child place, or
per child place and ladder level) into a table. Definitions: docs/reports.md.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Integer, and_, case, cast, false, func, literal, or_, select, text, true, tuple_, union_all
from sqlalchemy.orm import aliased

from harmony.access import Scope
from harmony.cases.models import DEFAULT_CATEGORIES, Case
from harmony.clock import local_zone, now
from harmony.errors import Invalid, NotFound
from harmony.extensions import db
from harmony.households.models import Household, HouseholdVisitDays
from harmony.ladders.models import Ladder
from harmony.people.models import RoleAssignment, User
from harmony.places.models import Place
from harmony.reports.labels import LANGS, label, title
from harmony.teams.models import Team
from harmony.visits.models import Visit

REPORTS = ("coverage", "resolution", "speed", "satisfaction", "teams", "categories")
FORMATS = ("json", "csv", "xlsx")
TIERS = ("village", "township", "county")
MAX_DAYS = 3660
TOTAL = -1  # the group key of the whole place in grouped queries


@dataclass(frozen=True)
class Interval:
    first: date
    last: date
    start: datetime  # UTC, inclusive: 00:00 of `first` in the configured time zone
    end: datetime  # UTC, exclusive: 00:00 of the day after `last`


# ---------------------------------------------------------------- arguments

def make_interval(first, last):
    """Return the UTC bounds of the local days first..last (inclusive), in the days the visit summary counts."""
    tz = local_zone()
    today = now().astimezone(tz).date()
    last = last or today
    first = first or last - timedelta(days=29)
    if first > last:
        raise Invalid("The interval starts after it ends.", fields={"from": ["Must be on or before 'to'."]})
    if (last - first).days >= MAX_DAYS:
        raise Invalid("The interval is too long.", fields={"from": [f"At most {MAX_DAYS} days before 'to'."]})

    def utc(day):
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(timezone.utc)

    return Interval(first, last, utc(first), utc(last + timedelta(days=1)))


def parse_date(value, field):
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid("Not a valid date.", fields={field: ["Not a valid date (YYYY-MM-DD)."]})


def check_name(name):
    if name not in REPORTS:
        raise NotFound("No such report.", fields={"name": [f"Must be one of: {', '.join(REPORTS)}."]})


def check_lang(lang):
    if lang in (None, ""):
        return "zh-CN"
    if lang == "zh":
        return "zh-CN"
    if lang not in LANGS:
        raise Invalid("Unknown language.", fields={"lang": [f"Must be one of: {', '.join(LANGS)}."]})
    return lang


def resolve_place(scope, ref=None):
    """Return the place `ref` (id or code) if the scope sees it; default: the scope's top place."""
    if ref in (None, ""):
        stmt = select(Place).where(Place.deleted.is_(False)).order_by(func.length(Place.path), Place.id)
        if not scope.all_places:
            stmt = stmt.where(Place.id.in_(sorted(scope.root_ids)))
        place = db.session.scalars(stmt.limit(1)).first()
        if place is None:
            raise NotFound("You have no place to report on.", fields={"place": ["No place in your scope."]})
        return place
    ref = str(ref).strip()
    place = None
    if ref.isdigit() and int(ref) < 2**31:  # larger numbers are no id (and overflow SQLite)
        place = db.session.get(Place, int(ref))
    if place is None:
        place = db.session.scalar(select(Place).where(Place.code == ref))
    if place is None or place.deleted or not scope.sees_place(place.id):
        raise NotFound("No such place.", fields={"place": ["No such place in your scope."]})
    if place.kind == "unit":
        raise Invalid("Reports go down to grids, not units.", fields={"place": ["Choose a grid or a place above it."]})
    return place


# ---------------------------------------------------------------- building blocks

def _is_child(place, child):
    """SQL condition: `child` is one of the rows of the report (the grid itself for a grid)."""
    if place.kind == "grid":
        return child.id == place.id
    return and_(child.parent_id == place.id, child.deleted.is_(False))


def _child_of(path, place):
    """SQL expression: the id of the child of `place` on the way down to `path`.

    Read from the path itself ("/1/4/9/…" under "/1/4/" → 9) rather than by joining
    on `LIKE child.path || '%'`: the planners cannot estimate that join and pick nested
    loops over millions of visits; a constant prefix and a string slice they can.
    """
    if place.kind == "grid":
        return literal(place.id)
    start = len(place.path) + 1
    if db.engine.dialect.name == "postgresql":
        segment = func.split_part(func.substr(path, start), "/", 1)
    else:
        rest = func.substr(path, start)
        segment = func.substr(rest, 1, func.instr(rest, "/") - 1)
    return cast(segment, Integer)


def _grid_map(place):
    """Subquery (grid_id, child_id): every grid under `place` and the child place holding it."""
    return (
        select(Place.id.label("grid_id"), _child_of(Place.path, place).label("child_id"))
        .where(Place.path.startswith(place.path), Place.kind == "grid")
        .subquery("gm")
    )


def _children(place):
    if place.kind == "grid":
        return [place]
    stmt = select(Place).where(Place.parent_id == place.id, Place.deleted.is_(False)).order_by(Place.code)
    return db.session.scalars(stmt).all()


def _promoters(place):
    """Subquery (user_id, child_id): active people with a promoter role under each child place."""
    return (
        select(RoleAssignment.user_id.label("user_id"), _child_of(Place.path, place).label("child_id"))
        .join(User, User.id == RoleAssignment.user_id)
        .join(Place, Place.id == RoleAssignment.place_id)
        .where(Place.path.startswith(place.path), RoleAssignment.role == "promoter", User.active.is_(True))
        .distinct()
        .subquery("pr")
    )


def _live_visits(interval):
    # Spelled `deleted = false` so the partial index ix_visit_report_interval applies.
    return and_(Visit.occurred_at >= interval.start, Visit.occurred_at < interval.end, Visit.deleted == false())


def _live_cases():
    # Spelled `deleted = false` so the partial report indexes on "case" apply.
    return Case.deleted == false()


def _visited_in(interval):
    """SQL condition on household_visit_days: a bit set for some local day of the interval.

    A month wholly inside the interval only needs a non-zero mask; the first and last
    months are masked to the interval's days.
    """
    years = []
    for year in range(interval.first.year, interval.last.year + 1):
        months = []
        for month in range(1, 13):
            first_day = date(year, month, 1)
            last_day = date(year, month, calendar.monthrange(year, month)[1])
            lo, hi = max(first_day, interval.first), min(last_day, interval.last)
            if lo > hi:
                continue
            column = getattr(HouseholdVisitDays, f"m{month}")
            if lo == first_day and hi == last_day:
                months.append(column != 0)
            else:
                mask = (1 << hi.day) - (1 << (lo.day - 1))  # bits lo.day-1 … hi.day-1
                months.append(column.op("&")(mask) != 0)
        years.append(and_(HouseholdVisitDays.year == year, or_(*months)))
    return or_(*years)


def _visited_per_grid(interval, *where):
    """Statement (grid_id, households visited in the interval) over counted households."""
    matching = (HouseholdVisitDays.counted == true(), _visited_in(interval), *where)
    if interval.first.year == interval.last.year:
        # One row per household and year: count the rows.
        return select(HouseholdVisitDays.grid_id, func.count()).where(*matching).group_by(HouseholdVisitDays.grid_id)
    # Across years a household has a row per year: one per household first (a hashed
    # GROUP BY is about twice as fast as COUNT(DISTINCT), which sorts).
    once = (select(HouseholdVisitDays.grid_id, HouseholdVisitDays.household_id).where(*matching)
            .group_by(HouseholdVisitDays.grid_id, HouseholdVisitDays.household_id).subquery("once"))
    return select(once.c.grid_id, func.count()).group_by(once.c.grid_id)


def _in(column, interval):
    return and_(column >= interval.start, column < interval.end)


def _pct(part, whole):
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def _level_count(*seen):
    """Return the columns per level: the longest configured ladder, or the highest level seen."""
    ladders = db.session.scalars(select(Ladder.levels)).all()
    return max([len(levels or []) for levels in ladders] + [level for level in seen if level] + [1])


class Table:
    """Rows keyed by child place, plus the total row, in column order."""

    def __init__(self, place, children, keys):
        self.place, self.children, self.keys = place, children, list(keys)
        self.rows = {c.id: {k: 0 for k in self.keys} for c in children}
        self.total = {k: 0 for k in self.keys}

    def add(self, child_id, key, value):
        """Add a count to a child's cell and to the total."""
        if child_id in self.rows:
            self.rows[child_id][key] += value or 0
            self.total[key] += value or 0

    def put(self, child_id, key, value):
        target = self.total if child_id == TOTAL else self.rows.get(child_id)
        if target is not None:
            target[key] = value

    def each(self):
        return list(self.rows.values()) + [self.total]


def _result(report, place, interval, lang, table, sections=()):
    keys = ["place_code", "place_name"] + table.keys

    def name_of(p):
        return p.name_zh if lang == "zh-CN" or not p.name_en else p.name_en

    rows = []
    for child in table.children:
        rows.append({"place_id": child.id, "place_code": child.code, "place_name": name_of(child), **table.rows[child.id]})
    total = {"place_id": place.id, "place_code": place.code, "place_name": label("total", lang), **table.total}
    return {
        "report": report,
        "title": title(report, lang),
        "lang": lang,
        "place": {"id": place.id, "code": place.code, "name": name_of(place), "kind": place.kind},
        "from": interval.first.isoformat(),
        "to": interval.last.isoformat(),
        "timezone": str(local_zone()),
        "generated_at": now().isoformat(),
        "columns": [{"key": k, "label": label(k, lang)} for k in keys],
        "rows": rows,
        "total": total,
        "sections": [
            {"key": key, "title": title(f"{report}.{key}", lang),
             "columns": [{"key": k, "label": label(k, lang)} for k in columns], "rows": section_rows}
            for key, columns, section_rows in sections
        ],
    }


# ---------------------------------------------------------------- the reports

def coverage(place, interval, lang):
    """Households, households visited in the interval, coverage; visits; idle promoters."""
    gm = _grid_map(place)
    table = Table(place, _children(place), ["households", "households_visited", "coverage_pct", "visits",
                                            "promoters", "promoters_idle"])
    in_place = select(gm.c.grid_id)
    households = (select(Household.grid_id, func.count()).where(
        Household.grid_id.in_(in_place), Household.active.is_(True), Household.deleted.is_(False))
        .group_by(Household.grid_id))
    visited = _visited_per_grid(interval, HouseholdVisitDays.grid_id.in_(in_place))
    child_of = dict(db.session.execute(select(gm.c.grid_id, gm.c.child_id)).all())
    for key, stmt in (("households", households), ("households_visited", visited)):
        for grid_id, count in db.session.execute(stmt).all():
            table.add(child_of[grid_id], key, count)
    # Count per grid first, from the interval index alone, then map the few thousand grids:
    # joining first lets SQLite walk the visits grid by grid through the table.
    per_grid = (select(Visit.grid_id.label("grid_id"), func.count().label("n"))
                .where(_live_visits(interval)).group_by(Visit.grid_id).subquery("vg"))
    visits = select(gm.c.child_id, func.sum(per_grid.c.n)).join(gm, gm.c.grid_id == per_grid.c.grid_id).group_by(gm.c.child_id)
    for child_id, count in db.session.execute(visits).all():
        table.add(child_id, "visits", int(count or 0))  # SUM is numeric on PostgreSQL
    pr = _promoters(place)
    # An anti-join probing ix_visit_report_promoter once per promoter (a NOT IN over the
    # interval's visits degrades to a nested scan on PostgreSQL when it outgrows work_mem).
    idle = ~select(Visit.id).where(Visit.promoter_id == pr.c.user_id, _live_visits(interval)).exists()
    marked = select(pr.c.user_id, pr.c.child_id, case((idle, 1), else_=0).label("idle")).subquery("mk")
    per_child = select(marked.c.child_id, func.count(), func.sum(marked.c.idle)).group_by(marked.c.child_id)
    for child_id, count, idle_count in db.session.execute(per_child).all():
        table.put(child_id, "promoters", count)
        table.put(child_id, "promoters_idle", idle_count or 0)
    # A person may promote in two child places: the total counts people once.
    everyone = select(func.count(func.distinct(marked.c.user_id)),
                      func.count(func.distinct(case((marked.c.idle == 1, marked.c.user_id)))))
    table.total["promoters"], table.total["promoters_idle"] = db.session.execute(everyone).one()
    for row in table.each():
        row["coverage_pct"] = _pct(row["households_visited"], row["households"])
    return _result("coverage", place, interval, lang, table)


def resolution(place, interval, lang):
    """Cases opened and resolved in the interval, by level and tier; cases open now, by level."""
    gm = _grid_map(place)
    base = select(gm.c.child_id).select_from(Case).join(gm, gm.c.grid_id == Case.grid_id).where(_live_cases())
    opened = db.session.execute(
        base.add_columns(func.count()).where(_in(Case.opened_at, interval)).group_by(gm.c.child_id)).all()
    resolved = db.session.execute(
        base.add_columns(Case.resolved_level, Case.resolved_tier, func.count())
        .where(_in(Case.resolved_at, interval))
        .group_by(gm.c.child_id, Case.resolved_level, Case.resolved_tier)
    ).all()
    still_open = db.session.execute(
        base.add_columns(Case.level, func.count()).where(Case.status == "open").group_by(gm.c.child_id, Case.level)
    ).all()
    levels = range(1, _level_count(*[r[1] for r in resolved], *[r[1] for r in still_open]) + 1)
    keys = (["opened", "resolved"] + [f"resolved_l{n}" for n in levels] + [f"resolved_{t}" for t in TIERS]
            + [f"share_{t}_pct" for t in TIERS] + ["open"] + [f"open_l{n}" for n in levels])
    table = Table(place, _children(place), keys)
    for child_id, count in opened:
        table.add(child_id, "opened", count)
    for child_id, level, tier, count in resolved:
        table.add(child_id, "resolved", count)
        table.add(child_id, f"resolved_l{level}", count)
        if tier in TIERS:
            table.add(child_id, f"resolved_{tier}", count)
    for child_id, level, count in still_open:
        table.add(child_id, "open", count)
        table.add(child_id, f"open_l{level}", count)
    for row in table.each():
        for tier in TIERS:
            row[f"share_{tier}_pct"] = _pct(row[f"resolved_{tier}"], row["resolved"])
    return _result("resolution", place, interval, lang, table)


def _days_to_resolve():
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", Case.resolved_at - Case.opened_at) / 86400.0
    return func.julianday(Case.resolved_at) - func.julianday(Case.opened_at)


def _percentiles(place, interval):
    """Return {(child_id|TOTAL, level|TOTAL): (count, median, p90)} of days to resolve."""
    gm = _grid_map(place)
    days = _days_to_resolve().label("d")
    where = and_(_live_cases(), _in(Case.resolved_at, interval))
    if db.engine.dialect.name == "postgresql":
        stmt = (
            select(gm.c.child_id, Case.resolved_level, func.grouping(gm.c.child_id), func.grouping(Case.resolved_level),
                   func.count(), func.percentile_cont(0.5).within_group(days),
                   func.percentile_cont(0.9).within_group(days))
            .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id).where(where)
            .group_by(func.grouping_sets(tuple_(gm.c.child_id, Case.resolved_level), tuple_(gm.c.child_id),
                                         tuple_(Case.resolved_level), text("()")))
        )
        out = {}
        for child_id, level, g_child, g_level, count, median, p90 in db.session.execute(stmt).all():
            if not count:  # the empty grand total of no rows
                continue
            key = (TOTAL if g_child else child_id, TOTAL if g_level else level)
            out[key] = (count, float(median), float(p90))
        return out
    # SQLite has no percentile_cont: number the values of each group in order with a
    # window function, pick the two order statistics around p·(n−1) in SQL, and
    # interpolate between them linearly, exactly as percentile_cont does.
    base = (select(gm.c.child_id.label("c"), Case.resolved_level.label("l"), days)
            .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id).where(where).cte("b"))
    sets = union_all(
        select(base.c.c, base.c.l, base.c.d),
        select(base.c.c, literal(TOTAL).label("l"), base.c.d),
        select(literal(TOTAL).label("c"), base.c.l, base.c.d),
        select(literal(TOTAL).label("c"), literal(TOTAL).label("l"), base.c.d),
    ).subquery("s")
    ranked = select(
        sets.c.c, sets.c.l, sets.c.d,
        (func.row_number().over(partition_by=(sets.c.c, sets.c.l), order_by=sets.c.d) - 1).label("rn"),
        func.count().over(partition_by=(sets.c.c, sets.c.l)).label("n"),
    ).subquery("r")
    columns = [ranked.c.c, ranked.c.l, func.max(ranked.c.n)]
    for p in (0.5, 0.9):
        position = cast(p * (ranked.c.n - 1), Integer)  # floor: the values are non-negative
        columns.append(func.max(case((ranked.c.rn == position, ranked.c.d))))
        columns.append(func.max(case((ranked.c.rn == position + 1, ranked.c.d))))
    stmt = select(*columns).group_by(ranked.c.c, ranked.c.l)
    out = {}
    for child_id, level, n, lo50, hi50, lo90, hi90 in db.session.execute(stmt).all():
        out[(child_id, level)] = (n, _interpolate(0.5, n, lo50, hi50), _interpolate(0.9, n, lo90, hi90))
    return out


def _interpolate(p, n, lo, hi):
    position = p * (n - 1)
    fraction = position - int(position)
    return lo if hi is None or fraction == 0 else lo + (hi - lo) * fraction


def speed(place, interval, lang):
    """Median and 90th-percentile days to resolve, per level; overdue now, per level."""
    gm = _grid_map(place)
    percentiles = _percentiles(place, interval)
    overdue = case((Case.deadline_at < now(), 1), else_=0)
    open_now = db.session.execute(
        select(gm.c.child_id, Case.level, func.count(), func.sum(overdue))
        .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id)
        .where(_live_cases(), Case.status == "open")
        .group_by(gm.c.child_id, Case.level)
    ).all()
    levels = range(1, _level_count(*[level for _, level in percentiles], *[r[1] for r in open_now]) + 1)
    keys = (["resolved", "median_days", "p90_days", "open", "overdue", "overdue_pct"]
            + [k for n in levels for k in (f"resolved_l{n}", f"median_days_l{n}", f"p90_days_l{n}")]
            + [k for n in levels for k in (f"open_l{n}", f"overdue_l{n}", f"overdue_pct_l{n}")])
    table = Table(place, _children(place), keys)
    for (child_id, level), (count, median, p90) in percentiles.items():
        suffix = "" if level == TOTAL else f"_l{level}"
        table.put(child_id, f"resolved{suffix}", count)
        table.put(child_id, f"median_days{suffix}", round(median, 2))
        table.put(child_id, f"p90_days{suffix}", round(p90, 2))
    for row in table.each():
        for n in levels:
            if not row[f"resolved_l{n}"]:
                row[f"median_days_l{n}"] = row[f"p90_days_l{n}"] = None
        if not row["resolved"]:
            row["median_days"] = row["p90_days"] = None
    for child_id, level, count, late in open_now:
        table.add(child_id, "open", count)
        table.add(child_id, f"open_l{level}", count)
        table.add(child_id, "overdue", late)
        table.add(child_id, f"overdue_l{level}", late)
    for row in table.each():
        row["overdue_pct"] = _pct(row["overdue"], row["open"])
        for n in levels:
            row[f"overdue_pct_l{n}"] = _pct(row[f"overdue_l{n}"], row[f"open_l{n}"])
    return _result("speed", place, interval, lang, table)


def satisfaction(place, interval, lang):
    """Residents' ratings of the cases resolved in the interval, per resolving level."""
    gm = _grid_map(place)
    stmt = (
        select(gm.c.child_id, Case.resolved_level, func.count(), func.count(Case.satisfaction), func.sum(Case.satisfaction))
        .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id)
        .where(_live_cases(), _in(Case.resolved_at, interval))
        .group_by(gm.c.child_id, Case.resolved_level)
    )
    grouped = db.session.execute(stmt).all()
    levels = range(1, _level_count(*[r[1] for r in grouped]) + 1)
    keys = (["resolved", "rated", "followed_up_pct", "mean_rating"]
            + [k for n in levels for k in (f"rated_l{n}", f"mean_rating_l{n}")])
    table = Table(place, _children(place), keys)
    sums = {}
    for child_id, level, count, rated, total in grouped:
        if child_id not in table.rows:
            continue
        table.add(child_id, "resolved", count)
        table.add(child_id, "rated", rated)
        table.add(child_id, f"rated_l{level}", rated)
        for key in ((child_id, None), (child_id, level), (TOTAL, None), (TOTAL, level)):
            sums[key] = sums.get(key, 0) + (total or 0)
    for child_id, row in list(table.rows.items()) + [(TOTAL, table.total)]:
        row["followed_up_pct"] = _pct(row["rated"], row["resolved"])
        row["mean_rating"] = round(sums[(child_id, None)] / row["rated"], 2) if row["rated"] else None
        for n in levels:
            rated = row[f"rated_l{n}"]
            row[f"mean_rating_l{n}"] = round(sums[(child_id, n)] / rated, 2) if rated else None
    return _result("satisfaction", place, interval, lang, table)


def teams(place, interval, lang, scope):
    """Resolved cases per team and per promoter; composition problems; grids outside the size range."""
    from harmony.teams.service import team_health

    gm = _grid_map(place)
    child_place = aliased(Place)
    table = Table(place, _children(place), ["grids", "teams", "resolved", "resolved_by_team", "problems",
                                            "grids_out_of_range", "promoters"])
    resolved_here = and_(_live_cases(), _in(Case.resolved_at, interval))
    stmt = (
        select(gm.c.child_id, func.count(), func.count(Case.resolved_team_id))
        .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id).where(resolved_here).group_by(gm.c.child_id)
    )
    for child_id, count, by_team in db.session.execute(stmt).all():
        table.add(child_id, "resolved", count)
        table.add(child_id, "resolved_by_team", by_team)
    for child_id, count in db.session.execute(select(gm.c.child_id, func.count()).group_by(gm.c.child_id)).all():
        table.add(child_id, "grids", count)

    # Teams sit on a grid (grid group) or a village (association): map them by path.
    team_place = aliased(Place)
    team_child = (
        select(Team.id.label("team_id"), child_place.id.label("child_id"))
        .join(team_place, team_place.id == Team.place_id)
        .join(child_place, team_place.path.startswith(child_place.path))
        .where(_is_child(place, child_place))
        .subquery("tc")
    )
    for child_id, count in db.session.execute(select(team_child.c.child_id, func.count()).group_by(team_child.c.child_id)).all():
        table.put(child_id, "teams", count)
    per_team = (
        select(Case.resolved_team_id.label("team_id"), func.count().label("n"))
        .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id)
        .where(resolved_here, Case.resolved_team_id.is_not(None)).group_by(Case.resolved_team_id).subquery("pt")
    )
    # The list holds every team in the subtree (a village's own association too).
    team_rows = db.session.execute(
        select(Team.id, Team.name, Team.kind, team_place.code, func.coalesce(per_team.c.n, 0))
        .join(team_place, team_place.id == Team.place_id)
        .where(team_place.path.startswith(place.path))
        .outerjoin(per_team, per_team.c.team_id == Team.id)
        .order_by(team_place.path, Team.kind)
    ).all()
    by_team = [{"team_id": r[0], "team_name": r[1], "team_kind": r[2], "place_code": r[3], "resolved": r[4]}
               for r in team_rows]
    table.total["teams"] = len(by_team)

    pr = _promoters(place)
    people = select(pr.c.user_id).distinct().subquery("pp")
    per_person = (
        select(Case.resolved_by_id.label("user_id"), func.count().label("n"))
        .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id)
        .where(resolved_here, Case.resolved_by_id.is_not(None)).group_by(Case.resolved_by_id).subquery("pn")
    )
    person_rows = db.session.execute(
        select(User.id, User.display_name, func.coalesce(per_person.c.n, 0))
        .join(people, people.c.user_id == User.id)
        .outerjoin(per_person, per_person.c.user_id == User.id)
        .order_by(func.coalesce(per_person.c.n, 0).desc(), User.id)
    ).all()
    by_promoter = [{"user_id": r[0], "display_name": r[1], "resolved": r[2]} for r in person_rows]
    for child_id, count in db.session.execute(select(pr.c.child_id, func.count()).group_by(pr.c.child_id)).all():
        table.put(child_id, "promoters", count)
    table.total["promoters"] = len(by_promoter)

    # The composition rules live in harmony.teams; ask them about this subtree only.
    subtree = frozenset(db.session.scalars(select(Place.id).where(Place.path.startswith(place.path))).all())
    health = team_health(Scope(user_id=scope.user_id, roles=scope.roles, place_ids=subtree,
                               grid_ids=frozenset(), signature="report"))
    paths = dict(db.session.execute(select(Place.id, Place.path).where(Place.id.in_({p["place_id"] for p in health}))).all())
    child_paths = [(c.id, c.path) for c in table.children]
    problems = []
    for item in health:
        child_id = next((cid for cid, path in child_paths if paths[item["place_id"]].startswith(path)), None)
        key = "grids_out_of_range" if item["problem"] == "grid_size_out_of_range" else "problems"
        if child_id is None:  # on the requested place itself (a village's association)
            table.total[key] += 1
        else:
            table.add(child_id, key, 1)
        problems.append({"place_code": item["place_code"], "place_name": item["place_name"],
                         "problem": item["problem"], "message": item["message"]})
    sections = [
        ("by_team", ["team_id", "team_name", "team_kind", "place_code", "resolved"], by_team),
        ("by_promoter", ["user_id", "display_name", "resolved"], by_promoter),
        ("problems", ["place_code", "place_name", "problem", "message"], problems),
    ]
    return _result("teams", place, interval, lang, table, sections)


def categories(place, interval, lang):
    """Cases opened in the interval by category: counts and shares."""
    gm = _grid_map(place)
    stmt = (
        select(gm.c.child_id, Case.category, func.count())
        .select_from(Case).join(gm, gm.c.grid_id == Case.grid_id)
        .where(_live_cases(), _in(Case.opened_at, interval))
        .group_by(gm.c.child_id, Case.category)
    )
    counts = db.session.execute(stmt).all()
    names = list(DEFAULT_CATEGORIES) + sorted({c for _, c, _ in counts} - set(DEFAULT_CATEGORIES))
    keys = ["opened"] + [f"n_{c}" for c in names] + [f"pct_{c}" for c in names]
    table = Table(place, _children(place), keys)
    for child_id, category, count in counts:
        table.add(child_id, "opened", count)
        table.add(child_id, f"n_{category}", count)
    for row in table.each():
        for name in names:
            row[f"pct_{name}"] = _pct(row[f"n_{name}"], row["opened"])
    return _result("categories", place, interval, lang, table)


def _tune_session():
    """Give this transaction's report queries room on PostgreSQL (SET LOCAL ends with it).

    The coverage report hashes the households visited in the interval (hundreds of
    thousands of ids); with the default 4 MB it spills to disk in every parallel worker.
    JIT compilation costs more than it saves on queries of about a second.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '128MB'"))
        db.session.execute(text("SET LOCAL jit = off"))


def run_report(scope, name, place_ref=None, first=None, last=None, lang=None):
    """Check the arguments, then compute report `name` for a place in `scope`."""
    check_name(name)
    lang = check_lang(lang)
    first, last = parse_date(first, "from"), parse_date(last, "to")
    place = resolve_place(scope, place_ref)
    interval = make_interval(first, last)
    _tune_session()
    if name == "teams":
        return teams(place, interval, lang, scope)
    return {"coverage": coverage, "resolution": resolution, "speed": speed, "satisfaction": satisfaction,
            "categories": categories}[name](place, interval, lang)


__all__ = ["REPORTS", "FORMATS", "run_report", "make_interval", "resolve_place"]
