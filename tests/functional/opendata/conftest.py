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
    _publications(city.session)
    city.requests = made
    return city


def _publications(session) -> None:
    """A published and a withdrawn publication in the catalog, and a draft nobody may see."""
    from sqlalchemy import select

    from portal.core.models import utcnow
    from portal.responsibility.models import Department
    from portal.transparency.models import Publication

    department = session.scalar(select(Department).order_by(Department.id))
    now = utcnow()
    for n, state in enumerate(("published", "withdrawn", "draft")):
        shown = state != "draft"
        session.add(Publication(
            department_id=department.id, state=state, document_number=f"RB-{n}",
            category="budgets", title_i18n={"en": f"Budget {n}", "ar": f"الميزانية {n}"},
            summary_i18n={"en": "What the city spends."}, version_count=1 if shown else 0,
            first_published_at=now if shown else None, published_at=now if shown else None,
            year=now.year if shown else None, withdrawn_at=now if state == "withdrawn" else None))
    session.commit()


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
