"""Permission checks shared by every module: decorators for routes, helpers for templates."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def has_role(*roles: str) -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*roles))


def role_required(*roles: str):
    """Sign-in required (else redirect to log in); then 403 unless the user has a role."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def public_or_role(config_key: str, *roles: str):
    """Open to everybody when ``config[config_key]`` is true, else ``role_required``."""

    def decorator(view):
        guarded = role_required(*roles)(view)

        @wraps(view)
        def wrapped(*args, **kwargs):
            from flask import current_app

            if current_app.config.get(config_key):
                return view(*args, **kwargs)
            return guarded(*args, **kwargs)

        return wrapped

    return decorator
