from flask import g, request
from flask_smorest import Blueprint

from harmony.people import service
from harmony.people.schemas import (
    DeviceSchema, LoginSchema, RoleSchema, SessionSchema, UserCreateSchema, UserQuerySchema, UserSchema,
    UserUpdateSchema,
)
from harmony.web import login_required, page_schema, paginate

auth = Blueprint("auth", __name__, url_prefix="/api/auth", description="Log-in and device tokens")
people = Blueprint("people", __name__, url_prefix="/api/people", description="People, accounts and roles")


@auth.post("/login")
@auth.doc(security=[])
@auth.arguments(LoginSchema)
@auth.response(200, SessionSchema)
def login(args):
    """Log in on a device; returns a long-lived device token."""
    token, user = service.login(args["username"], args["password"], args["device_name"], request.remote_addr)
    return {"token": token, "user": user}


@auth.post("/logout")
@auth.response(204)
@login_required
def logout():
    """Revoke the token this request was made with."""
    service.revoke_device(g.scope, g.device.id)


@auth.get("/me")
@auth.response(200, UserSchema)
@login_required
def me():
    return g.user


@auth.get("/devices")
@auth.response(200, DeviceSchema(many=True))
@login_required
def my_devices():
    return service.list_devices(g.scope, g.user.id)


@auth.delete("/devices/<int:device_id>")
@auth.response(200, DeviceSchema)
@login_required
def revoke_device(device_id):
    return service.revoke_device(g.scope, device_id)


@people.get("")
@people.arguments(UserQuerySchema, location="query")
@people.response(200, page_schema(UserSchema))
@login_required
def list_people(args):
    stmt = service.list_users(g.scope, args.get("role"), args.get("place_id"), args.get("q"))
    return paginate(stmt, args)


@people.post("")
@people.arguments(UserCreateSchema)
@people.response(201, UserSchema)
@login_required
def create_person(args):
    return service.create_user(g.scope, **args)


@people.get("/<int:user_id>")
@people.response(200, UserSchema)
@login_required
def get_person(user_id):
    return service.get_user(g.scope, user_id)


@people.patch("/<int:user_id>")
@people.arguments(UserUpdateSchema)
@people.response(200, UserSchema)
@login_required
def update_person(args, user_id):
    return service.update_user(g.scope, user_id, args)


@people.post("/<int:user_id>/roles")
@people.arguments(RoleSchema)
@people.response(201, RoleSchema)
@login_required
def add_role(args, user_id):
    return service.add_role(g.scope, user_id, args["role"], args["place_id"])


@people.delete("/<int:user_id>/roles/<int:assignment_id>")
@people.response(204)
@login_required
def remove_role(user_id, assignment_id):
    service.remove_role(g.scope, user_id, assignment_id)


@people.get("/<int:user_id>/devices")
@people.response(200, DeviceSchema(many=True))
@login_required
def person_devices(user_id):
    return service.list_devices(g.scope, user_id)
