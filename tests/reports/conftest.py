"""A small county whose every report number is counted by hand in the tests.

Tree (codes): K ─ K-T1 ─ K-T1-V1 ─ G1, G2
                     └ K-T1-V2 ─ G3
              └ K-T2 ─ K-T2-V3 ─ G4
Report interval: October 2026 in Asia/Shanghai = [2026-09-30 16:00, 2026-10-31 16:00) UTC.
"Now" (the test clock) = 2026-11-02 02:00 UTC.
"""
from datetime import datetime, timezone

import pytest

from harmony.cases.models import Case
from harmony.extensions import db
from harmony.households.models import Household
from harmony.ladders.builtin import FIVE_LEVEL
from harmony.people.models import RoleAssignment, User
from harmony.people.passwords import hash_password
from harmony.places.service import add_place
from harmony.teams.models import Team, TeamMember
from harmony.households.visit_days import rebuild
from harmony.visits.models import Visit

PASSWORD = "report-test-pw"
FROM, TO = "2026-10-01", "2026-10-31"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


class Fixture:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.fixture
def county(app):
    with app.app_context():
        app.config.update(GRID_MIN_HOUSEHOLDS=2, GRID_MAX_HOUSEHOLDS=3)
        k = add_place("K", "county", "和谐县", name_en="Harmony County")
        t1 = add_place("K-T1", "township", "枫桥镇", k, name_en="Fengqiao")
        t2 = add_place("K-T2", "township", "安华镇", k, name_en="Anhua")
        v1 = add_place("K-T1-V1", "village", "枫源村", t1, name_en="Fengyuan")
        v2 = add_place("K-T1-V2", "village", "陈家村", t1, name_en="Chenjia")
        v3 = add_place("K-T2-V3", "village", "檀溪村", t2, name_en="Tanxi")
        g1 = add_place("G1", "grid", "枫源第1网格", v1, name_en="Fengyuan grid 1")
        g2 = add_place("G2", "grid", "枫源第2网格", v1, name_en="Fengyuan grid 2")
        g3 = add_place("G3", "grid", "陈家第1网格", v2, name_en="Chenjia grid 1")
        g4 = add_place("G4", "grid", "檀溪第1网格", v3, name_en="Tanxi grid 1")
        u2 = add_place("G2-U1", "unit", "三号楼道", g2, subkind="stairwell")
        pw = hash_password(PASSWORD, "fast")
        stamp = utc(2026, 1, 1)

        def person(username, role, place):
            user = User(username=username, password_hash=pw, display_name=username, created_at=stamp, locale="zh-CN")
            user.roles.append(RoleAssignment(role=role, place_id=place.id))
            db.session.add(user)
            return user

        p1, p2, p3, p4 = person("p1", "promoter", g1), person("p2", "promoter", u2), person("p3", "promoter", g3), \
            person("p4", "promoter", g4)
        head1 = person("head1", "grid_head", g1)
        cadre1 = person("cadre1", "village_cadre", v1)
        ts1, ts2 = person("ts1", "township_staff", t1), person("ts2", "township_staff", t2)
        boss = person("boss", "county_leader", k)
        retired = person("retired", "promoter", g4)
        retired.active = False  # not counted among promoters
        db.session.flush()

        team_g1 = Team(kind="grid_group", place_id=g1.id, name="G1组")
        team_g1.members += [TeamMember(user_id=head1.id, member_role="head"),
                            TeamMember(user_id=cadre1.id, member_role="village_cadre")]
        team_g3 = Team(kind="grid_group", place_id=g3.id, name="G3组")  # no village cadre
        team_g3.members += [TeamMember(user_id=p3.id, member_role="member")]
        team_v1 = Team(kind="association", place_id=v1.id, name="V1会")  # no liaison cadre
        team_v1.members += [TeamMember(user_id=cadre1.id, member_role="head")]
        db.session.add_all([team_g1, team_g3, team_v1])
        db.session.flush()

        def household(code, grid, active=True, deleted=False):
            h = Household(grid_id=grid.id, code=code, address="中心路1号", head_name="王伟", active=active,
                          deleted=deleted, created_at=stamp)
            db.session.add(h)
            return h

        h = {n: household(f"h{n}", g1) for n in (1, 2, 3, 4)}
        h[5] = household("h5", g1, active=False)
        h[6] = household("h6", g1, deleted=True)
        h[7], h[8] = household("h7", g2), household("h8", g2)
        h[9], h[10], h[11] = household("h9", g3), household("h10", g3), household("h11", g3)
        h[12] = household("h12", g4)
        db.session.flush()

        def visit(hh, grid, promoter, at, deleted=False):
            db.session.add(Visit(household_id=hh.id, grid_id=grid.id, promoter_id=promoter.id, occurred_at=at,
                                 received_at=at, form="home_visit", deleted=deleted))

        visit(h[1], g1, p1, utc(2026, 10, 5, 3))            # v1 in
        visit(h[1], g1, p1, utc(2026, 10, 6, 3))            # v2 in, same household
        visit(h[2], g1, p1, utc(2026, 9, 30, 15, 59, 59))   # v3 out: 23:59:59 on 30 Sep local
        visit(h[3], g1, p1, utc(2026, 9, 30, 16, 0, 0))     # v4 in: 00:00 on 1 Oct local
        visit(h[7], g2, p2, utc(2026, 10, 31, 15, 59, 59))  # v5 in: 23:59:59 on 31 Oct local
        visit(h[8], g2, p2, utc(2026, 10, 31, 16, 0, 0))    # v6 out: 1 Nov local
        visit(h[9], g3, p3, utc(2026, 10, 10), deleted=True)  # v7 deleted
        visit(h[5], g1, p1, utc(2026, 10, 10))              # v8 in, inactive household
        visit(h[10], g1, p1, utc(2026, 10, 12))             # v9 in: made in G1, household now in G3
        db.session.flush()
        rebuild(db.session.connection())  # raw rows written here, as by a bulk load: summarise them

        levels = FIVE_LEVEL["levels"]

        def case(grid, category, opened, level=1, status="open", resolved_at=None, deadline=None, rating=None,
                 team=None, by=None, deleted=False):
            spec = levels[level - 1]
            c = Case(grid_id=grid.id, title="纠纷", category=category, source="visit", reported_by_id=p1.id,
                     opened_at=opened, ladder_key="five_level", ladder_levels=levels, status=status, level=level,
                     level_key=spec["key"], tier=spec["tier"], deadline_at=deadline, deleted=deleted)
            if resolved_at:
                c.resolved_level, c.resolved_level_key, c.resolved_tier = level, spec["key"], spec["tier"]
                c.resolved_at, c.resolved_team_id, c.resolved_by_id = resolved_at, team and team.id, by and by.id
                c.satisfaction = rating
                c.satisfaction_at = rating and resolved_at
            db.session.add(c)
            return c

        case(g1, "neighbour", utc(2026, 10, 2), 1, "resolved", utc(2026, 10, 3), rating=5, by=p1)            # c1
        case(g1, "family", utc(2026, 10, 2), 2, "resolved", utc(2026, 10, 5), rating=4, team=team_g1, by=head1)  # c2
        case(g2, "neighbour", utc(2026, 10, 4), 3, "resolved", utc(2026, 10, 11), team=team_v1, by=cadre1)   # c3
        case(g3, "land_housing", utc(2026, 10, 1), 4, "closed", utc(2026, 10, 11), rating=2, by=ts1)        # c4
        case(g4, "labour_wages", utc(2026, 10, 1), 5, "resolved", utc(2026, 10, 21), rating=3, by=boss)     # c5
        case(g1, "neighbour", utc(2026, 9, 20), 1, "resolved", utc(2026, 10, 2), by=p1)                      # c6
        case(g1, "other", utc(2026, 10, 20), 1, deadline=utc(2026, 10, 23))                                  # c7 overdue
        case(g3, "neighbour", utc(2026, 10, 25), 4, deadline=utc(2026, 11, 9))                               # c8
        case(g2, "family", utc(2026, 10, 28), 2, deadline=utc(2026, 11, 1))                                  # c9 overdue
        case(g1, "neighbour", utc(2026, 10, 15), 1, "resolved", utc(2026, 11, 1), rating=1, by=p1)          # c10 late
        case(g1, "neighbour", utc(2026, 10, 10), 1, "resolved", utc(2026, 10, 11), rating=5, by=p1,
             deleted=True)                                                                                   # c11
        closed = case(g4, "family", utc(2026, 9, 1), 1, "closed")                                            # c12
        closed.closed_at = utc(2026, 9, 10)
        case(g1, "neighbour", utc(2026, 10, 31, 15, 59), 1, deadline=utc(2026, 11, 3))                      # c13
        db.session.commit()
        ids = {name: obj.id for name, obj in dict(k=k, t1=t1, t2=t2, v1=v1, v2=v2, v3=v3, g1=g1, g2=g2, g3=g3, g4=g4,
                                                    p1=p1, p2=p2, p3=p3, p4=p4, team_g1=team_g1, team_g3=team_g3,
                                                    team_v1=team_v1).items()}
    return Fixture(**ids)


def row(result, code):
    """Return the row of place `code`, or the total row for "total"."""
    if code == "total":
        return result["total"]
    matches = [r for r in result["rows"] if r["place_code"] == code]
    assert len(matches) == 1, (code, [r["place_code"] for r in result["rows"]])
    return matches[0]
