"""Form pieces shared by every module."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import validators


class EmptyForm(FlaskForm):
    """A CSRF-only form for buttons that change something."""


def required(message=None):
    return validators.InputRequired(message=message or _l("This field is required."))


def at_most(limit: int):
    """The message for text over ``limit`` characters (a plural: Arabic has six forms)."""
    return lazy_ngettext("Enter at most %(num)d character.", "Enter at most %(num)d characters.", limit)


def length(max_len: int, min_len: int = -1):
    if min_len > 0:
        return validators.Length(
            min=min_len,
            max=max_len,
            message=lazy_ngettext("Enter between %(min)d and %(num)d character.",
                                  "Enter between %(min)d and %(num)d characters.", max_len, min=min_len),
        )
    return validators.Length(max=max_len, message=at_most(max_len))


def int_arg(value: str | None) -> int | None:
    """A query-string integer (cursor, id) or None when absent or malformed."""
    return int(value) if value and value.isdigit() else None
