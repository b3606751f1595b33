"""Safety and privacy of accounts and links: absolute links, the mailbox, enumeration, rate
limits, sessions that end on the server, flashes in the landing page's language."""

from __future__ import annotations

import json
import logging
import re

import pytest
from argon2 import PasswordHasher
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.core import outbox
from portal.core.models import OutboxMessage, UserSession
from tests.factories import PASSWORD
from tests.functional.support import page

GOOD = {"display_name": "Lin Wei", "email": "lin@example.org", "password": "a long enough pw",
        "confirm": "a long enough pw"}
NEW_PASSWORD = "a brand new passphrase"
EVIL = {"Host": "evil.example"}


def outbox_to(session, recipient) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ))


def login_as(client, user, password=PASSWORD, remember=False, locale="en"):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post(f"/{locale}/account/login", data=data)


def is_logged_in(client) -> bool:
    return client.get("/en/account/settings").status_code == 200


# --- 1. links never come from the Host header ----------------------------------------------

@pytest.fixture
def base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.city.example")


def test_reset_mail_with_a_forged_host_links_to_the_portal(client, db_session, factories, base_url):
    user = factories.user(locale="es")
    client.post("/en/account/forgot-password", data={"email": user.email}, headers=EVIL)
    (mail,) = outbox_to(db_session, user.email)
    assert "evil.example" not in mail.body
    assert re.search(r"https://portal\.city\.example/es/account/reset/[\w.\-]+", mail.body)


def test_confirmation_mail_with_a_forged_host_links_to_the_portal(client, db_session, base_url):
    client.post("/en/account/register", data=GOOD, headers=EVIL)
    (mail,) = outbox_to(db_session, GOOD["email"])
    assert "evil.example" not in mail.body
    assert "https://portal.city.example/en/account/confirm/" in mail.body


def test_open311_discovery_with_a_forged_host_names_the_portal(client, db_session, base_url):
    response = client.get("/open311/v2/discovery.json", headers=EVIL)
    assert response.status_code == 200
    assert "evil.example" not in response.get_data(as_text=True)
    (endpoint,) = json.loads(response.get_data())["endpoints"]
    assert endpoint["url"] == "https://portal.city.example/open311/v2"


def test_absolute_url_keeps_a_path_in_the_base_url(app, monkeypatch):
    from portal.core.urls import absolute_url

    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://city.example/portal/")
    with app.test_request_context("/en/", base_url="http://evil.example/other"):
        assert absolute_url("accounts.login") == "https://city.example/portal/en/account/login"
    with app.test_request_context("/es/"):
        assert absolute_url("accounts.login", locale="ar") == (
            "https://city.example/portal/ar/account/login")


@pytest.fixture
def production(make_app, monkeypatch, database_url, db_session):
    from portal.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.city.example")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    config = ProductionConfig()
    config.RATELIMIT_ENABLED = False  # no Redis here
    config.WTF_CSRF_ENABLED = False
    config.PASSWORD_HASH_CHEAP = True
    config.CELERY_DISPATCH = False
    return make_app(config)


def test_production_refuses_an_unknown_host(production):
    client = production.test_client()
    https = {"base_url": "https://portal.city.example"}
    assert client.get("/en/", **https).status_code == 200
    assert client.get("/en/", base_url="https://evil.example").status_code == 400
    assert client.get("/en/", headers=EVIL, **https).status_code == 400
    assert client.post("/en/account/forgot-password", data={"email": "a@example.org"},
                       base_url="https://evil.example").status_code == 400


# --- 2. the mailbox is for administrators; a newcomer reads their own message ---------------

def _sent_mail_links(response) -> list[str]:
    return [a.get("href") for a in page(response).find_all("a")
            if re.fullmatch(r"/\w+/account/mail/\d+", a.get("href") or "")]


@pytest.mark.parametrize("role", [None, "resident", "staff"])
def test_the_mailbox_is_closed_to_everyone_but_administrators(client, factories, login, role):
    mail = factories.mailbox_message()
    if role:
        login(factories.user(roles=[] if role == "resident" else [role]))
    for url in ("/en/admin/mailbox", f"/en/admin/mailbox/{mail.id}"):
        response = client.get(url)
        assert response.status_code == (302 if role is None else 403)


def test_the_browser_that_registered_reads_its_confirmation(app, client, db_session):
    response = client.post("/en/account/register", data=GOOD, follow_redirects=True)
    (link,) = _sent_mail_links(response)
    (mail,) = outbox_to(db_session, GOOD["email"])
    assert link == f"/en/account/mail/{mail.id}"
    message = client.get(link)
    assert message.status_code == 200
    assert "/en/account/confirm/" in page(message).one("main").text
    # another browser cannot, nor can this one read other messages
    assert app.test_client().get(link).status_code == 404
    with app.test_request_context("/en/"):
        other = outbox.enqueue_email(db_session, "else@example.org", "reset_no_account", "en",
                                     email="else@example.org", register_link="x")
        db_session.commit()
    assert client.get(f"/en/account/mail/{other.id}").status_code == 404
    assert client.get("/en/account/mail/999999").status_code == 404


def test_a_forgotten_password_page_links_to_its_mail(client, db_session, factories):
    user = factories.user()
    response = client.post("/en/account/forgot-password", data={"email": user.email})
    (link,) = _sent_mail_links(response)
    assert "/en/account/reset/" in page(client.get(link)).one("main").text


def test_an_email_change_links_to_its_confirmation(client, db_session, factories, login):
    login(factories.user())
    response = client.post("/en/account/settings/email", follow_redirects=True,
                           data={"em-email": "new@example.org", "em-password": PASSWORD})
    (link,) = _sent_mail_links(response)
    (mail,) = outbox_to(db_session, "new@example.org")
    assert link == f"/en/account/mail/{mail.id}"
    assert client.get(link).status_code == 200


def test_only_mail_to_the_typed_address_is_kept(app, client, db_session):
    """Mail the same request sent to someone else (staff, followers) stays theirs."""
    from flask import g

    from portal.core import sent_mail

    with app.test_request_context("/en/"):
        g.outbox_committed = [(1, "someone@example.org"), (2, "Me@Example.org")]
        assert sent_mail.keep("me@example.org") == [2]
        assert sent_mail.allowed(2) and not sent_mail.allowed(1)


def test_no_link_outside_the_embedded_mailbox(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    response = client.post("/en/account/register", data=GOOD, follow_redirects=True)
    assert _sent_mail_links(response) == []
    (mail,) = outbox_to(db_session, GOOD["email"])
    assert client.get(f"/en/account/mail/{mail.id}").status_code == 404


def test_a_visitors_request_confirmation_links_to_its_mail(app, client, db_session):
    """feedback.submitted: a visitor (no account) reads the link that confirms the request."""
    from tests.functional.feedback.test_submit import NEW, choose, details, seed_city

    city = seed_city(app, db_session, requests=False)
    choose(client, "water-leak")
    data = details(city["areas"]["harbour-quay"], contact_email="visitor@example.net")
    assert client.post(f"{NEW}/details", data=data).status_code == 303
    response = client.post(f"{NEW}/review", follow_redirects=True)
    (link,) = _sent_mail_links(response)
    (mail,) = outbox_to(db_session, "visitor@example.net")
    assert link == f"/en/account/mail/{mail.id}"
    assert "/en/requests/confirm/" in page(client.get(link)).one("main").text
    assert app.test_client().get(link).status_code == 404


def test_the_console_prints_the_links_of_a_delivered_message(app, db_session, caplog):
    with app.test_request_context("/en/"):
        message = outbox.enqueue_email(db_session, "lin@example.org", "reset_no_account", "en",
                                       email="lin@example.org",
                                       register_link="http://localhost/en/account/register")
        db_session.commit()
    with caplog.at_level(logging.INFO, logger="portal.core.outbox"):
        assert outbox.deliver(db_session, message.id)
    (record,) = [r for r in caplog.records if r.name == "portal.core.outbox"]
    assert record.levelno == logging.INFO
    assert "lin@example.org" in record.getMessage()
    assert "http://localhost/en/account/register" in record.getMessage()


# --- 3. no account enumeration: the same work either way -------------------------------------

@pytest.fixture
def argon_calls(monkeypatch):
    """How many Argon2 hashes and verifications were made."""
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def hash_(self, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(self, *args, **kwargs)

    def verify(self, *args, **kwargs):
        calls["verify"] += 1
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", hash_)
    monkeypatch.setattr(PasswordHasher, "verify", verify)

    def take():
        taken = dict(calls)
        calls.update(hash=0, verify=0)
        return taken

    return take


def test_login_does_one_verification_for_a_known_or_unknown_address(client, factories,
                                                                    argon_calls):
    user = factories.user()
    client.post("/en/account/login", data={"email": "warm@example.org", "password": "x"})
    argon_calls()  # the dummy hash is made once per process, not per attempt
    wrong = client.post("/en/account/login", data={"email": user.email, "password": "wrong pw"})
    assert argon_calls() == {"hash": 0, "verify": 1}
    unknown = client.post("/en/account/login",
                          data={"email": "nobody@example.org", "password": "wrong pw"})
    assert argon_calls() == {"hash": 0, "verify": 1}
    assert wrong.status_code == unknown.status_code == 422
    body = page(wrong).one(class_="error-summary").text
    assert body == page(unknown).one(class_="error-summary").text


def test_registration_hashes_once_for_a_taken_or_free_address(client, factories, argon_calls):
    factories.user(email="taken@example.org")
    argon_calls()
    taken = client.post("/en/account/register", data={**GOOD, "email": "taken@example.org"})
    assert argon_calls() == {"hash": 1, "verify": 0}
    free = client.application.test_client().post("/en/account/register", data=GOOD)
    assert argon_calls() == {"hash": 1, "verify": 0}
    assert (taken.status_code, taken.headers["Location"]) == (free.status_code,
                                                              free.headers["Location"])


def test_password_reset_does_the_same_for_a_known_or_unknown_address(client, db_session,
                                                                     factories):
    user = factories.user()
    known = client.post("/en/account/forgot-password", data={"email": user.email})
    unknown = client.post("/en/account/forgot-password", data={"email": "no@example.org"})
    text = [page(r).one("h1").text + page(r).one(class_="lead").text.split("belongs")[1]
            for r in (known, unknown)]
    assert known.status_code == unknown.status_code == 200 and text[0] == text[1]
    assert len(outbox_to(db_session, user.email)) == len(outbox_to(db_session, "no@example.org"))


# --- 4. rate limits --------------------------------------------------------------------------

@pytest.fixture
def limited(make_app, db_session):
    return make_app(RATELIMIT_ENABLED=True)


def test_the_address_check_is_rate_limited(limited):
    client = limited.test_client()
    headers = {"HX-Request": "true"}
    for attempt in range(30):
        response = client.post("/en/account/register/check?field=email",
                               data={"email": f"a{attempt}@example.org"}, headers=headers)
        assert response.status_code == 200, attempt
    assert client.post("/en/account/register/check?field=email", data={"email": "x@example.org"},
                       headers=headers).status_code == 429


@pytest.mark.parametrize(("url", "data"), [
    ("/en/account/settings/password",
     {"pw-current_password": "wrong", "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD}),
    ("/en/account/settings/email", {"em-email": "new@example.org", "em-password": "wrong"}),
])
def test_password_and_email_changes_are_rate_limited_per_account(limited, factories, url, data):
    user, other = factories.user(), factories.user()
    client = limited.test_client()
    assert login_as(client, user).status_code == 303
    for attempt in range(10):
        assert client.post(url, data=data).status_code == 422, attempt
    assert client.post(url, data=data).status_code == 429
    # counted per account: another person on the same address is not locked out
    elsewhere = limited.test_client()
    assert login_as(elsewhere, other).status_code == 303
    assert elsewhere.post(url, data=data).status_code == 422


# --- 5. logging out ends the session on the server -------------------------------------------

def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, name
    return cookie.value


def test_a_copied_session_cookie_is_refused_after_logout(app, client, factories):
    user = factories.user()
    login_as(client, user)
    copied = _cookie(client, "portal_session")
    client.post("/en/account/logout")
    thief = app.test_client()
    thief.set_cookie("portal_session", copied)
    assert not is_logged_in(thief)


def test_a_copied_remember_cookie_is_refused_after_logout(app, client, factories):
    user = factories.user()
    login_as(client, user, remember=True)
    copied = _cookie(client, "remember_token")
    client.post("/en/account/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert not is_logged_in(thief)


def test_logging_out_on_one_device_keeps_the_others(app, client, db_session, factories):
    user = factories.user()
    phone = app.test_client()
    login_as(client, user)
    login_as(phone, user, remember=True)
    client.post("/en/account/logout")
    assert not is_logged_in(client)
    assert is_logged_in(phone)
    phone.delete_cookie("portal_session")
    assert is_logged_in(phone)  # its remember-me cookie still works
    db_session.expire_all()
    assert len(db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()) == 1


def test_a_password_change_ends_the_others_and_keeps_this_one(app, client, db_session, factories):
    user = factories.user()
    phone = app.test_client()
    login_as(client, user, remember=True)
    login_as(phone, user, remember=True)
    copied = _cookie(client, "portal_session")
    response = client.post("/en/account/settings/password", data={
        "pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert is_logged_in(client)
    client.delete_cookie("portal_session")
    assert is_logged_in(client)  # remembered again, with the new session
    phone.delete_cookie("portal_session")
    assert not is_logged_in(phone)
    old = app.test_client()
    old.set_cookie("portal_session", copied)
    assert not is_logged_in(old)


def test_blocking_ends_every_session(app, client, factories, login):
    user = factories.user()
    device = app.test_client()
    login_as(device, user, remember=True)
    login(factories.admin())
    client.post(f"/en/admin/users/{user.id}/block", data={"action": "block"})
    device.delete_cookie("portal_session")
    assert not is_logged_in(device)


def test_loading_the_user_costs_no_extra_query(app, client, factories):
    """The session key is checked in the same query that loads the user."""
    from sqlalchemy import event

    from portal.extensions import db

    login_as(client, factories.user())
    seen = []

    def before(conn, cursor, statement, *args):
        if "user_session" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert is_logged_in(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert len(seen) == 1 and "JOIN user_session" in seen[0]


# --- 6. a flash is in the language of the page it lands on -----------------------------------

def test_the_login_flash_is_in_the_landing_pages_language(client, factories, pseudo_catalogs):
    user = factories.user(locale="ar")
    response = login_as(client, user, locale="es")
    assert response.headers["Location"] == "/ar/"
    landing = page(client.get("/ar/"))
    banner = landing.one(class_="banner__body")
    assert banner.text == "[ar] You are logged in."


def test_a_flash_shown_on_another_language_page_follows_that_page(client, factories, login,
                                                                   pseudo_catalogs):
    login(factories.user())
    client.post("/es/account/logout")
    assert page(client.get("/zh-Hant/")).one(class_="banner__body").text == (
        "[zh-Hant] You are logged out.")


def test_a_flash_with_variables_is_translated_and_escaped(client, factories, login,
                                                          pseudo_catalogs):
    target = factories.user(display_name="<b>Bold</b>")
    login(factories.admin())
    client.post(f"/en/admin/users/{target.id}/block", data={"action": "block"})
    response = client.get("/es/")
    html = response.get_data(as_text=True)
    assert "[es] &lt;b&gt;Bold&lt;/b&gt; is blocked." in html
    assert "<b>Bold</b>" not in html


def test_flask_logins_message_follows_the_page_too(client, pseudo_catalogs):
    response = client.get("/en/account/settings")
    assert response.status_code == 302
    banner = page(client.get("/bo/account/login")).one(class_="banner__body")
    assert banner.text == "[bo] Log in to see this page."


def test_no_module_flashes_an_already_translated_string():
    """``flash(_(...))`` would be text in the request's language, whatever page shows it:
    every module flashes ``_l``/``lazy_ngettext`` strings (portal.core.flashes)."""
    from pathlib import Path

    import portal

    eager = re.compile(r"\bflash\(\s*(?:_|gettext|ngettext|pgettext)\(")
    found = [f"{path}:{n}" for path in Path(portal.__file__).parent.rglob("*.py")
             for n, line in enumerate(path.read_text().splitlines(), 1) if eager.search(line)]
    assert found == []


def test_lazy_strings_survive_the_session_cookie(app, db_session, pseudo_catalogs):
    """The session keeps the message id, its plural form and variables, not the text."""
    from flask import g
    from flask.sessions import SecureCookieSessionInterface
    from flask_babel import lazy_gettext, lazy_ngettext

    serializer = SecureCookieSessionInterface.serializer
    with app.test_request_context("/en/"):
        stored = serializer.dumps({"_flashes": [
            ("success", lazy_ngettext("%(num)d file added.", "%(num)d files added.", 3)),
            ("info", lazy_gettext("Hello %(name)s", name=lazy_gettext("Mailbox"))),
        ]})
    assert "%(num)d files added." in stored and "[en]" not in stored  # ids, not text
    with app.test_request_context("/ug/"):
        g.locale = "ug"
        (_c1, files), (_c2, hello) = serializer.loads(stored)["_flashes"]
        assert str(files) == "[ug] 3 files added."
        assert str(hello) == "[ug] Hello [ug] Mailbox"


def test_registration_is_rate_limited_with_a_translated_page(limited):
    client = limited.test_client()
    data = {"email": "not an address", "password": "short"}
    for attempt in range(10):
        assert client.post("/es/account/register", data=data).status_code == 422, attempt
    refused = client.post("/es/account/register", data=data)
    assert refused.status_code == 429
    assert refused.headers.get("Retry-After")
    body = refused.get_data(as_text=True)
    assert 'lang="es"' in body
    with limited.test_request_context(), force_locale("es"):
        heading = gettext("Too many attempts")
    assert heading != "Too many attempts" and heading in body
    # the form itself still opens: only its submissions are counted
    assert client.get("/es/account/register").status_code == 200
