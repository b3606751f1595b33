"""Queries behind the administrators' pages."""

from __future__ import annotations

from portal.admin import services
from portal.core.roles import MODERATOR, STAFF


def test_search_users_by_name_or_email_ignoring_case(db_session, factories):
    ana = factories.user(display_name="Ana Martínez", email="ana@example.org")
    bo = factories.user(display_name="Bo", email="BO.Chen@Example.org")
    factories.user(display_name="Other", email="other@example.org")
    assert [u.id for u in services.search_users(db_session, "ANA").items] == [ana.id]
    assert [u.id for u in services.search_users(db_session, "bo.chen").items] == [bo.id]
    assert [u.id for u in services.search_users(db_session, "  chen ").items] == [bo.id]
    assert services.search_users(db_session, "nobody").items == []


def test_search_users_by_role(db_session, factories):
    staff = factories.user(roles=[STAFF])
    both = factories.user(roles=[STAFF, MODERATOR])
    factories.user()
    found = services.search_users(db_session, role=STAFF).items
    assert [u.id for u in found] == [both.id, staff.id]  # newest first
    assert [u.id for u in services.search_users(db_session, role=MODERATOR).items] == [both.id]


def test_search_users_pages(db_session, factories):
    users = factories.users(25, prefix="listed")
    first = services.search_users(db_session, "listed")
    assert len(first.items) == 20 and first.older is not None
    second = services.search_users(db_session, "listed", before=first.older)
    assert [u.id for u in second.items] == sorted((u.id for u in users[:5]), reverse=True)


def test_audit_page_and_target_names(db_session, factories):
    admin = factories.admin()
    target = factories.user(display_name="Target Person")
    first = factories.audit_event(actor=admin, target=target, role=STAFF)
    second = factories.audit_event(actor=None, action="account.blocked", target=target)
    page = services.audit_page(db_session)
    assert [e.id for e in page.items][:2] == [second.id, first.id]
    assert services.target_names(db_session, page.items)[target.id] == "Target Person"
    assert services.target_names(db_session, []) == {}


def test_mailbox_page(db_session, factories):
    messages = [factories.mailbox_message() for _ in range(3)]
    page = services.mailbox_page(db_session, per_page=2)
    assert [m.id for m in page.items] == [messages[2].id, messages[1].id]
    older = services.mailbox_page(db_session, before=page.older, per_page=2)
    assert [m.id for m in older.items] == [messages[0].id]
