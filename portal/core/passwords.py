"""Password hashing with Argon2id (argon2-cffi), rehashing old parameters on login.

Tests use argon2's cheapest profile (``PASSWORD_HASH_CHEAP``) so the suite stays fast; every
other setting uses the library's current recommended parameters.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST
from flask import current_app, has_app_context


@cache
def _hasher(cheap: bool) -> PasswordHasher:
    return PasswordHasher.from_parameters(CHEAPEST) if cheap else PasswordHasher()


def hasher() -> PasswordHasher:
    cheap = has_app_context() and current_app.config.get("PASSWORD_HASH_CHEAP", False)
    return _hasher(bool(cheap))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return hasher().check_needs_rehash(stored)


@cache
def _dummy_hash(cheap: bool) -> str:
    return _hasher(cheap).hash("not-a-real-password")


def dummy_verify(password: str) -> None:
    """Spend the time of a real check when the account does not exist: one verification
    against a hash made once per process, as a wrong password costs (hashing here as well
    would make an unknown address take twice as long, and tell)."""
    cheap = bool(has_app_context() and current_app.config.get("PASSWORD_HASH_CHEAP", False))
    verify_password(_dummy_hash(cheap), password)
