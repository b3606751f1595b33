"""Halls: the list by area, a hall's page, joining by each policy, invitations, hosts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.notifications import Notification
from portal.deliberation import services
from portal.deliberation.models import Hall, HallEvent, HallMember
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.functional.support import page


@pytest.fixture
def halls(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    bridge = factories.area(code="bridge", parent=city, en="Stone Bridge")
    host = factories.user(roles=["staff"], display_name="Hana Host")
    admin = factories.user(roles=["administrator"])
    made = {}
    for slug, area, policy in (("forum", city, "open"), ("bridge-hall", bridge, "area"),
                               ("council", bridge, "invitation")):
        made[slug] = services.create_hall(db_session, host, services.HallData(
            slug=slug, area_id=area.id, source_locale="en", policy=policy,
            names={"en": f"Hall {slug}", "zh-Hans": f"议事厅 {slug}"},
            purposes={"en": f"What {slug} is for"}, rules={"en": "Be kind."}))
    return {"host": host, "admin": admin, "city": city, "bridge": bridge, **made}


def _members(db_session, hall) -> int:
    db_session.expire_all()
    return db_session.scalar(select(Hall.member_count).where(Hall.id == hall.id))


def test_the_list_shows_halls_under_their_area(client, halls):
    doc = page(client.get("/en/halls"))
    sections = {s.one("h3").text.strip(): s for s in doc.find_all("section", class_="hall-area")}
    assert list(sections) == ["Riverbend", "Stone Bridge"]
    assert "Hall forum" in sections["Riverbend"].text
    names = [h.text.strip() for h in sections["Stone Bridge"].find_all("h4")]
    assert sorted(names) == ["Hall bridge-hall", "Hall council"]
    assert "1 member" in sections["Riverbend"].text


def test_the_list_and_a_hall_are_cacheable_for_anonymous_readers(client, halls):
    for url in ("/en/halls", "/zh-Hans/halls/forum"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "public" in response.headers["Cache-Control"]
    assert "议事厅 forum" in client.get("/zh-Hans/halls/forum").get_data(as_text=True)


def test_a_hall_page_shows_purpose_rules_hosts_and_timeline(client, halls):
    doc = page(client.get("/en/halls/forum"))
    text = doc.one("main").text
    assert "What forum is for" in text and "Be kind." in text and "Hana Host" in text
    assert "The hall opened" in text
    assert "Log in to join this hall." in text


def test_an_unknown_or_absurd_slug_is_a_404(client, halls):
    assert client.get("/en/halls/nope").status_code == 404
    assert client.get("/en/halls/" + "x" * 65).status_code == 404
    assert client.get("/en/halls/%00").status_code == 404


def test_anyone_signed_in_joins_an_open_hall_and_leaves_it(client, halls, factories, login, db_session):
    resident = login(factories.user())
    response = client.post("/en/halls/forum/join")
    assert response.status_code == 303 and response.headers["Location"].endswith("/en/halls/forum")
    assert _members(db_session, halls["forum"]) == 2
    assert "You are a member of this hall." in client.get("/en/halls/forum").get_data(as_text=True)
    client.post("/en/halls/forum/join")  # twice is still one membership
    assert _members(db_session, halls["forum"]) == 2
    assert client.post("/en/halls/forum/leave").status_code == 303
    assert _members(db_session, halls["forum"]) == 1
    assert services.membership(db_session, halls["forum"], resident) is None


def test_an_area_hall_asks_people_to_say_they_live_work_or_study_there(client, halls, factories, login,
                                                                       db_session):
    resident = login(factories.user())
    response = client.post("/en/halls/bridge-hall/join", data={})
    assert response.status_code == 422
    doc = page(response)
    box = doc.one("input", name="declared_area")
    assert box.get("aria-invalid") == "true"
    assert "Confirm that you live, work or study in this area" in doc.one("main").text
    assert services.membership(db_session, halls["bridge-hall"], resident) is None
    assert client.post("/en/halls/bridge-hall/join", data={"declared_area": "y"}).status_code == 303
    mine = services.membership(db_session, halls["bridge-hall"], resident)
    assert mine.state == "active" and mine.declared_area is True


def test_an_invitation_hall_takes_only_those_its_hosts_invite(client, halls, factories, login,
                                                              db_session):
    guest = factories.user(email="guest@example.org", display_name="Gita Guest")
    other = factories.user()
    login(other)
    assert client.post("/en/halls/council/join").status_code == 403
    assert "Only people the hosts invite" in client.get("/en/halls/council").get_data(as_text=True)
    client.post("/en/account/logout")

    login(halls["host"])
    said = []
    for address in ("GUEST@example.org", "nobody@example.org"):
        response = client.post("/en/halls/council/members/invite", data={"email": address},
                               follow_redirects=True)
        said.append(page(response).one("main").text)
    # The same answer whether an account has the address or not.
    assert said[0].count("If an account uses this address") == 1
    assert said[1].count("If an account uses this address") == 1
    assert "Gita Guest" in said[1]
    client.post("/en/account/logout")

    note = db_session.scalar(select(Notification).where(Notification.user_id == guest.id))
    assert note.key == "hall.invited" and note.endpoint_args == {"slug": "council"}
    login(guest)
    assert "Invitations for you" in client.get("/en/halls").get_data(as_text=True)
    assert "The hosts have invited you" in client.get("/en/halls/council").get_data(as_text=True)
    assert client.post("/en/halls/council/join").status_code == 303
    assert services.membership(db_session, halls["council"], guest).state == "active"
    assert _members(db_session, halls["council"]) == 2


def test_the_only_host_cannot_leave(client, halls, login, db_session):
    login(halls["host"])
    response = client.post("/en/halls/forum/leave", follow_redirects=True)
    assert "only host" in page(response).one("main").text
    assert services.is_host(db_session, halls["forum"], halls["host"])


def test_hosts_manage_members_and_only_staff_or_organizations_become_hosts(
        client, halls, factories, login, db_session):
    resident = factories.user(display_name="Rosa Resident")
    # a verified organization's member: linked to its party (portal/organizations)
    party = factories.department(code="org-omars", en="Omar's association")
    party.kind = "social_organization"
    db_session.commit()
    org = factories.user(roles=["organization_member"], departments=[party], display_name="Omar Org")
    for person in (resident, org):
        services.join(db_session, person, halls["forum"])
    login(halls["host"])
    doc = page(client.get("/en/halls/forum/members"))
    rows = {r.one("th").text.strip(): r for r in doc.one("tbody").find_all("tr")}
    assert set(rows) == {"Hana Host", "Rosa Resident", "Omar Org"}
    rosa = services.membership(db_session, halls["forum"], resident)
    omar = services.membership(db_session, halls["forum"], org)
    response = client.post(f"/en/halls/forum/members/{rosa.id}/role/host", follow_redirects=True)
    assert "Hosts are staff or members of a verified organization." in page(response).one("main").text
    assert client.post(f"/en/halls/forum/members/{omar.id}/role/host").status_code == 303
    db_session.expire_all()
    assert services.is_host(db_session, halls["forum"], org)
    assert db_session.scalar(select(Notification).where(
        Notification.user_id == org.id, Notification.key == "hall.made_host")) is not None
    assert client.post(f"/en/halls/forum/members/{rosa.id}/remove").status_code == 303
    assert services.membership(db_session, halls["forum"], resident) is None
    assert _members(db_session, halls["forum"]) == 2
    # Someone else's hall's member is not this hall's to remove.
    council_host = services.membership(db_session, halls["council"], halls["host"])
    assert client.post(f"/en/halls/forum/members/{council_host.id}/remove").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_staff", "member"])
def test_only_hosts_and_administrators_manage_a_hall(client, halls, factories, login, db_session, who):
    if who != "anonymous":
        person = factories.user(roles=["staff"] if who == "other_staff" else [])
        if who == "member":
            services.join(db_session, person, halls["forum"])
        login(person)
    target = services.membership(db_session, halls["forum"], halls["host"])
    for method, url in (("get", "/en/halls/forum/members"), ("get", "/en/halls/forum/settings"),
                        ("post", "/en/halls/forum/settings"),
                        ("post", "/en/halls/forum/members/invite"),
                        ("post", f"/en/halls/forum/members/{target.id}/remove"),
                        ("post", f"/en/halls/forum/members/{target.id}/role/member")):
        response = getattr(client, method)(url, data={"email": "x@example.org"} if method == "post" else None)
        if who == "anonymous":
            assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        else:
            assert response.status_code == 403, (url, response.status_code)
    assert services.is_host(db_session, halls["forum"], halls["host"])


def test_an_administrator_may_manage_any_hall(client, halls, login):
    login(halls["admin"])
    assert client.get("/en/halls/council/members").status_code == 200
    assert client.get("/en/halls/council/settings").status_code == 200


def _form(app_client, url):
    doc = page(app_client.get(url))
    data = {}
    for field in doc.one("form", method="post", class_="form").find_all("input"):
        name, kind = field.get("name"), field.get("type")
        if not name or name == "csrf_token":
            continue
        if kind in ("radio", "checkbox"):
            if "checked" in field.attrs:
                data[name] = field.get("value")
        else:
            data[name] = field.get("value") or ""
    for area in doc.find_all("textarea"):
        data[area.get("name")] = area.text
    for chooser in doc.find_all("select"):
        chosen = chooser.find("option", selected=True)
        data[chooser.get("name")] = chosen.get("value") if chosen else ""
    return data


def test_staff_open_a_hall_and_become_its_host(client, halls, factories, login, db_session):
    staff = login(factories.user(roles=["staff"]))
    response = client.post("/en/halls/new", data={
        "slug": "maple-youth", "area_id": str(halls["bridge"].id), "policy": "open",
        "source_locale": "es", "name_es": "Jóvenes de Los Arces", "purpose_es": "Para jóvenes.",
        "rules_es": ""})
    assert response.status_code == 303 and response.headers["Location"].endswith("/en/halls/maple-youth")
    hall = db_session.scalar(select(Hall).where(Hall.slug == "maple-youth"))
    assert hall.source_locale == "es" and hall.name_i18n == {"es": "Jóvenes de Los Arces"}
    assert services.is_host(db_session, hall, staff) and hall.member_count == 1
    assert db_session.scalar(select(HallEvent.kind).where(HallEvent.hall_id == hall.id)) == "opened"
    # English readers see the Spanish name, marked with its language.
    doc = page(client.get("/en/halls/maple-youth"))
    assert doc.one("h1").find("span", lang="es").text == "Jóvenes de Los Arces"


def test_residents_cannot_open_halls(client, factories, login, halls):
    login(factories.user(roles=["organization_member"]))
    assert client.get("/en/halls/new").status_code == 403
    assert client.post("/en/halls/new", data={"slug": "x-y-z"}).status_code == 403


@pytest.mark.parametrize(("field", "value", "message"), [
    ("slug", "Bad Slug!", "lowercase letters, digits and hyphens"),
    ("slug", "forum", "Another hall already has this web address."),
    ("slug", "a\x00b-c", "invisible control characters"),
    ("slug", "x" * 65, "at most 64"),
    ("area_id", "999999999999999999999", "Choose the area the hall belongs to."),
    ("name_en", "", "Enter this in the language you wrote in."),
    ("name_en", "n" * 201, "at most 200"),
    ("purpose_en", "p" * 2001, "at most 2000"),
    ("policy", "everyone", "Not a valid choice"),
])
def test_bad_settings_are_refused_beside_the_field_keeping_what_was_typed(
        client, halls, login, field, value, message):
    login(halls["host"])
    data = _form(client, "/en/halls/council/settings")
    data[field] = value
    response = client.post("/en/halls/council/settings", data=data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.one("title").text.startswith("Error:")
    error = doc.by_id(f"{field}-error")
    assert error is not None and message in error.text, doc.by_id("error-summary").text
    if field != "area_id" and "\x00" not in value and field != "policy":
        kept = doc.find("input", name=field) or doc.find("textarea", name=field)
        assert (kept.get("value") if kept.tag == "input" else kept.text) == value


def test_hosts_change_the_settings_with_a_timeline_entry(client, halls, login, db_session):
    login(halls["host"])
    data = _form(client, "/en/halls/forum/settings")
    data.update({"name_en": "The city forum", "policy": "area"})
    assert client.post("/en/halls/forum/settings", data=data).status_code == 303
    db_session.expire_all()
    hall = services.get_hall(db_session, "forum")
    assert hall.name_i18n["en"] == "The city forum" and hall.policy == "area"
    assert "The hosts changed the hall's settings" in client.get("/en/halls/forum").get_data(as_text=True)


def test_invitations_need_a_real_address(client, halls, login):
    login(halls["host"])
    response = client.post("/en/halls/forum/members/invite", data={"email": "not an address"})
    assert response.status_code == 422
    assert "name@example.org" in page(response).by_id("email-error").text


def test_hall_posts_need_the_csrf_token(client, halls, factories, app, monkeypatch, db_session):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    person = factories.user()
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    assert client.post("/en/account/login", data={
        "email": person.email, "password": PASSWORD, "csrf_token": token}).status_code == 303
    assert client.post("/en/halls/forum/join").status_code == 400
    assert services.membership(db_session, halls["forum"], person) is None
    token = csrf_token_from(client.get("/en/halls/forum").get_data(as_text=True))
    assert client.post("/en/halls/forum/join", data={"csrf_token": token}).status_code == 303


def test_concurrent_joins_keep_the_counter_exact(db_session, halls, factories):
    people = [factories.user() for _ in range(5)]
    for person in people:
        services.join(db_session, person, halls["forum"])
    counted = db_session.scalar(select(func.count()).select_from(HallMember).where(
        HallMember.hall_id == halls["forum"].id, HallMember.state == "active"))
    assert _members(db_session, halls["forum"]) == counted == 6


def test_the_list_costs_the_same_queries_for_3_or_30_halls(client, halls, db_session, factories):
    from portal.extensions import db
    from tests.functional.support import QueryCounter

    db_session.commit()
    with QueryCounter(db.engine) as few:
        client.get("/en/halls")
    for n in range(27):
        services.create_hall(db_session, halls["host"], services.HallData(
            slug=f"extra-{n}", area_id=halls["bridge"].id, source_locale="en",
            names={"en": f"Extra {n}"}, purposes={"en": "More."}))
    db_session.commit()
    with QueryCounter(db.engine) as many:
        assert "Extra 26" in client.get("/en/halls").get_data(as_text=True)
    assert len(many.statements) == len(few.statements)


def test_halls_are_found_by_the_search_service(db_session, halls):
    from portal.core import search

    hits = search.search(db_session, "hall", "议事")
    assert {h.ref_id for h in hits} == {halls[s].id for s in ("forum", "bridge-hall", "council")}


def test_a_tool_adds_its_section_to_the_halls_that_use_it(client, halls, app, db_session, monkeypatch):
    from jinja2 import ChoiceLoader, DictLoader

    monkeypatch.setattr(services, "SECTIONS", {})
    services.register_section(services.HallSection(
        "debates", "deliberation/_test_section.html",
        context=lambda session, hall, user: {"count": len(hall.slug)}))
    monkeypatch.setattr(app, "jinja_loader", ChoiceLoader([DictLoader({
        "deliberation/_test_section.html":
            '<section id="test-debates">{{ hall.slug }} has {{ section_context.count }}</section>'}),
        app.jinja_loader]))
    monkeypatch.setattr(app.jinja_env, "loader", app.jinja_loader)
    assert page(client.get("/en/halls/forum")).by_id("test-debates").text == "forum has 5"
    halls["council"].tools = ["votes"]
    db_session.commit()
    assert page(client.get("/en/halls/council")).by_id("test-debates") is None
