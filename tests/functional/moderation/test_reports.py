"""Reports of content: the report form, the threshold that hides an item, the queue row, the
moderators' decisions (hide, restore, block the author) with the audit log and the author's
notification, who may do what, hostile input, hidden content on the pages and in lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.models import AuditEvent, utcnow
from portal.core.notifications import Notification
from portal.core.notifications import text as notification_text
from portal.deliberation import debates, proposals, services
from portal.deliberation.models import Debate, DebateComment
from portal.moderation import reports
from portal.moderation.models import ContentReport, PostingBlock, QueueItem, ReportedItem
from tests.functional.support import page

OLD = utcnow() - timedelta(days=30)


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    factories.department(code="dispatch", en="Dispatch centre")
    host = factories.user(roles=["staff"], display_name="Hana Host", created_at=OLD)
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", policy="open",
        names={"en": "The forum"}, purposes={"en": "For the city."}))
    people = {name: factories.user(display_name=name, created_at=OLD, locale=locale)
              for name, locale in (("Rosa", "es"), ("Li", "en"), ("Ana", "en"), ("Ben", "en"))}
    for person in people.values():
        services.join(db_session, person, hall)
    debate = debates.open_debate(db_session, host, hall, "Close the riverside road on Sundays?",
                                 "For people on foot.", "en")
    comment = debates.comment(db_session, people["Rosa"], hall, debate, "Buy cheap watches here!",
                              "for")
    reply = debates.comment(db_session, people["Li"], hall, debate, "Not this again.", "against",
                            comment.id)
    proposal = proposals.create_proposal(db_session, people["Rosa"], hall, proposals.ProposalData(
        title="More benches", body="Benches by the river.", area_id=city.id, category_id=None,
        source_locale="en"), publish=True)
    return {"hall": hall, "host": host, **people, "debate": debate, "comment": comment,
            "reply": reply, "proposal": proposal,
            "moderator": factories.user(roles=["moderator"], display_name="Mo", created_at=OLD),
            "admin": factories.user(roles=["administrator"], created_at=OLD),
            "staff": factories.user(roles=["staff"], created_at=OLD),
            "debate_url": f"/en/halls/forum/debates/{debate.id}",
            "report_url": f"/en/report/debate_comment/{comment.id}"}


def _report(db_session, world, who, reason="spam", kind="debate_comment", item=None):
    item_id = item if item is not None else world["comment"].id
    return reports.report(db_session, world[who], kind, item_id, reason, "")


def _reported(db_session, kind="debate_comment", item_id=None) -> ReportedItem:
    db_session.expire_all()
    return db_session.scalar(select(ReportedItem).where(ReportedItem.kind == kind))


def _hidden(db_session, model, item_id) -> bool:
    db_session.expire_all()
    return db_session.get(model, item_id).hidden


# --- the threshold --------------------------------------------------------------------------------

def test_three_different_people_hide_a_comment_until_a_moderator_decides(db_session, world):
    _report(db_session, world, "Li")
    _report(db_session, world, "Ana", "offensive")
    assert not _hidden(db_session, DebateComment, world["comment"].id)  # two are not enough
    result = _report(db_session, world, "Ben")
    assert result.created and result.hidden_now
    assert _hidden(db_session, DebateComment, world["comment"].id)
    reported = _reported(db_session)
    assert reported.report_count == 3 and reported.reasons == {"spam": 2, "offensive": 1}
    assert reported.auto_hidden and reported.state == "reported"
    row = db_session.scalar(select(QueueItem).where(QueueItem.module == "report"))
    assert row.priority and not row.done and row.reference == f"R-{reported.id}"
    assert row.item_id == reported.id and row.department_id is None


def test_the_same_person_three_times_counts_once(db_session, world):
    assert _report(db_session, world, "Li").created
    assert not _report(db_session, world, "Li").created
    assert not _report(db_session, world, "Li", "offensive").created
    assert _reported(db_session).report_count == 1
    assert db_session.scalar(select(func.count()).select_from(ContentReport)) == 1
    assert not _hidden(db_session, DebateComment, world["comment"].id)


def test_the_threshold_is_configurable(app, db_session, world, monkeypatch):
    monkeypatch.setitem(app.config, "CONTENT_REPORT_HIDE_THRESHOLD", 1)
    with app.test_request_context():
        assert _report(db_session, world, "Li").hidden_now


def test_the_first_report_puts_the_item_in_the_queue_with_its_counts(client, login, db_session, world):
    _report(db_session, world, "Li")
    _report(db_session, world, "Ana", "off_topic")
    login(world["moderator"])
    queue = client.get("/en/staff/queue/").get_data(as_text=True)
    reported = _reported(db_session)
    assert f"R-{reported.id}" in queue and "Buy cheap watches here!" in queue
    doc = page(client.get(f"/en/staff/queue/reports/{reported.id}"))
    text = doc.one("main").text
    assert "2 reports standing" in text and "Spam or advertising: 1" in text
    assert "Off topic for this hall: 1" in text


# --- the report form -----------------------------------------------------------------------------

def test_reporting_through_the_form(client, login, db_session, world):
    login(world["Li"])
    doc = page(client.get(world["debate_url"]))
    link = doc.find("a", href=world["report_url"])
    assert link is not None and "Report" in link.text
    # not on one's own comment
    assert doc.find("a", href=f"/en/report/debate_comment/{world['reply'].id}") is None
    form = page(client.get(world["report_url"]))
    assert form.find("input", type="radio", value="spam") is not None
    response = client.post(world["report_url"], data={"reason": "spam", "note": "Adverts.\nTwice."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{world['debate_url']}#comment-{world['comment'].id}")
    report = db_session.scalar(select(ContentReport))
    assert report.reason == "spam" and report.note == "Adverts.\nTwice."
    # A second time: polite, nothing new.
    again = page(client.get(world["report_url"]))
    assert "You have already reported this." in again.one("main").text
    assert again.find("form", action=world["report_url"]) is None
    response = client.post(world["report_url"], data={"reason": "offensive"}, follow_redirects=True)
    assert "You have already reported this." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ContentReport)) == 1


def test_an_htmx_request_gets_the_form_alone(client, login, world):
    login(world["Li"])
    response = client.get(world["report_url"], headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert page(response).find("form", action=world["report_url"]) is not None


def test_anonymous_readers_see_no_report_link(client, world):
    body = client.get(world["debate_url"]).get_data(as_text=True)
    assert "/report/" not in body
    assert "/report/" not in client.get(f"/en/proposals/{world['proposal'].id}").get_data(as_text=True)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"reason": "rude"}, "reason", "Not a valid choice"),
    ({}, "reason", "Choose why you report it."),
    ({"reason": "other", "note": "bad\x00text"}, "note", "control characters"),
    ({"reason": "other", "note": "x" * 1001}, "note", "at most 1000 characters"),
])
def test_bad_input_is_said_beside_the_field_keeping_what_was_typed(client, login, world, db_session,
                                                                  data, field, message):
    login(world["Li"])
    response = client.post(world["report_url"], data=data)
    assert response.status_code == 422
    doc = page(response)
    assert message in doc.by_id(f"{field}-error").text
    if field == "note" and "x" * 10 in data.get("note", ""):
        assert doc.one("textarea", name="note").text.strip() == data["note"]
    assert db_session.scalar(select(func.count()).select_from(ContentReport)) == 0


@pytest.mark.parametrize("url", [
    "/en/report/debate_comment/99999999999999999999", "/en/report/debate_comment/2147483648",
    "/en/report/nothing/1", "/en/report/debate_comment/0", "/en/report/debate_comment/424242",
])
def test_unknown_items_are_404(client, login, world, url):
    login(world["Li"])
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "spam"}).status_code == 404


def test_the_service_refuses_bad_reasons_and_unknown_kinds(db_session, world):
    from portal.core.errors import Invalid, NotFound

    with pytest.raises(Invalid) as exc:
        reports.report(db_session, world["Li"], "debate_comment", world["comment"].id, "rude", "")
    assert "reason" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        reports.report(db_session, world["Li"], "debate_comment", world["comment"].id, "spam", "\x07")
    assert "note" in exc.value.errors
    with pytest.raises(NotFound):
        reports.report(db_session, world["Li"], "nothing", 1, "spam", "")
    with pytest.raises(NotFound):
        reports.report(db_session, world["Li"], "debate_comment", 2**40, "spam", "")


# --- who may report, who may decide ------------------------------------------------------------------

def test_who_may_report(client, login, world):
    # anonymous: to the log-in page
    response = client.post(world["report_url"], data={"reason": "spam"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # the author: refused
    login(world["Rosa"])
    assert client.get(world["report_url"]).status_code == 403
    assert client.post(world["report_url"], data={"reason": "spam"}).status_code == 403
    client.post("/en/account/logout")
    # a member, staff, a moderator, an administrator: yes
    for who in ("Li", "staff", "moderator", "admin"):
        login(world[who])
        assert client.post(world["report_url"], data={"reason": "spam"}).status_code == 303, who
        client.post("/en/account/logout")


def _decide_url(db_session, world) -> str:
    _report(db_session, world, "Li")
    return f"/en/staff/queue/reports/{_reported(db_session).id}"


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("Li", 403), ("Rosa", 403), ("host", 403), ("staff", 403),
    ("moderator", 303), ("admin", 303),
])
def test_who_may_decide(client, login, db_session, world, who, status):
    url = _decide_url(db_session, world)
    if who:
        login(world[who])
    assert client.get(url).status_code == (200 if status == 303 else status)
    response = client.post(url, data={"decision": "hide", "reason_code": "spam"})
    assert response.status_code == status
    assert _hidden(db_session, DebateComment, world["comment"].id) == (status == 303)


def test_staff_do_not_see_report_rows_in_the_queue(client, login, db_session, world):
    _report(db_session, world, "Li")
    from portal.moderation import services as queue

    assert db_session.scalar(queue.visible(db_session, world["staff"])
                             .where(QueueItem.module == "report")) is None
    assert db_session.scalar(queue.visible(db_session, world["moderator"])
                             .where(QueueItem.module == "report")) is not None


# --- the decisions ----------------------------------------------------------------------------------

def _audit(db_session, action) -> AuditEvent:
    return db_session.scalar(select(AuditEvent).where(AuditEvent.action == action))


def _notes(db_session, user) -> list[Notification]:
    return list(db_session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.key.startswith("report."))))


def test_a_moderator_hides_with_a_reason_in_the_audit_log_and_tells_the_author(
        app, client, login, db_session, world):
    url = _decide_url(db_session, world)
    login(world["moderator"])
    response = client.post(url, data={"decision": "hide", "reason_code": "spam"})
    assert response.status_code == 303
    comment = db_session.get(DebateComment, world["comment"].id)
    db_session.refresh(comment)
    assert comment.hidden and comment.hidden_reason == "spam"
    event = _audit(db_session, "content.hidden")
    assert event.actor_id == world["moderator"].id and event.details["reason_code"] == "spam"
    assert event.target_type == "debate_comment" and event.target_id == comment.id
    (note,) = _notes(db_session, world["Rosa"])
    with app.test_request_context("/es/"):
        from flask_babel import force_locale

        with force_locale("en"):
            assert "Spam or advertising" in notification_text(note)
    row = db_session.scalar(select(QueueItem).where(QueueItem.module == "report"))
    assert row.done and row.state == "hidden"


def test_a_written_reason_is_kept_as_typed(client, login, db_session, world):
    url = _decide_url(db_session, world)
    login(world["moderator"])
    assert client.post(url, data={"decision": "hide", "reason_code": "other"}).status_code == 422
    response = client.post(url, data={"decision": "hide", "reason_code": "other",
                                      "reason_text": "Links to a scam."})
    assert response.status_code == 303
    assert _audit(db_session, "content.hidden").details["reason"] == "Links to a scam."
    (note,) = _notes(db_session, world["Rosa"])
    assert note.params["reason"] == "Links to a scam."


@pytest.mark.parametrize(("data", "field"), [
    ({"decision": "hide"}, "reason_code"),
    ({"decision": "block", "reason_code": "nonsense"}, "reason_code"),
    ({"decision": "explode", "reason_code": "spam"}, "decision"),
    ({"decision": "hide", "reason_code": "spam", "reason_text": "a\x00b"}, "reason_text"),
    ({"decision": "hide", "reason_code": "spam", "reason_text": "x" * 1001}, "reason_text"),
])
def test_bad_decisions_are_said_beside_the_field(client, login, db_session, world, data, field):
    url = _decide_url(db_session, world)
    login(world["moderator"])
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert page(response).by_id(f"{field}-error") is not None
    assert not _hidden(db_session, DebateComment, world["comment"].id)


def test_restore_dismisses_the_reports_and_shows_the_item_again(client, login, db_session, world):
    for who in ("Li", "Ana", "Ben"):
        _report(db_session, world, who)
    assert _hidden(db_session, DebateComment, world["comment"].id)
    login(world["admin"])
    response = client.post(f"/en/staff/queue/reports/{_reported(db_session).id}",
                           data={"decision": "restore"})
    assert response.status_code == 303
    assert not _hidden(db_session, DebateComment, world["comment"].id)
    reported = _reported(db_session)
    assert reported.state == "restored" and reported.report_count == 0
    assert all(r.dismissed for r in db_session.scalars(select(ContentReport)))
    assert _audit(db_session, "content.restored") is not None
    assert [n.key for n in _notes(db_session, world["Rosa"])] == ["report.restored"]
    client.post("/en/account/logout")
    assert "Buy cheap watches here!" in client.get(world["debate_url"]).get_data(as_text=True)


def test_blocking_the_author_hides_and_stops_them_posting(client, login, db_session, world):
    url = _decide_url(db_session, world)
    login(world["moderator"])
    assert client.post(url, data={"decision": "block", "reason_code": "spam"}).status_code == 303
    assert _hidden(db_session, DebateComment, world["comment"].id)
    assert db_session.get(PostingBlock, world["Rosa"].id) is not None
    assert _audit(db_session, "content.author_blocked").details["reason_code"] == "spam"
    assert [n.key for n in _notes(db_session, world["Rosa"])] == ["report.blocked"]
    client.post("/en/account/logout")
    # The blocked author can neither comment nor propose.
    rosa = world["Rosa"]
    assert not debates.can_take_part(db_session, world["hall"], rosa)
    assert not proposals.can_propose(db_session, world["hall"], rosa)
    login(rosa)
    response = client.post(world["debate_url"] + "/comments", data={"body": "Again", "stance": "for"})
    assert response.status_code == 403
    assert client.get("/en/halls/forum/proposals/new").status_code == 403
    assert client.post(f"/en/report/debate_comment/{world['reply'].id}",
                       data={"reason": "spam"}).status_code == 403


# --- hidden content on the pages ---------------------------------------------------------------

def _hide(db_session, world, kind, item_id, reason="offensive", reporter="Li"):
    from flask import current_app

    with current_app.test_request_context("/en/"):  # the author's mail links to the item
        reports.report(db_session, world[reporter], kind, item_id, "offensive", "")
        reported = db_session.scalar(select(ReportedItem).where(ReportedItem.kind == kind))
        reports.decide(db_session, world["moderator"], reported.id, "hide", reason, "")


def test_a_hidden_comment_is_a_placeholder_keeping_the_thread(client, login, db_session, world):
    _hide(db_session, world, "debate_comment", world["comment"].id)
    doc = page(client.get(world["debate_url"]))
    article = doc.by_id(f"comment-{world['comment'].id}")
    assert "This comment was hidden by a moderator." in article.text
    assert "Buy cheap watches" not in doc.one("main").text
    assert article.by_id(f"comment-{world['reply'].id}") is not None  # the reply stays in place
    login(world["Rosa"])  # the author reads it with the reason
    text = page(client.get(world["debate_url"])).by_id(f"comment-{world['comment'].id}").text
    assert "Buy cheap watches here!" in text and "Offensive, abusive or hateful" in text


def test_a_hidden_proposal_leaves_lists_and_search_and_says_so(client, login, db_session, world):
    proposal = world["proposal"]
    assert "More benches" in client.get("/en/proposals").get_data(as_text=True)
    _hide(db_session, world, "proposal", proposal.id)
    assert "More benches" not in client.get("/en/proposals").get_data(as_text=True)
    assert "More benches" not in client.get("/en/proposals?q=benches").get_data(as_text=True)
    assert "More benches" not in client.get("/en/halls/forum").get_data(as_text=True)
    response = client.get(f"/en/proposals/{proposal.id}")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "This proposal was hidden by a moderator"
    assert "More benches" not in doc.one("html").text
    login(world["Rosa"])
    doc = page(client.get(f"/en/proposals/{proposal.id}"))
    assert doc.one("h1").text == "More benches" and "Offensive" in doc.one("main").text


def test_a_hidden_debate_leaves_the_hall_and_says_so(client, db_session, world):
    _hide(db_session, world, "debate", world["debate"].id)
    assert "riverside road" not in client.get("/en/halls/forum").get_data(as_text=True).split(
        'id="debates-heading"')[1].split("</section>")[0]
    doc = page(client.get(world["debate_url"]))
    assert doc.one("h1").text == "This debate was hidden by a moderator"
    assert db_session.get(Debate, world["debate"].id).hidden


def test_cached_anonymous_pages_change_at_once_when_content_is_hidden(make_app, tmp_path, db_session,
                                                                      world):
    from portal.core import cache as page_cache

    page_cache.clear_local()
    backend = {"PAGE_CACHE": True, "REFERENCE_CACHE": True, "CACHE_TYPE": "FileSystemCache",
               "CACHE_DIR": str(tmp_path / "cache")}
    first, second = make_app(**backend), make_app(**backend)
    reader = first.test_client()
    url = f"/en/proposals/{world['proposal'].id}"
    assert "Buy cheap watches" in reader.get(world["debate_url"]).get_data(as_text=True)
    assert "More benches" in reader.get(url).get_data(as_text=True)
    from portal.extensions import db
    from tests.functional.support import QueryCounter

    with QueryCounter(db.engine) as hit:  # served from the cache
        assert "Buy cheap watches" in reader.get(world["debate_url"]).get_data(as_text=True)
    assert not hit.statements
    with second.test_request_context("/en/"):  # the moderator acts in another process
        _hide(db_session, world, "debate_comment", world["comment"].id)
        _hide(db_session, world, "proposal", world["proposal"].id, reporter="Ana")
    assert "Buy cheap watches" not in reader.get(world["debate_url"]).get_data(as_text=True)
    assert "This proposal was hidden" in reader.get(url).get_data(as_text=True)
    page_cache.clear_local()


# --- new accounts ---------------------------------------------------------------------------------

def test_new_accounts_publish_few_proposals_an_hour(db_session, world, factories):
    from portal.core.errors import Invalid
    from portal.deliberation import limits

    newcomer = factories.user(display_name="New")
    services.join(db_session, newcomer, world["hall"])
    data = proposals.ProposalData(title="Idea", body="Text.", area_id=None, category_id=None,
                                  source_locale="en")
    for _n in range(limits.NEW_ACCOUNT_PROPOSALS):
        proposals.create_proposal(db_session, newcomer, world["hall"], data, publish=True)
    with pytest.raises(Invalid) as exc:
        proposals.create_proposal(db_session, newcomer, world["hall"], data, publish=True)
    assert "New accounts can publish" in str(exc.value)
    db_session.rollback()
    # a draft is still saved
    proposals.create_proposal(db_session, newcomer, world["hall"], data, publish=False)


def test_new_accounts_send_few_reports_an_hour(db_session, world, factories, monkeypatch):
    from portal.core.errors import Invalid
    from portal.deliberation import limits

    monkeypatch.setattr(limits, "NEW_ACCOUNT_REPORTS", 1)
    newcomer = factories.user(display_name="New")
    reports.report(db_session, newcomer, "debate_comment", world["comment"].id, "spam", "")
    with pytest.raises(Invalid) as exc:
        reports.report(db_session, newcomer, "debate_comment", world["reply"].id, "spam", "")
    assert "New accounts can send 1 report an hour" in str(exc.value.errors["reason"][0])


# --- the demo ---------------------------------------------------------------------------------------

def test_the_demo_has_a_reported_comment_and_a_hidden_one_once(app, client, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
        assert seed(db_session) == 0
    rows = {r.state: r for r in db_session.scalars(select(ReportedItem))}
    assert set(rows) == {"reported", "hidden"} and rows["reported"].report_count == 2
    assert db_session.scalar(select(func.count()).select_from(QueueItem).where(
        QueueItem.module == "report", QueueItem.done.is_(False))) == 1
    hidden = db_session.get(DebateComment, rows["hidden"].item_id)
    assert hidden.hidden
    debate = db_session.get(Debate, hidden.debate_id)
    hall = debate.hall
    text = client.get(f"/en/halls/{hall.slug}/debates/{debate.id}").get_data(as_text=True)
    assert "This comment was hidden by a moderator." in text and hidden.body not in text


def test_a_debate_with_hidden_comments_runs_the_same_statements_for_3_or_30(
        client, login, db_session, world, factories):
    from portal.extensions import db
    from tests.functional.support import QueryCounter

    def add(count):
        for n in range(count):
            item = debates.comment(db_session, world["Ana" if n % 2 else "Ben"], world["hall"],
                                   world["debate"], f"Comment {n}", "neutral")
            if n % 3 == 0:
                item.hidden, item.hidden_reason = True, "spam"
        db_session.commit()

    login(world["Li"])
    add(3)
    client.get(world["debate_url"])  # warm: the reference data, the session
    with QueryCounter(db.engine) as few:
        client.get(world["debate_url"])
    add(27)
    with QueryCounter(db.engine) as many:
        doc = page(client.get(world["debate_url"]))
    assert len(many.statements) == len(few.statements)
    assert len(doc.find_all("article", class_="debate-comment--hidden")) == 10


def test_a_hidden_debate_takes_no_comments(client, login, db_session, world):
    _hide(db_session, world, "debate", world["debate"].id)
    login(world["host"])  # its author still reads it, without the comment form
    doc = page(client.get(world["debate_url"]))
    assert doc.find("form", id="comment-form") is None
    assert "A moderator hid this debate: it takes no new comments." in doc.one("main").text
    client.post("/en/account/logout")
    login(world["Ana"])
    response = client.post(world["debate_url"] + "/comments", data={"body": "Hi", "stance": "for"},
                           follow_redirects=True)
    assert "A moderator hid this debate: it takes no new comments." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(DebateComment).where(
        DebateComment.body == "Hi")) == 0
