import pytest


@pytest.fixture
def city(app, db_session):
    """The demo city (departments, areas, categories, rules, calendar, demo users and requests),
    inside a request context so services can build links."""
    from sqlalchemy import select

    from portal.core.models import User
    from portal.responsibility.models import Area, Department, ServiceCategory
    from portal.seed import seed

    with app.test_request_context():
        seed(db_session)

        class City:
            users = {u.email.split("@")[0]: u for u in db_session.scalars(select(User))}
            areas = {a.code: a for a in db_session.scalars(select(Area))}
            departments = {d.code: d for d in db_session.scalars(select(Department))}
            categories = {c.service_code: c for c in db_session.scalars(select(ServiceCategory))}

        yield City
