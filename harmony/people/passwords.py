"""Password hashing with Argon2id (argon2-cffi)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hashers = {
    "default": PasswordHasher(),
    # Tests and the demo seeding use cheap parameters; never production.
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
# Verified when the username is unknown, so a miss costs as much as a wrong password.
_DUMMY = {name: hasher.hash("not-a-password") for name, hasher in _hashers.items()}


def hash_password(password, profile="default"):
    return _hashers[profile].hash(password)


def verify_password(password_hash, password, profile="default"):
    try:
        return _hashers[profile].verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_time(password, profile="default"):
    verify_password(_DUMMY[profile], password, profile)
