"""Typed errors services raise; routes map them to 404/403/422."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Invalid(ServiceError):
    """Bad input: ``errors`` maps a field name to translated messages."""

    status = 422

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if not isinstance(errors, dict):  # a message: str, or a lazy_gettext string
            errors = {"": [errors]}
        self.errors = errors
        super().__init__("; ".join(str(m) for msgs in errors.values() for m in msgs))
