"""Meetings: a host schedules one, members register until it is full, the waiting list and its
promotion, the reminder (once), attendance, minutes and decisions linked to a proposal, the
calendar files; who may do what; hostile input; query counts."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from portal.core.models import OutboxMessage, utcnow
from portal.core.notifications import Notification
from portal.deliberation import meetings as svc
from portal.deliberation import proposals, services
from portal.deliberation.models import (
    HallEvent,
    Meeting,
    MeetingAgendaItem,
    MeetingDecision,
    MeetingRegistration,
)
from tests.functional.support import QueryCounter, page

OLD = utcnow() - timedelta(days=30)


def _local(moment) -> str:
    """A UTC moment as a ``datetime-local`` value (the tests' city is on UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    host = factories.user(roles=["staff"], display_name="Hana Host", created_at=OLD)
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", policy="open",
        names={"en": "The forum"}, purposes={"en": "For the city."}))
    members = [factories.user(display_name=n, created_at=OLD) for n in ("Ann", "Ben", "Cy", "Dee")]
    for person in members:
        services.join(db_session, person, hall)
    proposal = proposals.create_proposal(db_session, members[0], hall, proposals.ProposalData(
        title="Benches by the river", body="Benches, please.", area_id=city.id, category_id=None,
        source_locale="en"), publish=True)
    return {"hall": hall, "host": host, "members": members, "proposal": proposal, "city": city,
            "outsider": factories.user(display_name="Out", created_at=OLD),
            "admin": factories.user(roles=["administrator"], created_at=OLD),
            "staff": factories.user(roles=["staff"], created_at=OLD)}


def _data(**over) -> svc.MeetingData:
    start = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    values = {"title": "Budget evening", "description": "Where the money goes.\nBring questions.",
              "source_locale": "en", "starts_at": start, "ends_at": start + timedelta(hours=2),
              "format": "hybrid", "address": "Town hall, room 2",
              "online_url": "https://meet.example.org/forum", "capacity": 2}
    values.update(over)
    return svc.MeetingData(**values)


def _form(**over) -> dict:
    start = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    values = {"title": "Budget evening", "description": "Where the money goes.", "source_locale": "en",
              "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=2)),
              "format": "hybrid", "address": "Town hall, room 2",
              "online_url": "https://meet.example.org/forum", "capacity": "2", "registration_open": "y"}
    values.update(over)
    return values


def _meeting(db_session, world, **over) -> Meeting:
    return svc.schedule(db_session, world["host"], world["hall"], _data(**over))


def _fresh(db_session, meeting) -> Meeting:
    db_session.expire_all()
    return db_session.get(Meeting, meeting.id)


def _url(meeting) -> str:
    return f"/en/halls/forum/meetings/{meeting.id}"


def _start_now(db_session, meeting, hours_ago: float = 1) -> None:
    meeting = _fresh(db_session, meeting)
    meeting.starts_at = utcnow() - timedelta(hours=hours_ago)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db_session.commit()


def _notes(db_session, user, key) -> int:
    return db_session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.key == key))


def test_the_whole_journey(client, world, login, db_session):
    ann, ben, cy, dee = world["members"]
    # A host schedules a meeting from the hall's page.
    login(world["host"])
    assert "Schedule a meeting" in client.get("/en/halls/forum").get_data(as_text=True)
    response = client.post("/en/halls/forum/meetings/new", data=_form())
    assert response.status_code == 303, page(response).text[:500]
    meeting = db_session.scalar(select(Meeting).where(Meeting.title == "Budget evening"))
    assert response.headers["Location"].endswith(_url(meeting))
    assert meeting.capacity == 2 and meeting.format == "hybrid"
    # the agenda: two items, one about the proposal; reordered
    client.post(_url(meeting) + "/agenda", data={"title": "Welcome", "duration_minutes": "10"})
    client.post(_url(meeting) + "/agenda", data={"title": "The benches",
                                                 "proposal_id": str(world["proposal"].id)})
    items = svc.agenda(db_session, meeting)
    assert [i.title for i in items] == ["Welcome", "The benches"]
    assert client.post(f"{_url(meeting)}/agenda/{items[1].id}/move/up").status_code == 303
    db_session.expire_all()
    assert [i.title for i in svc.agenda(db_session, meeting)] == ["The benches", "Welcome"]
    client.post("/en/account/logout")

    # Members register until it is full; the third joins the waiting list.
    codes = {}
    for person in (ann, ben, cy):
        login(person)
        response = client.post(_url(meeting) + "/register")
        assert response.status_code == 303
        doc = page(client.get(_url(meeting)))
        registration = db_session.scalar(select(MeetingRegistration).where(
            MeetingRegistration.user_id == person.id))
        codes[person.id] = registration
        assert registration.code in doc.text
        client.post("/en/account/logout")
    assert [codes[p.id].state for p in (ann, ben, cy)] == ["registered", "registered", "waiting"]
    login(cy)
    text = page(client.get(_url(meeting))).text
    assert "On the waiting list" in text and "number 1 on the waiting list" in text
    assert "meet.example.org" not in text  # the link is for registered people
    client.post("/en/account/logout")
    login(dee)
    client.post(_url(meeting) + "/register")
    assert "number 2 on the waiting list" in page(client.get(_url(meeting))).text
    client.post("/en/account/logout")
    meeting = _fresh(db_session, meeting)
    assert (meeting.registered_count, meeting.waiting_count) == (2, 2)

    # Ben cancels: Cy, first on the list, gets the place and a notification.
    login(ben)
    assert "meet.example.org/forum" in page(client.get(_url(meeting))).text
    assert client.post(_url(meeting) + "/unregister").status_code == 303
    client.post("/en/account/logout")
    db_session.expire_all()
    assert db_session.get(MeetingRegistration, codes[cy.id].id).state == "registered"
    assert _notes(db_session, cy, "meeting.promoted") == 1
    assert _notes(db_session, dee, "meeting.promoted") == 0
    login(dee)
    assert "number 1 on the waiting list" in page(client.get(_url(meeting))).text
    client.post("/en/account/logout")

    # The reminder, a day before: once, to registered people only, by mail too.
    meeting = _fresh(db_session, meeting)
    meeting.starts_at = utcnow() + timedelta(hours=20)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db_session.commit()
    mails = db_session.scalar(select(func.count()).select_from(OutboxMessage))
    from portal.deliberation.meeting_tasks import send_meeting_reminders

    assert send_meeting_reminders() == 1
    assert send_meeting_reminders() == 0
    assert svc.send_reminders(db_session) == 0
    for person, wanted in ((ann, 1), (cy, 1), (ben, 0), (dee, 0)):
        assert _notes(db_session, person, "meeting.reminder") == wanted
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == mails + 2

    # After the meeting: attendance, minutes, a decision about the proposal.
    _start_now(db_session, meeting, hours_ago=3)
    login(world["host"])
    manage = page(client.get(_url(meeting) + "/manage"))
    assert manage.find("input", id=f"attended-{codes[ann.id].id}") is not None
    assert client.post(_url(meeting) + "/attendance",
                       data={"attended": [str(codes[ann.id].id), "999999"]}).status_code == 303
    response = client.post(_url(meeting) + "/minutes", data={"minutes": "Ann opened.\nWe agreed."})
    assert response.status_code == 303
    response = client.post(_url(meeting) + "/decisions", data={
        "text": "Three benches this spring.", "proposal_id": str(world["proposal"].id)})
    assert response.status_code == 303
    client.post("/en/account/logout")
    meeting = _fresh(db_session, meeting)
    assert meeting.attended_count == 1 and meeting.minutes_published_at is not None
    kinds = list(db_session.scalars(select(HallEvent.kind).where(HallEvent.hall_id == world["hall"].id)))
    assert {"meeting_scheduled", "meeting_held", "meeting_decided"} <= set(kinds)

    # Everybody reads the minutes, the decision and, on the proposal, "decided in a meeting".
    doc = page(client.get(_url(meeting)))
    assert "Where the money goes." in doc.text  # the description
    assert "We agreed." in doc.text and "Three benches this spring." in doc.text
    assert "meet.example.org" not in doc.text
    proposal_page = page(client.get(f"/en/proposals/{world['proposal'].id}"))
    block = proposal_page.by_id("meeting-decisions-heading").parent
    assert "Budget evening" in block.text and "Three benches this spring." in block.text
    hall_page = page(client.get("/en/halls/forum")).text
    assert "A meeting was held; its minutes are published" in hall_page
    assert "Budget evening" in hall_page


def test_calendar_files_parse_back(client, world, db_session):
    meeting = _meeting(db_session, world, title="Budget; evening, with \\ commas",
                       description="Line one\nLine two " + "long " * 40)
    svc.add_item(db_session, world["host"], world["hall"], meeting, "Welcome", 10)
    cancelled = _meeting(db_session, world, title="Picnic")
    svc.cancel_meeting(db_session, world["host"], world["hall"], cancelled, "Rain all day.")

    response = client.get(f"{_url(meeting)}.ics", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "Set-Cookie" not in response.headers and "public" in response.headers["Cache-Control"]
    body = response.get_data()
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded
    calendar = icalendar.Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Budget; evening, with \\ commas"
    assert event.decoded("DTSTART").replace(tzinfo=None) == _fresh(db_session, meeting).starts_at
    assert "Welcome" in str(event["DESCRIPTION"]) and "Line two" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://localhost{_url(meeting)}"
    assert "evil.example" not in body.decode()
    assert "meet.example.org" not in body.decode()  # the link is for registered people
    assert str(event["STATUS"]) == "CONFIRMED"

    feed = client.get("/en/halls/forum/meetings.ics")
    assert feed.status_code == 200 and "public" in feed.headers["Cache-Control"]
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(feed.get_data()).walk("VEVENT")}
    assert set(events) == {"Budget; evening, with \\ commas", "Picnic"}
    assert str(events["Picnic"]["STATUS"]) == "CANCELLED"
    assert int(events["Picnic"]["SEQUENCE"]) >= 1
    assert client.get("/en/halls/nowhere/meetings.ics").status_code == 404
    assert client.get("/en/halls/forum/meetings/99999999999.ics").status_code == 404


def test_cancelling_tells_everyone_registered(client, world, login, db_session):
    ann, ben, cy, _dee = world["members"]
    meeting = _meeting(db_session, world, capacity=1)
    for person in (ann, ben):
        svc.register(db_session, person, world["hall"], meeting)
    login(world["host"])
    assert client.post(_url(meeting) + "/cancel", data={"reason": ""}).status_code == 422
    response = client.post(_url(meeting) + "/cancel", data={"reason": "The hall is flooded."})
    assert response.status_code == 303
    client.post("/en/account/logout")
    for person, wanted in ((ann, 1), (ben, 1), (cy, 0)):
        assert _notes(db_session, person, "meeting.cancelled") == wanted
    doc = page(client.get(_url(meeting)))
    assert "The hall is flooded." in doc.text and "Cancelled" in doc.text
    assert "A meeting was cancelled" in page(client.get("/en/halls/forum")).text
    login(cy)
    assert client.post(_url(meeting) + "/register").status_code == 303  # refused, said on the page
    assert "This meeting is cancelled." in page(client.get(_url(meeting))).text
    assert _fresh(db_session, meeting).registered_count == 1


def test_raising_the_capacity_promotes_the_waiting_list(app, db_session, world):
    ann, ben, cy, _dee = world["members"]
    meeting = _meeting(db_session, world, capacity=1)
    for person in (ann, ben, cy):
        svc.register(db_session, person, world["hall"], meeting)
    with app.test_request_context("/en/"):
        svc.update_meeting(db_session, world["host"], world["hall"], meeting, _data(
            capacity=2, starts_at=meeting.starts_at, ends_at=meeting.ends_at))
    meeting = _fresh(db_session, meeting)
    assert (meeting.registered_count, meeting.waiting_count) == (2, 1)
    assert _notes(db_session, ben, "meeting.promoted") == 1


def test_moving_the_start_tells_registrants_and_resets_the_reminder(app, db_session, world):
    ann = world["members"][0]
    meeting = _meeting(db_session, world, starts_at=utcnow() + timedelta(hours=5),
                       ends_at=utcnow() + timedelta(hours=6))
    svc.register(db_session, ann, world["hall"], meeting)
    with app.test_request_context("/en/"):
        assert svc.send_reminders(db_session) == 1
        later = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)
        svc.update_meeting(db_session, world["host"], world["hall"], meeting,
                           _data(starts_at=later, ends_at=later + timedelta(hours=1)))
        assert _notes(db_session, ann, "meeting.changed") == 1
        assert _fresh(db_session, meeting).reminder_sent_at is None
        assert svc.send_reminders(db_session) == 0  # not within a day any more
        assert svc.send_reminders(db_session, now=later - timedelta(hours=3)) == 1
    assert _notes(db_session, ann, "meeting.reminder") == 2


def test_times_are_typed_in_the_citys_zone_and_stored_in_utc(app, client, world, login, db_session,
                                                              monkeypatch):
    from zoneinfo import ZoneInfo

    import flask_babel

    monkeypatch.setattr(flask_babel, "get_timezone", lambda: ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr("portal.deliberation.meeting_routes.get_timezone",
                        lambda: ZoneInfo("Asia/Shanghai"))
    login(world["host"])
    year = utcnow().year + 1
    response = client.post("/en/halls/forum/meetings/new", data=_form(
        starts_at=f"{year}-03-04T18:30", ends_at=f"{year}-03-04T20:00"))
    assert response.status_code == 303
    meeting = db_session.scalar(select(Meeting))
    assert (meeting.starts_at.hour, meeting.starts_at.minute) == (10, 30)  # UTC+8
    form = page(client.get(_url(meeting) + "/edit"))
    assert form.one("input", id="starts_at").get("value") == f"{year}-03-04T18:30"


@pytest.mark.parametrize("who,schedule,register,manage", [
    ("anonymous", 302, 302, 302), ("outsider", 403, 403, 403), ("member", 403, 303, 403),
    ("staff", 403, 403, 403), ("host", 200, 303, 200), ("admin", 200, 303, 200)])
def test_the_permission_matrix(client, world, login, db_session, who, schedule, register, manage):
    meeting = _meeting(db_session, world)
    person = {"member": world["members"][0], "host": world["host"]}.get(who) or world.get(who)
    if who != "anonymous":
        login(person)
    assert client.get("/en/halls/forum/meetings/new").status_code == schedule
    assert client.post("/en/halls/forum/meetings/new", data=_form(title="Other")).status_code == (
        303 if schedule == 200 else schedule)
    assert client.get(_url(meeting) + "/manage").status_code == manage
    assert client.get(_url(meeting) + "/edit").status_code == manage
    for path, data in (("/agenda", {"title": "X"}), ("/attendance", {}),
                       ("/minutes", {"minutes": "M"}), ("/decisions", {"text": "D"})):
        status = client.post(_url(meeting) + path, data=data).status_code
        assert status == (303 if manage == 200 else manage), path
    assert client.post(_url(meeting) + "/register").status_code == register
    assert client.post(_url(meeting) + "/cancel", data={"reason": "No."}).status_code == (
        303 if manage == 200 else manage)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(MeetingRegistration)) == (
        1 if register == 303 else 0)
    assert db_session.scalar(select(func.count()).select_from(MeetingAgendaItem)) == (
        1 if manage == 200 else 0)
    assert _fresh(db_session, meeting).is_cancelled == (manage == 200)
    # The page itself is everybody's.
    assert client.get(_url(meeting)).status_code == 200


def test_a_meeting_page_is_cacheable_for_anonymous_readers(client, world, db_session):
    meeting = _meeting(db_session, world)
    response = client.get(_url(meeting))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "public" in response.headers["Cache-Control"]
    doc = page(response)
    assert doc.find("form", method="post") is None
    assert "Log in to register for this meeting." in doc.text
    assert client.get("/en/halls/forum/meetings/99999999999999999999").status_code == 404
    # A hall that does not use the tool has no meetings.
    hall = world["hall"]
    hall.tools = ["debates"]
    db_session.commit()
    assert client.get(_url(meeting)).status_code == 404
    assert "Meetings" not in page(client.get("/en/halls/forum")).text


@pytest.mark.parametrize("field,value,message", [
    ("title", "Budget\x00evening", "control characters"),
    ("title", "x" * 201, "at most 200"),
    ("description", "a\x07b", "control characters"),
    ("capacity", "99999999999999999999999", "from 0 (no limit) to 100,000"),
    ("capacity", "-3", "from 0 (no limit) to 100,000"),
    ("capacity", "many", "whole number"),
    ("online_url", "javascript:alert(1)", "https://"),
    ("online_url", "ftp://files.example.org/x", "https://"),
    ("online_url", "https://", "https://"),
    ("online_url", "", "web address of the online meeting"),
    ("address", "", "where the meeting takes place"),
    ("starts_at", "tomorrow", "like"),
    ("starts_at", "99999-01-01T10:00", "like"),
    ("starts_at", "2001-01-01T10:00", "in the future"),
    ("ends_at", "2001-01-01T10:00", "after the start"),
    ("format", "teleport", "in person, online or both"),
])
def test_bad_input_is_refused_beside_the_field_keeping_what_was_typed(
        client, world, login, db_session, field, value, message):
    login(world["host"])
    response = client.post("/en/halls/forum/meetings/new", data=_form(**{field: value}))
    assert response.status_code == 422
    doc = page(response)
    error = doc.by_id(f"{field}-error")
    assert error is not None and message in error.text, doc.by_id("error-summary")
    assert doc.one("div", class_="error-summary").get("role") == "alert"
    if field in ("title", "address") and value:
        assert doc.one("input", id="title").get("value") is not None
    assert db_session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_agenda_and_decision_refuse_other_halls_proposals(client, world, login, db_session, factories):
    other = services.create_hall(db_session, world["host"], services.HallData(
        slug="other", area_id=world["city"].id, source_locale="en", names={"en": "Other"},
        purposes={"en": "Other"}))
    services.join(db_session, world["members"][1], other)
    elsewhere = proposals.create_proposal(db_session, world["members"][1], other, proposals.ProposalData(
        title="Elsewhere", body="x", area_id=world["city"].id, category_id=None, source_locale="en"),
        publish=True)
    meeting = _meeting(db_session, world)
    login(world["host"])
    for value in (str(elsewhere.id), "99999999999999999999", "abc"):
        response = client.post(_url(meeting) + "/agenda", data={"title": "X", "proposal_id": value})
        assert response.status_code in (303, 422)
    assert db_session.scalar(select(func.count()).select_from(MeetingAgendaItem).where(
        MeetingAgendaItem.proposal_id.is_not(None))) == 0
    response = client.post(_url(meeting) + "/agenda", data={"title": "X", "proposal_id": str(elsewhere.id)})
    assert response.status_code == 422 and page(response).by_id("proposal_id-error") is not None
    response = client.post(_url(meeting) + "/agenda", data={"title": "X", "duration_minutes": "999999999999"})
    assert response.status_code == 422 and page(response).by_id("duration_minutes-error") is not None
    # decisions wait for the meeting to start
    response = client.post(_url(meeting) + "/decisions", data={"text": "Early"})
    assert response.status_code == 303
    assert db_session.scalar(select(func.count()).select_from(MeetingDecision)) == 0
    _start_now(db_session, meeting)
    response = client.post(_url(meeting) + "/decisions", data={"text": "Y", "proposal_id": str(elsewhere.id)})
    assert response.status_code == 422 and page(response).by_id("proposal_id-error") is not None


def test_the_agenda_item_is_edited_and_removed(client, world, login, db_session):
    meeting = _meeting(db_session, world)
    item = svc.add_item(db_session, world["host"], world["hall"], meeting, "Welcome", 10)
    login(world["host"])
    url = f"{_url(meeting)}/agenda/{item.id}"
    assert page(client.get(url + "/edit")).one("input", id="title").get("value") == "Welcome"
    response = client.post(url + "/edit", data={"title": "Hello", "duration_minutes": "",
                                                "proposal_id": str(world["proposal"].id)})
    assert response.status_code == 303
    db_session.expire_all()
    item = db_session.get(MeetingAgendaItem, item.id)
    assert (item.title, item.duration_minutes, item.proposal_id) == ("Hello", None, world["proposal"].id)
    assert client.post(url + "/remove").status_code == 303
    assert db_session.scalar(select(func.count()).select_from(MeetingAgendaItem)) == 0


def test_registering_with_htmx_swaps_the_box_and_announces_it(client, world, login, db_session):
    meeting = _meeting(db_session, world, capacity=1)
    login(world["members"][0])
    response = client.post(_url(meeting) + "/register", headers={"HX-Request": "true"})
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("section", id="meeting-registration")
    code = db_session.scalar(select(MeetingRegistration.code))
    assert code in doc.by_id("meeting-status").text
    assert doc.by_id("meeting-status").get("hx-swap-oob") == "innerHTML"
    response = client.post(_url(meeting) + "/unregister", headers={"HX-Request": "true"})
    assert "Your registration is cancelled." in page(response).text


def test_registering_twice_keeps_one_place_and_a_closed_registration_refuses(client, world, login,
                                                                               db_session):
    ann = world["members"][0]
    meeting = _meeting(db_session, world)
    first = svc.register(db_session, ann, world["hall"], meeting)
    again = svc.register(db_session, ann, world["hall"], meeting)
    assert first.id == again.id and _fresh(db_session, meeting).registered_count == 1
    svc.unregister(db_session, ann, world["hall"], meeting)
    back = svc.register(db_session, ann, world["hall"], meeting)
    assert back.id == first.id and back.state == "registered"
    assert _fresh(db_session, meeting).registered_count == 1
    closed = _meeting(db_session, world, registration_open=False)
    from portal.core.errors import Invalid

    with pytest.raises(Invalid):
        svc.register(db_session, ann, world["hall"], closed)


def test_a_meeting_page_costs_the_same_queries_with_1_or_30_registrants(app, client, world, login,
                                                                        db_session, factories):
    from portal.extensions import db

    meetings = []
    for size in (1, 30):
        meeting = _meeting(db_session, world, title=f"Size {size}", capacity=0)
        people = [factories.user(display_name=f"P{size}-{n}", created_at=OLD) for n in range(size)]
        for person in people:
            services.join(db_session, person, world["hall"])
            svc.register(db_session, person, world["hall"], meeting)
        svc.add_item(db_session, world["host"], world["hall"], meeting, "About", None, world["proposal"].id)
        meetings.append(meeting)

    def counted(path):
        with QueryCounter(db.engine) as counter:
            assert client.get(path).status_code == 200
        return len(counter.statements)

    anonymous = [counted(_url(m)) for m in meetings]
    assert anonymous[0] == anonymous[1]
    login(world["host"])
    hosting = [counted(_url(m) + "/manage") for m in meetings]
    assert hosting[0] == hosting[1]
    page_for_host = [counted(_url(m)) for m in meetings]
    assert page_for_host[0] == page_for_host[1]


def test_the_demo_seed_has_an_upcoming_and_a_past_meeting(app, client, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
        seed(db_session)  # idempotent
    rows = list(db_session.scalars(select(Meeting)))
    assert len(rows) == 2
    upcoming = [m for m in rows if m.starts_at > utcnow()]
    past = [m for m in rows if m.ends_at < utcnow()]
    assert upcoming and upcoming[0].registered_count >= 1
    assert past and past[0].minutes_published_at is not None
    for meeting in rows:
        assert client.get(f"/ar/halls/riverbend-forum/meetings/{meeting.id}").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(MeetingDecision).where(
        MeetingDecision.proposal_id.is_not(None))) >= 1


@pytest.mark.postgres_only
def test_simultaneous_last_seat_registrations_never_exceed_the_capacity(app):
    """Eight members ask for the last two places at the same moment, each in its own session:
    two get them, six wait, and the counters match the rows."""
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from portal.core.models import User
    from portal.deliberation.models import Hall, HallMember
    from portal.extensions import db
    from portal.responsibility.models import Area

    with app.app_context():
        engine = db.engine
        with Session(engine, expire_on_commit=False) as s:
            area = Area(code="mtg-conc-area", level="city", name_i18n={"en": "C"}, source_locale="en")
            s.add(area)
            s.flush()
            people = [User(email=f"mtgconc{n}@example.org", display_name=f"M{n}", password_hash="x",
                           created_at=OLD) for n in range(9)]
            s.add_all(people)
            s.flush()
            hall = Hall(slug="mtg-conc-hall", area_id=area.id, name_i18n={"en": "C"}, tools=["meetings"])
            s.add(hall)
            s.flush()
            s.add_all([HallMember(hall_id=hall.id, user_id=p.id) for p in people])
            start = utcnow() + timedelta(days=2)
            meeting = Meeting(hall_id=hall.id, title="Full", starts_at=start,
                              ends_at=start + timedelta(hours=1), format="online",
                              online_url="https://meet.example.org/x", capacity=3, registered_count=1)
            s.add(meeting)
            s.flush()
            s.add(MeetingRegistration(meeting_id=meeting.id, user_id=people[0].id, code="M-CONC0000"))
            s.commit()
            ids = (hall.id, meeting.id, [p.id for p in people])
        try:
            barrier = threading.Barrier(8)
            errors = []

            def work(user_id):
                with app.test_request_context("/en/"), Session(engine) as s:
                    h, m, user = s.get(Hall, ids[0]), s.get(Meeting, ids[1]), s.get(User, user_id)
                    barrier.wait()
                    try:
                        svc.register(s, user, h, m)
                    except Exception as exc:  # reported below
                        errors.append(exc)

            threads = [threading.Thread(target=work, args=(uid,)) for uid in ids[2][1:]]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            with Session(engine) as s:
                m = s.get(Meeting, ids[1])
                states = list(s.scalars(select(MeetingRegistration.state)
                                        .where(MeetingRegistration.meeting_id == m.id)))
                assert states.count("registered") == m.registered_count == 3
                assert states.count("waiting") == m.waiting_count == 6

            # Three give their places back at once: the first three waiting get them, once each.
            def leave(user_id):
                with app.test_request_context("/en/"), Session(engine) as s:
                    h, m, user = s.get(Hall, ids[0]), s.get(Meeting, ids[1]), s.get(User, user_id)
                    barrier2.wait()
                    svc.unregister(s, user, h, m)

            with Session(engine) as s:
                holders = list(s.scalars(select(MeetingRegistration.user_id).where(
                    MeetingRegistration.meeting_id == ids[1], MeetingRegistration.state == "registered")))
            barrier2 = threading.Barrier(3)
            threads = [threading.Thread(target=leave, args=(uid,)) for uid in holders]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            with Session(engine) as s:
                m = s.get(Meeting, ids[1])
                states = list(s.scalars(select(MeetingRegistration.state)
                                        .where(MeetingRegistration.meeting_id == m.id)))
                assert states.count("registered") == m.registered_count == 3
                assert states.count("waiting") == m.waiting_count == 3
        finally:
            with Session(engine) as s:
                s.execute(delete(Notification).where(Notification.user_id.in_(ids[2])))
                s.execute(delete(MeetingRegistration).where(MeetingRegistration.meeting_id == ids[1]))
                s.execute(delete(Meeting).where(Meeting.id == ids[1]))
                s.execute(delete(HallEvent).where(HallEvent.hall_id == ids[0]))
                s.execute(delete(HallMember).where(HallMember.hall_id == ids[0]))
                s.execute(delete(Hall).where(Hall.id == ids[0]))
                s.execute(delete(User).where(User.id.in_(ids[2])))
                s.execute(delete(Area).where(Area.code == "mtg-conc-area"))
                s.commit()


def test_every_problem_of_the_form_is_said_at_once(client, world, login, db_session):
    login(world["host"])
    response = client.post("/en/halls/forum/meetings/new", data=_form(
        starts_at="", online_url="javascript:alert(1)", capacity="-1"))
    assert response.status_code == 422
    doc = page(response)
    assert "Enter a date and a time." in doc.by_id("starts_at-error").text
    assert "https://" in doc.by_id("online_url-error").text
    assert doc.by_id("capacity-error") is not None
    assert len(doc.by_id("starts_at-error").text.split("Enter")) == 2  # said once


@pytest.mark.postgres_only
def test_two_workers_send_a_meetings_reminder_once(app):
    """Two beat workers run the reminder at the same moment: each registered person is told once."""
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from portal.core.models import User
    from portal.deliberation.models import Hall
    from portal.extensions import db
    from portal.responsibility.models import Area

    with app.app_context():
        engine = db.engine
        with Session(engine, expire_on_commit=False) as s:
            area = Area(code="mtg-rem-area", level="city", name_i18n={"en": "C"}, source_locale="en")
            s.add(area)
            s.flush()
            people = [User(email=f"mtgrem{n}@example.org", display_name=f"R{n}", password_hash="x")
                      for n in range(3)]
            s.add_all(people)
            s.flush()
            hall = Hall(slug="mtg-rem-hall", area_id=area.id, name_i18n={"en": "C"}, tools=["meetings"])
            s.add(hall)
            s.flush()
            start = utcnow() + timedelta(hours=3)
            meeting = Meeting(hall_id=hall.id, title="Soon", starts_at=start,
                              ends_at=start + timedelta(hours=1), address="Here", registered_count=3)
            s.add(meeting)
            s.flush()
            s.add_all([MeetingRegistration(meeting_id=meeting.id, user_id=p.id, code=f"M-REM{n:05d}")
                       for n, p in enumerate(people)])
            s.commit()
            ids = (hall.id, meeting.id, [p.id for p in people])
        try:
            barrier = threading.Barrier(2)
            sent, errors = [], []

            def work():
                with app.test_request_context("/en/"), Session(engine) as s:
                    barrier.wait()
                    try:
                        sent.append(svc.send_reminders(s))
                    except Exception as exc:  # reported below
                        errors.append(exc)

            threads = [threading.Thread(target=work) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == [] and sorted(sent) == [0, 1]
            with Session(engine) as s:
                assert s.scalar(select(func.count()).select_from(Notification).where(
                    Notification.user_id.in_(ids[2]), Notification.key == "meeting.reminder")) == 3
        finally:
            with Session(engine) as s:
                s.execute(delete(Notification).where(Notification.user_id.in_(ids[2])))
                s.execute(delete(MeetingRegistration).where(MeetingRegistration.meeting_id == ids[1]))
                s.execute(delete(Meeting).where(Meeting.id == ids[1]))
                s.execute(delete(Hall).where(Hall.id == ids[0]))
                s.execute(delete(User).where(User.id.in_(ids[2])))
                s.execute(delete(Area).where(Area.code == "mtg-rem-area"))
                s.commit()


def test_the_registration_box_says_when_registration_is_closed(client, world, login, db_session):
    meeting = _meeting(db_session, world, registration_open=False)
    assert "Registration is closed." in page(client.get(_url(meeting))).text
    login(world["members"][0])
    doc = page(client.get(_url(meeting)))
    box = doc.by_id("meeting-registration")
    assert "Registration is closed." in box.text and box.find("button") is None
