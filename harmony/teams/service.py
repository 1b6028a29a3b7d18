"""Grid groups and associations, and the composition rules from the domain notes."""
from flask import current_app
from sqlalchemy import select

from harmony.access import admin_can_manage
from harmony.errors import Conflict, Invalid, NotFound
from harmony.extensions import db
from harmony.people.models import User
from harmony.places.models import Place
from harmony.places.service import household_counts
from harmony.teams.models import MEMBER_ROLES, TEAM_KINDS, Team, TeamMember

TEAM_PLACE_KIND = {"grid_group": "grid", "association": "village"}


def create_team(scope, kind, place_id, name):
    if kind not in TEAM_KINDS:
        raise Invalid("Unknown team kind.", fields={"kind": [f"Must be one of: {', '.join(TEAM_KINDS)}."]})
    place = db.session.get(Place, place_id)
    if place is None:
        raise Invalid("Unknown place.", fields={"place_id": ["No such place."]})
    admin_can_manage(scope, place_id)
    if place.kind != TEAM_PLACE_KIND[kind]:
        raise Invalid(
            f"A {kind} belongs to a {TEAM_PLACE_KIND[kind]}.",
            fields={"place_id": [f"Must be a {TEAM_PLACE_KIND[kind]}, not a {place.kind}."]},
        )
    if db.session.scalar(select(Team.id).where(Team.kind == kind, Team.place_id == place_id)):
        raise Conflict(f"This {place.kind} already has a {kind}.", fields={"place_id": ["Already has one."]})
    team = Team(kind=kind, place_id=place_id, name=name)
    db.session.add(team)
    db.session.flush()
    return team


def get_team(scope, team_id):
    team = db.session.get(Team, team_id)
    if team is None or not scope.sees_place(team.place_id):
        raise NotFound("No such team.")
    return team


def add_member(scope, team_id, user_id, member_role="member"):
    team = get_team(scope, team_id)
    admin_can_manage(scope, team.place_id)
    if member_role not in MEMBER_ROLES:
        raise Invalid("Unknown member role.", fields={"member_role": [f"Must be one of: {', '.join(MEMBER_ROLES)}."]})
    if db.session.get(User, user_id) is None:
        raise Invalid("Unknown person.", fields={"user_id": ["No such person."]})
    member = db.session.scalar(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id))
    if member:
        member.member_role = member_role
    else:
        member = TeamMember(team_id=team.id, user_id=user_id, member_role=member_role)
        team.members.append(member)
    db.session.flush()
    return member


def remove_member(scope, team_id, user_id):
    team = get_team(scope, team_id)
    admin_can_manage(scope, team.place_id)
    member = db.session.scalar(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id))
    if member is None:
        raise NotFound("Not a member of this team.")
    db.session.delete(member)
    db.session.flush()


def list_teams(scope, kind=None, place_id=None):
    stmt = select(Team).order_by(Team.id)
    if not scope.all_places:
        stmt = stmt.where(Team.place_id.in_(sorted(scope.place_ids)))
    if kind:
        stmt = stmt.where(Team.kind == kind)
    if place_id is not None:
        stmt = stmt.where(Team.place_id == place_id)
    return stmt


def team_health(scope):
    """Return the composition problems inside the scope, one dict per problem."""
    cfg = current_app.config
    low, high = cfg["GRID_MIN_HOUSEHOLDS"], cfg["GRID_MAX_HOUSEHOLDS"]
    places = select(Place).where(Place.kind.in_(("grid", "village"))).order_by(Place.path)
    if not scope.all_places:
        places = places.where(Place.id.in_(sorted(scope.place_ids)))
    places = db.session.scalars(places).all()
    teams = {(t.kind, t.place_id): t for t in db.session.scalars(list_teams(scope)).all()}
    grid_ids = [p.id for p in places if p.kind == "grid"]
    counts = household_counts(grid_ids)
    problems = []

    def problem(place, code, message, team=None, **extra):
        problems.append({"place_id": place.id, "place_code": place.code, "place_name": place.name_zh,
                         "team_id": team.id if team else None, "problem": code, "message": message, **extra})

    for place in places:
        kind = "grid_group" if place.kind == "grid" else "association"
        needed = "village_cadre" if kind == "grid_group" else "liaison_cadre"
        team = teams.get((kind, place.id))
        if team is None:
            problem(place, f"no_{kind}", f"No {kind} set up.")
        elif not any(m.member_role == needed for m in team.members):
            problem(place, f"{kind}_without_{needed}", f"The {kind} has no {needed}.", team)
        if place.kind == "grid":
            count = counts.get(place.id, 0)
            if not low <= count <= high:
                problem(place, "grid_size_out_of_range", f"{count} households; expected {low}–{high}.",
                        households=count, expected_min=low, expected_max=high)
    return problems
