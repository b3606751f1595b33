"""Rate limits on the account forms: the 11th attempt within a minute is refused."""

from __future__ import annotations

import pytest

from tests.functional.support import page, translated


@pytest.fixture
def limited(make_app, db_session):
    return make_app(RATELIMIT_ENABLED=True)


def test_the_eleventh_login_within_a_minute_gets_429(limited, pseudo_catalogs):
    client = limited.test_client()
    data = {"email": "someone@example.org", "password": "wrong password"}
    for attempt in range(10):
        response = client.post("/es/account/login", data=data)
        assert response.status_code == 422, attempt
    response = client.post("/es/account/login", data=data)
    assert response.status_code == 429
    doc = page(response)
    assert doc.one("html").get("lang") == "es"
    assert doc.one("h1").text == "[es] Too many attempts"
    assert "Retry-After" in response.headers or "X-RateLimit-Reset" in response.headers
    # reading the page is not limited, and other addresses are not affected
    assert client.get("/es/account/login").status_code == 200
    other = limited.test_client()
    assert other.post("/es/account/login", data=data,
                      environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 422


def test_429_page_uses_the_real_catalog(limited):
    client = limited.test_client()
    for _ in range(11):
        response = client.post("/ar/account/forgot-password", data={"email": "x@example.org"})
    assert response.status_code == 429
    assert page(response).one("h1").text == translated(limited, "ar", "Too many attempts")


def test_each_form_has_its_own_limit(limited):
    client = limited.test_client()
    for _ in range(11):
        client.post("/en/account/login", data={})
    assert client.post("/en/account/register", data={}).status_code == 422


def test_limits_are_off_in_the_test_app(app, client, db_session):
    for _ in range(12):
        assert client.post("/en/account/login", data={}).status_code == 422


def _exhaust(client, **kwargs):
    for _ in range(10):
        client.post("/en/account/login", data={}, **kwargs)
    return client.post("/en/account/login", data={}, **kwargs).status_code


def test_a_forged_forwarded_for_does_not_escape_the_limit(limited):
    client = limited.test_client()
    assert _exhaust(client) == 429
    assert client.post("/en/account/login", data={},
                       headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429


def test_behind_a_proxy_each_visitor_has_their_own_limit(make_app, db_session):
    proxied = make_app(RATELIMIT_ENABLED=True, PROXY_COUNT=1)
    client = proxied.test_client()
    assert _exhaust(client, headers={"X-Forwarded-For": "203.0.113.1"}) == 429
    assert client.post("/en/account/login", data={},
                       headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 422
