"""Decimal numbers typed as the reader's locale writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import NumberFormatError
from werkzeug.datastructures import MultiDict
from wtforms import Form, validators

from portal.core.fields import LocalizedDecimalField, parse_localized_decimal


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("40,4168", "es", "40.4168"),     # the Spanish decimal comma
    ("40.4168", "es", "40.4168"),     # the point map apps give, on a Spanish page
    ("-3,7038", "es", "-3.7038"),
    ("\u22123.7038", "en", "-3.7038"),  # a real minus sign
    ("40.4168", "en", "40.4168"),
    (" 31.2304 ", "zh_Hans", "31.2304"),
    ("٣١٫٢٣", "ar", "31.23"),          # Arabic-Indic digits and decimal separator
    ("༣༡.༢", "bo", "31.2"),            # Tibetan digits
])
def test_parses_what_the_locale_writes(text, locale, expected):
    assert parse_localized_decimal(text, locale) == Decimal(expected)


@pytest.mark.parametrize(("text", "locale"), [
    ("40,4168", "en"),   # English does not write decimal commas: not silently 404168
    ("1,234", "en"),     # no grouping in a decimal field
    ("north", "es"), ("", "es"), ("4,0,1", "es"), ("1e5", "en"),
])
def test_refuses_what_is_not_a_plain_decimal(text, locale):
    with pytest.raises(NumberFormatError):
        parse_localized_decimal(text, locale)


class _Form(Form):
    lat = LocalizedDecimalField("Latitude", invalid_value_message="Not a latitude.",
                                validators=[validators.Optional(),
                                            validators.NumberRange(-90, 90, message="Not a latitude.")])


def test_the_field_keeps_what_was_typed_and_says_it_once(app):
    with app.test_request_context("/es/"):
        from flask import g

        g.locale = "es"
        form = _Form(MultiDict({"lat": "40,4168"}))
        assert form.validate() and form.lat.data == pytest.approx(40.4168)
        form = _Form(MultiDict({"lat": "norte"}))
        assert not form.validate()
        assert form.lat.errors == ["Not a latitude."]  # not the range's message as well
        assert form.lat._value() == "norte"
        assert _Form(data={"lat": 40.4168}).lat._value() == "40,4168"
        field = _Form().lat
        assert 'dir="ltr"' in field() and 'inputmode="decimal"' in field()
