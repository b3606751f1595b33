"""The staff's work on a request through its pages: the loop, returning and reassigning,
extending once, closing, reply templates, files, htmx, and the permission matrix."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from portal.feedback import services
from portal.feedback.models import Attachment, ReplyTemplate, RequestEvent
from portal.moderation.models import QueueItem
from tests.functional.moderation.support import build_world, clients
from tests.functional.support import page


@pytest.fixture
def world(db_session, factories):
    return build_world(db_session, factories)


@pytest.fixture
def client_for(app, db_session):
    return clients(app)


def url(item, action=""):
    return f"/en/staff/requests/{item.tracking_code}" + (f"/{action}" if action else "")


def kinds(db_session, item) -> list[str]:
    return list(db_session.scalars(select(RequestEvent.kind).where(RequestEvent.request_id == item.id)
                                   .order_by(RequestEvent.seq)))


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def queue_row(db_session, item) -> QueueItem:
    return db_session.scalar(select(QueueItem).where(QueueItem.item_id == item.id))


def test_the_whole_loop_through_the_staff_pages(world, client_for, db_session, app):
    resident = world.users["resident"]
    item = world.request(resident=resident)
    staff = client_for(world.users["lead_staff"])

    response = staff.get(url(item))
    assert response.status_code == 200
    tree = page(response)
    assert tree.one("h1").text.startswith(item.tracking_code)
    assert tree.find("a", href=f"/en/requests/{item.tracking_code}") is not None  # the public page
    assert resident.email in tree.text  # staff see the contact details

    response = staff.post(url(item, "acknowledge"), data={"ack-text": "We have it and will look."})
    assert response.status_code == 303 and response.headers["Location"] == url(item)
    assert "The request is acknowledged." in staff.get(response.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert item.state == "acknowledged"

    assert staff.post(url(item, "note"), data={"note-text": "Crew B knows this street."}).status_code == 303
    response = staff.post(url(item, "ask"), data={"ask-text": "Which side of the road is it?"})
    assert response.status_code == 303
    db_session.expire_all()
    assert item.state == "waiting" and item.paused_at is not None
    assert queue_row(db_session, item).done  # nothing for staff while the clock is paused

    with app.test_request_context():
        services.provide_information(db_session, resident, item, "The north side, by the school.")
    assert item.state == "in_progress" and not queue_row(db_session, item).done

    response = staff.post(url(item, "answer"), data={
        "answer-text": "We filled the hole and sealed the surface.",
        "answer-files": [(io.BytesIO(png_bytes()), "after.png")]}, content_type="multipart/form-data")
    assert response.status_code == 303
    db_session.expire_all()
    assert item.state == "answered"
    answer = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                          RequestEvent.kind == "answered"))
    photo = db_session.scalar(select(Attachment).where(Attachment.request_id == item.id))
    assert photo.event_id == answer.id and photo.content_type == "image/png"

    with app.test_request_context():
        services.respond(db_session, resident, item, resolved=False, satisfaction=2,
                         comment="It sank again after the rain.")
    assert item.state == "reopened" and item.priority
    response = staff.get("/en/staff/queue/")
    row = page(response).one("tr", id=f"queue-row-{queue_row(db_session, item).id}")
    assert "Reopened" in row.text and "Priority" in row.text

    assert staff.post(url(item, "answer"), data={
        "answer-text": "We dug it out and rebuilt the base this time."}).status_code == 303
    db_session.expire_all()
    assert item.state == "answered" and not item.priority
    with app.test_request_context():
        services.respond(db_session, resident, item, resolved=True, satisfaction=5)
    assert item.state == "closed_resolved"

    tree = page(staff.get(url(item)))
    text = tree.one("div", id="staff-work").text
    assert "Crew B knows this street." in text and "Only staff see this" in text  # internal note
    assert "It sank again after the rain." in text
    actions = tree.find_all("details", class_="staff-action")
    assert [d.get("id") for d in actions] == ["action-note"]  # only a note is left
    assert "How this deadline was worked out" in tree.by_id("staff-work").text
    assert kinds(db_session, item)[2:] == [
        "acknowledged", "note", "info_requested", "info_provided", "answered", "reopened",
        "answered", "resolved_confirmed"]
    assert services.verify(db_session, item).ok
    # the answer's photo is there for staff, and only for those who handle the request
    link = tree.find("a", href=f"{url(item)}/files/{photo.id}")
    assert link is not None
    response = staff.get(link.get("href"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.users["other_staff"]).get(link.get("href")).status_code == 403


def test_a_refused_file_keeps_the_answer_and_publishes_nothing(world, client_for, db_session):
    item = world.request()
    staff = client_for(world.users["lead_staff"])
    response = staff.post(url(item, "answer"), data={
        "answer-text": "We filled the hole and sealed the surface.",
        "answer-files": [(io.BytesIO(png_bytes()), "ok.png"),
                         (io.BytesIO(b"not really a picture"), "fake.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    tree = page(response)
    assert "fake.jpg" in tree.by_id("answer-files-field").text
    assert tree.by_id("answer-text").text == "We filled the hole and sealed the surface."
    assert "open" in tree.by_id("action-answer").attrs
    db_session.expire_all()
    assert item.state == "routed"
    assert db_session.scalar(select(Attachment.id)) is None  # the good one was not kept alone


def test_return_to_the_dispatcher_who_reassigns(world, client_for, db_session):
    item = world.request()
    lead = client_for(world.users["lead_staff"])
    response = lead.post(url(item, "return"), data={"return-reason": ""})
    assert response.status_code == 422
    assert "Say why" in page(response).by_id("return-reason-field").text

    response = lead.post(url(item, "return"), data={"return-reason": "This is a private road."})
    assert response.status_code == 303
    db_session.expire_all()
    assert item.state == "returned" and item.lead_department.code == "dispatch"
    assert lead.get(url(item)).status_code == 403  # not theirs any more

    dispatcher = client_for(world.users["dispatcher"])
    response = dispatcher.get("/en/staff/queue/")
    assert item.tracking_code in response.get_data(as_text=True)
    tree = page(dispatcher.get(url(item)))
    assert tree.by_id("action-reassign") is not None and tree.by_id("action-return") is None
    assert "This is a private road." in tree.text

    water = world.departments["water"]
    response = dispatcher.post(url(item, "reassign"), data={"reassign-department": "",
                                                             "reassign-reason": "Water mains."})
    assert response.status_code == 422
    assert 'Water mains.' in page(response).by_id("reassign-reason").text  # kept
    response = dispatcher.post(url(item, "reassign"), data={
        "reassign-department": water.id, "reassign-reason": "The water utility owns this pipe."})
    assert response.status_code == 303
    db_session.expire_all()
    assert item.state == "routed" and item.lead_department_id == water.id
    assert item.tracking_code in client_for(world.users["other_staff"]).get(
        "/en/staff/queue/").get_data(as_text=True)
    assert item.tracking_code not in dispatcher.get("/en/staff/queue/").get_data(as_text=True)


def test_extend_once_only(world, client_for, db_session):
    item = world.request(state="in_progress")
    due = item.resolve_due_at
    staff = client_for(world.users["lead_staff"])
    response = staff.post(url(item, "extend"),
                          data={"extend-days": "31", "extend-reason": "Asphalt is late."})
    assert response.status_code == 422
    tree = page(response)
    assert "1 to 30" in tree.by_id("extend-days-field").text
    assert tree.by_id("extend-reason").text == "Asphalt is late."  # what was typed is kept
    assert "open" in tree.by_id("action-extend").attrs

    response = staff.post(url(item, "extend"),
                          data={"extend-days": "5", "extend-reason": "Asphalt is late."})
    assert response.status_code == 303
    db_session.expire_all()
    assert item.extended and item.resolve_due_at > due and item.extension_reason == "Asphalt is late."
    tree = page(staff.get(url(item)))
    assert tree.by_id("action-extend") is None  # no second extension offered
    assert "Asphalt is late." in tree.by_id("staff-work").text

    response = staff.post(url(item, "extend"), data={"extend-days": "3", "extend-reason": "Again."})
    assert response.status_code == 422
    assert "already been extended once" in page(response).by_id("extend-days-field").text


def test_close_as_duplicate_or_not_actionable(world, client_for, db_session):
    original, copy, other = world.requests(3)
    staff = client_for(world.users["lead_staff"])
    response = staff.post(url(copy, "close"), data={
        "close-ending": "closed_duplicate", "close-duplicate_of": "R-1999-999999",
        "close-reason": "Reported already."})
    assert response.status_code == 422
    tree = page(response)
    assert "R-1999-999999" in tree.by_id("close-duplicate_of-field").text
    assert tree.by_id("close-duplicate_of").get("value") == "R-1999-999999"
    assert tree.by_id("close-reason").text == "Reported already."
    assert "checked" in tree.by_id("close-ending-0").attrs

    response = staff.post(url(copy, "close"), data={
        "close-ending": "closed_duplicate", "close-duplicate_of": original.tracking_code.lower(),
        "close-reason": "Reported already."})
    assert response.status_code == 303
    db_session.expire_all()
    assert copy.state == "closed_duplicate" and copy.duplicate_of_id == original.id
    assert queue_row(db_session, copy).done

    response = staff.post(url(other, "close"), data={"close-ending": "closed_not_actionable",
                                                     "close-reason": ""})
    assert response.status_code == 422
    response = staff.post(url(other, "close"), data={
        "close-ending": "closed_not_actionable", "close-reason": "A matter between neighbours."})
    assert response.status_code == 303
    db_session.expire_all()
    assert other.state == "closed_not_actionable"


def test_assign_to_a_colleague_of_the_lead_department(world, client_for, db_session):
    item = world.request()
    staff = client_for(world.users["lead_staff"])
    options = page(staff.get(url(item))).one("select", id="assign-assignee").find_all("option")
    names = [o.text for o in options]
    assert "Colleague" in names and "Other Staff" not in names
    response = staff.post(url(item, "assign"), data={"assign-assignee": world.users["other_staff"].id})
    assert response.status_code == 422
    response = staff.post(url(item, "assign"), data={"assign-assignee": world.users["colleague"].id})
    assert response.status_code == 303
    db_session.expire_all()
    assert item.assigned_user_id == world.users["colleague"].id
    assert queue_row(db_session, item).assigned_user_id == world.users["colleague"].id
    assert staff.post(url(item, "assign"), data={"assign-assignee": ""}).status_code == 303
    db_session.expire_all()
    assert item.assigned_user_id is None


def test_htmx_actions_return_the_work_fragment(world, client_for, db_session):
    item = world.request()
    staff = client_for(world.users["lead_staff"])
    hx = {"HX-Request": "true"}
    response = staff.post(url(item, "ask"), data={"ask-text": ""}, headers=hx)
    assert response.status_code == 200  # htmx swaps 2xx only: the fragment carries the errors
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<div id="staff-work">')
    tree = page(response)
    assert tree.one("div", class_="error-summary") is not None
    assert "Write what you need to know." in tree.by_id("ask-text-field").text

    response = staff.post(url(item, "acknowledge"), data={"ack-text": ""}, headers=hx)
    assert response.status_code == 200
    tree = page(response)
    assert "The request is acknowledged." in tree.text and "Acknowledged" in tree.text
    assert tree.by_id("action-acknowledge") is None  # it is done


def test_an_action_the_state_no_longer_allows_says_why(world, client_for, db_session):
    item = world.request(state="answered")
    response = client_for(world.users["lead_staff"]).post(url(item, "acknowledge"), data={})
    assert response.status_code == 422
    assert "This cannot be done while the request is" in page(response).one(
        "div", class_="error-summary").text


def test_unknown_request_is_404_and_pending_ones_stay_reachable(world, client_for):
    staff = client_for(world.users["administrator"])
    assert staff.get("/en/staff/requests/R-1999-000001").status_code == 404
    assert staff.post("/en/staff/requests/R-1999-000001/note", data={"note-text": "x"}).status_code == 404


# --- reply templates -----------------------------------------------------------------------

def test_reply_templates_in_every_language_and_the_picker(world, client_for, db_session):
    staff = client_for(world.users["lead_staff"])
    response = staff.get("/en/staff/requests/reply-templates/new")
    tree = page(response)
    assert response.status_code == 200
    assert len(tree.find_all("fieldset", class_="locale-fieldset")) == 7
    assert tree.by_id("body_zh_Hans").get("lang") == "zh-Hans"
    assert tree.by_id("body_ar").get("dir") == "rtl"

    data = {"category": world.category.id, "source_locale": "en", "title_en": "",
            "body_en": "We have repaired the road surface.", "title_es": "Reparado", "body_es": ""}
    response = staff.post("/en/staff/requests/reply-templates/new", data=data)
    assert response.status_code == 422
    tree = page(response)
    assert tree.one("title").text.startswith("Error:")
    assert "Enter a title" in tree.by_id("title_en-field").text
    assert "Enter the text for this title." in tree.by_id("body_es-field").text
    assert tree.by_id("body_en").text == "We have repaired the road surface."
    assert tree.by_id("title_es").get("value") == "Reparado"

    data.update(title_en="Repaired", body_es="Hemos reparado la calzada.")
    response = staff.post("/en/staff/requests/reply-templates/new", data=data)
    assert response.status_code == 303
    template = db_session.scalar(select(ReplyTemplate))
    assert template.body_i18n == {"en": "We have repaired the road surface.",
                                  "es": "Hemos reparado la calzada."}
    assert "Repaired" in staff.get("/en/staff/requests/reply-templates").get_data(as_text=True)

    response = staff.post(f"/en/staff/requests/reply-templates/{template.id}", data={
        **data, "title_en": "Road repaired"})
    assert response.status_code == 303
    db_session.expire_all()
    assert template.title_i18n["en"] == "Road repaired"

    # The picker fills the answer: in the staff member's language, else the source.
    item = world.request()
    tree = page(staff.get(url(item)))
    picker = tree.one("select", id="template")
    assert [o.text for o in picker.find_all("option")][1:] == ["Road repaired"]
    tree = page(staff.get(url(item), query_string={"template": template.id}))
    assert tree.by_id("answer-text").text == "We have repaired the road surface."
    assert "open" in tree.by_id("action-answer").attrs
    tree = page(staff.get(f"/es/staff/requests/{item.tracking_code}", query_string={"template": template.id}))
    assert tree.by_id("answer-text").text == "Hemos reparado la calzada."
    response = staff.get(url(item), query_string={"template": template.id}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="answer-form">') and "<html" not in html
    assert "We have repaired the road surface." in html

    assert staff.post(f"/en/staff/requests/reply-templates/{template.id}/delete").status_code == 303
    assert db_session.scalar(select(ReplyTemplate)) is None


def test_reply_templates_are_for_staff(world, client_for):
    assert client_for(None).get("/en/staff/requests/reply-templates").status_code == 302
    for role in ("resident", "organization_member"):
        client = client_for(world.users[role])
        assert client.get("/en/staff/requests/reply-templates").status_code == 403
        assert client.post("/en/staff/requests/reply-templates/new", data={}).status_code == 403


# --- who may do what: every staff POST route × every kind of person ------------------------

ROLES = ["anonymous", "resident", "organization_member", "other_staff", "lead_staff",
         "dispatcher", "moderator", "administrator"]
ALLOWED = {"lead_staff", "moderator", "administrator"}


def action_data(world):
    return {
        "acknowledge": ({"ack-text": "Received."}, "acknowledged"),
        "start": ({"start-text": ""}, "started"),
        "ask": ({"ask-text": "Which side of the road?"}, "info_requested"),
        "answer": ({"answer-text": "The hole is filled now."}, "answered"),
        "extend": ({"extend-days": "3", "extend-reason": "Waiting for parts."}, "extended"),
        "assign": ({"assign-assignee": str(world.users["colleague"].id)}, "assigned"),
        "note": ({"note-text": "Call the contractor."}, "note"),
        "return": ({"return-reason": "A private road."}, "returned"),
        "reassign": ({"reassign-department": str(world.departments["water"].id),
                      "reassign-reason": "The water utility's pipe."}, "reassigned"),
        "close": ({"close-ending": "closed_not_actionable", "close-reason": "Not a city matter."},
                  "closed_not_actionable"),
    }


ACTIONS = ["acknowledge", "start", "ask", "answer", "extend", "assign", "note", "return",
           "reassign", "close"]


def expected(action: str, role: str) -> int:
    if role == "anonymous":
        return 302
    if action == "reassign":  # the dispatcher's job; here the request is with roads
        return 303 if role in ("moderator", "administrator") else 403
    return 303 if role in ALLOWED else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(world, client_for, db_session, action, role):
    item = world.request()
    before = kinds(db_session, item)
    data, kind = action_data(world)[action]
    client = client_for(None if role == "anonymous" else world.users[role])
    response = client.post(url(item, action), data=data)
    assert response.status_code == expected(action, role), response.get_data(as_text=True)[:300]
    after = kinds(db_session, item)
    if response.status_code == 303:
        assert after[len(before):] == [kind]
        event = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                  .order_by(RequestEvent.seq.desc()).limit(1))
        assert event.actor_id == world.users[role].id
    else:
        assert after == before  # nothing happened
    if role == "anonymous":
        assert "/en/account/login" in response.headers["Location"]


@pytest.mark.parametrize("role, status", [
    ("anonymous", 302), ("resident", 403), ("organization_member", 403), ("other_staff", 403),
    ("lead_staff", 403), ("dispatcher", 303), ("moderator", 303), ("administrator", 303)])
def test_reassigning_a_returned_request(world, client_for, db_session, role, status):
    item = world.request("dispatch", state="returned")  # "roads" sent it back
    client = client_for(None if role == "anonymous" else world.users[role])
    response = client.post(url(item, "reassign"), data={
        "reassign-department": str(world.departments["water"].id),
        "reassign-reason": "The water utility's pipe."})
    assert response.status_code == status
    db_session.expire_all()
    assert (item.lead_department_id == world.departments["water"].id) == (status == 303)


@pytest.mark.parametrize("role, status", [
    ("anonymous", 302), ("resident", 403), ("organization_member", 403), ("other_staff", 403),
    ("lead_staff", 200), ("dispatcher", 403), ("moderator", 200), ("administrator", 200)])
def test_who_may_open_the_staff_page(world, client_for, role, status):
    item = world.request()
    client = client_for(None if role == "anonymous" else world.users[role])
    assert client.get(url(item)).status_code == status


def test_staff_posts_need_the_csrf_token(world, client, db_session, app, monkeypatch):
    from tests.conftest import csrf_token_from
    from tests.factories import PASSWORD

    item = world.request()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    user = world.users["lead_staff"]
    assert client.post("/en/account/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 303
    response = client.post(url(item, "note"), data={"note-text": "No token."})
    assert response.status_code == 400  # the form had expired: nothing is written
    assert "The form had expired" in response.get_data(as_text=True)
    assert "note" not in kinds(db_session, item)
    token = page(client.get(url(item))).by_id("staff-work").find("input", name="note-csrf_token").get("value")
    assert token
    assert client.post(url(item, "note"), data={"note-text": "With a token.",
                                                "note-csrf_token": token}).status_code == 303
    assert "note" in kinds(db_session, item)



def test_the_demo_city_renders_in_every_locale(app, db_session, client_for):
    """Every staff page, on the demo data (all states, extra questions, several languages)."""
    from portal.core.i18n import LOCALES
    from portal.core.models import User
    from portal.feedback.models import Request
    from portal.seed import DEMO_PASSWORD, seed

    with app.test_request_context():
        seed(db_session)
    admin = db_session.scalar(select(User).where(User.email == "admin@riverbend.example.org"))
    client = client_for(admin, DEMO_PASSWORD)
    client.post("/en/staff/requests/reply-templates/new", data={
        "source_locale": "zh-Hans", "title_zh_Hans": "已修复", "body_zh_Hans": "路面已经修复。"})
    template = db_session.scalar(select(ReplyTemplate))
    codes = list(db_session.scalars(select(Request.tracking_code).order_by(Request.id)))
    assert len(codes) == 11  # the demo requests
    for loc in LOCALES:
        pages = [f"/{loc.code}/staff/queue/", f"/{loc.code}/staff/queue/?done=y&sort=updated",
                 f"/{loc.code}/staff/requests/reply-templates",
                 f"/{loc.code}/staff/requests/reply-templates/new",
                 f"/{loc.code}/staff/requests/reply-templates/{template.id}"]
        pages += [f"/{loc.code}/staff/requests/{code}" for code in codes]
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            tree = page(response)
            assert len(tree.find_all("h1")) == 1, path
            ids = [n.get("id") for n in tree.iter() if n.get("id")]
            assert len(ids) == len(set(ids)), (path, sorted({i for i in ids if ids.count(i) > 1}))
