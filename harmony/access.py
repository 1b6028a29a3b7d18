"""Who may see and change what: role × place subtree, decided here and nowhere else.

Every query for user-facing data filters through a Scope. A promoter sees their
grid(s); a grid head their grid; village cadres and liaison cadres their village;
township staff their township; county staff and leaders their county; an
administrator everything.
"""
from dataclasses import dataclass, field

from sqlalchemy import false, or_, select

from harmony.errors import Forbidden, NotFound
from harmony.extensions import db
from harmony.places.models import Place

SUPERVISOR_ROLES = ("grid_head", "village_cadre", "liaison_cadre", "township_staff", "county_staff", "county_leader")
STAFF_ROLES = SUPERVISOR_ROLES + ("admin",)


@dataclass(frozen=True)
class Scope:
    user_id: int
    roles: frozenset
    all_places: bool = False
    root_ids: frozenset = field(default_factory=frozenset)
    place_ids: frozenset = field(default_factory=frozenset)  # the subtrees, roots included
    grid_ids: frozenset = field(default_factory=frozenset)
    ancestor_ids: frozenset = field(default_factory=frozenset)  # above the roots: names only
    signature: str = ""  # changes whenever the scope does (sync resets cursors on change)
    # (role, grid ids) per role: where each role applies. A grid head who also promotes in
    # the next grid holds each role in its own place, not both roles in both grids.
    role_grids: tuple = ()

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    def grids_for_role(self, role):
        """The grids where `role` applies (None: everywhere)."""
        if self.all_places:
            return None if role in self.roles else frozenset()
        return next((grids for held, grids in self.role_grids if held == role), frozenset())

    def sees_place(self, place_id):
        return self.all_places or place_id in self.place_ids

    def sees_grid(self, grid_id):
        return self.all_places or grid_id in self.grid_ids

    def filter_grid(self, column):
        """Return a SQL condition limiting `column` (a grid id) to this scope, or None for all."""
        if self.all_places:
            return None
        return column.in_(sorted(self.grid_ids)) if self.grid_ids else false()

    def apply(self, stmt, column):
        condition = self.filter_grid(column)
        return stmt if condition is None else stmt.where(condition)


def scope_for(user):
    """Return the Scope of a user from their role assignments."""
    roles = frozenset(assignment.role for assignment in user.roles)
    if "admin" in roles:
        roots = [a.place for a in user.roles if a.role == "admin"]
        if any(place.parent_id is None for place in roots):
            return Scope(user_id=user.id, roles=roles, all_places=True, signature="all")
    root_places, role_roots = {}, []
    for assignment in user.roles:
        place = assignment.place
        if place.kind == "unit":
            # A promoter of a stairwell works the whole grid's households with the group.
            place = db.session.get(Place, place.parent_id)
        root_places[place.id] = place
        role_roots.append((assignment.role, place.path))
    if not root_places:
        return Scope(user_id=user.id, roles=roles, signature="none")
    prefixes = [place.path for place in root_places.values()]
    rows = db.session.execute(
        select(Place.id, Place.kind, Place.path).where(or_(*[Place.path.startswith(p) for p in prefixes]))
    ).all()
    place_ids = frozenset(r.id for r in rows)
    grid_ids = frozenset(r.id for r in rows if r.kind == "grid")
    grids_by_role = {}
    for role, path in role_roots:
        grids_by_role.setdefault(role, set()).update(r.id for r in rows if r.kind == "grid" and r.path.startswith(path))
    ancestors = frozenset(
        pid for place in root_places.values() for pid in place.ancestor_ids() if pid not in place_ids
    )
    signature = ",".join(f"{a.role}@{a.place_id}" for a in sorted(user.roles, key=lambda a: (a.role, a.place_id)))
    return Scope(
        user_id=user.id,
        roles=roles,
        root_ids=frozenset(root_places),
        place_ids=place_ids,
        grid_ids=grid_ids,
        ancestor_ids=ancestors,
        signature=signature,
        role_grids=tuple(sorted((role, frozenset(grids)) for role, grids in grids_by_role.items())),
    )


def require_role(scope, *roles):
    if not scope.has_role(*roles):
        raise Forbidden("Your role does not allow this action.", code="role_required")


def require_admin(scope):
    require_role(scope, "admin")


def require_place(scope, place_id, what="place"):
    """Raise 404 for a place outside the scope: its existence is not disclosed."""
    if not scope.sees_place(place_id):
        raise NotFound(f"No such {what}.")


def require_grid(scope, grid_id, what="grid"):
    if not scope.sees_grid(grid_id):
        raise NotFound(f"No such {what}.")


def admin_can_manage(scope, place_id):
    """An administrator may manage places inside their own subtree."""
    require_admin(scope)
    require_place(scope, place_id)
