"""The one error shape: {"error": {"code", "message", "fields"}}."""


class ApiError(Exception):
    status = 400
    code = "bad_request"
    # Most errors undo the request's work; a few must keep their bookkeeping
    # (a failed log-in is counted, or rate limiting could never trigger).
    keep_changes = False

    def __init__(self, message, fields=None, code=None, status=None, headers=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        if status:
            self.status = status
        self.headers = headers or {}

    def to_dict(self):
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class Invalid(ApiError):
    status = 422
    code = "validation_error"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class LoginFailed(Unauthorized):
    code = "login_failed"
    keep_changes = True


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class RuleBroken(ApiError):
    """An action that the domain rules do not allow in the current state."""

    status = 409
    code = "rule_broken"


class TooMany(ApiError):
    status = 429
    code = "too_many_requests"


def error_body(code, message, fields=None):
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
