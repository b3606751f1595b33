"""The demo city (reference data, users), with a few requests, a hall and a proposal raised
through the services, so every dataset has rows, some of them carrying personal data."""

from __future__ import annotations

import pytest

from tests.functional.open311.conftest import city, raise_request  # noqa: F401 (fixture)

VISITOR_NAME = "Zebulon Quartermaine"
VISITOR_EMAIL = "zebulon.quartermaine@example.org"
VISITOR_PHONE = "+86 555 0199 777"
EXACT_ADDRESS = "1234 Hillside Road"


@pytest.fixture
def published(city):  # noqa: F811
    """Three public requests (one raised with a visitor's contact details and an exact point)
    and the demo city's users."""
    resident = city.users["resident"]
    made = [raise_request(city, resident, title=f"Hole {n}", location_text=EXACT_ADDRESS,
                          latitude=47.040123, longitude=8.055134,
                          contact_name=VISITOR_NAME, contact_email=VISITOR_EMAIL,
                          contact_phone=VISITOR_PHONE)
            for n in range(3)]
    city.session.commit()
    from portal.feedback import hotspots

    hotspots.refresh(city.session)  # the hot spots dataset reads the latest snapshot
    city.requests = made
    return city


@pytest.fixture
def count_queries():
    """``with count_queries() as statements:`` the SQL statements run inside."""
    from contextlib import contextmanager

    from sqlalchemy import event

    from portal.extensions import db

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


def client_for(app, user=None):
    """A new test client, logged in as ``user`` through the login form (or anonymous)."""
    client = app.test_client()
    if user is not None:
        response = client.post("/en/account/login",
                               data={"email": user.email, "password": "correct horse battery"})
        assert response.status_code == 303
    return client
