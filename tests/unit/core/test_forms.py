"""The shared form base: every text field of every form is bounded and refuses control
characters; identifiers from the query string and selects are bounded."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField, TextAreaField

import portal
from portal.core.forms import (
    CONTROL_MESSAGE,
    MAX_INT,
    EmptyForm,
    PortalForm,
    int_arg,
    is_text_field,
    length,
    max_length,
    optional_int,
)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def portal_form_classes() -> list[type]:
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(info.name)
    found = {c for c in _subclasses(FlaskForm) if c.__module__.startswith("portal.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_the_walk_finds_the_forms():
    names = {c.__name__ for c in portal_form_classes()}
    assert {"DetailsForm", "LoginForm", "ReplyTemplateForm", "UserSearchForm", "EmptyForm",
            "CategoryForm", "GalleryForm", "MetricsForm"} <= names


@pytest.mark.parametrize("form_class", portal_form_classes(),
                         ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_form_is_a_portal_form_and_every_text_field_has_a_maximum(app, form_class):
    qualified = f"{form_class.__module__}.{form_class.__qualname__}"
    assert issubclass(form_class, PortalForm), f"{qualified} must derive from PortalForm"
    with app.test_request_context():
        form = form_class(formdata=None, meta={"csrf": False})  # binding checks the maxima too
        for field in form:
            if is_text_field(field):
                assert max_length(field), f"{qualified}.{field.name} has no maximum length"


def test_dynamic_forms_are_bounded_too(app, db_session):
    from portal.feedback.web.forms import details_form
    from portal.responsibility.forms import attribute_form
    from portal.responsibility.models import ServiceCategory

    category = ServiceCategory(service_code="survey", source_locale="en", attributes=[
        {"code": kind, "datatype": kind, "order": n} for n, kind in
        enumerate(["string", "text", "number", "datetime", "singlevaluelist", "multivaluelist"])])
    with app.test_request_context():
        forms = [details_form(category, visitor=True, area_choices=[]), attribute_form(3)()]
        for form in forms:
            for field in form:
                if is_text_field(field):
                    assert max_length(field), f"{field.name} has no maximum length"


def test_a_text_field_without_a_maximum_fails_loudly(app):
    class Unbounded(PortalForm):
        name = StringField("Name")

    with app.test_request_context(), pytest.raises(TypeError, match=r"Unbounded\.name"):
        Unbounded(meta={"csrf": False})


class _Form(PortalForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[length(20)])
    text = TextAreaField("Text", validators=[length(200)])
    count = IntegerField("Count")


@pytest.mark.parametrize("name, value", [("name", "a\x00b"), ("name", "tab\there"),
                                         ("text", "nul\x00"), ("text", "\x1b[31m")])
def test_control_characters_are_a_clear_error_beside_the_field(app, name, value):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({name: value}))
        assert not form.validate()
        assert form.errors == {name: [str(CONTROL_MESSAGE)]}
        assert form[name].data == value  # kept, to be corrected


def test_line_breaks_and_scripts_pass(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"name": "كتاب\u200c", "text": "第一行\r\n\tབོད་ཡིག"}))
        assert form.validate(), form.errors


def test_too_long_text_is_refused(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"name": "x" * 21}))
        assert not form.validate()
        assert "name" in form.errors


def test_numbers_past_a_column_are_refused(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"count": "99999999999999999999"}))
        assert not form.validate()
        assert "count" in form.errors
        assert _Form(formdata=MultiDict({"count": str(MAX_INT)})).validate()


def test_empty_form_is_a_portal_form():
    assert issubclass(EmptyForm, PortalForm)


@pytest.mark.parametrize("value, expected", [
    ("42", 42), (None, None), ("", None), ("x", None), ("-1", None), ("²", None), ("٣", None),
    (str(MAX_INT), MAX_INT), (str(MAX_INT + 1), None), ("99999999999999999999", None),
    ("9" * 5000, None),
])
def test_query_string_integers_are_bounded(value, expected):
    assert int_arg(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("7", 7), (7, 7), ("", None), ("None", None), (None, None), ("99999999999999999999", None),
    (2**40, None), ("abc", None),
])
def test_select_identifiers_are_bounded(value, expected):
    assert optional_int(value) == expected
