"""Open311 API keys: issued and revoked with the CLI and on the administrators' page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.models import AuditEvent
from portal.feedback.models import ApiKey
from portal.feedback.open311.admin_routes import bp as keys_bp
from portal.feedback.open311.cli import init_cli
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.functional.open311.conftest import errors_of, issue_key
from tests.functional.support import page

KEYS = "/en/admin/open311/keys"


def works(client, secret) -> bool:
    """Whether the API accepts the key (a department's key: the request goes in at once)."""
    response = client.post("/open311/v2/requests.json", data={
        "api_key": secret, "service_code": "litter", "address_string": "Market Square",
        "description": "Bins overflowing after the market.", "area": "old-market",
        "email": "someone@example.org"})
    if response.status_code == 403:
        assert errors_of(response)[0][0] == 403
        return False
    assert response.status_code == 200, response.get_data(as_text=True)
    return True


# --- the command line ----------------------------------------------------------------------

@pytest.fixture
def cli(app):
    if "open311-key" not in app.cli.commands:
        init_cli(app)
    return app.test_cli_runner()


def test_cli_creates_lists_and_revokes_keys(cli, client, city):
    result = cli.invoke(args=["open311-key", "create", "Roads works system", "--department", "roads"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("o311_") and "department roads" in result.output
    key = city.session.scalar(select(ApiKey).where(ApiKey.name == "Roads works system"))
    assert key.department.code == "roads" and key.key_hash != secret and secret not in key.key_hash
    assert works(client, secret)

    result = cli.invoke(args=["open311-key", "create", "Repair app"])
    assert result.exit_code == 0
    app_secret = result.output.strip().splitlines()[-1]
    assert app_secret != secret and works(client, app_secret)

    listing = cli.invoke(args=["open311-key", "list"]).output
    assert "Roads works system" in listing and "Repair app" in listing and "roads" in listing
    assert secret not in listing and "active" in listing

    result = cli.invoke(args=["open311-key", "revoke", str(key.id)])
    assert result.exit_code == 0 and "revoked" in result.output
    assert not works(client, secret) and works(client, app_secret)
    assert "revoked" in cli.invoke(args=["open311-key", "list"]).output


def test_cli_refuses_what_it_cannot_do(cli, city):
    result = cli.invoke(args=["open311-key", "create", "X", "--department", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output
    result = cli.invoke(args=["open311-key", "create", "   "])
    assert result.exit_code != 0 and "Name the system" in result.output
    result = cli.invoke(args=["open311-key", "revoke", "999999"])
    assert result.exit_code != 0 and "999999" in result.output
    assert city.session.scalar(select(ApiKey.id)) is None
    assert cli.invoke(args=["open311-key", "list"]).output.strip() == "No keys."


# --- the administrators' page --------------------------------------------------------------

@pytest.fixture
def keys_app(app, make_app):
    """The session's app once the blueprint is mounted there; until then, another app with it."""
    if "open311_admin.keys" in app.view_functions:
        return app
    other = make_app()
    other.register_blueprint(keys_bp, url_prefix="/<lc:locale>/admin/open311")
    return other


def signed_in(keys_app, user):
    client = keys_app.test_client()
    response = client.post("/en/account/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def test_an_administrator_issues_a_key_seen_once(keys_app, client, city, factories):
    admin = signed_in(keys_app, factories.admin())
    response = admin.get(KEYS)
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "Open311 API keys"
    assert "No key has been issued yet." in doc.text

    department = city.departments["water"]
    response = admin.post(KEYS, data={"name": "Water network system", "department": str(department.id)})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    doc = page(response)
    secret = doc.one("code", id="new-key").text
    assert secret.startswith("o311_")
    key = city.session.scalar(select(ApiKey).where(ApiKey.name == "Water network system"))
    assert key.department_id == department.id
    row = doc.find("th", scope="row")
    assert row.text == "Water network system"
    assert works(client, secret)
    audit = city.session.scalar(select(AuditEvent).where(AuditEvent.action == "open311.key_created"))
    assert audit.target_id == key.id and audit.details["department"] == "water"

    again = admin.get(KEYS).get_data(as_text=True)
    assert secret not in again and key.prefix in again  # shown once; then only its beginning


def test_issuing_a_key_without_a_name_keeps_what_was_chosen(keys_app, city, factories):
    admin = signed_in(keys_app, factories.admin())
    department = city.departments["roads"]
    response = admin.post(KEYS, data={"name": "", "department": str(department.id)})
    assert response.status_code == 422
    doc = page(response)
    assert doc.one("title").text.startswith("Error:")
    summary = doc.one("div", class_="error-summary")
    assert summary.find("a", href="#name").text == "Name the system or app that will use the key."
    assert doc.one("input", id="name").get("aria-invalid") == "true"
    chosen = doc.one("select", id="department").find("option", selected=True)
    assert chosen.get("value") == str(department.id)
    response = admin.post(KEYS, data={"name": "x" * 81, "department": ""})
    assert response.status_code == 422 and page(response).one("input", id="name").get("value") == "x" * 81
    response = admin.post(KEYS, data={"name": "Ok", "department": "123456"})
    assert response.status_code == 422  # not one of the choices
    assert city.session.scalar(select(ApiKey.id)) is None


def test_an_administrator_revokes_a_key(keys_app, client, city, factories):
    key, secret = issue_key(city, "Repair app")
    admin = signed_in(keys_app, factories.admin())
    doc = page(admin.get(KEYS))
    form = doc.one("form", action=f"/en/admin/open311/keys/{key.id}/revoke")
    assert form.one("button").text == "Revoke Repair app"  # the key's name, for screen readers
    response = admin.post(f"/en/admin/open311/keys/{key.id}/revoke")
    assert response.status_code == 303 and response.headers["Location"].endswith(KEYS)
    city.session.expire_all()
    assert key.revoked_at is not None and not works(client, secret)
    doc = page(admin.get(KEYS))
    assert "The key for Repair app is revoked" in doc.text
    assert doc.find("form", action=f"/en/admin/open311/keys/{key.id}/revoke") is None
    assert "Revoked" in doc.one("tbody").text
    assert admin.post("/en/admin/open311/keys/999999/revoke").status_code == 404


@pytest.mark.parametrize("role", ["resident", "organization_member", "staff", "moderator"])
def test_only_administrators(keys_app, city, factories, role):
    key, _secret = issue_key(city, "Repair app")
    other = signed_in(keys_app, factories.user(roles=[role]))
    assert other.get(KEYS).status_code == 403
    assert other.post(KEYS, data={"name": "Mine", "department": ""}).status_code == 403
    assert other.post(f"/en/admin/open311/keys/{key.id}/revoke").status_code == 403
    city.session.expire_all()
    assert key.revoked_at is None and len(city.session.scalars(select(ApiKey)).all()) == 1


def test_anonymous_visitors_are_sent_to_log_in(keys_app, city):
    key, _secret = issue_key(city, "Repair app")
    anonymous = keys_app.test_client()
    for response in (anonymous.get(KEYS), anonymous.post(KEYS, data={"name": "Mine"}),
                     anonymous.post(f"/en/admin/open311/keys/{key.id}/revoke")):
        assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]


def test_the_forms_carry_csrf_tokens(make_app, city, factories):
    strict = make_app(WTF_CSRF_ENABLED=True)
    if "open311_admin.keys" not in strict.view_functions:
        strict.register_blueprint(keys_bp, url_prefix="/<lc:locale>/admin/open311")
    key, _secret = issue_key(city, "Repair app")
    admin_user = factories.admin()
    browser = strict.test_client()
    token = csrf_token_from(browser.get("/en/account/login").get_data(as_text=True))
    browser.post("/en/account/login",
                 data={"email": admin_user.email, "password": PASSWORD, "csrf_token": token})
    html = browser.get(KEYS).get_data(as_text=True)
    assert html.count('name="csrf_token"') >= 2  # the revoke button and the issue form
    assert browser.post(KEYS, data={"name": "No token"}).status_code == 400
    assert browser.post(f"/en/admin/open311/keys/{key.id}/revoke").status_code == 400
    response = browser.post(KEYS, data={"name": "With token", "department": "",
                                        "csrf_token": csrf_token_from(html)})
    assert response.status_code == 200
