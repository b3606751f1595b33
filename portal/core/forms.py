"""Form pieces shared by every module.

Every form of the portal derives from ``PortalForm``. Its text fields (``StringField`` and
everything built on it: email, search, telephone, password, hidden; and ``TextAreaField``)
refuse control characters with a clear message beside the field (``portal.core.text``: one
rule, multiline for text areas), before any other check of the field runs. Every text field
must carry a ``Length`` with a maximum: under ``TESTING`` a form that binds one without it
raises at once, and ``tests/unit/core/test_forms.py`` walks every form class of the portal.
Selects and the other fields refuse control characters too; number fields without a range
of their own stay within an ``integer`` column. A GET form bound to ``request.args`` calls
``validate_search()``, so that a refused value never reaches a query.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField, validators
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import StopValidation

from portal.core.text import has_control_characters

# The range of an ``integer`` column (every identifier, every number a form saves): a number
# past it is not a row, and on PostgreSQL it would fail the statement.
MAX_INT = 2**31 - 1

NUMBER_MESSAGE = _l("Enter a smaller number.")
CONTROL_MESSAGE = _l("Remove the invisible control characters from this text: they cannot be "
                     "saved. Copying from another program can add them.")


def is_text_field(field) -> bool:
    """A field the person types text into (not the CSRF token)."""
    return isinstance(field, StringField | TextAreaField) and not isinstance(field, CSRFTokenField)


def max_length(field_or_validators) -> int | None:
    """The ``Length`` maximum among a field's validators, or None."""
    checks = getattr(field_or_validators, "validators", field_or_validators) or ()
    limits = [v.max for v in checks if isinstance(v, validators.Length) and v.max >= 0]
    return min(limits) if limits else None


class NoControlCharacters:
    """Refuse NUL and the other control characters (tab and line breaks only in a text area)."""

    def __init__(self, multiline: bool = False, message=None):
        self.multiline = multiline
        self.message = message

    def __call__(self, form, field):
        values = field.raw_data if field.raw_data else [field.data]
        for value in values:
            if isinstance(value, str) and has_control_characters(value, multiline=self.multiline):
                field.errors[:] = []
                raise StopValidation(str(self.message or CONTROL_MESSAGE))


class BoundedNumber:
    """A whole number a column can hold, for number fields with no range of their own."""

    def __call__(self, form, field):
        if isinstance(field.data, int) and not -MAX_INT - 1 <= field.data <= MAX_INT:
            raise StopValidation(str(NUMBER_MESSAGE))


class PortalForm(FlaskForm):
    """The base of every form: bounded text without control characters, bounded numbers."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if is_text_field(field) and max_length(field) is None and has_app_context() \
                    and current_app.testing:
                raise TypeError(f"{type(form).__name__}.{field.name}: a text field needs "
                                "a Length with a maximum (portal.core.forms.length)")
            if not isinstance(field, CSRFTokenField):  # selects too: their raw value is text
                check = NoControlCharacters(multiline=isinstance(field, TextAreaField))
                field.validators = [check, *field.validators]
            if isinstance(field, IntegerField) and not any(
                    isinstance(v, validators.NumberRange) for v in field.validators):
                field.validators = [*field.validators, BoundedNumber()]
            return field


    def validate_search(self) -> bool:
        """For a GET form bound to ``request.args``: check it, and let no refused value reach
        a query. A field that fails falls back to its default; its error is shown beside it."""
        valid = self.validate()
        for field in self:
            if field.errors:
                field.data = field.default() if callable(field.default) else field.default
        return valid


class EmptyForm(PortalForm):
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


def int_arg(value: str | None, maximum: int = MAX_INT) -> int | None:
    """A query-string integer (cursor, id) or None when absent, malformed or past ``maximum``
    (an identifier no row can have: on PostgreSQL it would fail the statement)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= maximum else None


def optional_int(value, maximum: int = MAX_INT):
    """Coerce a select's value to an identifier: "" (none chosen), a malformed or an
    out-of-range number is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= maximum else None
    return int_arg(None if value is None else str(value).strip(), maximum)
