"""A small city for organizations: a dispatch centre, a department, areas, a category routed
to the department, the people of the permission matrix, and helpers to register and verify."""

from __future__ import annotations

import pytest

from portal.organizations import services as svc


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    bridge = factories.area(code="bridge", parent=city, en="Stone Bridge")
    hill = factories.area(code="hill", parent=city, en="Hill")
    dispatch = factories.department(code="dispatch", en="Dispatch centre")
    roads = factories.department(code="roads", en="Roads department")
    category = factories.service_category(code="potholes", en="Potholes")
    return {
        "city": city, "bridge": bridge, "hill": hill, "dispatch": dispatch, "roads": roads,
        "category": category,
        "applicant": factories.user(display_name="Olga Organizer", email="olga@example.org",
                                    locale="es"),
        "resident": factories.user(display_name="Rita Resident", email="rita@example.org"),
        "roads_staff": factories.user(roles=["staff"], departments=[roads], display_name="Rosa Roads"),
        "dispatcher": factories.user(roles=["staff"], departments=[dispatch], display_name="Dan Dispatch"),
        "moderator": factories.user(roles=["moderator"]),
        "admin": factories.user(roles=["administrator"]),
        "outsider_member": factories.user(roles=["organization_member"]),
    }


def org_data(world, **over) -> svc.OrganizationData:
    values = {"name": "Digital Bridges", "description": "Free computer classes for older residents.",
              "source_locale": "en", "kind": "social_organization",
              "service_kinds": ["digital_skills"], "area_ids": [world["bridge"].id],
              "languages": "en, zh-Hans, ug", "email": "hello@digitalbridges.example.org",
              "phone": "+1 555 0100", "website": "https://digitalbridges.example.org",
              "address": "1 Bridge Road"}
    values.update(over)
    return svc.OrganizationData(**values)


@pytest.fixture
def make_org(app, db_session, world):
    """``make_org(state="verified", **details)``: registered by the applicant, then decided."""

    def make(state="pending", applicant=None, **over):
        with app.test_request_context("/en/"):
            org = svc.register(db_session, applicant or world["applicant"], org_data(world, **over))
            if state in ("verified", "suspended"):
                svc.verify(db_session, world["admin"], org.id)
            if state == "suspended":
                svc.suspend(db_session, world["admin"], org.id, "Complaints about its conduct.")
            if state == "rejected":
                svc.reject(db_session, world["admin"], org.id, "We could not confirm it exists.")
        return org

    return make
