"""Organizations as accountable parties: the responsibility list names them, a request routed
to one reaches its members' queue and they answer it like department staff (not once it is
suspended); a department invites one to help; halls; the department kind."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.core.notifications import Notification
from portal.feedback import services as feedback
from portal.feedback.models import RequestEvent
from portal.organizations import services as svc
from portal.responsibility import services as responsibility
from portal.responsibility.models import Department
from tests.factories import Factories
from tests.functional.support import page


@pytest.fixture
def org_member(factories):
    return factories.user(display_name="Mia Member", email="mia@example.org")


def _join(app, db_session, world, org, person):
    with app.test_request_context("/en/"):
        svc.invite(db_session, world["applicant"], org, person.email)
        svc.accept(db_session, person, org)


def _submit(app, db_session, world):
    with app.test_request_context("/en/"):
        return feedback.submit(db_session, world["resident"], feedback.Submission(
            category=world["category"], area=world["bridge"], title="Broken lift in block 4",
            description="The lift in block 4 has not worked for a week.", location_text="Block 4"))


def test_a_rule_with_an_organization_lead_routes_to_it_and_its_member_answers(
        app, client, db_session, world, login, make_org, org_member):
    org = make_org("verified", kind="enterprise", name="Riverside Homes",
                   service_kinds=["property_management"])
    _join(app, db_session, world, org, org_member)
    with app.test_request_context("/en/"):
        responsibility.set_rule(db_session, world["admin"], world["category"], world["city"],
                                org.party, [], date(2026, 1, 1))
    item = _submit(app, db_session, world)
    assert item.lead_department_id == org.party_id
    note = db_session.scalar(select(Notification).where(
        Notification.user_id == org_member.id, Notification.key == "feedback.for_department"))
    assert note is not None
    login(org_member)
    queue = page(client.get("/en/staff/queue/"))
    assert queue.find("a", href=f"/en/staff/requests/{item.tracking_code}") is not None
    assert client.get(f"/en/staff/requests/{item.tracking_code}").status_code == 200
    response = client.post(f"/en/staff/requests/{item.tracking_code}/answer",
                           data={"answer-text": "The lift is repaired and inspected."})
    assert response.status_code == 303
    db_session.refresh(item)
    assert item.state == "answered"
    event = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                         RequestEvent.kind == "answered"))
    assert event.actor_role == "staff" and event.data["acting_department"] == org.party.code
    # the public page names the party like a department
    assert "Riverside Homes" in page(client.get(f"/en/requests/{item.tracking_code}")).one("main").text


def test_a_suspended_organizations_member_sees_nothing_and_cannot_act(
        app, client, db_session, world, login, make_org, org_member):
    org = make_org("verified")
    _join(app, db_session, world, org, org_member)
    [item] = Factories(db_session).feedback_requests(1, world["category"], world["bridge"], org.party)
    with app.test_request_context("/en/"):
        svc.suspend(db_session, world["admin"], org.id, "Complaints about its conduct.")
    login(org_member)
    assert client.get("/en/staff/queue/").status_code == 403  # linked to no party now
    assert client.get(f"/en/staff/requests/{item.tracking_code}").status_code == 403
    assert client.post(f"/en/staff/requests/{item.tracking_code}/answer",
                       data={"answer-text": "We did it."}).status_code == 403


def test_a_pending_organizations_member_sees_nothing(app, client, db_session, world, login, make_org):
    make_org("pending", applicant=world["outsider_member"])
    login(world["outsider_member"])
    assert client.get("/en/staff/queue/").status_code == 403
    assert client.post("/en/staff/queue/bulk", data={"action": "assign_me"}).status_code == 403


def test_an_unverified_organizations_party_cannot_be_chosen_for_a_rule(
        app, client, db_session, world, login, make_org):
    org = make_org("suspended")
    login(world["admin"])
    form = page(client.get("/en/admin/responsibility/rules/new"))
    groups = [g.get("label") for g in form.one("select", id="lead_id").find_all("optgroup")]
    assert groups[0] == "Government" and "Social organization" in groups
    response = client.post("/en/admin/responsibility/rules/new", data={
        "category_id": str(world["category"].id), "area_id": str(world["city"].id),
        "lead_id": str(org.party_id), "effective_from": "2026-06-01", "note": ""})
    assert response.status_code == 422
    assert "not verified" in page(response).by_id("lead_id-error").text
    response = client.post("/en/admin/responsibility/rules/new", data={
        "category_id": str(world["category"].id), "area_id": str(world["city"].id),
        "lead_id": str(world["roads"].id), "co_departments": str(org.party_id),
        "effective_from": "2026-06-01", "note": ""})
    assert response.status_code == 422
    assert "not verified" in page(response).by_id("co_departments-error").text


def test_a_department_invites_an_organization_to_help(app, client, db_session, world, login,
                                                      make_org, org_member, factories):
    org = make_org("verified")
    _join(app, db_session, world, org, org_member)
    pending = make_org("pending", name="Not Yet")
    [item] = factories.feedback_requests(1, world["category"], world["bridge"], world["roads"])
    login(world["roads_staff"])
    detail = page(client.get(f"/en/staff/requests/{item.tracking_code}"))
    options = [o.text for o in detail.one("select", id="invite-organization").find_all("option")]
    assert "Digital Bridges" in options and "Not Yet" not in options
    assert pending.party_id is None
    bad = client.post(f"/en/staff/requests/{item.tracking_code}/invite",
                      data={"invite-organization": "99999999999", "invite-note": ""})
    assert bad.status_code == 422
    assert page(bad).by_id("invite-organization-error") is not None
    response = client.post(f"/en/staff/requests/{item.tracking_code}/invite",
                           data={"invite-organization": str(org.party_id),
                                 "invite-note": "Could you help the residents fill the form?"})
    assert response.status_code == 303
    db_session.refresh(item)
    assert org.party_id in item.co_department_ids
    event = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                         RequestEvent.kind == "co_handler_invited"))
    assert event.internal_note == "Could you help the residents fill the form?"
    public = page(client.get(f"/en/requests/{item.tracking_code}")).one("main").text
    assert "An organization was invited to help handle it" in public
    assert "Could you help" not in public and "Rosa Roads" not in public
    assert db_session.scalar(select(Notification).where(
        Notification.user_id == org_member.id, Notification.key == "feedback.for_department"))
    client.post("/en/account/logout")
    login(org_member)
    queue = page(client.get("/en/staff/queue/"))
    assert queue.find("a", href=f"/en/staff/requests/{item.tracking_code}") is not None
    # the member co-handles: they may not invite others themselves
    detail = page(client.get(f"/en/staff/requests/{item.tracking_code}"))
    assert detail.find("select", id="invite-organization") is None
    assert client.post(f"/en/staff/requests/{item.tracking_code}/invite",
                       data={"invite-organization": str(org.party_id)}).status_code == 422


def test_only_members_of_a_verified_organization_may_host_halls(app, db_session, world, make_org,
                                                                org_member):
    from portal.deliberation import services as halls

    org = make_org("verified")
    _join(app, db_session, world, org, org_member)
    assert halls.may_host(db_session, org_member)
    assert not halls.may_host(db_session, world["outsider_member"])  # the role, no verified org
    with app.test_request_context("/en/"):
        svc.suspend(db_session, world["admin"], org.id, "Complaints about its conduct.")
    assert not halls.may_host(db_session, org_member)
    assert halls.may_host(db_session, world["roads_staff"])


def test_the_kind_of_every_party_is_shown(client, db_session, world, login, make_org):
    org = make_org("verified")
    assert db_session.get(Department, world["roads"].id).kind == "government"
    login(world["admin"])
    text = page(client.get("/en/admin/responsibility/departments")).one("main").text
    assert "Government" in text and "Social organization" in text
    public = page(client.get(f"/en/responsibility/departments/{org.party.code}")).one("main").text
    assert "Social organization" in public
