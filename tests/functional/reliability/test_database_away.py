"""The database away for a moment (a restart, a fail-over): a translated 503 with
``Retry-After``, on pages and in each API's own error shape; a wrong statement stays a 500.

The restart itself, under gunicorn on a cluster of its own, is in test_database_restart.py.
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy.exc import DBAPIError, ProgrammingError

from portal.core.db_errors import database_unavailable
from portal.core.errors_http import MESSAGES
from tests.functional.support import page, translated

pytest.importorskip("psycopg")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: nobody listens there


@pytest.fixture
def away_app(make_app, pseudo_catalogs):
    return make_app(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/portal",
                    PROPAGATE_EXCEPTIONS=False)


@pytest.mark.parametrize("code", ["en", "ar", "zh-Hans"])
def test_pages_answer_503_in_the_requests_language(away_app, code):
    response = away_app.test_client().get(f"/{code}/requests/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    html = page(response)
    assert html.one("html").get("lang") == code
    prefix = "" if code == "en" else f"[{code}] "  # went through gettext in that locale
    assert html.one("h1").text == prefix + "The portal is not available for a moment"
    assert prefix + "Try again in a minute." in html.text


def test_a_form_post_answers_503_too(away_app):
    response = away_app.test_client().post("/en/account/login", data={
        "email": "a@example.org", "password": "a long enough pw"})
    assert response.status_code == 503


def test_the_json_api_answers_in_its_own_shape(away_app):
    response = away_app.test_client().get("/api/v1/requests")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"]["status"] == 503


def test_open311_answers_in_its_own_shape(away_app):
    response = away_app.test_client().get("/open311/v2/requests.json")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    errors = response.get_json()
    assert errors[0]["code"] == 503 and errors[0]["description"]


def test_only_a_lost_connection_is_a_503():
    import psycopg

    lost = DBAPIError("SELECT 1", {}, psycopg.OperationalError("connection refused"))
    shutting = DBAPIError("SELECT 1", {}, psycopg.errors.AdminShutdown("terminating"))
    invalidated = DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    wrong = ProgrammingError("SELECT * FROM nowhere", {}, psycopg.errors.UndefinedTable("no"))
    sqlite = DBAPIError("SELECT 1", {}, __import__("sqlite3").OperationalError("database is locked"))
    assert [database_unavailable(e) for e in (lost, shutting, invalidated, wrong, sqlite)] == [
        True, True, True, False, False]


def test_the_english_text_is_the_catalogs(app):
    # the gunicorn test compares real pages with the catalogs through this helper
    assert translated(app, "en", MESSAGES[503][0]) == "The portal is not available for a moment"


def test_a_signed_in_visitor_gets_the_503_too(away_app):
    """With a session cookie too (the gunicorn test signs in for real)."""
    client = away_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True
    response = client.get("/ar/requests/")
    assert response.status_code == 503
    assert page(response).one("html").get("lang") == "ar"
