"""Disclosure requests through the pages: asking (with the responsibility list's lookup), the
acknowledgement, every step of the staff's handling, every kind of answer; the permission
matrix, bad input, the public view, escalation of overdue requests and query counts."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.core.models import utcnow
from portal.core.notifications import Notification
from portal.moderation.models import QueueItem
from portal.transparency import services as svc
from portal.transparency.models import DisclosureEvent, DisclosureRequest
from tests.functional.support import page


def _notes(db_session, user, key) -> int:
    return db_session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.key == key))


def _queue_item(db_session, req) -> QueueItem:
    return db_session.scalar(select(QueueItem).where(QueueItem.module == "disclosure",
                                                     QueueItem.item_id == req.id))


def _field_error(response, field_id: str) -> str:
    node = page(response).by_id(f"{field_id}-error")
    assert node is not None, f"no error beside {field_id}"
    return node.text


ASK = {"description": "Minutes of the 2026 meetings about the Stone Bridge park works.",
       "purpose": "A school project.", "delivery": "online", "visibility": "private"}


# --- asking -----------------------------------------------------------------------------------

def test_a_resident_finds_the_department_asks_and_gets_the_acknowledgement(
        client, db_session, world, login):
    login(world["requester"])
    lookup = client.get(f"/en/disclosure/ask?category_id={world['category'].id}&area_id={world['bridge'].id}")
    assert lookup.status_code == 200
    doc = page(lookup)
    assert "Parks department is in charge of “Park upkeep” in Stone Bridge" in doc.one("main").text
    selected = doc.one("select", id="department_id").find("option", selected=True)
    assert selected.get("value") == str(world["parks"].id)
    # the department select is grouped (optgroups), no JavaScript needed
    assert doc.one("select", id="department_id").find("optgroup") is not None
    response = client.post("/en/disclosure/ask", data={
        **ASK, "department_id": str(world["parks"].id), "category_id": str(world["category"].id),
        "area_id": str(world["bridge"].id)})
    assert response.status_code == 303
    req = db_session.scalar(select(DisclosureRequest))
    assert response.headers["Location"].endswith(f"/en/disclosure/requests/{req.tracking_code}/received")
    assert req.tracking_code == f"D-{req.created_at.year}-{req.id:06d}"
    assert (req.department_id, req.category_id, req.area_id) == (
        world["parks"].id, world["category"].id, world["bridge"].id)
    assert not req.public and req.state == "received" and req.source_locale == "en"
    ack = page(client.get(response.headers["Location"]))
    text = ack.one("main").text
    assert req.tracking_code in text
    assert "The clock started on" in text and "the answer is due by" in text
    assert "Time to answer: 20 working days." in text and "Counted from" in text
    assert _notes(db_session, world["requester"], "disclosure.received") == 1
    assert _notes(db_session, world["parks_staff"], "disclosure.for_department") == 1
    assert _notes(db_session, world["roads_staff"], "disclosure.for_department") == 0
    item = _queue_item(db_session, req)
    assert item.department_id == world["parks"].id and item.state == "received" and not item.done
    assert item.reference == req.tracking_code and item.due_at == req.due_at
    mine = page(client.get("/en/disclosure/mine")).one("main").text
    assert req.tracking_code in mine and "Received: the clock is running" in mine


def test_the_lookup_without_a_rule_names_the_dispatch_centre(client, world, login, factories):
    other_topic = factories.service_category(code="noise", en="Noise")
    login(world["requester"])
    doc = page(client.get(f"/en/disclosure/ask?category_id={other_topic.id}&area_id={world['bridge'].id}"))
    assert "the city's dispatch centre, Dispatch centre, is chosen below" in doc.one("main").text
    bad = client.get("/en/disclosure/ask?category_id=99999999999999999999&area_id=abc")
    assert bad.status_code == 200 and page(bad).one("title").text.startswith("Error:")
    assert "Choose a topic from the list." in _field_error(bad, "category_id")
    assert "Choose an area from the list." in _field_error(bad, "area_id")


def test_asking_needs_an_account(client):
    response = client.get("/en/disclosure/ask")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.post("/en/disclosure/ask", data=ASK).status_code == 302
    assert client.get("/en/disclosure/mine").status_code == 302


@pytest.mark.parametrize(("field", "value", "message"), [
    ("description", "", "Describe the information you ask for."),
    ("description", "x" * 5001, "Enter at most 5000 characters."),
    ("description", "bad\x00text", "Remove the invisible control characters"),
    ("purpose", "p" * 1001, "Enter at most 1000 characters."),
    ("department_id", "99999999999999999999", "Choose the department you ask."),
    ("department_id", "424242", "Choose the department you ask."),
    ("delivery", "pigeon", "Choose how you want to receive the information."),
])
def test_bad_input_when_asking_is_shown_beside_the_field(client, db_session, world, login, field, value,
                                                        message):
    login(world["requester"])
    data = {**ASK, "department_id": str(world["parks"].id), field: value}
    response = client.post("/en/disclosure/ask", data=data)
    assert response.status_code == 422
    assert message in _field_error(response, field)
    assert page(response).one("title").text.startswith("Error:")
    if field != "description":
        assert ASK["description"] in page(response).one("textarea", id="description").text
    assert db_session.scalar(select(func.count()).select_from(DisclosureRequest)) == 0


# --- handling: every step through the pages -------------------------------------------------

ANSWERS = {
    "published": ({"link": "https://riverbend.example.org/budget-2026.pdf"},
                  "The information is published already", "budget-2026.pdf"),
    "provided": ({"link": "https://files.riverbend.example.org/d/42", "note": "Three files."},
                 "The information is provided", "Three files."),
    "partly": ({"provided": "The minutes of May.", "withheld": "June: names of bidders.",
                "ground": "third_party"}, "The information is partly provided", "trade secrets"),
    "refused": ({"ground": "state_secret", "note": "Classified."}, "Disclosure is refused",
                "It is a state secret"),
    "not_exist": ({"note": "No such minutes were ever made."}, "The information does not exist",
                  "No such minutes were ever made."),
    "not_held": ({"holder": "The Water Utility"}, "The information is not held by this department",
                 "The Water Utility"),
    "repeated": ({}, "The same request was answered before", "The earlier request"),
}


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_the_journey_for_every_kind_of_answer(client, db_session, world, login, make_request, kind):
    fields, name, shown = ANSWERS[kind]
    if kind == "repeated":
        earlier = make_request(public=True)
        earlier.state, earlier.answer_type, earlier.answered_at = "answered", "provided", utcnow()
        db_session.commit()
        fields = {"earlier_code": earlier.tracking_code.lower()}
    req = make_request(public=True)
    url = f"/en/disclosure/requests/{req.tracking_code}"
    login(world["parks_staff"])
    assert "Handling the request" in page(client.get(url)).one("main").text
    # a correction: the clock stops; the requester replies; it starts again
    assert client.post(f"{url}/correction", data={"missing": "Which park?"}).status_code == 303
    db_session.expire_all()
    assert req.state == "awaiting_correction" and req.due_at is None
    assert _queue_item(db_session, req).due_at is None
    client.post("/en/account/logout")
    login(world["requester"])
    doc = page(client.get(url))
    assert "Which park?" in doc.by_id("reply").text
    assert client.post(f"{url}/reply", data={"text": "The Stone Bridge park."}).status_code == 303
    db_session.expire_all()
    assert req.state == "received" and req.due_at is not None and req.deadline_explanation["restarted"]
    client.post("/en/account/logout")
    login(world["parks_staff"])
    # extend once, pause and resume, then answer
    assert client.post(f"{url}/extend", data={"days": "5", "reason": "Archives."}).status_code == 303
    assert client.post(f"{url}/pause", data={"third_party": "The contractor"}).status_code == 303
    db_session.expire_all()
    assert req.state == "consulting" and req.due_at is None
    assert client.post(f"{url}/resume").status_code == 303
    db_session.expire_all()
    assert req.state == "received" and req.extension_days == 5
    response = client.post(f"{url}/answer", data={"answer_type": kind, **fields})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    assert req.state == "answered" and req.answer_type == kind and req.answer["on_time"]
    assert _queue_item(db_session, req).done
    assert _notes(db_session, world["requester"], "disclosure.answered") == 1
    kinds = list(db_session.scalars(select(DisclosureEvent.kind).where(DisclosureEvent.request_id == req.id)
                                    .order_by(DisclosureEvent.id)))
    assert kinds == ["received", "correction_requested", "corrected", "extended", "paused", "resumed",
                     "answered"]
    # the public sees the answer and the whole timeline, nobody named, no form, no cookie
    public = client.application.test_client().get(url)
    assert public.status_code == 200 and "Set-Cookie" not in public.headers
    assert public.headers["Cache-Control"].startswith("public") and public.headers.get("ETag")
    doc = page(public)
    main = doc.one("main").text
    assert name in main and shown in main
    assert f"Answered: {name} (the department)" in main and "(the requester)" in main
    html = public.get_data(as_text=True)
    assert "Rita" not in html and "rita@example.org" not in html
    assert "The Stone Bridge park." not in main  # what the requester wrote back stays theirs
    assert "A school project" not in main and doc.find("form", method="post") is None


def test_a_second_extension_is_refused_beside_the_field(client, db_session, world, login, make_request):
    req = make_request()
    url = f"/en/disclosure/requests/{req.tracking_code}"
    login(world["parks_staff"])
    assert client.post(f"{url}/extend", data={"days": "20", "reason": "Archives."}).status_code == 303
    again = client.post(f"{url}/extend", data={"days": "3", "reason": "More archives."})
    assert again.status_code == 422
    assert "can be extended only once" in _field_error(again, "days")
    assert "More archives." in page(again).one("textarea", id="reason").text
    db_session.expire_all()
    assert req.extension_days == 20


@pytest.mark.parametrize(("path", "data", "field", "message"), [
    ("extend", {"days": "99999999999999999999", "reason": "x"}, "days", "Enter a smaller number."),
    ("extend", {"days": "21", "reason": "x"}, "days", "from 1 to 20"),
    ("extend", {"days": "0", "reason": "x"}, "days", "from 1 to 20"),
    ("extend", {"days": "two", "reason": "x"}, "days", "Enter a whole number."),
    ("extend", {"days": "3", "reason": ""}, "reason", "Give the reason for the extension."),
    ("extend", {"days": "3", "reason": "a\x07b"}, "reason", "Remove the invisible control characters"),
    ("correction", {"missing": ""}, "missing", "Say what is missing or unclear."),
    ("correction", {"missing": "m" * 5001}, "missing", "Enter at most 5000 characters."),
    ("pause", {"third_party": ""}, "third_party", "Say whom you consult"),
    ("pause", {"third_party": "a\nb"}, "third_party", "Remove the invisible control characters"),
    ("answer", {"answer_type": "bribe"}, "answer_type", "Choose the kind of answer."),
    ("answer", {}, "answer_type", "Choose the kind of answer."),
    ("answer", {"answer_type": "published"}, "link", "Enter the link"),
    ("answer", {"answer_type": "provided"}, "link", "Enter the link"),
    ("answer", {"answer_type": "published", "link": "javascript:alert(1)"}, "link", "Enter a full link"),
    ("answer", {"answer_type": "provided", "link": "x" * 501}, "link", "Enter at most 500 characters."),
    ("answer", {"answer_type": "partly", "withheld": "w", "ground": "third_party"}, "provided",
     "Say what information is provided."),
    ("answer", {"answer_type": "partly", "provided": "p", "ground": "third_party"}, "withheld",
     "Say what is withheld, and why."),
    ("answer", {"answer_type": "partly", "provided": "p", "withheld": "w"}, "ground",
     "Choose the legal ground."),
    ("answer", {"answer_type": "refused", "ground": "because"}, "ground", "Choose the legal ground."),
    ("answer", {"answer_type": "not_held"}, "holder", "Name who holds the information."),
    ("answer", {"answer_type": "repeated"}, "earlier_code", "Enter the code of an earlier"),
    ("answer", {"answer_type": "repeated", "earlier_code": "D-2026-999999"}, "earlier_code",
     "Enter the code of an earlier"),
    ("answer", {"answer_type": "not_exist", "note": "n\x00"}, "note", "Remove the invisible control"),
])
def test_bad_staff_input_is_shown_beside_the_field(client, db_session, world, login, make_request, path,
                                                  data, field, message):
    req = make_request()
    login(world["parks_staff"])
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/{path}", data=data)
    assert response.status_code == 422
    assert message in _field_error(response, field)
    db_session.expire_all()
    assert req.state == "received" and req.extension_days == 0


def test_a_repeated_request_must_be_the_same_requesters(client, db_session, world, login, make_request):
    from portal.transparency.services import AskData

    with client.application.test_request_context("/en/"):
        foreign = svc.ask(db_session, world["other"], AskData("Other", "", "online", True,
                                                               world["parks"].id, "en"))
    foreign.state = "answered"
    db_session.commit()
    req = make_request()
    login(world["parks_staff"])
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/answer",
                           data={"answer_type": "repeated", "earlier_code": foreign.tracking_code})
    assert response.status_code == 422


def test_a_refused_answer_only_offers_the_configured_grounds(client, world, login, make_request, app,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "DISCLOSURE_REFUSAL_GROUNDS", ("state_secret",))
    monkeypatch.setitem(app.config, "DISCLOSURE_ANSWER_TYPES", ("provided", "refused"))
    req = make_request()
    login(world["parks_staff"])
    doc = page(client.get(f"/en/disclosure/requests/{req.tracking_code}"))
    assert [o.get("value") for o in doc.one("select", id="ground").find_all("option")] == ["", "state_secret"]
    assert [i.get("value") for i in doc.find_all("input", name="answer_type")] == ["provided", "refused"]
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/answer",
                           data={"answer_type": "refused", "ground": "security"})
    assert "Choose the legal ground." in _field_error(response, "ground")
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/answer",
                           data={"answer_type": "not_exist"})
    assert "Choose the kind of answer." in _field_error(response, "answer_type")


def test_a_step_that_does_not_fit_the_state_is_refused_clearly(client, db_session, world, login,
                                                              make_request):
    req = make_request()
    url = f"/en/disclosure/requests/{req.tracking_code}"
    login(world["parks_staff"])
    resumed = client.post(f"{url}/resume", follow_redirects=True)
    assert "This cannot be done now" in page(resumed).one("main").text
    client.post(f"{url}/correction", data={"missing": "Which?"})
    again = client.post(f"{url}/answer", data={"answer_type": "not_exist"})
    assert again.status_code == 422 and "This cannot be done now" in page(again).one("main").text


# --- the permission matrix ------------------------------------------------------------------

PEOPLE = ("anonymous", "other", "requester", "roads_staff", "parks_staff", "admin", "moderator")
# what each reader gets from a private and a public request's page
SEES = {"anonymous": (404, 200), "other": (404, 200), "requester": (200, 200),
        "roads_staff": (404, 200), "parks_staff": (200, 200), "admin": (200, 200),
        "moderator": (200, 200)}
STAFF_STEPS = {"correction": {"missing": "Which?"}, "extend": {"days": "2", "reason": "r"},
               "pause": {"third_party": "A company"}, "answer": {"answer_type": "not_exist"}}


def _as(client, login, world, who):
    if who != "anonymous":
        login(world[who])


@pytest.mark.parametrize("public", [False, True], ids=["private", "public"])
@pytest.mark.parametrize("who", PEOPLE)
def test_who_sees_a_request(client, world, login, make_request, who, public):
    req = make_request(public=public)
    _as(client, login, world, who)
    response = client.get(f"/en/disclosure/requests/{req.tracking_code}")
    assert response.status_code == SEES[who][public]
    if response.status_code == 200:
        text = response.get_data(as_text=True)
        forms = page(response).find_all("form", method="post")
        actions = {f.get("action").rsplit("/", 1)[-1] for f in forms}
        if who in ("parks_staff", "admin"):
            assert {"answer", "correction", "extend", "pause"} <= actions
        else:
            assert not actions & set(STAFF_STEPS)
        assert ("Delivery" in text) == (who in ("requester", "parks_staff", "admin"))
        if who in ("parks_staff", "admin"):  # the department needs to know whom to answer
            assert "Rita Requester" in text and "rita@example.org" in text
        elif who != "requester":  # nobody else is shown who asked
            assert "Rita" not in text and "rita@example.org" not in text
    received = client.get(f"/en/disclosure/requests/{req.tracking_code}/received")
    expected = 200 if who == "requester" else 302 if who == "anonymous" else 404 if SEES[who][public] == 404 \
        else 403
    assert received.status_code == expected


@pytest.mark.parametrize("public", [False, True], ids=["private", "public"])
@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("step", [*STAFF_STEPS, "resume"])
def test_who_may_handle_a_request(client, db_session, world, login, make_request, who, public, step):
    req = make_request(public=public)
    if step == "resume":
        with client.application.test_request_context("/en/"):
            svc.pause(db_session, world["parks_staff"], req, "A company")
    _as(client, login, world, who)
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/{step}",
                           data=STAFF_STEPS.get(step, {}))
    expected = {"anonymous": 302, "parks_staff": 303, "admin": 303, "requester": 403,
                "moderator": 403}.get(who, 404 if not public else 403)
    assert response.status_code == expected
    steps = db_session.scalar(select(func.count()).select_from(DisclosureEvent).where(
        DisclosureEvent.request_id == req.id))
    assert steps == (2 if step == "resume" else 1) + (expected == 303)


@pytest.mark.parametrize("public", [False, True], ids=["private", "public"])
@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_requester_sends_the_correction(client, db_session, world, login, make_request, who,
                                                 public):
    req = make_request(public=public)
    with client.application.test_request_context("/en/"):
        svc.ask_correction(db_session, world["parks_staff"], req, "Which?")
    _as(client, login, world, who)
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/reply", data={"text": "This one."})
    expected = {"anonymous": 302, "requester": 303}.get(who, 404 if SEES[who][public] == 404 else 403)
    assert response.status_code == expected
    db_session.expire_all()
    assert (req.state == "received") == (expected == 303)


def test_a_malformed_code_is_not_found(client, world, login):
    login(world["admin"])
    for code in ("nothing", "D-2026-" + "9" * 30, "D-2026-000001x"):
        assert client.get(f"/en/disclosure/requests/{code}").status_code == 404
        assert client.post(f"/en/disclosure/requests/{code}/answer", data={}).status_code == 404


def test_your_disclosure_requests_lists_only_yours(client, world, login, make_request, db_session):
    mine = make_request()
    with client.application.test_request_context("/en/"):
        theirs = svc.ask(db_session, world["other"], svc.AskData("Not yours", "", "online", False,
                                                                 world["parks"].id, "en"))
    login(world["requester"])
    text = page(client.get("/en/disclosure/mine")).one("main").text
    assert mine.tracking_code in text and theirs.tracking_code not in text


def test_the_index_lists_public_requests_only(client, make_request):
    public, private = make_request(public=True), make_request(public=False)
    response = client.get("/en/disclosure")
    assert "Set-Cookie" not in response.headers  # cacheable: its search form has no token
    assert response.headers["Cache-Control"].startswith("public")
    text = page(response).one("main").text
    assert public.tracking_code in text and private.tracking_code not in text
    assert "within 20 working days" in text


def test_the_index_searches_public_requests_and_their_answers(app, client, db_session, world,
                                                              make_request):
    found = make_request(public=True, description="Tender documents for the lighthouse repaint.")
    hidden = make_request(public=False, description="Tender documents for the lighthouse roof.")
    text = page(client.get("/en/disclosure?q=lighthouse")).one("main").text
    assert found.tracking_code in text and hidden.tracking_code not in text
    nothing = page(client.get("/en/disclosure?q=zeppelin")).one("main").text
    assert "No public request has these words." in nothing
    with app.test_request_context("/en/"):
        svc.answer(db_session, world["parks_staff"], found,
                   svc.AnswerData("not_held", holder="Harbour Authority"))
    assert found.tracking_code in page(client.get("/en/disclosure?q=harbour")).one("main").text
    bad = client.get("/en/disclosure?q=" + "x" * 201)
    assert bad.status_code == 200 and "Enter at most 200 characters." in _field_error(bad, "q")


# --- overdue requests -----------------------------------------------------------------------

def test_an_overdue_request_is_flagged_and_the_dispatcher_told_once(app, db_session, world, make_request):
    req = make_request(now=utcnow() - timedelta(days=60))
    assert req.due_at < utcnow()
    with app.test_request_context("/en/"):
        assert svc.check_deadlines(db_session) == 1
        assert svc.check_deadlines(db_session) == 0
    assert req.overdue and _queue_item(db_session, req).overdue
    assert _notes(db_session, world["dispatcher"], "disclosure.overdue") == 1
    assert _notes(db_session, world["roads_staff"], "disclosure.overdue") == 0
    # an extension that moves the deadline past today clears the flag
    with app.test_request_context("/en/"):
        svc.extend(db_session, world["parks_staff"], req, 20, "Archives.")
    assert (req.due_at > utcnow()) == (not req.overdue)


def test_a_paused_or_answered_request_is_not_overdue(app, db_session, world, make_request):
    paused = make_request(now=utcnow() - timedelta(days=60))
    with app.test_request_context("/en/"):
        svc.pause(db_session, world["parks_staff"], paused, "A company")
        assert svc.check_deadlines(db_session) == 0


def test_the_task_runs_the_check(app, db_session, make_request):
    from portal.transparency import tasks

    make_request(now=utcnow() - timedelta(days=60))
    with app.test_request_context("/en/"):
        assert tasks.check_deadlines.run() == 1


def test_the_beat_schedule_checks_disclosure_deadlines(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["check-disclosure-deadlines"]["task"] == "portal.transparency.tasks.check_deadlines"


# --- query counts ---------------------------------------------------------------------------

@contextmanager
def count_queries():
    from portal.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_the_queue_reads_disclosure_rows_in_constant_queries(client, db_session, world, login, make_request):
    login(world["parks_staff"])
    counts = []
    for more in (2, 8):
        for _ in range(more):
            make_request()
        client.get("/en/staff/queue")
        with count_queries() as statements:
            assert client.get("/en/staff/queue").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("who", ["anonymous", "requester", "parks_staff"])
def test_the_request_page_reads_in_constant_queries(app, client, db_session, world, login, make_request, who):
    req = make_request(public=True)
    _as(client, login, world, who)
    url = f"/en/disclosure/requests/{req.tracking_code}"
    counts = []
    for steps in (1, 6):
        with app.test_request_context("/en/"):
            for _ in range(steps):
                svc.pause(db_session, world["parks_staff"], req, "A company")
                svc.resume(db_session, world["parks_staff"], req)
        client.get(url)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
