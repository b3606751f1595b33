"""CSRF: every POST route refuses a request without a valid token (with the translated error
page) and accepts one with it. The routes come from the URL map, so new ones are covered."""

from __future__ import annotations

import pytest

from portal.core.errors_http import CSRF_MESSAGE
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.functional.support import build_url, page, translated, url_map_app


def post_rules(app):
    from portal.extensions import csrf

    rules = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        blueprint = app.blueprints.get(rule.endpoint.rsplit(".", 1)[0])
        view = app.view_functions[rule.endpoint]
        if blueprint in csrf._exempt_blueprints or \
                f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            continue
        rules.append(rule)
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def _rules():
    return [(r.endpoint, r.rule) for r in post_rules(url_map_app())]


POST_ROUTES = _rules()
NEW = "a brand new passphrase"
# What a real form sends to each route (besides the token), so that it succeeds.
DATA = {
    "core.text_size": {"next": "/en/"},
    "accounts.register": {"display_name": "New", "email": "new@example.org",
                          "password": NEW, "confirm": NEW},
    "accounts.register_check": {"email": "x@example.org"},
    "accounts.login": {"email": "admin-csrf@example.org", "password": PASSWORD},
    "accounts.forgot_password": {"email": "target-csrf@example.org"},
    "accounts.reset_password": {"password": NEW, "confirm": NEW},
    "accounts.save_preferences": {"prefs-display_name": "Admin", "prefs-locale": "en"},
    "accounts.change_password": {"pw-current_password": PASSWORD, "pw-password": NEW,
                                 "pw-confirm": NEW},
    "accounts.change_email": {"em-email": "moved@example.org", "em-password": PASSWORD},
    "admin.user": {"roles": ["staff"]},
    "admin.block": {"action": "block"},
    # following (the target and the follow are absent: 404, after the token was accepted)
    "deliberation.follow": {"follow-frequency": "daily"},
    "deliberation.set_frequency": {"follow-1-frequency": "daily"},
    "reports.report": {"reason": "spam"},
    "moderation.decide": {"decision": "hide", "reason_code": "spam"},
    "transparency.ask": {"description": "d", "delivery": "online", "visibility": "private"},
    "deliberation.comment_proposal": {"comment-body": "A comment"},
    "practice.form": {"comment-body": "A practice comment"},  # the first name: comment
}
QUERY = {"accounts.register_check": "?field=email"}


def test_the_list_has_the_account_and_admin_forms():
    endpoints = {endpoint for endpoint, _rule in POST_ROUTES}
    assert {"accounts.login", "accounts.logout", "accounts.register", "admin.user",
            "admin.block", "core.text_size"} <= endpoints


def test_only_the_open311_api_is_exempt(app):
    from portal.extensions import csrf

    assert {bp.name for bp in csrf._exempt_blueprints} <= {"open311"}
    assert csrf._exempt_views == set()


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def world(app, db_session, factories):
    from portal.accounts import services

    admin = factories.admin(email="admin-csrf@example.org")
    target = factories.user(email="target-csrf@example.org")
    with app.test_request_context("/en/"):
        token = services._serializer("reset").dumps({"id": target.id,
                                                     "h": target.password_hash[-16:]})
    return {"admin": admin, "values": {"user_id": target.id, "token": token,
                                       **_reported_comment(db_session, factories, admin, target)}}


def _reported_comment(db_session, factories, admin, author) -> dict:
    """Reports: a comment to report and a reported item to decide on."""
    from portal.deliberation import debates
    from portal.deliberation import services as halls
    from portal.moderation import reports

    area = factories.area(code="csrf-city", en="City")
    hall = halls.create_hall(db_session, admin, halls.HallData(
        slug="csrf-hall", area_id=area.id, source_locale="en", names={"en": "Hall"},
        purposes={"en": "For the city."}))
    halls.join(db_session, author, hall)
    debate = debates.open_debate(db_session, admin, hall, "Question?", "Text.", "en")
    comment = debates.comment(db_session, author, hall, debate, "A comment.", "for")
    reporter = factories.user()
    result = reports.report(db_session, reporter, "debate_comment", comment.id, "spam", "")
    return {"kind": "debate_comment", "item_id": comment.id, "reported_id": result.reported.id}


def _url(app, endpoint, rule_text, values, locale="en"):
    (rule,) = [r for r in app.url_map.iter_rules()
               if r.endpoint == endpoint and r.rule == rule_text]
    return build_url(app, rule, values, locale) + QUERY.get(endpoint, "")


@pytest.mark.parametrize(("endpoint", "rule"), POST_ROUTES)
def test_post_without_a_token_is_refused(app, csrf_on, world, endpoint, rule):
    client = app.test_client()
    response = client.post(_url(app, endpoint, rule, world["values"], "es"),
                           data=DATA.get(endpoint, {}))
    assert response.status_code == 400
    doc = page(response)
    assert doc.one("html").get("lang") == "es"
    assert doc.one("h1").text == translated(app, "es", "Bad request")
    assert translated(app, "es", CSRF_MESSAGE) in doc.one("main").text


@pytest.mark.parametrize(("endpoint", "rule"), POST_ROUTES)
def test_post_with_a_wrong_token_is_refused(app, csrf_on, world, endpoint, rule):
    client = app.test_client()
    client.get("/en/account/login")  # a session with a token of its own
    response = client.post(_url(app, endpoint, rule, world["values"]),
                           data={**DATA.get(endpoint, {}), "csrf_token": "forged"})
    assert response.status_code == 400


@pytest.mark.parametrize(("endpoint", "rule"), POST_ROUTES)
def test_post_with_a_valid_token_is_accepted(app, csrf_on, world, endpoint, rule):
    client = app.test_client()
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    logged_in = client.post("/en/account/login", data={
        "email": world["admin"].email, "password": PASSWORD, "csrf_token": token})
    assert logged_in.status_code == 303
    token = csrf_token_from(client.get("/en/").get_data(as_text=True))
    response = client.post(_url(app, endpoint, rule, world["values"]),
                           data={**DATA.get(endpoint, {}), "csrf_token": token},
                           headers={"HX-Request": "true"} if endpoint.endswith("_check") else {})
    assert response.status_code != 400, (endpoint, response.get_data(as_text=True)[:300])
    assert translated(app, "en", CSRF_MESSAGE) not in response.get_data(as_text=True)


def test_the_token_is_in_a_meta_tag_for_htmx(client, factories, login):
    login(factories.user())
    doc = page(client.get("/en/"))
    assert doc.one("meta", name="csrf-token").get("content")


def test_an_anonymous_page_without_a_form_starts_no_session(client, csrf_on):
    """No token, so no session cookie: the page can be cached. A page with a form (and
    htmx, which then reads the form's own token) does start one."""
    response = client.get("/en/")
    assert "Set-Cookie" not in response.headers
    assert page(response).find("meta", attrs={"name": "csrf-token"}) is None
    register = client.get("/en/account/register")
    assert "portal_session=" in register.headers.get("Set-Cookie", "")


def test_an_htmx_post_sends_the_token_in_a_header(app, client, csrf_on):
    token = csrf_token_from(client.get("/en/account/register").get_data(as_text=True))
    response = client.post("/en/account/register/check?field=email", data={"email": "x"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
