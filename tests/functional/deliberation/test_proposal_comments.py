"""Proposal comments: members comment and reply three levels deep, the counter and the "most
commented" sort, who may comment, hostile input, the rate limit, hidden comments, a thread read
by pages, and the constant number of statements of the list and of a busy proposal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.errors import Invalid
from portal.core.models import utcnow
from portal.deliberation import comments, proposal_comments, proposals, services
from portal.deliberation.models import Proposal, ProposalComment
from tests.functional.support import QueryCounter, page

OLD = utcnow() - timedelta(days=30)


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    factories.department(code="dispatch", en="Dispatch centre")
    host = factories.user(roles=["staff"], display_name="Hana Host", created_at=OLD)
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", names={"en": "Forum"},
        purposes={"en": "For all"}, support_threshold=50))
    ann, ben = (factories.user(display_name=n, created_at=OLD) for n in ("Ann Author", "Ben Member"))
    for person in (ann, ben):
        services.join(db_session, person, hall)
    proposal = _proposal(db_session, ann, hall, "More benches by the river")
    return {"hall": hall, "host": host, "ann": ann, "ben": ben, "proposal": proposal,
            "outsider": factories.user(display_name="Out Sider", created_at=OLD),
            "staff": factories.user(roles=["staff"], created_at=OLD),
            "admin": factories.user(roles=["administrator"], created_at=OLD),
            "url": f"/en/proposals/{proposal.id}"}


def _proposal(db_session, author, hall, title):
    return proposals.create_proposal(db_session, author, hall, proposals.ProposalData(
        title=title, body="Benches, please.", area_id=hall.area_id, category_id=None,
        source_locale="en"), publish=True)


def _count(db_session, world) -> int:
    db_session.expire_all()
    return db_session.get(Proposal, world["proposal"].id).comment_count


def _post(client, world, body, parent=None, **headers):
    data = {"comment-body": body}
    if parent is not None:
        data["comment-parent_id"] = str(parent)
    return client.post(world["url"] + "/comments", data=data, headers=headers)


def test_members_comment_and_reply_three_levels_deep(client, world, login, db_session):
    login(world["ben"])
    response = _post(client, world, "Yes, by the old mill.\nAnd near the school.")
    assert response.status_code == 303
    first = db_session.scalar(select(ProposalComment))
    assert response.headers["Location"].endswith(f"#comment-{first.id}")
    second = proposal_comments.comment(db_session, world["ann"], world["proposal"], "Good idea", first.id)
    third = proposal_comments.comment(db_session, world["ben"], world["proposal"], "Thanks", second.id)
    fourth = proposal_comments.comment(db_session, world["ann"], world["proposal"], "Deeper", third.id)
    assert (second.depth, third.depth, fourth.depth) == (2, 3, 3)
    assert fourth.parent_id == second.id  # a reply to level three attaches at level three
    assert _count(db_session, world) == 4
    doc = page(client.get(world["url"]))
    thread = doc.one("section", class_="proposal-thread")
    assert thread.one("h2").text.startswith("Comments")
    top = doc.by_id(f"comment-{first.id}")
    assert top.one("h3").text.strip() == "Ben Member"  # headings: h3, then h4, h5
    assert top.by_id(f"comment-{second.id}").one("h4").text.strip() == "Ann Author"
    assert top.by_id(f"comment-{third.id}").one("h5") is not None
    replies = top.find("ol", class_="proposal-replies")
    assert replies.get("aria-label") == "Replies to Ben Member"
    body = top.find("p", class_="user-text")
    assert body.get("lang") == "en" and "old mill" in body.text
    # the list shows the counter
    assert "4 comments" in client.get("/en/proposals").get_data(as_text=True)


def test_a_reply_link_keeps_the_form_on_the_reply(client, world, login, db_session):
    first = proposal_comments.comment(db_session, world["ann"], world["proposal"], "First")
    login(world["ben"])
    doc = page(client.get(f"{world['url']}?reply_to={first.id}"))
    assert "You are replying to Ann Author." in " ".join(doc.by_id("comment-form").text.split())
    assert _post(client, world, "A reply", first.id).status_code == 303
    assert db_session.scalar(select(ProposalComment).where(ProposalComment.parent_id == first.id))


def test_htmx_swaps_the_discussion_and_announces_the_comment(client, world, login, db_session):
    login(world["ben"])
    response = _post(client, world, "By htmx", **{"HX-Request": "true"})
    assert response.status_code == 200
    doc = page(response)
    assert doc.by_id("proposal-discussion") is not None
    assert "Your comment is published." in doc.by_id("proposal-status").text
    assert "By htmx" in doc.one("section", class_="proposal-thread").text
    assert doc.one("textarea", name="comment-body").text == ""


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 302), ("outsider", 403), ("staff", 403), ("ben", 303), ("host", 303),
    ("admin", 303)])
def test_who_may_comment(client, world, login, db_session, who, status):
    if who != "anonymous":
        login(world[who])
    response = _post(client, world, "Hello")
    assert response.status_code == status
    assert _count(db_session, world) == (1 if status == 303 else 0)
    doc = page(client.get(world["url"]))
    assert (doc.by_id("comment-form") is not None) is (status == 303)


def test_the_anonymous_page_has_no_form_and_invites_to_log_in(client, world):
    response = client.get(world["url"])
    doc = page(response)
    assert doc.by_id("comment-form") is None
    assert "Log in to comment on this proposal." in doc.one("section", class_="proposal-thread").text
    assert "Set-Cookie" not in response.headers


def test_a_withdrawn_proposal_takes_no_comments(client, world, login, db_session):
    proposals.withdraw(db_session, world["ann"], world["proposal"], "Done elsewhere.")
    login(world["ben"])
    assert _post(client, world, "Too late").status_code == 403
    with pytest.raises(Invalid):
        proposal_comments.comment(db_session, world["ben"], world["proposal"], "Too late")
    assert "This proposal takes no new comments." in page(client.get(world["url"])).text


def test_a_draft_is_not_commented(client, world, login, db_session):
    draft = proposals.create_proposal(db_session, world["ann"], world["hall"], proposals.ProposalData(
        title="Draft", body="Draft.", area_id=world["hall"].area_id, category_id=None,
        source_locale="en"))
    login(world["ben"])
    assert client.post(f"/en/proposals/{draft.id}/comments", data={"body": "x"}).status_code == 404


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"body": ""}, "comment-body", "Write your comment."),
    ({"body": "x" * 4001}, "comment-body", "at most 4000"),
    ({"body": "Bad \x07 bell"}, "comment-body", "invisible control characters"),
    ({"body": "Hello", "parent_id": "99999999999999999999"}, None, "not on this proposal"),
    ({"body": "Hello", "parent_id": "12x"}, None, "not on this proposal"),
])
def test_hostile_comments_are_refused_beside_the_field_keeping_the_text(
        client, world, login, db_session, data, field, message):
    login(world["ben"])
    response = client.post(world["url"] + "/comments",
                           data={f"comment-{k}": v for k, v in data.items()})
    assert response.status_code == 422
    doc = page(response)
    assert doc.one("title").text.startswith("Error:")
    where = doc.by_id(f"{field}-error") if field else doc.find("div", class_="error-summary")
    assert where is not None and message in where.text
    if data["body"] and len(data["body"]) < 100:
        assert doc.one("textarea", name="comment-body").text == data["body"]
    assert _count(db_session, world) == 0


def test_a_reply_to_another_proposals_comment_is_refused(client, world, login, db_session):
    other = _proposal(db_session, world["ann"], world["hall"], "Other")
    theirs = proposal_comments.comment(db_session, world["ann"], other, "There")
    login(world["ben"])
    response = _post(client, world, "Sneaky", theirs.id)
    assert response.status_code == 422
    assert "Sneaky" in page(response).one("textarea", name="comment-body").text


def test_new_accounts_comment_at_a_limited_pace(client, world, factories, login, db_session):
    newcomer = factories.user(display_name="New Nina")
    services.join(db_session, newcomer, world["hall"])
    login(newcomer)
    for n in range(comments.NEW_ACCOUNT_COMMENTS):
        assert _post(client, world, f"Comment {n}").status_code == 303
    response = _post(client, world, "One too many")
    assert response.status_code == 422
    assert "New accounts can publish 5 comments an hour" in page(response).by_id("comment-body-error").text
    db_session.execute(ProposalComment.__table__.update().where(
        ProposalComment.author_id == newcomer.id).values(created_at=utcnow() - timedelta(hours=2)))
    db_session.commit()
    assert _post(client, world, "Later").status_code == 303


def test_a_hidden_comment_keeps_its_place_in_the_thread(client, world, db_session):
    first = proposal_comments.comment(db_session, world["ben"], world["proposal"], "Rude words")
    reply = proposal_comments.comment(db_session, world["ann"], world["proposal"], "Please", first.id)
    first.hidden, first.hidden_reason = True, "offensive"
    db_session.commit()
    doc = page(client.get(world["url"]))
    node = doc.by_id(f"comment-{first.id}")
    assert "This comment was hidden by a moderator" in node.text
    assert "Rude words" not in doc.text
    assert node.by_id(f"comment-{reply.id}") is not None and "Please" in node.text


def _bulk(db_session, proposal, people, roots, replies_each=0, prefix="Comment"):
    """``roots`` top-level comments, each with ``replies_each`` replies and one reply to reply."""
    for n in range(roots):
        top = ProposalComment(proposal_id=proposal.id, author_id=people[n % 2].id, body=f"{prefix} {n}")
        db_session.add(top)
        db_session.flush()
        for m in range(replies_each):
            reply = ProposalComment(proposal_id=proposal.id, author_id=people[m % 2].id, depth=2,
                                    parent_id=top.id, body=f"{prefix} {n}.{m}")
            db_session.add(reply)
            db_session.flush()
            if m == 0:
                db_session.add(ProposalComment(proposal_id=proposal.id, author_id=people[0].id,
                                               depth=3, parent_id=reply.id, body=f"{prefix} {n}.{m}.0"))
    db_session.commit()


def test_a_long_thread_is_read_by_pages_of_top_level_comments(client, world, login, db_session):
    people = [world["ann"], world["ben"]]
    _bulk(db_session, world["proposal"], people, comments.PER_PAGE + 10, replies_each=1)
    doc = page(client.get(world["url"]))
    thread = doc.one("section", class_="proposal-thread")
    tops = thread.one("ol", class_="proposal-comments").find_all("h3")
    assert len(tops) == comments.PER_PAGE  # the latest page first, oldest of it at the top
    assert "Comment 59" in thread.text and "Comment 59.0.0" in thread.text
    assert "Comment 9 " not in thread.text + " " and "Comment 10" in thread.text
    older = thread.one("nav", class_="pagination").find("a", rel="next")
    assert older.text.strip().startswith("Older") and "before=" in older.get("href")
    earlier = page(client.get(older.get("href"))).one("section", class_="proposal-thread")
    assert len(earlier.one("ol", class_="proposal-comments").find_all("h3")) == 10
    assert "Comment 0.0.0" in earlier.text and "Comment 10" not in earlier.text
    newer = earlier.one("nav", class_="pagination").find("a", rel="prev")
    again = page(client.get(newer.get("href"))).one("section", class_="proposal-thread")
    assert "Comment 10" in again.text and "Comment 59" in again.text
    # a reply to an old comment leads back to the page that shows it
    login(world["ben"])
    oldest = db_session.scalar(select(ProposalComment).order_by(ProposalComment.id).limit(1))
    response = _post(client, world, "Late reply", oldest.id)
    location = response.headers["Location"]
    newest = db_session.scalar(select(func.max(ProposalComment.id)))
    assert "after=" in location and location.endswith(f"#comment-{newest}")
    assert "Late reply" in page(client.get(location)).one("section", class_="proposal-thread").text
    # absurd cursors are ignored
    for cursor in ("before=zz", "after=-1", "before=99999999999999999999", "after=%00"):
        assert client.get(f"{world['url']}?{cursor}").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_proposal_page_costs_the_same_queries_for_3_or_300_comments(
        client, world, login, db_session, app, monkeypatch, who):
    from portal.extensions import db

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    if who == "member":
        login(world["ben"])
    people = [world["ann"], world["ben"]]
    _bulk(db_session, world["proposal"], people, 1, replies_each=1)  # 3 comments
    with QueryCounter(db.engine) as few:
        assert "Comment 0.0.0" in client.get(world["url"]).get_data(as_text=True)
    _bulk(db_session, world["proposal"], people, 100, replies_each=1, prefix="More")  # 300 more
    with QueryCounter(db.engine) as many:
        assert "More 99.0.0" in client.get(world["url"]).get_data(as_text=True)
    assert len(many.statements) == len(few.statements), many.statements


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_list_costs_the_same_queries_for_5_or_50_proposals(
        client, world, login, db_session, app, monkeypatch, who):
    from portal.extensions import db

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    if who == "member":
        login(world["ben"])
    for n in range(4):
        _proposal(db_session, world["ann"], world["hall"], f"Few {n}")
    for sort in ("newest", "supported", "commented"):
        with QueryCounter(db.engine) as few:
            client.get(f"/en/proposals?sort={sort}")
        for n in range(15):
            _proposal(db_session, world["ann"], world["hall"], f"Many {sort} {n}")
        with QueryCounter(db.engine) as many:
            client.get(f"/en/proposals?sort={sort}")
        assert len(many.statements) == len(few.statements), (sort, many.statements)
    assert db_session.scalar(select(func.count()).select_from(Proposal)) == 50


def test_most_commented_first_by_keyset(client, world, db_session):
    quiet = _proposal(db_session, world["ann"], world["hall"], "Quiet")
    busy = _proposal(db_session, world["ann"], world["hall"], "Busy")
    for n in range(3):
        proposal_comments.comment(db_session, world["ben"], busy, f"On busy {n}")
    proposal_comments.comment(db_session, world["ben"], world["proposal"], "One")
    titles = [h.text.strip() for h in page(client.get("/en/proposals?sort=commented")).find_all(
        "h2", class_="proposal-summary__title")]
    assert titles == ["Busy", "More benches by the river", "Quiet"]
    f = proposals.ProposalFilter(sort="commented")
    first = proposals.proposal_page(db_session, f, per_page=1)
    assert [p.id for p in first.proposals] == [busy.id] and first.next_cursor == f"3-{busy.id}"
    f.after = first.next_cursor
    second = proposals.proposal_page(db_session, f, per_page=1)
    assert [p.id for p in second.proposals] == [world["proposal"].id]
    f.after = second.next_cursor
    assert [p.id for p in proposals.proposal_page(db_session, f, per_page=5).proposals] == [quiet.id]
    # the hall's filter sorts the same way
    hall_list = page(client.get(f"/en/proposals?sort=commented&hall_id={world['hall'].id}"))
    assert hall_list.find("h2", class_="proposal-summary__title").text.strip() == "Busy"


def _reply_links(doc, item) -> list:
    return [a for a in doc.by_id(f"comment-{item.id}").find_all("a") if "reply_to=" in (a.get("href") or "")]


def test_the_kept_thread_is_per_kind_of_reader_and_follows_new_comments(client, world, login,
                                                                        db_session, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", True)
    first = proposal_comments.comment(db_session, world["ann"], world["proposal"], "First")
    login(world["ben"])  # a member: reply links
    doc = page(client.get(world["url"]))
    assert _reply_links(doc, first)
    client.post("/en/account/logout")
    login(world["outsider"])  # not a member: the same thread, without reply links
    doc = page(client.get(world["url"]))
    assert not _reply_links(doc, first)
    second = proposal_comments.comment(db_session, world["ann"], world["proposal"], "Second")
    assert page(client.get(world["url"])).by_id(f"comment-{second.id}") is not None
    client.post("/en/account/logout")
    login(world["ben"])
    assert page(client.get(world["url"])).by_id(f"comment-{second.id}") is not None


def test_a_long_debate_thread_is_read_by_pages_too(client, factories, db_session):
    from portal.deliberation import debates
    from portal.deliberation.models import DebateComment

    city = factories.area(code="city2", en="City")
    host = factories.user(roles=["staff"], display_name="Host", created_at=OLD)
    hall = services.create_hall(db_session, host, services.HallData(
        slug="talks", area_id=city.id, source_locale="en", names={"en": "Talks"},
        purposes={"en": "Talks"}))
    debate = debates.open_debate(db_session, host, hall, "A question?", "About it.", "en")
    for n in range(comments.PER_PAGE + 5):
        db_session.add(DebateComment(debate_id=debate.id, author_id=host.id, stance="for",
                                     body=f"Said {n}"))
    db_session.commit()
    url = f"/en/halls/talks/debates/{debate.id}"
    doc = page(client.get(url))
    listed = doc.one("ol", class_="debate-comments").find_all("h3")
    assert len(listed) == comments.PER_PAGE and "Said 4 " not in doc.text.replace("Said 4\n", "")
    older = doc.one("section", class_="debate-thread").one("nav", class_="pagination").find("a", rel="next")
    earlier = page(client.get(older.get("href")))
    assert len(earlier.one("ol", class_="debate-comments").find_all("h3")) == 5


def test_the_demo_seed_has_a_short_thread_once(app, client, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
        seed(db_session)  # idempotent
    proposal = db_session.scalar(select(Proposal).where(Proposal.comment_count > 0))
    total = db_session.scalar(select(func.count()).select_from(ProposalComment))
    assert proposal is not None and proposal.comment_count == total == 4
    doc = page(client.get(f"/en/proposals/{proposal.id}"))
    assert doc.find("p", class_="user-text", lang="zh-Hans") is not None


def test_an_htmx_reply_is_nested(client, world, login, db_session):
    first = proposal_comments.comment(db_session, world["ann"], world["proposal"], "First")
    login(world["ben"])
    response = _post(client, world, "Nested by htmx", first.id, **{"HX-Request": "true"})
    assert response.status_code == 200
    reply = db_session.scalar(select(ProposalComment).where(ProposalComment.body == "Nested by htmx"))
    assert reply.parent_id == first.id
    assert page(response).by_id(f"comment-{first.id}").by_id(f"comment-{reply.id}") is not None


def test_a_busy_hall_shows_its_first_debates_and_links_to_all_by_pages(client, factories, db_session):
    from portal.deliberation import debates
    from portal.extensions import db

    city = factories.area(code="city3", en="City")
    host = factories.user(roles=["staff"], display_name="Host", created_at=OLD)
    hall = services.create_hall(db_session, host, services.HallData(
        slug="busy", area_id=city.id, source_locale="en", names={"en": "Busy"}, purposes={"en": "Busy"}))
    for n in range(3):
        debates.open_debate(db_session, host, hall, f"Question {n}?", "About it.", "en")
    with QueryCounter(db.engine) as few:
        assert "All the hall's debates" not in client.get("/en/halls/busy").get_data(as_text=True)
    for n in range(3, 45):
        debates.open_debate(db_session, host, hall, f"Question {n}?", "About it.", "en")
    with QueryCounter(db.engine) as many:
        doc = page(client.get("/en/halls/busy"))
    assert len(many.statements) == len(few.statements)
    listed = doc.one("section", class_="hall-debates").find_all("li", class_="debate-summary")
    assert len(listed) == debates.HALL_DEBATES
    link = next(a for a in doc.find_all("a") if a.text.strip() == "All the hall's debates")
    first = page(client.get(link.get("href")))
    assert first.one("h1").text.startswith("Debates")
    assert len(first.find_all("li", class_="debate-summary")) == 20 and "Question 44?" in first.text
    older = first.one("nav", class_="pagination").find("a", rel="next").get("href")
    second = page(client.get(older))
    assert "Question 24?" in second.text and "Question 25?" not in second.text
    assert client.get("/en/halls/busy/debates?before=zz").status_code == 200
