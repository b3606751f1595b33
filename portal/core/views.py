"""Helpers for thin routes: map service errors onto forms, check redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm

from portal.core.errors import Invalid


def apply_errors(form: FlaskForm, exc: Invalid) -> None:
    """Put a service's field errors beside the fields; the rest above the form."""
    for name, messages in exc.errors.items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = list(field.errors) + [str(m) for m in messages]
        else:
            form.form_errors.extend(str(m) for m in messages)


def is_safe_next(target: str) -> bool:
    """Only same-site paths may be redirect targets.

    Backslashes and control characters are refused: browsers read ``/\\host`` as
    ``//host``, and Werkzeug drops a tab, so ``/<TAB>/host`` would become ``//host``.
    """
    if not target or any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


# Session keys that survive logging in (a half-written request's draft, for instance).
# Everything else is dropped so nobody can fix a session for someone else.
KEEP_ON_LOGIN: set[str] = set()


def fresh_session() -> None:
    from flask import session

    kept = {key: session[key] for key in KEEP_ON_LOGIN if key in session}
    session.clear()
    session.update(kept)
