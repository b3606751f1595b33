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
    """Only same-site paths may be redirect targets."""
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
