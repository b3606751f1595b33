"""Registering an organization, verifying or rejecting it through the staff queue (every
role), the party it gets, members and their link to it following its state."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.notifications import Notification
from portal.core.outbox import OutboxMessage
from portal.moderation.models import QueueItem
from portal.organizations import services as svc
from portal.organizations.models import Organization, OrganizationMember
from portal.responsibility.models import Department, staff_department
from tests.functional.support import page

FORM = {"name": "Digital Bridges", "kind": "social_organization", "source_locale": "en",
        "description": "Free computer classes for older residents.",
        "service_kinds": "digital_skills", "languages": "en, zh-Hans, ug",
        "email": "hello@digitalbridges.example.org", "phone": "+1 555 0100",
        "website": "https://digitalbridges.example.org", "address": "1 Bridge Road"}


def _linked(db_session, org) -> set[int]:
    return set(db_session.scalars(select(staff_department.c.user_id).where(
        staff_department.c.department_id == org.party_id)))


def _queue_item(db_session, org) -> QueueItem | None:
    return db_session.scalar(select(QueueItem).where(QueueItem.module == "organization",
                                                     QueueItem.item_id == org.id))


def test_a_resident_registers_an_organization_without_javascript(client, db_session, world, login):
    login(world["applicant"])
    form = page(client.get("/en/organizations/register"))
    assert form.one("form", action="/en/organizations/register").get("method") == "post"
    response = client.post("/en/organizations/register",
                           data={**FORM, "area_ids": str(world["bridge"].id)})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    org = db_session.scalar(select(Organization))
    assert response.headers["Location"].endswith(f"/en/organizations/{org.slug}/manage")
    assert (org.slug, org.state, org.languages) == ("digital-bridges", "pending", ["en", "zh-Hans", "ug"])
    assert org.email == "hello@digitalbridges.example.org" and org.party_id is None
    member = db_session.scalar(select(OrganizationMember))
    assert (member.user_id, member.role, member.state) == (world["applicant"].id, "admin", "active")
    item = _queue_item(db_session, org)
    assert item.department_id is None and item.state == "pending" and not item.done
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "organization.registered")) == 1
    # not in the directory, not public
    assert client.get(f"/en/organizations/{org.slug}").status_code == 404


def test_registering_needs_an_account(client):
    response = client.get("/en/organizations/register")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Enter the organization's name."),
    ("name", "x" * 121, "at most 120"),
    ("name", "Bad\x00name", "invisible control characters"),
    ("description", "d\x07", "invisible control characters"),
    ("email", "not-an-address", "Enter an email address like name@example.org."),
    ("website", "javascript:alert(1)", "starting with https://"),
    ("website", "https://" + "a" * 300 + ".org", "at most 300"),
    ("phone", "call me", "Enter a phone number"),
    ("languages", "english!!", "Enter language tags"),
    ("kind", "government", "Not a valid choice"),
    ("service_kinds", "spaceflight", "Choose from the list."),
    ("source_locale", "xx", "Not a valid choice"),
])
def test_bad_input_gives_a_translated_error_beside_the_field(client, world, login, field, value, message):
    login(world["applicant"])
    data = {**FORM, "area_ids": str(world["bridge"].id), field: value}
    response = client.post("/en/organizations/register", data=data)
    assert response.status_code == 422
    doc = page(response)
    error = doc.by_id(f"{field}-error")
    assert error is not None, doc.one("main").text[:1500]
    assert message in error.text
    if field not in ("kind", "service_kinds", "source_locale"):  # what was typed is kept
        kept = doc.by_id(field)
        assert (kept.get("value") or kept.text or "") != "" or value == ""


def test_no_area_or_a_huge_area_id_is_an_error_not_a_500(client, world, login):
    login(world["applicant"])
    for areas in ([], ["99999999999999"], ["abc"]):
        response = client.post("/en/organizations/register", data={**FORM, "area_ids": areas})
        assert response.status_code == 422
        assert "Choose" in page(response).by_id("area_ids-error").text


@pytest.mark.parametrize("who,may", [
    ("resident", False), ("outsider_member", False), ("roads_staff", False),
    ("dispatcher", True), ("moderator", True), ("admin", True),
])
def test_who_may_verify(client, db_session, world, login, make_org, who, may):
    org = make_org()
    login(world[who])
    queue = client.get("/en/staff/queue/")
    link = f"/en/organizations/{org.slug}/manage"
    if who in ("resident", "outsider_member"):
        assert queue.status_code == 403
    else:  # in their queue, linked to its page, only for those who decide
        assert (page(queue).find("a", href=link) is not None) is may
    manage = client.get(link)
    assert manage.status_code == (200 if may else 403)
    response = client.post(f"/en/organizations/{org.slug}/verify")
    assert response.status_code == (303 if may else 403)
    db_session.refresh(org)
    assert org.state == ("verified" if may else "pending")


def test_verification_makes_a_party_links_members_and_tells_the_applicant(
        app, client, db_session, world, login, make_org):
    org = make_org()
    login(world["dispatcher"])
    assert client.post(f"/en/organizations/{org.slug}/verify").status_code == 303
    db_session.refresh(org)
    party = db_session.get(Department, org.party_id)
    assert (party.code, party.kind, party.level) == ("org-digital-bridges", "social_organization", "district")
    assert party.name_i18n == {"en": "Digital Bridges"}
    assert world["applicant"].has_role("organization_member")
    assert _linked(db_session, org) == {world["applicant"].id}
    assert _queue_item(db_session, org).done
    note = db_session.scalar(select(Notification).where(Notification.key == "organization.verified"))
    assert note.user_id == world["applicant"].id
    mail = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "olga@example.org"))
    assert mail is not None and mail.locale == "es"  # in the applicant's language
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "organization.verified")) == 1
    assert client.get(f"/en/organizations/{org.slug}").status_code == 200


def test_rejection_needs_a_reason_and_tells_it(client, db_session, world, login, make_org):
    org = make_org()
    login(world["moderator"])
    response = client.post(f"/en/organizations/{org.slug}/reject", data={"reason": ""})
    assert response.status_code == 422
    assert "Give the reason" in page(response).by_id("reason-error").text
    response = client.post(f"/en/organizations/{org.slug}/reject", data={"reason": "x\x00"})
    assert response.status_code == 422
    response = client.post(f"/en/organizations/{org.slug}/reject",
                           data={"reason": "We could not confirm it exists."})
    assert response.status_code == 303
    db_session.refresh(org)
    assert (org.state, org.reason, org.party_id) == ("rejected", "We could not confirm it exists.", None)
    note = db_session.scalar(select(Notification).where(Notification.key == "organization.rejected"))
    assert note.user_id == world["applicant"].id
    assert client.get(f"/en/organizations/{org.slug}").status_code == 404


def test_members_invited_accepted_left_and_the_link_follows_the_state(
        client, db_session, world, login, make_org, factories):
    org = make_org("verified")
    newcomer = factories.user(display_name="Nina New", email="nina@example.org")
    login(world["applicant"])
    # the same answer whether the address has an account or not
    invite = f"/en/organizations/{org.slug}/members/invite"
    one = client.post(invite, data={"invite-email": "nina@example.org"})
    two = client.post(invite, data={"invite-email": "nobody@example.org"})
    assert one.status_code == two.status_code == 303
    bad = client.post(f"/en/organizations/{org.slug}/members/invite", data={"invite-email": "no\x00pe"})
    assert bad.status_code == 422 and page(bad).by_id("invite-email-error") is not None
    assert db_session.scalar(select(func.count()).select_from(OrganizationMember)) == 2
    assert newcomer.id not in _linked(db_session, org)  # invited only
    client.post("/en/account/logout", data={})
    login(newcomer)
    assert "Digital Bridges" in page(client.get("/en/organizations/mine")).one("main").text
    assert client.post(f"/en/organizations/{org.slug}/join").status_code == 303
    db_session.refresh(newcomer)
    assert newcomer.has_role("organization_member")
    assert _linked(db_session, org) == {world["applicant"].id, newcomer.id}
    # suspended: nobody is linked; verified again: linked again
    with client.application.test_request_context("/en/"):
        svc.suspend(db_session, world["admin"], org.id, "Complaints about its conduct.")
        assert _linked(db_session, org) == set()
        svc.verify(db_session, world["admin"], org.id)
    assert _linked(db_session, org) == {world["applicant"].id, newcomer.id}
    assert client.post(f"/en/organizations/{org.slug}/leave").status_code == 303
    assert _linked(db_session, org) == {world["applicant"].id}


def test_the_last_administrator_cannot_leave(client, db_session, world, login, make_org):
    org = make_org("verified")
    login(world["applicant"])
    response = client.post(f"/en/organizations/{org.slug}/leave", follow_redirects=True)
    assert "An organization needs an administrator" in page(response).one("main").text
    assert _linked(db_session, org) == {world["applicant"].id}


def test_only_its_administrators_manage_members_and_services(client, db_session, world, login, make_org):
    org = make_org("verified")
    login(world["resident"])
    assert client.get(f"/en/organizations/{org.slug}/manage").status_code == 403
    assert client.post(f"/en/organizations/{org.slug}/members/invite",
                       data={"invite-email": "rita@example.org"}).status_code == 403
    assert client.post(f"/en/organizations/{org.slug}/services",
                       data={"service-kind": "digital_skills"}).status_code == 403
    assert client.post(f"/en/organizations/{org.slug}/members/1/remove").status_code == 403
    assert client.post(f"/en/organizations/{org.slug}/members/99999999999/remove").status_code == 404


def test_an_administrator_changing_a_members_roles_keeps_the_organizations_link(
        client, db_session, world, login, make_org):
    org = make_org("verified")
    login(world["admin"])
    user = world["applicant"]
    form = page(client.get(f"/en/admin/users/{user.id}"))
    values = [i.get("value") for i in form.find_all("input", name="departments")]
    assert str(org.party_id) not in values  # only government departments are offered
    response = client.post(f"/en/admin/users/{user.id}", data={
        "roles": ["organization_member", "moderator"]})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    db_session.refresh(user)
    assert user.has_role("moderator")
    assert _linked(db_session, org) == {user.id}
