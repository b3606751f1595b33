"""A small city for disclosure requests: a dispatch centre, two departments, a topic routed to
one of them, the people of the permission matrix."""

from __future__ import annotations

import pytest

from portal.transparency import services as svc


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    bridge = factories.area(code="bridge", parent=city, en="Stone Bridge")
    dispatch = factories.department(code="dispatch", en="Dispatch centre")
    parks = factories.department(code="parks", en="Parks department")
    roads = factories.department(code="roads", en="Roads department")
    category = factories.service_category(code="park-upkeep", en="Park upkeep")
    factories.responsibility_rule(category, city, parks)
    return {
        "city": city, "bridge": bridge, "dispatch": dispatch, "parks": parks, "roads": roads,
        "category": category,
        "requester": factories.user(display_name="Rita Requester", email="rita@example.org"),
        "other": factories.user(display_name="Otto Other"),
        "parks_staff": factories.user(roles=["staff"], departments=[parks], display_name="Pia Parks"),
        "roads_staff": factories.user(roles=["staff"], departments=[roads]),
        "dispatcher": factories.user(roles=["staff"], departments=[dispatch]),
        "admin": factories.user(roles=["administrator"]),
        "moderator": factories.user(roles=["moderator"]),
    }


@pytest.fixture
def make_request(app, db_session, world):
    def make(public=False, now=None, **over):
        values = {"description": "The budget of the park works on Stone Bridge for 2026.",
                  "purpose": "", "delivery": "online", "public": public,
                  "department_id": world["parks"].id, "source_locale": "en"}
        values.update(over)
        with app.test_request_context("/en/"):
            return svc.ask(db_session, world["requester"], svc.AskData(**values), now=now)

    return make
