"""Route helpers: service errors onto forms, safe redirect targets."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from portal.core.errors import Forbidden, Invalid, NotFound, ServiceError
from portal.core.forms import int_arg
from portal.core.views import apply_errors, is_safe_next


@pytest.mark.parametrize(
    "target",
    ["/", "/en/account/settings", "/es/admin/users?q=a&role=staff", "/en/x#frag", "/a//b"],
)
def test_safe_next(target):
    assert is_safe_next(target)


@pytest.mark.parametrize(
    "target",
    [
        "", "https://evil.example/", "//evil.example/", "///evil.example", "http:/evil.example",
        "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
        "/\r\n/evil.example", "javascript:alert(1)", "en/account", "/\x00/evil.example",
        "/\x7f/evil.example",
    ],
)
def test_unsafe_next(target):
    assert not is_safe_next(target)


class _Form(FlaskForm):
    class Meta:
        csrf = False

    email = StringField("Email")


def test_apply_errors_puts_field_errors_beside_fields_and_the_rest_above(app):
    with app.test_request_context("/en/", method="POST"):
        form = _Form()
        form.validate()
        apply_errors(form, Invalid({"email": ["taken"], "": ["general"], "nope": ["other"]}))
        assert form.email.errors == ["taken"]
        assert form.form_errors == ["general", "other"]


def test_invalid_from_a_message_or_a_lazy_string(app):
    from flask_babel import lazy_gettext

    assert Invalid("Bad").errors == {"": ["Bad"]}
    assert str(Invalid({"a": ["x", "y"], "b": ["z"]})) == "x; y; z"
    with app.test_request_context("/en/"):
        lazy = lazy_gettext("Unknown role.")
        exc = Invalid(lazy)
        assert list(exc.errors) == [""]
        assert str(exc) == "Unknown role."


def test_error_statuses():
    assert (ServiceError.status, NotFound.status, Forbidden.status, Invalid.status) == (
        400, 404, 403, 422)


@pytest.mark.parametrize(("value", "expected"), [("12", 12), ("0", 0), ("", None), (None, None),
                                                 ("-3", None), ("1e3", None), ("x", None)])
def test_int_arg(value, expected):
    assert int_arg(value) == expected
