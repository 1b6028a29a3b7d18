"""Accounts, roles, device tokens and log-in."""
import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from harmony.access import admin_can_manage, require_admin
from harmony.clock import now
from harmony.errors import Conflict, Invalid, LoginFailed, NotFound, TooMany
from harmony.extensions import db
from harmony.people.models import ROLE_PLACE_KINDS, DeviceToken, LoginFailure, RoleAssignment, User
from harmony.people.passwords import burn_time, hash_password, verify_password
from harmony.places.models import Place

log = logging.getLogger(__name__)
TOKEN_PREFIX = "hmy_"


def _hash_profile():
    return current_app.config.get("PASSWORD_HASH_PROFILE", "default")


def _token_digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def login(username, password, device_name, remote_addr=None):
    """Return (raw_token, user) for good credentials; one generic error otherwise."""
    cfg = current_app.config
    since = now() - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    recent = db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username, LoginFailure.at >= since)
    )
    if recent >= cfg["LOGIN_MAX_FAILURES"]:
        raise TooMany(
            "Too many failed log-ins. Try again later.",
            headers={"Retry-After": str(cfg["LOGIN_WINDOW_MINUTES"] * 60)},
        )
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        burn_time(password, _hash_profile())
    if user is None or not user.active or not verify_password(user.password_hash, password, _hash_profile()):
        db.session.add(LoginFailure(username=username[:64], remote_addr=remote_addr, at=now()))
        db.session.flush()
        raise LoginFailed("Username or password is incorrect.")
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(DeviceToken(user_id=user.id, name=device_name, token_hash=_token_digest(raw), created_at=now()))
    db.session.flush()
    log.info("user %s logged in on device %r", user.id, device_name)
    return raw, user


def authenticate(raw_token):
    """Return the live DeviceToken for a bearer token, or None."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX):
        return None
    device = db.session.scalar(select(DeviceToken).where(DeviceToken.token_hash == _token_digest(raw_token)))
    if device is None or device.revoked_at is not None or not device.user.active:
        return None
    stamp = now()
    # Touch at most hourly: a write per request would serialize readers on SQLite.
    if device.last_used_at is None or stamp - device.last_used_at > timedelta(hours=1):
        device.last_used_at = stamp
    return device


def list_devices(scope, user_id):
    if user_id != scope.user_id:
        require_admin(scope)
    return db.session.scalars(select(DeviceToken).where(DeviceToken.user_id == user_id).order_by(DeviceToken.id)).all()


def revoke_device(scope, device_id):
    device = db.session.get(DeviceToken, device_id)
    if device is None or (device.user_id != scope.user_id and not scope.has_role("admin")):
        raise NotFound("No such device.")
    if device.revoked_at is None:
        device.revoked_at = now()
        log.info("device %s of user %s revoked by %s", device.id, device.user_id, scope.user_id)
    return device


def _check_role_place(role, place):
    if role not in ROLE_PLACE_KINDS:
        raise Invalid("Unknown role.", fields={"role": [f"Must be one of: {', '.join(ROLE_PLACE_KINDS)}."]})
    if place is None:
        raise Invalid("Unknown place.", fields={"place_id": ["No such place."]})
    if place.kind not in ROLE_PLACE_KINDS[role]:
        allowed = " or ".join(ROLE_PLACE_KINDS[role])
        raise Invalid(
            f"A {role} is bound to a {allowed}.",
            fields={"place_id": [f"Role {role} must be bound to a {allowed}, not a {place.kind}."]},
        )


def create_user(scope, username, password, display_name, roles=(), **profile):
    """Create an account; `roles` is a list of {role, place_id}."""
    require_admin(scope)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("That username is taken.", fields={"username": ["Already in use."]})
    user = User(
        username=username,
        password_hash=hash_password(password, _hash_profile()),
        display_name=display_name,
        created_at=now(),
        **profile,
    )
    db.session.add(user)
    db.session.flush()
    for item in roles:
        add_role(scope, user.id, item["role"], item["place_id"])
    return user


def update_user(scope, user_id, changes):
    user = get_user(scope, user_id)
    if user.id != scope.user_id:
        require_admin(scope)
    password = changes.pop("password", None)
    if password:
        user.password_hash = hash_password(password, _hash_profile())
    for key, value in changes.items():
        setattr(user, key, value)
    return user


def add_role(scope, user_id, role, place_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    place = db.session.get(Place, place_id)
    _check_role_place(role, place)
    admin_can_manage(scope, place.id)
    existing = db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user_id, RoleAssignment.role == role, RoleAssignment.place_id == place_id
        )
    )
    if existing:
        return existing
    assignment = RoleAssignment(user_id=user_id, role=role, place_id=place_id)
    user.roles.append(assignment)
    db.session.flush()
    return assignment


def remove_role(scope, user_id, assignment_id):
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != user_id:
        raise NotFound("No such role assignment.")
    admin_can_manage(scope, assignment.place_id)
    db.session.delete(assignment)
    db.session.flush()


def visible_user_ids(scope):
    """Return a select of user ids holding a role somewhere inside the scope."""
    stmt = select(RoleAssignment.user_id).distinct()
    if not scope.all_places:
        stmt = stmt.where(RoleAssignment.place_id.in_(sorted(scope.place_ids)))
    return stmt


def get_user(scope, user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    if user.id != scope.user_id and not scope.all_places:
        if not any(scope.sees_place(a.place_id) for a in user.roles):
            raise NotFound("No such person.")
    return user


def list_users(scope, role=None, place_id=None, q=None):
    stmt = select(User).where(User.id.in_(visible_user_ids(scope))).order_by(User.id)
    if role or place_id:
        sub = select(RoleAssignment.user_id)
        if role:
            sub = sub.where(RoleAssignment.role == role)
        if place_id:
            sub = sub.where(RoleAssignment.place_id == place_id)
        stmt = stmt.where(User.id.in_(sub))
    if q:
        stmt = stmt.where(User.display_name.contains(q, autoescape=True) | User.username.contains(q, autoescape=True))
    return stmt
