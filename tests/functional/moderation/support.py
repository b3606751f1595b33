"""A small city for the staff pages' tests: three departments, staff in each role, and quick
requests (a factory plus ``sync_queue``, not the whole loop)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.factories import PASSWORD


@dataclass
class World:
    session: object
    factories: object
    departments: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    category: object = None
    area: object = None

    def request(self, department: str = "roads", state: str = "routed", resident=None, **fields):
        return self.requests(1, department, state, resident, **fields)[0]

    def requests(self, count: int, department: str = "roads", state: str = "routed",
                 resident=None, **fields):
        from portal.feedback.staff.queue import sync_queue

        made = self.factories.feedback_requests(
            count, self.category, self.area, self.departments[department],
            resident=resident if resident is not None else self.users["resident"], state=state,
            **fields)
        for item in made:
            sync_queue(self.session, item)
        self.session.commit()
        return made


def build_world(session, factories) -> World:
    from portal.core.roles import ADMIN, MODERATOR, ORG_MEMBER, STAFF

    world = World(session, factories)
    for code in ("city", "dispatch", "roads", "water"):
        world.departments[code] = factories.department(code=code, en=f"{code.title()} office")
    world.area = factories.area(code="riverside", en="Riverside")
    world.category = factories.service_category(code="pothole", en="Pothole")
    d = world.departments
    spec = {
        "resident": ((), ()),
        "organization_member": ((ORG_MEMBER,), ()),
        "other_staff": ((STAFF,), (d["water"],)),
        "lead_staff": ((STAFF,), (d["roads"],)),
        "colleague": ((STAFF,), (d["roads"],)),
        "dispatcher": ((STAFF,), (d["dispatch"],)),
        "moderator": ((MODERATOR,), ()),
        "administrator": ((ADMIN,), ()),
    }
    for name, (roles, departments) in spec.items():
        world.users[name] = factories.user(roles=roles, departments=departments,
                                           display_name=name.replace("_", " ").title())
    return world


def clients(app):
    """``make(user)``: a test client logged in as ``user`` (None: anonymous)."""

    def make(user=None, password=PASSWORD):
        client = app.test_client()
        if user is not None:
            response = client.post("/en/account/login",
                                   data={"email": user.email, "password": password})
            assert response.status_code == 303, response.get_data(as_text=True)[:300]
        return client

    return make


@pytest.fixture
def world(db_session, factories) -> World:
    return build_world(db_session, factories)


@pytest.fixture
def client_for(app, db_session):
    return clients(app)
