"""Route helpers: service errors onto forms, safe redirect targets."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from portal.core.errors import Forbidden, Invalid, NotFound, ServiceError
from portal.core.forms import int_arg
from portal.core.views import apply_errors, form_view, is_safe_next, save_form


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


# --- form_view: one create-or-edit page ----------------------------------------------------

class _Thing(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired()])


@pytest.fixture
def rendered(monkeypatch):
    import flask

    pages = []

    def render(template, **context):
        pages.append((template, context))
        return "page"

    monkeypatch.setattr(flask, "render_template", render)
    return pages


def _view(calls, **overrides):
    def save(form):
        calls.append(form.name.data)
        if form.name.data == "taken":
            raise Invalid({"name": ["That name is taken."], "": ["Nothing was saved."]})
        return {"id": 7, "name": form.name.data}

    options = dict(save=save, saved=lambda t: f"Saved {t['name']}.",
                   next_url=lambda t: f"/things/{t['id']}", context={"thing": None})
    options.update(overrides)
    return form_view(_Thing, "things/form.html", **options)


def test_form_view_get_binds_the_current_values_and_runs_setup(app, rendered):
    calls, setups = [], []
    with app.test_request_context("/en/things/7"):
        body, status = _view(calls, data={"name": "Old"}, setup=setups.append)
    assert (body, status) == ("page", 200)
    template, context = rendered[0]
    assert template == "things/form.html" and context["thing"] is None
    assert context["form"].name.data == "Old" and setups == [context["form"]]
    assert calls == []


def test_form_view_bad_input_stays_on_the_page_with_422(app, rendered):
    calls = []
    with app.test_request_context("/en/things/new", method="POST", data={"name": ""}):
        _body, status = _view(calls, data={"name": "Old"})
    assert status == 422 and calls == []
    assert rendered[0][1]["form"].name.errors


def test_form_view_maps_the_services_errors_to_fields_and_rolls_back(app, rendered, monkeypatch):
    from portal.extensions import db

    rolled_back = []
    monkeypatch.setattr(db.session, "rollback", lambda: rolled_back.append(True))
    with app.test_request_context("/en/things/new", method="POST", data={"name": "taken"}):
        _body, status = _view([])
    form = rendered[0][1]["form"]
    assert status == 422 and rolled_back == [True]
    assert form.name.errors == ["That name is taken."] and form.name.data == "taken"
    assert form.form_errors == ["Nothing was saved."]


def test_form_view_saves_flashes_and_redirects(app, rendered):
    from flask import get_flashed_messages

    calls = []
    with app.test_request_context("/en/things/new", method="POST", data={"name": "New"}):
        response = _view(calls)
        assert get_flashed_messages(with_categories=True) == [("success", "Saved New.")]
    assert calls == ["New"] and rendered == []
    assert response.status_code == 303 and response.location == "/things/7"


# --- save_form: one way to save a posted form ---------------------------------------------

def _save(error=None, thing=None):
    def save(form):
        if error is not None:
            raise error
        return thing

    return save


def test_save_form_is_none_for_a_get_and_for_a_form_that_does_not_validate(app):
    with app.test_request_context("/en/things/new"):
        assert save_form(_Thing(), _save(thing=1), saved="Saved.", next_url="/x") is None
    with app.test_request_context("/en/things/new", method="POST", data={"name": ""}):
        form = _Thing()
        assert save_form(form, _save(thing=1), saved="Saved.", next_url="/x") is None
        assert form.name.errors


@pytest.mark.parametrize(("error", "status"), [(Forbidden(), 403), (NotFound(), 404)])
def test_save_form_answers_a_refusal_of_the_thing_with_its_status(app, error, status):
    from werkzeug.exceptions import HTTPException

    with (app.test_request_context("/en/things/new", method="POST", data={"name": "x"}),
          pytest.raises(HTTPException) as raised):
        save_form(_Thing(), _save(error), saved="Saved.", next_url="/x")
    assert raised.value.code == status


def test_save_form_keeps_what_was_typed_beside_the_services_messages(app):
    with app.test_request_context("/en/things/new", method="POST", data={"name": "taken"}):
        form = _Thing()
        error = Invalid({"name": ["That name is taken."], "": ["Nothing was saved."]})
        assert save_form(form, _save(error), saved="Saved.", next_url="/x") is None
    assert form.name.data == "taken" and form.name.errors == ["That name is taken."]
    assert form.form_errors == ["Nothing was saved."]


def test_save_form_hands_a_refusal_outright_to_refused(app):
    refusals = []
    with app.test_request_context("/en/things/new", method="POST", data={"name": "x"}):
        form = _Thing()
        answer = save_form(form, _save(Invalid("Too late.")), saved="Saved.", next_url="/x",
                           refused=lambda exc: refusals.append(exc) or "back")
        field_only = save_form(form, _save(Invalid({"name": ["Bad."]})), saved="Saved.",
                               next_url="/x", refused=lambda exc: "back")
    assert answer == "back" and [str(e) for e in refusals] == ["Too late."]
    assert field_only is None and form.name.errors == ["Bad."]


def test_save_form_flashes_what_the_thing_says_and_redirects_to_its_page(app):
    from flask import get_flashed_messages

    with app.test_request_context("/en/things/new", method="POST", data={"name": "x"}):
        response = save_form(_Thing(), _save(thing={"id": 3}), saved=lambda t: f"Saved {t['id']}.",
                             next_url=lambda t: f"/things/{t['id']}")
        assert get_flashed_messages(with_categories=True) == [("success", "Saved 3.")]
    assert response.status_code == 303 and response.location == "/things/3"
    with app.test_request_context("/en/things/new", method="POST", data={"name": "x"}):
        response = save_form(_Thing(), _save(thing=1), saved=None, next_url="/done")
        assert get_flashed_messages() == []
    assert response.status_code == 303 and response.location == "/done"


def test_save_form_answers_htmx_with_the_fragment(app):
    from flask import get_flashed_messages

    fragment = lambda thing, message: f"{thing}: {message}"  # noqa: E731
    with app.test_request_context("/en/things/new", method="POST", data={"name": "x"},
                                  headers={"HX-Request": "true"}):
        answer = save_form(_Thing(), _save(thing=5), saved="Saved.", next_url="/x", htmx_done=fragment)
        assert answer == "5: Saved." and get_flashed_messages() == []
    with app.test_request_context("/en/things/new", method="POST", data={"name": "x"}):
        answer = save_form(_Thing(), _save(thing=5), saved="Saved.", next_url="/x", htmx_done=fragment)
    assert answer.status_code == 303
