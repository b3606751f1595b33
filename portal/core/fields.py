"""Form fields shared by every module (the form base classes live in ``portal.core.forms``)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, get_group_symbol, parse_decimal
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from portal.core.i18n import babel_locale

_PLAIN = re.compile(r"[+-]?[0-9.,'\u2019\u202f]*[0-9][0-9.,'\u2019\u202f]*")
# U+2212 MINUS SIGN and the dashes a phone keyboard may give for "-"
_MINUS = {ord(c): "-" for c in "\u2212\u2012\u2013\ufe63\uff0d"}


def _ascii_digits(text: str) -> str:
    """Arabic-Indic (٤٠), Persian (۴۰), Tibetan (༤༠) and full-width digits as 0–9, and the
    Arabic decimal separator ``٫`` as the locale's own symbol is handled by Babel below."""
    out = []
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            value = unicodedata.decimal(ch, None)
            out.append(str(value) if value is not None else ch)
        elif ch == "\u066b":  # ARABIC DECIMAL SEPARATOR
            out.append(".")
        elif ch == "\u066c":  # ARABIC THOUSANDS SEPARATOR
            out.append(",")
        else:
            out.append(ch)
    return "".join(out)


def parse_localized_decimal(text: str, locale=None, grouping: bool = False) -> Decimal:
    """A number as the reader's locale writes it: ``40,4168`` in Spanish, ``40.4168`` in English.

    A point is always understood as the decimal separator too (map apps and phone keyboards
    write it in every locale). Without ``grouping`` a locale's grouping symbol is never read as
    one: ``40.4168`` on a Spanish page is 40.4168, not 404168. Raises ``NumberFormatError``.
    """
    locale = locale or babel_locale()
    value = _ascii_digits(text.strip().translate(_MINUS)).replace(" ", "").replace("\u00a0", "")
    if not _PLAIN.fullmatch(value):  # no exponents, currency signs or letters
        raise NumberFormatError(f"{text!r} is not a plain decimal number")
    if grouping or get_group_symbol(locale) not in value:
        try:
            return parse_decimal(value, locale=locale, strict=True)
        except NumberFormatError:
            pass
    if not grouping and "," in value:
        raise NumberFormatError(f"{text!r}: a comma is not a decimal separator here")
    return parse_decimal(value, locale="en", strict=True)


class LocalizedDecimalField(Field):
    """A decimal number typed as the reader's locale writes it (see ``parse_localized_decimal``).

    ``data`` is a float (or None when left empty); a value that is not a number keeps what was
    typed and gives ``invalid_value_message`` beside the field. Shown again with the locale's
    decimal symbol. Always left to right, so a minus sign stays in front on Arabic pages.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, invalid_value_message=None, grouping=False,
                 **kwargs):
        render_kw = {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off",
                     "dir": "ltr", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.invalid_value_message = invalid_value_message or _l("Enter a number, like 12.5.")
        self.grouping = grouping

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0.##########", locale=babel_locale())

    def pre_validate(self, form) -> None:
        if self.process_errors:  # not a number: its one message, not the range's as well
            raise StopValidation()

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(parse_localized_decimal(valuelist[0], grouping=self.grouping))
        except (NumberFormatError, ValueError, ArithmeticError) as exc:
            self.data = None
            raise ValueError(self.invalid_value_message) from exc
