"""Account pages: register, confirm, log in and out, reset, settings — full pages and htmx."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from portal.accounts import services
from portal.core.models import OutboxMessage, User
from portal.core.passwords import verify_password
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.functional.support import page, title, translated

GOOD = {"display_name": "Lin Wei", "email": "lin@example.org", "password": "a long enough pw",
        "confirm": "a long enough pw"}
NEW_PASSWORD = "a brand new passphrase"


def outbox_to(session, recipient) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ))


def link_in(message: OutboxMessage, kind: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/[\w-]+/account/{kind}/[\w.\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def user_by_email(session, email) -> User | None:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def assert_field_error(doc, field_id: str, message: str) -> None:
    """The error beside the field, tied to it, and linked from the summary."""
    error = doc.by_id(f"{field_id}-error")
    assert error is not None, f"no error beside {field_id}"
    assert message in error.text
    control = doc.by_id(field_id)
    assert control.get("aria-invalid") == "true"
    assert f"{field_id}-error" in control.get("aria-describedby", "").split()
    summary = doc.one(class_="error-summary")
    assert summary.get("role") == "alert"
    links = {a.get("href"): a.text for a in summary.find_all("a")}
    assert message in links.get(f"#{field_id}", ""), links


def other_client(app):
    return app.test_client()


def login_as(client, user, password=PASSWORD, remember=False, locale="en", **extra):
    data = {"email": user.email, "password": password, **extra}
    if remember:
        data["remember"] = "y"
    return client.post(f"/{locale}/account/login", data=data)


def is_logged_in(client) -> bool:
    response = client.get("/en/account/settings")
    return response.status_code == 200


# --- register ------------------------------------------------------------------------------

def test_register_page(client):
    response = client.get("/es/account/register")
    assert response.status_code == 200
    doc = page(response)
    form = doc.one("form", action="/es/account/register")
    assert form.get("method") == "post"
    for name in ("display_name", "email", "password", "confirm"):
        control = doc.by_id(name)
        assert control.get("name") == name
        assert doc.one("label", for_=name)
        assert control.get("aria-invalid") is None
    assert not title(response).startswith("Error")


def test_register_success(client, db_session, pseudo_catalogs):
    response = client.post("/es/account/register", data=GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/es/account/check-email"
    user = user_by_email(db_session, "lin@example.org")
    assert user.display_name == "Lin Wei" and user.locale == "es"
    assert user.email_confirmed_at is None
    (mail,) = outbox_to(db_session, "lin@example.org")
    assert mail.locale == "es"
    assert mail.subject == "[es] Confirm your email address"
    assert mail.sent_at is None
    assert link_in(mail, "confirm").startswith("/es/account/confirm/")
    check = client.get(response.headers["Location"])
    assert "lin@example.org" in page(check).one("main").text


def test_register_mail_uses_the_real_catalog(app, client, db_session):
    client.post("/zh-Hant/account/register", data=GOOD)
    (mail,) = outbox_to(db_session, "lin@example.org")
    assert mail.locale == "zh-Hant"
    assert mail.subject == translated(app, "zh-Hant", "Confirm your email address")


def test_register_duplicate_email_answers_as_for_a_new_one(client, db_session, factories):
    """Nobody learns who has an account: the same redirect and page; the owner is mailed."""
    factories.user(email="lin@example.org", display_name="Owner")
    taken = client.post("/en/account/register", data={**GOOD, "email": "LIN@example.org"})
    fresh = other_client(client.application).post(
        "/en/account/register", data={**GOOD, "email": "LIN2@example.org"})
    assert taken.status_code == fresh.status_code == 303
    assert taken.headers["Location"] == fresh.headers["Location"] == "/en/account/check-email"
    (mail,) = outbox_to(db_session, "lin@example.org")
    assert mail.subject == "Someone tried to use your email address"
    assert "/account/confirm/" not in mail.body
    assert user_by_email(db_session, "lin@example.org").display_name == "Owner"


EMPTY_ERRORS = {
    "display_name": "Enter the name others will see.",
    "email": "Enter your email address.",
    "password": "Enter a password.",
    "confirm": "Enter the password again.",
}
BAD_ERRORS = {
    "display_name": "Enter between 2 and 80 characters.",
    "email": "Enter an email address in the right format, like name@example.com.",
    "password": "Your password must be at least 10 characters long.",
    "confirm": "The passwords do not match.",
}
BAD = {"display_name": "L", "email": "lin.example.org", "password": "short", "confirm": "other"}


@pytest.mark.parametrize(("data", "errors"), [({}, EMPTY_ERRORS), (BAD, BAD_ERRORS)])
def test_every_validation_error_is_translated(client, pseudo_catalogs, data, errors):
    response = client.post("/es/account/register", data=data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.one("html").get("lang") == "es"
    for field_id, message in errors.items():
        assert_field_error(doc, field_id, f"[es] {message}")
    assert title(response).startswith("[es] Error:")
    assert len(doc.one(class_="error-summary").find_all("a")) == len(errors)


@pytest.mark.parametrize("code", ["es", "ar", "zh-Hans"])
def test_validation_errors_follow_the_real_catalog(app, client, code):
    response = client.post(f"/{code}/account/register", data={})
    doc = page(response)
    for field_id, message in EMPTY_ERRORS.items():
        assert_field_error(doc, field_id, translated(app, code, message))
    assert title(response).startswith(translated(app, code, "Error:"))


def test_typed_values_are_kept_but_never_passwords(client):
    data = {"display_name": "Ana María", "email": "ana@", "password": "secret-pass-123",
            "confirm": "different-pass"}
    doc = page(client.post("/en/account/register", data=data))
    assert doc.by_id("display_name").get("value") == "Ana María"
    assert doc.by_id("email").get("value") == "ana@"
    assert doc.by_id("password").get("value") in (None, "")
    assert doc.by_id("confirm").get("value") in (None, "")


def test_register_when_logged_in_goes_home(client, db_session, factories, login):
    login(factories.user())
    response = client.get("/en/account/register")
    assert response.status_code == 302 and response.headers["Location"] == "/en/"


# --- htmx inline validation ----------------------------------------------------------------

HX = {"HX-Request": "true"}


def test_inline_check_returns_only_the_field(client):
    response = client.post("/en/account/register/check?field=email", data={"email": "nope"},
                           headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<main" not in html
    doc = page(response)
    wrapper = doc.one("div", id="email-field")
    assert "field--error" in wrapper.get("class")
    assert "right format" in doc.by_id("email-error").text
    assert doc.by_id("email").get("aria-invalid") == "true"
    assert doc.by_id("email").get("value") == "nope"
    assert doc.by_id("display_name") is None  # other fields are not included


def test_inline_check_of_a_good_value_has_no_error(client):
    response = client.post("/en/account/register/check?field=email",
                           data={"email": "free@example.org"}, headers=HX)
    doc = page(response)
    assert doc.by_id("email-error") is None
    assert doc.by_id("email").get("aria-invalid") is None


def test_inline_check_does_not_tell_taken_addresses(client, db_session, factories):
    factories.user(email="taken@example.org")
    taken = client.post("/en/account/register/check?field=email",
                        data={"email": "Taken@Example.org"}, headers=HX)
    free = client.post("/en/account/register/check?field=email",
                       data={"email": "Fresh@Example.org"}, headers=HX)
    assert page(taken).by_id("email-error") is None
    assert taken.get_data(as_text=True).replace("Taken", "Fresh") == free.get_data(as_text=True)


def test_inline_check_is_translated(client, pseudo_catalogs):
    response = client.post("/ar/account/register/check?field=display_name", data={},
                           headers=HX)
    assert page(response).by_id("display_name-error").text.endswith(
        "[ar] Enter the name others will see.")


def test_inline_check_without_htmx_redirects(client):
    response = client.post("/en/account/register/check?field=email", data={"email": "x"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/account/register"


@pytest.mark.parametrize("field", ["", "csrf_token", "is_admin"])
def test_inline_check_of_an_unknown_field(client, field):
    response = client.post(f"/en/account/register/check?field={field}", headers=HX)
    assert response.status_code == 400


# --- confirmation --------------------------------------------------------------------------

def test_confirmation_link(client, db_session):
    client.post("/en/account/register", data=GOOD)
    (mail,) = outbox_to(db_session, "lin@example.org")
    response = client.get(link_in(mail, "confirm"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/account/login"
    assert user_by_email(db_session, "lin@example.org").email_confirmed_at is not None
    follow = client.get("/en/account/login")
    assert "lin@example.org" in page(follow).one("main").text  # the flash says so


def test_expired_confirmation_link(client, db_session, factories, monkeypatch, pseudo_catalogs):
    user = factories.user(confirmed=False)
    with monkeypatch.context() as clock:
        clock.setattr(TimestampSigner, "get_timestamp",
                      lambda self: int(time.time()) - services.CONFIRM_MAX_AGE - 5)
        with client.application.test_request_context("/en/"):
            services.send_confirmation(db_session, user, user.email)
        db_session.commit()
    response = client.get(link_in(outbox_to(db_session, user.email)[-1], "confirm")
                          .replace("/en/", "/es/"))
    assert response.status_code == 400
    assert "[es] This confirmation link has expired. Ask for a new one." in page(response).text
    assert user_by_email(db_session, user.email).email_confirmed_at is None


def test_tampered_confirmation_link(client, db_session, factories):
    user = factories.user(confirmed=False)
    with client.application.test_request_context("/en/"):
        services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    link = link_in(outbox_to(db_session, user.email)[-1], "confirm")
    response = client.get(link[:-4] + "AAAA")
    assert response.status_code == 400
    assert "This confirmation link is not valid." in page(response).one("main").text
    assert user_by_email(db_session, user.email).email_confirmed_at is None


def test_resend_confirmation(client, db_session, factories, login):
    user = login(factories.user(confirmed=False, locale="ug"))
    settings = page(client.get("/en/account/settings"))
    assert settings.find("form", action="/en/account/confirm/resend") is not None
    response = client.post("/en/account/confirm/resend")
    assert response.status_code == 303
    (mail,) = outbox_to(db_session, user.email)
    assert mail.locale == "ug"


def test_resend_confirmation_when_confirmed_sends_nothing(client, db_session, factories, login):
    user = login(factories.user())
    assert page(client.get("/en/account/settings")).find(
        "form", action="/en/account/confirm/resend") is None
    client.post("/en/account/confirm/resend")
    assert outbox_to(db_session, user.email) == []


def test_resend_confirmation_needs_login(client):
    response = client.post("/en/account/confirm/resend")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/account/login")


# --- login and logout ----------------------------------------------------------------------

def test_login(client, db_session, factories):
    user = factories.user(locale="ar")
    response = login_as(client, user)
    assert response.status_code == 303
    assert response.headers["Location"] == "/ar/"  # the account's language
    assert is_logged_in(client)
    assert user_by_email(db_session, user.email).last_login_at is not None


def test_login_wrong_password(client, db_session, factories):
    user = factories.user()
    response = login_as(client, user, password="wrong password")
    assert response.status_code == 422
    doc = page(response)
    summary = doc.one(class_="error-summary")
    assert "The email address or password is not right." in summary.text
    assert title(response).startswith("Error:")
    assert doc.by_id("email").get("value") == user.email
    assert not is_logged_in(client)


def test_login_unknown_address_says_the_same(client, factories):
    known = page(login_as(client, factories.user(), password="wrong password"))
    unknown = page(client.post("/en/account/login",
                               data={"email": "nobody@example.org", "password": "x"}))
    assert known.one(class_="error-summary").text == unknown.one(class_="error-summary").text


def test_login_errors_translated(client, pseudo_catalogs, factories):
    response = client.post("/es/account/login", data={})
    doc = page(response)
    assert_field_error(doc, "email", "[es] Enter your email address.")
    assert_field_error(doc, "password", "[es] Enter your password.")
    response = login_as(client, factories.user(), password="wrong", locale="es")
    assert "[es] The email address or password is not right." in page(response).text


def test_blocked_account_is_refused(client, factories):
    user = factories.blocked_user()
    response = login_as(client, user)
    assert response.status_code == 422
    assert "This account has been blocked" in page(response).one(class_="error-summary").text
    assert not is_logged_in(client)


def test_remember_me_sets_a_remember_cookie(client, factories):
    response = login_as(client, factories.user(), remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0]
    session_cookie = next(c for c in cookies if c.startswith("portal_session="))
    assert "Expires=" in session_cookie  # a permanent session


def test_without_remember_me_no_remember_cookie(client, factories):
    response = login_as(client, factories.user())
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("portal_session="))
    assert "Expires=" not in session_cookie  # ends with the browser


def test_the_remember_cookie_logs_in_again(app, client, factories):
    login_as(client, factories.user(), remember=True)
    client.delete_cookie("portal_session")
    assert is_logged_in(client)


def test_session_is_renewed_on_login(client, factories):
    """Session fixation: nothing placed in the session before logging in survives it."""
    client.get("/en/account/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before = dict(session)
    login_as(client, factories.user())
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session
        assert session.get("csrf_token") != before.get("csrf_token") or "csrf_token" not in before


def test_login_redirects_to_a_safe_next(client, factories):
    user = factories.user()
    response = client.post("/en/account/login?next=/en/account/settings",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/en/account/settings"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "/\t/evil.example"])
def test_login_ignores_an_unsafe_next(client, factories, target):
    user = factories.user()
    response = client.post("/en/account/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/"


def test_login_page_when_logged_in(client, factories, login):
    login(factories.user())
    assert client.get("/en/account/login").status_code == 302


def test_protected_page_sends_to_login_with_next(client):
    response = client.get("/es/account/settings")
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/account/login?next=%2Fes%2Faccount%2Fsettings"


def test_logout_is_post_only(client, factories, login):
    login(factories.user())
    response = client.get("/en/account/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert is_logged_in(client)
    response = client.post("/en/account/logout")
    assert response.status_code == 303
    assert not is_logged_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_logout_ends_the_remember_cookie(client, factories):
    login_as(client, factories.user(), remember=True)
    response = client.post("/en/account/logout")
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))
    assert not is_logged_in(client)
    client.delete_cookie("portal_session")
    assert not is_logged_in(client)


def test_logout_needs_the_csrf_token_when_csrf_is_on(app, client, factories, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = factories.user()
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    assert login_as(client, user, csrf_token=token).status_code == 303
    assert client.post("/en/account/logout").status_code == 400
    assert is_logged_in(client)
    token = csrf_token_from(client.get("/en/").get_data(as_text=True))
    assert client.post("/en/account/logout", data={"csrf_token": token}).status_code == 303
    assert not is_logged_in(client)


# --- forgotten password --------------------------------------------------------------------

def _forgot(client, email):
    response = client.post("/en/account/forgot-password", data={"email": email})
    assert response.status_code == 200
    return page(response).one("main").text.replace(email, "EMAIL")


def test_forgot_password_does_not_reveal_accounts(client, db_session, factories):
    user = factories.user(email="known@example.org")
    known = _forgot(client, "known@example.org")
    unknown = _forgot(client, "unknown@example.org")
    assert known == unknown
    (mail,) = outbox_to(db_session, user.email)
    assert "/account/reset/" in mail.body
    (other,) = outbox_to(db_session, "unknown@example.org")  # the same work either way
    assert "/account/reset/" not in other.body


def test_forgot_password_form_errors(client):
    response = client.post("/en/account/forgot-password", data={"email": ""})
    assert response.status_code == 422
    assert_field_error(page(response), "email", "Enter your email address.")


def _reset_link(client, db_session, user) -> str:
    client.post("/en/account/forgot-password", data={"email": user.email})
    return link_in(outbox_to(db_session, user.email)[-1], "reset")


def test_reset_password_link_works_once(client, db_session, factories):
    user = factories.user(locale="es")
    link = _reset_link(other_client(client.application), db_session, user)
    assert link.startswith("/es/account/reset/")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/es/account/login"
    assert verify_password(user_by_email(db_session, user.email).password_hash, NEW_PASSWORD)
    again = client.get(link)
    assert again.status_code == 400
    assert translated(client.application, "es",
                      "This password reset link has expired or is not valid.") in page(again).text
    assert client.post(link, data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 400
    assert login_as(client, user, password=NEW_PASSWORD).status_code == 303


def test_reset_password_form_errors(client, db_session, factories):
    link = _reset_link(client, db_session, factories.user())
    response = client.post(link, data={"password": "short", "confirm": "other"})
    assert response.status_code == 422
    doc = page(response)
    assert_field_error(doc, "password", "Your password must be at least 10 characters long.")
    assert_field_error(doc, "confirm", "The passwords do not match.")


def test_reset_password_ends_other_sessions(client, db_session, factories):
    user = factories.user()
    elsewhere = other_client(client.application)
    assert login_as(elsewhere, user).status_code == 303
    assert is_logged_in(elsewhere)
    link = _reset_link(client, db_session, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not is_logged_in(elsewhere)


def test_reset_password_ends_remember_me_too(client, db_session, factories):
    user = factories.user()
    elsewhere = other_client(client.application)
    login_as(elsewhere, user, remember=True)
    link = _reset_link(client, db_session, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    elsewhere.delete_cookie("portal_session")
    assert not is_logged_in(elsewhere)


# --- settings ------------------------------------------------------------------------------

def test_settings_page(client, factories, login):
    user = login(factories.user(display_name="Ana"))
    response = client.get("/en/account/settings")
    assert response.status_code == 200
    doc = page(response)
    assert user.email in doc.one("main").text
    assert doc.by_id("prefs-display_name").get("value") == "Ana"
    checked = [i.get("value") for i in doc.find_all("input", name="prefs-locale", checked=True)]
    assert checked == ["en"]


def test_change_password_keeps_this_session_and_ends_the_others(client, db_session, factories,
                                                                 login):
    user = login(factories.user())
    elsewhere = other_client(client.application)
    login_as(elsewhere, user)
    response = client.post("/en/account/settings/password", data={
        "pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert is_logged_in(client)
    assert not is_logged_in(elsewhere)
    assert verify_password(user_by_email(db_session, user.email).password_hash, NEW_PASSWORD)


def test_change_password_wrong_current(client, db_session, factories, login):
    user = login(factories.user())
    response = client.post("/en/account/settings/password", data={
        "pw-current_password": "wrong", "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert_field_error(page(response), "pw-current_password",
                       "Your current password is not right.")
    assert verify_password(user_by_email(db_session, user.email).password_hash, PASSWORD)


def test_change_email_needs_the_password(client, db_session, factories, login):
    user = login(factories.user(email="old@example.org"))
    response = client.post("/en/account/settings/email",
                           data={"em-email": "new@example.org", "em-password": "wrong"})
    assert response.status_code == 422
    doc = page(response)
    assert_field_error(doc, "em-password", "Your password is not right.")
    assert doc.by_id("em-email").get("value") == "new@example.org"
    assert outbox_to(db_session, "new@example.org") == []
    assert user_by_email(db_session, "old@example.org").pending_email is None
    assert user.email == "old@example.org"


def test_change_email_after_the_link(client, db_session, factories, login):
    user = login(factories.user(email="old@example.org", locale="es"))
    response = client.post("/en/account/settings/email",
                           data={"em-email": "new@example.org", "em-password": PASSWORD})
    assert response.status_code == 303
    assert user_by_email(db_session, "old@example.org").pending_email == "new@example.org"
    assert user_by_email(db_session, "new@example.org") is None
    assert outbox_to(db_session, "old@example.org") == []
    (mail,) = outbox_to(db_session, "new@example.org")
    assert mail.locale == "es"
    settings = page(client.get("/en/account/settings")).one("main").text
    assert "new@example.org" in settings  # waiting for confirmation
    assert client.get(link_in(mail, "confirm")).status_code == 303
    changed = user_by_email(db_session, "new@example.org")
    assert changed is not None and changed.id == user.id and changed.pending_email is None


def test_change_email_to_a_taken_address_answers_the_same(client, db_session, factories, login):
    factories.user(email="taken@example.org")
    login(factories.user())
    response = client.post("/en/account/settings/email",
                           data={"em-email": "taken@example.org", "em-password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/account/settings"
    (mail,) = outbox_to(db_session, "taken@example.org")
    assert "/account/confirm/" not in mail.body  # the owner is told; nothing to confirm


def test_preferences_save_the_locale_used_by_the_root_redirect(client, db_session, factories,
                                                               login):
    user = login(factories.user(display_name="Ana"))
    response = client.post("/en/account/settings/preferences", data={
        "prefs-display_name": "Ana B", "prefs-locale": "ar"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ar/account/settings"
    saved = user_by_email(db_session, user.email)
    assert (saved.display_name, saved.locale, saved.large_text) == ("Ana B", "ar", False)
    # the saved preference beats the cookie and Accept-Language
    client.set_cookie("portal_locale", "es")
    root = client.get("/", headers={"Accept-Language": "zh-TW"})
    assert root.headers["Location"] == "/ar/"


def test_preferences_large_text(client, db_session, factories, login):
    login(factories.user())
    assert page(client.get("/en/")).one("html").get("class") is None
    client.post("/en/account/settings/preferences", data={
        "prefs-display_name": "Ana", "prefs-locale": "en", "prefs-large_text": "y"})
    doc = page(client.get("/en/departments"))
    assert "text-large" in doc.one("html").get("class", "").split()
    client.post("/en/account/settings/preferences", data={
        "prefs-display_name": "Ana", "prefs-locale": "en"})
    assert page(client.get("/en/")).one("html").get("class") is None


def test_preferences_errors(client, factories, login, pseudo_catalogs):
    login(factories.user())
    response = client.post("/es/account/settings/preferences",
                           data={"prefs-display_name": "", "prefs-locale": "en"})
    assert response.status_code == 422
    assert_field_error(page(response), "prefs-display_name",
                       "[es] Enter the name others will see.")
    response = client.post("/es/account/settings/preferences",
                           data={"prefs-display_name": "Ana", "prefs-locale": "fr"})
    assert response.status_code == 422
    assert page(response).by_id("prefs-locale-error") is not None


@pytest.mark.parametrize("path", ["/en/account/settings/preferences", "/en/account/settings/password",
                                  "/en/account/settings/email"])
def test_settings_forms_need_login(client, path):
    response = client.post(path, data={})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/account/login")
