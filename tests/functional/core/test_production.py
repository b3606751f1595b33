"""The production profile end to end: PostgreSQL, Redis for Celery and the rate limiter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.models import MailboxMessage
from tests.conftest import csrf_token_from
from tests.functional.core.test_celery import worker_start_timeout  # noqa: F401
from tests.functional.support import page, poll

pytestmark = [pytest.mark.postgres_only, pytest.mark.worker]
HTTPS = {"base_url": "https://portal.example"}
# Over HTTPS, Flask-WTF also checks that a form was sent from the portal's own pages.
SAME_ORIGIN = {"Referer": "https://portal.example/en/"}


def _register(client, email):
    token = csrf_token_from(client.get("/en/account/register", **HTTPS).get_data(as_text=True))
    return client.post("/en/account/register", data={
        "display_name": "Prod User", "email": email, "password": "a long enough pw",
        "confirm": "a long enough pw", "csrf_token": token}, headers=SAME_ORIGIN, **HTTPS)


def test_production_profile_delivers_mail_through_a_redis_worker(production_app,
                                                                  worker_start_timeout):  # noqa: F811
    from celery.contrib.testing.worker import start_worker

    from portal.extensions import db

    app = production_app
    assert app.config["PROFILE"] == "production"
    assert app.config["CELERY"]["broker_url"].startswith("redis://")
    assert app.config["SESSION_COOKIE_SECURE"] is True

    def delivered():
        with app.app_context():
            return db.session.scalar(select(MailboxMessage).where(
                MailboxMessage.recipient == "prod@example.org"))

    with start_worker(app.extensions["celery"], pool="solo", perform_ping_check=False,
                      shutdown_timeout=20):
        response = _register(app.test_client(), "prod@example.org")
        assert response.status_code == 303
        mail = poll(delivered)
    assert mail is not None, "the worker did not deliver the message"
    assert "/en/account/confirm/" in mail.body
    # production keeps the mailbox private
    assert app.test_client().get("/en/admin/mailbox", **HTTPS).status_code == 302


def test_production_rate_limits_are_kept_in_redis(production_app, redis_url):
    import redis

    client = production_app.test_client()
    token = csrf_token_from(client.get("/en/account/login", **HTTPS).get_data(as_text=True))
    data = {"email": "nobody@example.org", "password": "wrong password", "csrf_token": token}
    for _ in range(10):
        response = client.post("/en/account/login", data=data, headers=SAME_ORIGIN, **HTTPS)
        assert response.status_code == 422
    response = client.post("/en/account/login", data=data, headers=SAME_ORIGIN, **HTTPS)
    assert response.status_code == 429
    assert page(response).one("h1").text == "Too many attempts"
    keys = redis.Redis.from_url(redis_url).keys("LIMITS*")
    assert keys, "no rate-limit counters in Redis"
    assert response.headers["Strict-Transport-Security"]
    # without the Referer a browser sends, the form is refused
    refused = client.post("/en/account/register", data={"csrf_token": token}, **HTTPS)
    assert refused.status_code == 400


def test_production_cookies_are_secure_httponly_and_same_site(production_app):
    """What the browser receives, not only the settings: the session cookie (set with the
    login form's token) and, once logged in with "keep me logged in", the remember cookie."""
    from tests.factories import PASSWORD, Factories

    client = production_app.test_client()
    with production_app.app_context():
        from portal.extensions import db

        Factories(db.session).user(email="cookies@example.org")
        db.session.commit()
    form = client.get("/en/account/login", **HTTPS)
    token = csrf_token_from(form.get_data(as_text=True))
    logged_in = client.post("/en/account/login", data={
        "email": "cookies@example.org", "password": PASSWORD, "remember": "y", "csrf_token": token},
        headers=SAME_ORIGIN, **HTTPS)
    assert logged_in.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in logged_in.headers.getlist("Set-Cookie")}
    assert {"portal_session", "remember_token"} <= set(cookies), cookies
    for name in ("portal_session", "remember_token"):
        flags = {part.strip().lower() for part in cookies[name].split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, (name, cookies[name])
