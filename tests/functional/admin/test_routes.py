"""Administrators' pages: who may see them, roles and departments, blocking, the audit log."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from portal.core.models import (
    AuditEvent,
    MailboxMessage,
    OutboxMessage,
    User,
    UserRole,
    utcnow,
)
from tests.factories import PASSWORD
from tests.functional.support import page, title, url_map_app

ROLES = ["resident", "organization_member", "staff", "moderator", "administrator"]
ADMIN_PREFIX = "/<locale>/admin"
# Routes under /admin/ that are not for administrators only: endpoint -> (config key, roles
# that may see them when the key is False). Everything else there, the mailbox included (in
# every profile), is for administrators.
CONFIGURABLE: dict[str, tuple[str, set[str]]] = {}


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route under /<locale>/admin/."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.replace("<lc:locale>", "<locale>").startswith(ADMIN_PREFIX):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


def _all_admin_routes():
    return admin_routes(url_map_app())


ADMIN_ROUTES = _all_admin_routes()


def test_the_matrix_sees_the_admin_pages():
    endpoints = {endpoint for endpoint, _method, _rule in ADMIN_ROUTES}
    assert {"admin.users", "admin.user", "admin.block", "admin.audit", "admin.mailbox",
            "admin.mailbox_message"} <= endpoints
    assert ("admin.user", "POST") in {(e, m) for e, m, _r in ADMIN_ROUTES}


@pytest.fixture
def world(db_session, factories):
    """Rows the admin URLs point at."""
    target = factories.user(display_name="Target Person")
    mail = factories.mailbox_message(recipient=target.email)
    return {"user_id": target.id, "message_id": mail.id}


def build_url(rule: str, world: dict) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2)
        if name == "locale":
            return "en"
        if name in world:
            return str(world[name])
        return "1" if converter in ("int", "float") else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule)


POST_DATA = {"admin.block": {"action": "block"}, "admin.user": {"roles": ["staff"]}}


@pytest.fixture
def as_role(client, factories, login):
    def _as(role):
        if role is None:
            return client
        login(factories.user(roles=[role] if role != "resident" else []))
        return client

    return _as


def request(client, method, url, endpoint):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=POST_DATA.get(endpoint, {}))


def assert_sent_to_login(response, url):
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/en/account/login?next="), location


@pytest.mark.parametrize(("endpoint", "method", "rule"), ADMIN_ROUTES)
@pytest.mark.parametrize("role", [None, *ROLES])
def test_permission_matrix(app, as_role, world, role, endpoint, method, rule, monkeypatch):
    """Anonymous → log in; other roles → 403; administrators → the page (or its redirect)."""
    if endpoint in CONFIGURABLE:
        monkeypatch.setitem(app.config, CONFIGURABLE[endpoint][0], False)
    allowed = CONFIGURABLE.get(endpoint, (None, {"administrator"}))[1]
    client = as_role(role)
    url = build_url(rule, world)
    response = request(client, method, url, endpoint)
    if role is None:
        assert_sent_to_login(response, url)
    elif role not in allowed:
        assert response.status_code == 403, (role, url, response.status_code)
        assert title(response).startswith("You do not have access to this page")
    elif endpoint.startswith("admin."):
        assert response.status_code == (200 if method == "GET" else 303), response.status_code
    else:  # a newer admin page: the rows its URL names may not exist here
        assert response.status_code in (200, 303, 404, 422), response.status_code


@pytest.mark.parametrize("endpoint", ["admin.mailbox", "admin.mailbox_message"])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_mailbox_is_for_administrators_in_the_embedded_profile_too(app, as_role, world, role,
                                                                       endpoint):
    """It holds everybody's confirmation and reset links."""
    assert app.config["PROFILE"] == "embedded" and app.config["MAIL_BACKEND"] == "mailbox"
    (rule,) = {r for e, _m, r in ADMIN_ROUTES if e == endpoint}
    url = build_url(rule, world)
    response = as_role(role).get(url)
    if role is None:
        assert_sent_to_login(response, url)
    elif role == "administrator":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_gallery_access(app, as_role, role, method, public, monkeypatch):
    monkeypatch.setitem(app.config, "GALLERY_PUBLIC", public)
    client = as_role(role)
    response = client.get("/en/components") if method == "GET" else client.post("/en/components")
    if public or role in ("staff", "administrator"):
        assert response.status_code == 200
    elif role is None:
        assert_sent_to_login(response, "/en/components")
    else:
        assert response.status_code == 403


def test_footer_links_follow_the_settings(app, client, monkeypatch, factories, login):
    doc = page(client.get("/en/"))
    assert doc.find("a", href="/en/admin/mailbox") is None  # administrators only
    assert doc.find("a", href="/en/components") is not None
    monkeypatch.setitem(app.config, "GALLERY_PUBLIC", False)
    doc = page(client.get("/en/"))
    assert doc.find("a", href="/en/components") is None
    login(factories.admin())
    assert page(client.get("/en/")).find("a", href="/en/admin/mailbox") is not None


def test_gallery_and_mailbox_restricted_in_a_production_like_app(make_app, db_session, factories):
    """A second app built with the two switches off, on the same database."""
    restricted = make_app(GALLERY_PUBLIC=False)
    staff = factories.user(roles=["staff"])
    admin = factories.admin()
    mail = factories.mailbox_message()

    anonymous = restricted.test_client()
    assert anonymous.get("/en/components").status_code == 302
    assert anonymous.get("/en/admin/mailbox").status_code == 302

    def logged_in(user):
        c = restricted.test_client()
        assert c.post("/en/account/login",
                      data={"email": user.email, "password": PASSWORD}).status_code == 303
        return c

    as_staff = logged_in(staff)
    assert as_staff.get("/en/components").status_code == 200
    assert as_staff.get("/en/admin/mailbox").status_code == 403
    assert as_staff.get(f"/en/admin/mailbox/{mail.id}").status_code == 403
    as_admin = logged_in(admin)
    assert as_admin.get("/en/components").status_code == 200
    assert as_admin.get("/en/admin/mailbox").status_code == 200
    assert as_admin.get(f"/en/admin/mailbox/{mail.id}").status_code == 200


# --- roles and departments -----------------------------------------------------------------

def audit_for(session, target) -> list[tuple]:
    session.expire_all()
    return [(e.actor_id, e.action, e.target_type, e.target_id, e.details)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.target_id == target.id)
                                     .order_by(AuditEvent.id))]


def test_user_page(client, factories, login):
    login(factories.admin())
    roads = factories.department(en="Roads Bureau")
    target = factories.user(display_name="Rosa", roles=["staff"], departments=[roads])
    response = client.get(f"/en/admin/users/{target.id}")
    doc = page(response)
    assert doc.one("h1").text == "Rosa"
    checked_roles = {i.get("value") for i in doc.find_all("input", name="roles", checked=True)}
    assert checked_roles == {"staff"}
    checked_depts = {i.get("value") for i in doc.find_all("input", name="departments",
                                                          checked=True)}
    assert checked_depts == {str(roads.id)}
    assert doc.find("form", action=f"/en/admin/users/{target.id}/block") is not None


def test_unknown_user_is_404(client, factories, login):
    login(factories.admin())
    assert client.get("/en/admin/users/999999").status_code == 404
    assert client.post("/en/admin/users/999999/block", data={"action": "block"}).status_code == 404


def test_grant_and_revoke_roles_and_departments(client, db_session, factories, login):
    admin = login(factories.admin())
    roads, water = factories.department(), factories.department()
    target = factories.user(roles=["moderator"])
    response = client.post(f"/en/admin/users/{target.id}",
                           data={"roles": ["staff", "organization_member"],
                                 "departments": [str(roads.id), str(water.id)]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/admin/users/{target.id}"
    db_session.expire_all()
    assert db_session.get(User, target.id).role_names == {"resident", "staff",
                                                          "organization_member"}
    assert audit_for(db_session, target) == [
        (admin.id, "role.granted", "user", target.id, {"role": "organization_member"}),
        (admin.id, "role.granted", "user", target.id, {"role": "staff"}),
        (admin.id, "role.revoked", "user", target.id, {"role": "moderator"}),
        (admin.id, "account.departments_changed", "user", target.id,
         {"added": sorted([roads.id, water.id]), "removed": []}),
    ]
    # the audit log shows it, newest first, with who and about whom
    doc = page(client.get("/en/admin/audit"))
    rows = doc.one("tbody").find_all("tr")
    assert len(rows) == 4
    assert admin.display_name in rows[0].text and target.display_name in rows[0].text
    assert rows[0].find("a", href=f"/en/admin/users/{target.id}") is not None
    # revoke everything
    client.post(f"/en/admin/users/{target.id}", data={})
    db_session.expire_all()
    assert db_session.get(User, target.id).role_names == {"resident"}
    actions = [a[1] for a in audit_for(db_session, target)]
    assert actions[4:] == ["role.revoked", "role.revoked", "account.departments_changed"]


def test_admin_cannot_remove_own_admin_role(client, db_session, factories, login):
    admin = login(factories.admin())
    response = client.post(f"/en/admin/users/{admin.id}", data={"roles": ["staff"]})
    assert response.status_code == 422
    doc = page(response)
    error = doc.by_id("roles-error")
    assert error is not None and "You cannot remove your own administrator role." in error.text
    summary = doc.one(class_="error-summary")
    assert summary.find("a", href="#roles-0") is not None
    assert title(response).startswith("Error:")
    db_session.expire_all()
    assert db_session.get(User, admin.id).has_role("administrator")
    assert audit_for(db_session, admin) == []
    # the page does not offer to block yourself
    assert page(client.get(f"/en/admin/users/{admin.id}")).find(
        "form", action=f"/en/admin/users/{admin.id}/block") is None


def test_unknown_role_or_department_is_refused(client, db_session, factories, login):
    login(factories.admin())
    target = factories.user()
    assert client.post(f"/en/admin/users/{target.id}",
                       data={"roles": ["superuser"]}).status_code == 422
    assert client.post(f"/en/admin/users/{target.id}",
                       data={"roles": ["staff"], "departments": ["999999"]}).status_code == 422
    assert audit_for(db_session, target) == []


def test_block_ends_the_blocked_users_session(app, client, db_session, factories, login):
    admin = login(factories.admin())
    target = factories.user()
    theirs = app.test_client()
    assert theirs.post("/en/account/login",
                       data={"email": target.email, "password": PASSWORD}).status_code == 303
    assert theirs.get("/en/account/settings").status_code == 200

    response = client.post(f"/en/admin/users/{target.id}/block", data={"action": "block"})
    assert response.status_code == 303
    assert theirs.get("/en/account/settings").status_code == 302  # logged out at once
    refused = theirs.post("/en/account/login", data={"email": target.email, "password": PASSWORD})
    assert refused.status_code == 422
    assert audit_for(db_session, target) == [(admin.id, "account.blocked", "user", target.id, {})]
    assert "Blocked" in page(client.get(f"/en/admin/users/{target.id}")).one("main").text

    client.post(f"/en/admin/users/{target.id}/block", data={"action": "unblock"})
    assert audit_for(db_session, target)[-1][:2] == (admin.id, "account.unblocked")
    assert theirs.post("/en/account/login",
                       data={"email": target.email, "password": PASSWORD}).status_code == 303


def test_admin_cannot_block_themselves(client, db_session, factories, login):
    admin = login(factories.admin())
    response = client.post(f"/en/admin/users/{admin.id}/block", data={"action": "block"},
                           follow_redirects=True)
    assert "You cannot block your own account." in page(response).one("main").text
    db_session.expire_all()
    assert db_session.get(User, admin.id).blocked_at is None
    assert client.get("/en/account/settings").status_code == 200


# --- the users list ------------------------------------------------------------------------

def test_users_list_search_and_filter(client, factories, login):
    login(factories.admin(display_name="The Admin"))
    factories.user(display_name="Rosa Roads", roles=["staff"])
    factories.user(display_name="Mo Moderator", roles=["moderator"])
    names = lambda response: {a.text for a in page(response).one("tbody").find_all("a")}  # noqa: E731
    assert {"Rosa Roads", "Mo Moderator", "The Admin"} <= names(client.get("/en/admin/users"))
    assert names(client.get("/en/admin/users?q=rosa")) == {"Rosa Roads"}
    assert names(client.get("/en/admin/users?role=moderator")) == {"Mo Moderator"}
    empty = page(client.get("/en/admin/users?q=nobody-at-all"))
    assert empty.find("tbody") is None


def test_users_list_pages_keep_the_search(client, factories, login):
    login(factories.admin())
    factories.users(25, prefix="paged")
    doc = page(client.get("/en/admin/users?q=paged"))
    assert len(doc.one("tbody").find_all("tr")) == 20
    older = doc.one("a", rel="next").get("href")
    assert "q=paged" in older and "before=" in older
    second = page(client.get(older))
    assert len(second.one("tbody").find_all("tr")) == 5
    assert second.find("a", rel="next") is None
    newer = second.one("a", rel="prev").get("href")
    assert "q=paged" in newer and "after=" in newer
    assert len(page(client.get(newer)).one("tbody").find_all("tr")) == 20


@contextmanager
def count_queries():
    from portal.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("path", ["/en/admin/users", "/en/admin/audit", "/en/admin/mailbox"])
def test_lists_use_a_constant_number_of_queries(client, db_session, factories, login, path):
    admin = login(factories.admin())
    counts = []
    for extra in (5, 55):  # 5 users, then 60
        users = factories.users(extra, prefix="counted")
        db_session.add_all(UserRole(user_id=u.id, role="staff") for u in users)
        db_session.add_all(AuditEvent(actor_id=admin.id, action="role.granted", target_type="user",
                                      target_id=u.id, details={"role": "staff"}) for u in users)
        outboxes = [OutboxMessage(recipient=u.email, subject="S", body="B", locale="en",
                                  sent_at=utcnow()) for u in users]
        db_session.add_all(outboxes)
        db_session.flush()
        db_session.add_all(MailboxMessage(outbox_id=o.id, sender="p@example.org",
                                          recipient=o.recipient, subject="S", body="B",
                                          locale="en") for o in outboxes)
        db_session.commit()
        db_session.expire_all()
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts
