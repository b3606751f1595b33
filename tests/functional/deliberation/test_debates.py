"""Debates: a host opens one, members comment at three levels with a stance and endorse,
the balance at the top, a conclusion that closes it; who may do what; hostile input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.models import utcnow
from portal.deliberation import debates, services
from portal.deliberation.models import Debate, DebateComment, DebateEndorsement, HallEvent
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.functional.support import QueryCounter, page

OLD = utcnow() - timedelta(days=30)


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    host = factories.user(roles=["staff"], display_name="Hana Host", created_at=OLD)
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", policy="open",
        names={"en": "The forum"}, purposes={"en": "For the city."}))
    rosa = factories.user(display_name="Rosa Resident", created_at=OLD)
    li = factories.user(display_name="Li Wei", created_at=OLD)
    for person in (rosa, li):
        services.join(db_session, person, hall)
    debate = debates.open_debate(db_session, host, hall, "Close the riverside road on Sundays?",
                                 "For people on foot and on bikes.", "en")
    return {"hall": hall, "host": host, "rosa": rosa, "li": li, "debate": debate,
            "admin": factories.user(roles=["administrator"], created_at=OLD),
            "url": f"/en/halls/forum/debates/{debate.id}"}


def _debate(db_session, debate) -> Debate:
    db_session.expire_all()
    return db_session.get(Debate, debate.id)


def _post_comment(client, world, body, stance="for", parent=None, **headers):
    data = {"body": body, "stance": stance}
    if parent is not None:
        data["parent_id"] = str(parent)
    return client.post(world["url"] + "/comments", data=data, headers=headers)


def _last_comment(db_session) -> DebateComment:
    return db_session.scalar(select(DebateComment).order_by(DebateComment.id.desc()))


def test_the_whole_journey(client, world, login, db_session):
    # A host opens a debate from the hall's page.
    login(world["host"])
    assert "Open a debate" in client.get("/en/halls/forum").get_data(as_text=True)
    response = client.post("/en/halls/forum/debates/new", data={
        "title": "More benches?", "description": "Six benches to place.", "source_locale": "es"})
    assert response.status_code == 303
    opened = db_session.scalar(select(Debate).where(Debate.title == "More benches?"))
    assert opened.source_locale == "es" and response.headers["Location"].endswith(
        f"/en/halls/forum/debates/{opened.id}")
    client.post("/en/account/logout")

    # Members comment at three levels, each with a stance; a fourth level attaches at three.
    login(world["rosa"])
    response = _post_comment(client, world, "Yes, for the children.\nAnd the cafés.", "for")
    assert response.status_code == 303
    first = _last_comment(db_session)
    assert response.headers["Location"].endswith(f"#comment-{first.id}")
    client.post("/en/account/logout")
    login(world["li"])
    assert _post_comment(client, world, "周日我要开车。", "against", first.id).status_code == 303
    second = _last_comment(db_session)
    _post_comment(client, world, "A slow lane?", "neutral", second.id)
    third = _last_comment(db_session)
    _post_comment(client, world, "One more level", "neutral", third.id)
    fourth = _last_comment(db_session)
    assert (first.depth, second.depth, third.depth, fourth.depth) == (1, 2, 3, 3)
    assert fourth.parent_id == second.id  # a reply to a level-three comment sits beside it
    assert second.locale == "en"

    # Endorsing, and taking it back.
    endorse = f"{world['url']}/comments/{first.id}/endorse"
    assert client.post(endorse).status_code == 303
    db_session.expire_all()
    assert db_session.get(DebateComment, first.id).endorsement_count == 1
    doc = page(client.get(world["url"]))
    button = doc.by_id(f"endorse-{first.id}").one("button")
    assert button.get("aria-pressed") == "true"
    client.post(endorse)
    db_session.expire_all()
    assert db_session.get(DebateComment, first.id).endorsement_count == 0
    client.post(endorse)

    # The balance at the top, in words and figures.
    debate = _debate(db_session, world["debate"])
    assert (debate.comment_count, debate.for_count, debate.against_count, debate.neutral_count) \
        == (4, 1, 1, 2)
    doc = page(client.get(world["url"]))
    balance = doc.one("section", class_="debate-balance").text
    assert "4 comments: 1 for, 1 against, 2 neutral." in balance
    assert "50%" in balance and "25%" in balance
    # Headings name the author and the stance in text; replies nested inside their comment.
    top = doc.by_id(f"comment-{first.id}")
    assert top.tag == "article"
    assert " ".join(top.one("h3").text.split()) == "Rosa Resident — For"
    assert top.by_id(f"comment-{second.id}").one("h4").text.strip().endswith("Against")
    body = top.find("p", class_="user-text")
    assert body.get("lang") == "en" and body.get("dir") == "auto"
    client.post("/en/account/logout")

    # The host closes it with a conclusion: at the top, on the timeline; no more comments.
    login(world["host"])
    response = client.post(world["url"] + "/close", data={"conclusion": "The road closes in June."})
    assert response.status_code == 303
    doc = page(client.get(world["url"]))
    assert "The road closes in June." in doc.one("section", class_="debate-conclusion").text
    assert doc.by_id("comment-form") is None
    hall_page = page(client.get("/en/halls/forum")).one("main").text
    assert "A debate closed with a conclusion" in hall_page and "The road closes in June." in hall_page
    kinds = set(db_session.scalars(select(HallEvent.kind).where(
        HallEvent.hall_id == world["hall"].id)))
    assert {"debate_opened", "debate_closed"} <= kinds
    client.post("/en/account/logout")
    login(world["rosa"])
    response = _post_comment(client, world, "Too late?", "for", follow_redirects=False)
    assert response.status_code == 303
    followed = client.get(response.headers["Location"])
    assert "This debate is closed: it takes no new comments." in page(followed).one("main").text
    assert _debate(db_session, world["debate"]).comment_count == 4
    assert client.post(endorse).status_code == 303  # endorsements frozen too
    db_session.expire_all()
    assert db_session.get(DebateComment, first.id).endorsement_count == 1


def test_the_hall_section_lists_open_and_closed_debates(client, world, db_session):
    debates.comment(db_session, world["rosa"], world["hall"], world["debate"], "Yes", "for")
    other = debates.open_debate(db_session, world["host"], world["hall"], "Old question", "Old.", "en")
    debates.close_debate(db_session, world["host"], world["hall"], other, "We decided.", "en")
    section = page(client.get("/en/halls/forum")).one("section", class_="hall-debates")
    text = " ".join(section.text.split())
    assert "Close the riverside road on Sundays?" in text
    assert "1 comment: 1 for, 0 against, 0 neutral." in text
    assert "Conclusion: We decided." in text


def test_htmx_comment_swaps_the_discussion_and_announces_it(client, world, login, db_session):
    login(world["rosa"])
    response = _post_comment(client, world, "Through htmx", "for", **{"HX-Request": "true"})
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("div", id="debate-discussion") is not None
    status = doc.by_id("debate-status")
    assert status.get("hx-swap-oob") == "innerHTML" and "Your comment is published." in status.text
    assert "Through htmx" in doc.text
    assert doc.one("textarea", name="body").text == ""  # a fresh form for the next comment
    assert not any("checked" in i.attrs for i in doc.find_all("input", name="stance"))
    # The full page has the polite live region the message goes into.
    region = page(client.get(world["url"])).by_id("debate-status")
    assert region.get("role") == "status" and region.get("aria-live") == "polite"
    # An error comes back in the fragment (htmx swaps only 2xx), beside the field.
    response = _post_comment(client, world, "", "for", **{"HX-Request": "true"})
    assert response.status_code == 200 and page(response).by_id("body-error") is not None
    # Endorsing through htmx swaps the button alone.
    mine = _last_comment(db_session)
    client.post("/en/account/logout")
    login(world["li"])
    response = client.post(f"{world['url']}/comments/{mine.id}/endorse", headers={"HX-Request": "true"})
    doc = page(response)
    assert doc.by_id(f"endorse-{mine.id}").one("button").get("aria-pressed") == "true"
    assert "1 endorsement" in doc.text


def test_a_reply_link_works_without_javascript(client, world, login, db_session):
    first = debates.comment(db_session, world["rosa"], world["hall"], world["debate"], "Yes", "for")
    login(world["li"])
    doc = page(client.get(world["url"]))
    link = next(a for a in doc.find_all("a") if a.text.strip().startswith("Reply to"))
    assert f"reply_to={first.id}" in link.get("href")
    doc = page(client.get(link.get("href")))
    assert doc.one("input", name="parent_id").get("value") == str(first.id)
    assert "You are replying to Rosa Resident." in " ".join(doc.by_id("comment-form").text.split())


@pytest.mark.parametrize("who", ["anonymous", "non_member", "member", "host", "admin"])
def test_the_permission_matrix(client, world, factories, login, db_session, who):
    person = {"anonymous": None, "non_member": factories.user(created_at=OLD), "member": world["rosa"],
              "host": world["host"], "admin": world["admin"]}[who]
    theirs = debates.comment(db_session, world["li"], world["hall"], world["debate"], "Hi", "for")
    if person is not None:
        login(person)
    doc = page(client.get(world["url"]))
    text = doc.one("main").text
    may_take_part = who in ("member", "host", "admin")
    may_host = who in ("host", "admin")
    assert (doc.by_id("comment-form") is not None) is may_take_part
    if who == "anonymous":
        assert "Log in to take part in this debate." in text
    if who == "non_member":
        assert "Join the hall to take part." in text
    assert ("Close the debate" in text) is may_host

    expect_refused = 302 if who == "anonymous" else 403
    response = _post_comment(client, world, "Mine", "for")
    assert response.status_code == (303 if may_take_part else expect_refused)
    response = client.post(f"{world['url']}/comments/{theirs.id}/endorse")
    assert response.status_code == (303 if may_take_part else expect_refused)
    response = client.get("/en/halls/forum/debates/new")
    assert response.status_code == (200 if may_host else expect_refused)
    response = client.post("/en/halls/forum/debates/new", data={
        "title": "Q", "description": "D", "source_locale": "en"})
    assert response.status_code == (303 if may_host else expect_refused)
    response = client.post(world["url"] + "/close", data={"conclusion": "Done."})
    assert response.status_code == (303 if may_host else expect_refused)
    assert _debate(db_session, world["debate"]).state == ("closed" if may_host else "open")


def test_an_invited_but_not_accepted_person_cannot_take_part(db_session, world, factories):
    guest = factories.user(email="guest-debate@example.org", created_at=OLD)
    from portal.core.errors import Forbidden
    from portal.deliberation.models import HallMember

    db_session.add(HallMember(hall_id=world["hall"].id, user_id=guest.id, state="invited"))
    db_session.commit()

    with pytest.raises(Forbidden):
        debates.comment(db_session, guest, world["hall"], world["debate"], "Hi", "for")


def test_nobody_endorses_their_own_comment_or_twice(db_session, world):
    mine = debates.comment(db_session, world["rosa"], world["hall"], world["debate"], "Mine", "for")
    from portal.core.errors import Invalid

    with pytest.raises(Invalid):
        debates.toggle_endorsement(db_session, world["rosa"], world["hall"], world["debate"], mine)
    db_session.rollback()
    assert debates.toggle_endorsement(db_session, world["li"], world["hall"], world["debate"], mine)
    assert not debates.toggle_endorsement(db_session, world["li"], world["hall"], world["debate"], mine)
    assert debates.toggle_endorsement(db_session, world["li"], world["hall"], world["debate"], mine)
    assert db_session.scalar(select(func.count()).select_from(DebateEndorsement)) == 1
    assert mine.endorsement_count == 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"body": "x" * 4001, "stance": "for"}, "body", "at most 4000"),
    ({"body": "a\x00b", "stance": "for"}, "body", "invisible control characters"),
    ({"body": "bell\x07", "stance": "for"}, "body", "invisible control characters"),
    ({"body": "", "stance": "for"}, "body", "Write your comment."),
    ({"body": "Hello", "stance": "maybe"}, "stance", "Not a valid choice"),
    ({"body": "Hello"}, "stance", "for, against or neutral"),
    ({"body": "Hello", "stance": "for", "parent_id": "abc"}, None, "not in this debate"),
    ({"body": "Hello", "stance": "for", "parent_id": "99999999999999999999"}, None, "not in this debate"),
    ({"body": "Hello", "stance": "for", "parent_id": "\x00"}, None, "invisible control characters"),
])
def test_hostile_comments_are_refused_beside_the_field_keeping_the_text(
        client, world, login, db_session, data, field, message):
    login(world["rosa"])
    response = client.post(world["url"] + "/comments", data=data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.one("title").text.startswith("Error:")
    where = doc.by_id(f"{field}-error") if field else doc.find("div", class_="error-summary")
    assert where is not None and message in where.text, doc.find("div", class_="error-summary")
    if field == "stance" and data.get("body"):
        assert doc.one("textarea", name="body").text == data["body"]
    assert _debate(db_session, world["debate"]).comment_count == 0


def test_a_reply_to_another_debates_comment_is_refused(client, world, login, db_session):
    other = debates.open_debate(db_session, world["host"], world["hall"], "Other", "Other.", "en")
    theirs = debates.comment(db_session, world["li"], world["hall"], other, "There", "for")
    login(world["rosa"])
    response = _post_comment(client, world, "Sneaky", "for", theirs.id)
    assert response.status_code == 422
    assert "not in this debate" in page(response).find("div", class_="error-summary").text
    assert "Sneaky" in page(response).one("textarea", name="body").text
    # Nor is another debate's comment endorsed through this debate's address.
    assert client.post(f"{world['url']}/comments/{theirs.id}/endorse").status_code == 404


def test_unknown_or_absurd_debates_are_404(client, world, db_session):
    assert client.get("/en/halls/forum/debates/999999").status_code == 404
    assert client.get("/en/halls/forum/debates/99999999999999999999999").status_code == 404
    assert client.get("/en/halls/forum/debates/abc").status_code == 404
    services.create_hall(db_session, world["host"], services.HallData(
        slug="other", area_id=world["hall"].area_id, source_locale="en",
        names={"en": "Other"}, purposes={"en": "Other."}))
    assert client.get(f"/en/halls/other/debates/{world['debate'].id}").status_code == 404
    world["hall"].tools = ["votes"]
    db_session.commit()
    assert client.get(world["url"]).status_code == 404


def test_bad_debates_and_conclusions_are_refused(client, world, login, db_session):
    login(world["host"])
    response = client.post("/en/halls/forum/debates/new", data={
        "title": "t" * 201, "description": "", "source_locale": "en"})
    assert response.status_code == 422
    doc = page(response)
    assert "at most 200" in doc.by_id("title-error").text
    assert doc.by_id("description-error") is not None
    response = client.post(world["url"] + "/close", data={"conclusion": "a\x00"})
    assert response.status_code == 422
    assert "invisible control characters" in page(response).by_id("conclusion-error").text
    assert _debate(db_session, world["debate"]).state == "open"


def test_new_accounts_comment_at_a_limited_pace(client, world, factories, login, db_session):
    newcomer = factories.user(display_name="New Nina")
    services.join(db_session, newcomer, world["hall"])
    login(newcomer)
    for n in range(debates.NEW_ACCOUNT_COMMENTS):
        assert _post_comment(client, world, f"Comment {n}").status_code == 303
    response = _post_comment(client, world, "One too many")
    assert response.status_code == 422
    doc = page(response)
    assert "New accounts can publish 5 comments an hour" in doc.by_id("body-error").text
    assert doc.one("textarea", name="body").text == "One too many"
    # An older account is not limited.
    for n in range(debates.NEW_ACCOUNT_COMMENTS + 1):
        debates.comment(db_session, world["rosa"], world["hall"], world["debate"], f"Old {n}", "for")
    # Comments older than an hour no longer count.
    db_session.execute(DebateComment.__table__.update().where(
        DebateComment.author_id == newcomer.id).values(created_at=utcnow() - timedelta(hours=2)))
    db_session.commit()
    assert _post_comment(client, world, "Later").status_code == 303


def test_the_anonymous_debate_page_is_cacheable(client, world):
    response = client.get(world["url"])
    crumb = page(response).one("nav", class_="breadcrumbs").one("span", aria_current="page")
    assert crumb.one("bdi").get("lang") == "en"  # the question is isolated, in its language
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "public" in response.headers["Cache-Control"]
    assert page(response).find("form", method="post") is None


def _comments(db_session, world, count):
    people = [world["rosa"], world["li"]]
    parent = None
    for n in range(count):
        stance = ("for", "against", "neutral")[n % 3]
        item = DebateComment(debate_id=world["debate"].id, author_id=people[n % 2].id, stance=stance,
                             body=f"Comment {n}", depth=1 if n % 3 == 0 else 2,
                             parent_id=None if n % 3 == 0 else parent)
        db_session.add(item)
        db_session.flush()
        if n % 3 == 0:
            parent = item.id
    db_session.commit()


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_debate_page_costs_the_same_queries_for_3_or_300_comments(
        client, world, login, db_session, app, monkeypatch, who):
    from portal.extensions import db

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    if who == "member":
        login(world["li"])
    _comments(db_session, world, 3)
    with QueryCounter(db.engine) as few:
        assert "Comment 2" in client.get(world["url"]).get_data(as_text=True)
    _comments(db_session, world, 297)
    with QueryCounter(db.engine) as many:
        assert "Comment 296" in client.get(world["url"]).get_data(as_text=True)
    assert len(many.statements) == len(few.statements), many.statements


def test_debates_are_found_by_the_search_service(db_session, world):
    from portal.core import search

    debates.open_debate(db_session, world["host"], world["hall"], "河边道路周日步行", "关于周日。", "zh-Hans")
    hits = search.search(db_session, "debate", "道路")
    assert len(hits) == 1
    assert {h.ref_id for h in search.search(db_session, "debate", "riverside")} == {world["debate"].id}


def test_debate_posts_need_the_csrf_token(client, world, app, monkeypatch, db_session):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    assert client.post("/en/account/login", data={
        "email": world["rosa"].email, "password": PASSWORD, "csrf_token": token}).status_code == 303
    assert _post_comment(client, world, "No token").status_code == 400
    assert _debate(db_session, world["debate"]).comment_count == 0
    token = csrf_token_from(client.get(world["url"]).get_data(as_text=True))
    response = client.post(world["url"] + "/comments",
                           data={"body": "With token", "stance": "for", "csrf_token": token})
    assert response.status_code == 303


def test_the_demo_seed_has_an_open_and_a_closed_debate_with_exact_counters(app, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
        assert seed(db_session) == 0
    rows = db_session.scalars(select(Debate).order_by(Debate.id)).all()
    assert [d.state for d in rows] == ["open", "closed"]
    for debate in rows:
        stances = dict(db_session.execute(
            select(DebateComment.stance, func.count()).where(DebateComment.debate_id == debate.id)
            .group_by(DebateComment.stance)).all())
        assert debate.comment_count == sum(stances.values())
        assert (debate.for_count, debate.against_count, debate.neutral_count) == tuple(
            stances.get(s, 0) for s in ("for", "against", "neutral"))
    assert max(db_session.scalars(select(DebateComment.depth))) == 3


def test_htmx_refusals_reload_the_debate_with_the_message(client, world, login, db_session):
    theirs = debates.comment(db_session, world["li"], world["hall"], world["debate"], "Hi", "for")
    debates.close_debate(db_session, world["host"], world["hall"], world["debate"], "Done.", "en")
    login(world["rosa"])
    for url in (world["url"] + "/comments", f"{world['url']}/comments/{theirs.id}/endorse"):
        response = client.post(url, data={"body": "Late", "stance": "for"}, headers={"HX-Request": "true"})
        assert response.status_code == 204 and response.headers["HX-Redirect"] == world["url"]
    assert "This debate is closed" in page(client.get(world["url"])).one("main").text
