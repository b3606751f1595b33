"""Form pieces shared by every module."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import validators


class EmptyForm(FlaskForm):
    """A CSRF-only form for buttons that change something."""


def required(message=None):
    return validators.InputRequired(message=message or _l("This field is required."))


def length(max_len: int, min_len: int = -1):
    if min_len > 0:
        return validators.Length(
            min=min_len,
            max=max_len,
            message=_l("Enter between %(min)d and %(max)d characters.", min=min_len, max=max_len),
        )
    return validators.Length(
        max=max_len, message=_l("Enter at most %(max)d characters.", max=max_len)
    )


def int_arg(value: str | None) -> int | None:
    """A query-string integer (cursor, id) or None when absent or malformed."""
    return int(value) if value and value.isdigit() else None
