"""Votes: a host creates a poll (questions and options, no JavaScript needed), members vote
once, results hidden until closing or live, the CSV; who may do what; hostile input; the
clock; query counts; a ballot counted once under concurrent submissions (PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.models import utcnow
from portal.deliberation import polls, services
from portal.deliberation.models import Ballot, BallotChoice, HallEvent, Poll, PollOption
from tests.functional.support import QueryCounter, page


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    host = factories.user(roles=["staff"], display_name="Hana Host")
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", policy="open",
        names={"en": "The forum"}, purposes={"en": "For the city."}))
    rosa, li = factories.user(display_name="Rosa Resident"), factories.user(display_name="Li Wei")
    for person in (rosa, li):
        services.join(db_session, person, hall)
    return {"hall": hall, "host": host, "rosa": rosa, "li": li,
            "outsider": factories.user(display_name="Out Sider"),
            "staff": factories.user(roles=["staff"], display_name="Other Staff"),
            "admin": factories.user(roles=["administrator"], display_name="Ada Admin")}


def _moment(delta: timedelta) -> str:
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def _form(**over) -> dict:
    data = {"title": "Which park first?", "description": "The city renews one park this year.",
            "source_locale": "en", "opens_at": _moment(timedelta(minutes=-5)),
            "closes_at": _moment(timedelta(days=7)), "results": "after_close",
            "questions-0-text": "Which park?", "questions-0-kind": "single",
            "questions-0-options-0": "Willow park", "questions-0-options-1": "Harbour park",
            "questions-0-options-2": "", "questions-1-text": "What should it have?",
            "questions-1-kind": "multiple", "questions-1-max_choices": "2",
            "questions-1-options-0": "Benches", "questions-1-options-1": "Shade",
            "questions-1-options-2": "A fountain"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _poll(db_session, world, opens=timedelta(minutes=-5), closes=timedelta(days=7), results="after_close",
          questions=None) -> Poll:
    now = utcnow()
    return polls.create_poll(db_session, world["host"], world["hall"], polls.PollData(
        title="Which park first?", description="", source_locale="en", opens_at=now + opens,
        closes_at=now + closes, results=results,
        questions=questions or [polls.QuestionData("Which park?", "single", None, ["Willow", "Harbour"]),
                                polls.QuestionData("What should it have?", "multiple", 2,
                                                   ["Benches", "Shade", "A fountain"])]))


def _options(poll) -> dict[str, int]:
    return {o.text: o.id for q in poll.questions for o in q.options}


def _url(poll, tail: str = "") -> str:
    return f"/en/halls/forum/polls/{poll.id}{tail}"


def _fresh(db_session, poll) -> Poll:
    db_session.expire_all()
    return db_session.get(Poll, poll.id)


def test_the_whole_journey(client, world, login, db_session):
    login(world["host"])
    assert "Create a poll" in client.get("/en/halls/forum").get_data(as_text=True)
    assert client.get("/en/halls/forum/polls/new").status_code == 200
    response = client.post("/en/halls/forum/polls/new", data=_form())
    assert response.status_code == 303, page(response).one("main").text[:500]
    poll = db_session.scalar(select(Poll))
    assert [q.text for q in poll.questions] == ["Which park?", "What should it have?"]
    assert [o.text for o in poll.questions[0].options] == ["Willow park", "Harbour park"]  # blank dropped
    assert poll.questions[1].max_choices == 2 and poll.state == "open"
    assert db_session.scalar(select(HallEvent.kind).where(HallEvent.kind == "poll_opened")) == "poll_opened"
    # members vote: one question answered, the other abstained on
    options = _options(poll)
    client.post("/en/account/logout")
    login(world["rosa"])
    doc = page(client.get(_url(poll)))
    assert doc.find("form", id="ballot-form") is not None
    assert "The results are published when the poll closes." in doc.one("main").text
    response = client.post(_url(poll, "/ballot"), data={
        f"q{poll.questions[0].id}": str(options["Willow park"]),
        f"q{poll.questions[1].id}": [str(options["Benches"]), str(options["Shade"])]})
    assert response.status_code == 303 and response.headers["Location"].endswith("#your-vote")
    doc = page(client.get(_url(poll)))
    assert "You voted on" in doc.one("main").text and doc.find("form", id="ballot-form") is None
    assert "Willow park" not in doc.one("section", class_="poll-ballot").text  # not what was chosen
    # a second ballot of the same person is not counted
    client.post(_url(poll, "/ballot"), data={f"q{poll.questions[0].id}": str(options["Harbour park"])})
    client.post("/en/account/logout")
    login(world["li"])
    client.post(_url(poll, "/ballot"), data={f"q{poll.questions[0].id}": str(options["Harbour park"])})
    poll = _fresh(db_session, poll)
    assert poll.ballot_count == 2
    assert db_session.scalar(select(func.count()).select_from(Ballot)) == 2
    assert db_session.scalar(select(func.count()).select_from(BallotChoice)) == 4
    # results are hidden while open, and the CSV is not there
    client.post("/en/account/logout")
    assert page(client.get(_url(poll))).find("table") is None
    assert client.get(_url(poll, "/results.csv")).status_code == 404
    # the host closes early: results are published, the timeline links them
    login(world["host"])
    assert client.post(_url(poll, "/close")).status_code == 303
    client.post("/en/account/logout")
    poll = _fresh(db_session, poll)
    assert poll.state == "closed" and poll.closed_at is not None
    doc = page(client.get(_url(poll)))
    tables = doc.find_all("table")
    assert len(tables) == 2
    first = tables[0]
    assert "Which park?" in first.one("caption").text
    rows = {tr.find("th").text.strip(): [td.text for td in tr.find_all("td")]
            for tr in first.find_all("tr")[1:]}
    assert rows["Willow park"] == ["1", "50.0%"] and rows["Harbour park"] == ["1", "50.0%"]
    assert rows["Abstained"][0] == "0"
    second = {tr.find("th").text.strip(): [td.text for td in tr.find_all("td")]
              for tr in tables[1].find_all("tr")[1:]}
    assert second["Benches"] == ["1", "100.0%"] and second["A fountain"] == ["0", "0.0%"]
    assert second["Abstained"][0] == "1"
    assert "2 ballots from 3 members of the hall: 66.7% took part." in doc.one("main").text
    hall_page = page(client.get("/en/halls/forum"))
    link = hall_page.find("a", href=f"/en/halls/forum/polls/{poll.id}#results-heading")
    assert link is not None and "A poll closed" in link.parent.text
    # the CSV: totals only, with a BOM, cacheable
    response = client.get(_url(poll, "/results.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "public" in response.headers["Cache-Control"] and "Set-Cookie" not in response.headers
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0][:4] == ["Question number", "Question", "Option", "Votes"]
    assert ["1", "Which park?", "Willow park", "1", "50.0"] in table
    assert ["2", "What should it have?", "Abstained", "1", ""] in table
    assert ["", "Ballots", "", "2", ""] in table
    assert "Rosa" not in body and "Li Wei" not in body


def test_live_results_show_while_the_poll_is_open(client, world, db_session):
    poll = _poll(db_session, world, results="live")
    polls.cast_ballot(db_session, world["rosa"], poll, {poll.questions[0].id: [_options(poll)["Willow"]]})
    doc = page(client.get(_url(poll)))
    assert "Live results" in doc.one("main").text and len(doc.find_all("table")) == 2
    assert client.get(_url(poll, "/results.csv")).status_code == 200


def test_the_clock_opens_and_closes_polls_with_timeline_entries(client, world, db_session):
    poll = _poll(db_session, world, opens=timedelta(hours=1), closes=timedelta(hours=2))
    assert poll.state == "upcoming" and polls.phase(poll) == "upcoming"
    assert "Voting opens on" in client.get(_url(poll)).get_data(as_text=True)
    assert polls.settle_due(db_session, utcnow() + timedelta(minutes=90)) == 1
    assert _fresh(db_session, poll).state == "open"
    assert polls.settle_due(db_session, utcnow() + timedelta(hours=3)) == 1
    poll = _fresh(db_session, poll)
    assert poll.state == "closed" and poll.closed_at == poll.closes_at
    assert polls.settle_due(db_session, utcnow() + timedelta(hours=4)) == 0  # once
    kinds = list(db_session.scalars(select(HallEvent.kind).where(HallEvent.kind.like("poll_%"))
                                    .order_by(HallEvent.id)))
    assert kinds == ["poll_opened", "poll_closed"]
    assert "A poll opened for voting" in client.get("/en/halls/forum").get_data(as_text=True)


def test_a_poll_past_its_close_is_closed_even_before_the_task_runs(client, world, login, db_session):
    poll = _poll(db_session, world)
    poll.closes_at = utcnow() - timedelta(seconds=1)  # the moment passed; no task ran
    db_session.commit()
    assert polls.phase(poll) == "closed"
    login(world["rosa"])
    response = client.post(_url(poll, "/ballot"),
                           data={f"q{poll.questions[0].id}": str(_options(poll)["Willow"])})
    assert response.status_code == 303
    assert "This poll is not open for voting." in client.get(_url(poll)).get_data(as_text=True)
    assert _fresh(db_session, poll).ballot_count == 0
    # the page's lazy check recorded the close and its timeline entry
    assert _fresh(db_session, poll).state == "closed"
    assert db_session.scalar(select(func.count()).select_from(HallEvent).where(
        HallEvent.kind == "poll_closed")) == 1


def test_the_hall_lists_open_upcoming_and_closed_polls(client, world, login, db_session):
    open_poll = _poll(db_session, world)
    later = _poll(db_session, world, opens=timedelta(days=1), closes=timedelta(days=2))
    later.title = "Later poll"
    done = _poll(db_session, world)
    done.title = "Done poll"
    db_session.commit()
    polls.close_early(db_session, world["host"], done)
    login(world["rosa"])
    polls.cast_ballot(db_session, world["rosa"], open_poll,
                      {open_poll.questions[0].id: [_options(open_poll)["Willow"]]})
    section = page(client.get("/en/halls/forum")).one("section", class_="hall-polls")
    headings = [h.text for h in section.find_all("h3")]
    assert headings == ["Open for voting", "Not open yet", "Closed"]
    assert "Later poll" in section.text and "Done poll" in section.text and "You voted" in section.text


def test_editing_until_it_opens(client, world, login, db_session):
    poll = _poll(db_session, world, opens=timedelta(days=1), closes=timedelta(days=2))
    login(world["host"])
    doc = page(client.get(_url(poll, "/edit")))
    assert doc.find(id="questions-1-options-2").get("value") == "A fountain"
    response = client.post(_url(poll, "/edit"), data=_form(
        title="Renamed", opens_at=_moment(timedelta(days=1)), **{"questions-1-text": None,
        "questions-1-options-0": None, "questions-1-options-1": None, "questions-1-options-2": None,
        "questions-1-max_choices": None}))
    assert response.status_code == 303
    poll = _fresh(db_session, poll)
    assert poll.title == "Renamed" and len(poll.questions) == 1 and poll.state == "upcoming"
    # open: no more editing
    poll.opens_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    assert client.get(_url(poll, "/edit")).status_code == 303
    assert client.post(_url(poll, "/edit"), data=_form(title="Sneaky")).status_code == 303
    assert _fresh(db_session, poll).title == "Renamed"


def test_add_another_option_and_question_without_javascript(client, world, login, db_session):
    login(world["host"])
    data = _form()
    response = client.post("/en/halls/forum/polls/new", data={**data, "add": "0"})
    assert response.status_code == 200
    doc = page(response)
    assert doc.find(id="questions-0-options-3") is not None  # one more row
    assert doc.find(id="title").get("value") == "Which park first?"  # what was typed is kept
    assert doc.find("div", class_="error-summary") is None
    response = client.post("/en/halls/forum/polls/new", data={**data, "add": "question"})
    doc = page(response)
    assert doc.find(id="questions-2-text") is not None and doc.find(id="questions-2-options-3") is not None
    assert db_session.scalar(select(func.count()).select_from(Poll)) == 0
    # absurd "add" values are harmless
    for value in ("99", "-1", "x" * 50, "７"):
        assert client.post("/en/halls/forum/polls/new", data={**data, "add": value}).status_code in (200, 422)


@pytest.mark.parametrize("field,value,error_id", [
    ("title", "", "title"), ("title", "x" * 201, "title"), ("title", "a\x00b", "title"),
    ("description", "x\x07", "description"), ("opens_at", "not a date", "opens_at"),
    ("opens_at", "99999-01-01T00:00", "opens_at"), ("closes_at", "0001-01-01T00:00", "closes_at"),
    ("closes_at", "2020-01-01T00:00", "closes_at"), ("results", "sometimes", "results"),
    ("questions-0-text", "", "questions-0-text"), ("questions-0-text", "q\x00", "questions-0-text"),
    ("questions-0-options-1", "Willow PARK", "questions-0-options-1"),
    ("questions-0-options-1", "", "questions-0-options-0"),
    ("questions-0-options-1", "o" * 201, "questions-0-options-1"),
    ("questions-0-kind", "ranked", "questions-0-kind"),
    ("questions-1-max_choices", "4", "questions-1-max_choices"),
    ("questions-1-max_choices", "0", "questions-1-max_choices"),
    ("questions-1-max_choices", "99999999999999999999999", "questions-1-max_choices"),
    ("questions-1-max_choices", "two", "questions-1-max_choices"),
    ("source_locale", "xx", "source_locale")])
def test_bad_input_is_refused_beside_the_field_keeping_what_was_typed(
        client, world, login, db_session, field, value, error_id):
    login(world["host"])
    response = client.post("/en/halls/forum/polls/new", data=_form(**{field: value}))
    assert response.status_code == 422
    doc = page(response)
    assert doc.find(id=f"{error_id}-error") is not None, doc.one("main").text[:800]
    summary = doc.one("div", class_="error-summary")
    assert summary.find("a") is not None and "{" not in summary.text  # no raw nested errors
    assert doc.one("title").text.startswith("Error:")
    if field != "title":
        assert doc.find(id="title").get("value") == "Which park first?"
    assert doc.find(id="questions-1-options-2").get("value") == "A fountain"
    assert db_session.scalar(select(func.count()).select_from(Poll)) == 0


def test_close_before_open_and_too_many_options(client, world, login, db_session):
    login(world["host"])
    response = client.post("/en/halls/forum/polls/new", data=_form(
        opens_at=_moment(timedelta(days=3)), closes_at=_moment(timedelta(days=2))))
    assert response.status_code == 422
    assert "The poll must close after it opens." in page(response).find(id="closes_at-error").text
    many = {f"questions-0-options-{n}": f"Option {n}" for n in range(25)}
    response = client.post("/en/halls/forum/polls/new", data=_form(**many))
    assert response.status_code in (303, 422)
    poll = db_session.scalar(select(Poll))
    assert poll is None or len(poll.questions[0].options) <= polls.OPTIONS_MAX


def test_the_city_time_zone(client, world, login, db_session, app, monkeypatch):
    monkeypatch.setattr(app.extensions["babel"], "default_timezone", "Asia/Shanghai")
    login(world["host"])
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    assert client.post("/en/halls/forum/polls/new", data=_form(
        opens_at=f"{day}T09:00", closes_at=f"{day}T21:00")).status_code == 303
    poll = db_session.scalar(select(Poll))
    assert poll.opens_at.isoformat() == f"{day}T01:00:00"  # stored in UTC (Shanghai is UTC+8)
    doc = page(client.get(_url(poll, "/edit")))
    assert doc.find(id="opens_at").get("value") == f"{day}T09:00"
    assert "Asia/Shanghai" in doc.find(id="opens_at-hint").text


@pytest.mark.parametrize("answer,message", [
    ("three", "Choose at most 2 options."),
    ("foreign", "Choose from the options of this question."), ("none", "Answer at least one question"),
    ("huge", "Choose from the options of this question.")])
def test_a_bad_ballot_is_refused_beside_the_question(client, world, login, db_session, answer, message):
    poll = _poll(db_session, world)
    other = _poll(db_session, world)
    o = _options(poll)
    q1, q2 = (f"q{q.id}" for q in poll.questions)
    data = {"three": {q2: [str(o["Benches"]), str(o["Shade"]), str(o["A fountain"])]},
            "foreign": {q1: str(_options(other)["Willow"])}, "none": {},
            "huge": {q1: "99999999999999999999999999"}}[answer]
    login(world["rosa"])
    response = client.post(_url(poll, "/ballot"), data=data)
    assert response.status_code == 422
    assert message in page(response).one("main").text
    assert _fresh(db_session, poll).ballot_count == 0


def test_the_service_refuses_two_answers_to_a_single_choice_question(db_session, world):
    poll = _poll(db_session, world)
    o = _options(poll)
    with pytest.raises(polls.Invalid) as exc:
        polls.cast_ballot(db_session, world["rosa"], poll,
                          {poll.questions[0].id: [o["Willow"], o["Harbour"]]})
    assert f"q{poll.questions[0].id}" in exc.value.errors
    with pytest.raises(polls.Forbidden):
        polls.cast_ballot(db_session, world["outsider"], poll, {poll.questions[0].id: [o["Willow"]]})


@pytest.mark.parametrize("who,create,vote,close", [
    ("anonymous", 302, 302, 302), ("outsider", 403, 403, 403), ("staff", 403, 403, 403),
    ("rosa", 403, 303, 403), ("host", 200, 303, 303), ("admin", 200, 303, 303)])
def test_the_permission_matrix(client, world, login, db_session, who, create, vote, close):
    poll = _poll(db_session, world)
    if who != "anonymous":
        login(world[who])
    assert client.get("/en/halls/forum/polls/new").status_code == create
    assert client.post("/en/halls/forum/polls/new", data=_form()).status_code == (
        303 if create == 200 else create)
    assert client.post(_url(poll, "/ballot"), data={
        f"q{poll.questions[0].id}": str(_options(poll)["Willow"])}).status_code == vote
    assert client.get(_url(poll, "/edit")).status_code in (303 if create == 200 else create,)
    assert client.post(_url(poll, "/close")).status_code == close
    poll = _fresh(db_session, poll)
    assert poll.ballot_count == (1 if vote == 303 else 0)
    assert (poll.state == "closed") == (close == 303)


def test_invited_people_do_not_vote_and_a_hall_without_votes_has_no_polls(app, client, world, login,
                                                                          db_session):
    poll = _poll(db_session, world)
    with app.test_request_context("/en/"):
        services.invite(db_session, world["host"], world["hall"], world["outsider"].email)
    login(world["outsider"])
    assert client.post(_url(poll, "/ballot"), data={}).status_code == 403
    assert "Only the hall's members vote." in client.get(_url(poll)).get_data(as_text=True)
    world["hall"].tools = ["debates"]
    db_session.commit()
    assert client.get(_url(poll)).status_code == 404
    assert client.get(_url(poll, "/results.csv")).status_code == 404
    assert "hall-polls" not in client.get("/en/halls/forum").get_data(as_text=True)


def test_the_poll_page_is_cached_for_anonymous_readers_with_no_form(client, world, db_session):
    poll = _poll(db_session, world)
    response = client.get(_url(poll))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "public" in response.headers["Cache-Control"]
    assert page(response).find("form", method="post") is None
    assert "Log in to vote" in response.get_data(as_text=True)
    assert client.get("/en/halls/forum/polls/99999999999999999999").status_code == 404
    assert client.get("/en/halls/forum/polls/999999").status_code == 404


def test_the_poll_page_and_results_cost_the_same_queries_for_any_size(app, client, world, login, db_session):
    from portal.extensions import db

    small = _poll(db_session, world, results="live")
    big = _poll(db_session, world, results="live", questions=[
        polls.QuestionData(f"Question {n}", "multiple", 3, [f"Option {n}-{m}" for m in range(12)])
        for n in range(8)])
    for poll in (small, big):
        q = poll.questions[0]
        polls.cast_ballot(db_session, world["rosa"], poll, {q.id: [q.options[0].id]})
    login(world["li"])
    counts = []
    for poll in (small, big):
        client.get(_url(poll))
        db_session.commit()
        with QueryCounter(db.engine) as counted:
            assert client.get(_url(poll)).status_code == 200
        counts.append(len(counted.statements))
    assert counts[0] == counts[1]
    csv_counts = []
    for poll in (small, big):
        with QueryCounter(db.engine) as counted:
            assert client.get(_url(poll, "/results.csv")).status_code == 200
        csv_counts.append(len(counted.statements))
    assert csv_counts[0] == csv_counts[1]


def test_poll_posts_need_the_csrf_token(client, world, app, monkeypatch, db_session, login):
    poll = _poll(db_session, world)
    login(world["rosa"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(_url(poll, "/ballot"), data={
        f"q{poll.questions[0].id}": str(_options(poll)["Willow"])}).status_code == 400
    assert _fresh(db_session, poll).ballot_count == 0


def test_the_demo_seed_has_an_open_and_a_closed_poll(app, client, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
        seed(db_session)  # idempotent
    found = list(db_session.scalars(select(Poll).order_by(Poll.id)))
    assert len(found) == 2
    assert {polls.phase(p) for p in found} == {"open", "closed"}
    closed = next(p for p in found if polls.phase(p) == "closed")
    assert closed.ballot_count > 0
    assert sum(o.vote_count for o in db_session.scalars(select(PollOption))) == db_session.scalar(
        select(func.count()).select_from(BallotChoice))
    for p in found:
        assert client.get(f"/ar/halls/riverbend-forum/polls/{p.id}").status_code == 200
    assert client.get(f"/zh-Hans/halls/riverbend-forum/polls/{closed.id}/results.csv").status_code == 200


@pytest.mark.postgres_only
def test_concurrent_ballots_of_one_person_are_counted_once(app):
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from portal.core.models import User
    from portal.deliberation.models import Hall, HallMember, PollQuestion
    from portal.extensions import db
    from portal.responsibility.models import Area

    with app.app_context():
        engine = db.engine
        with Session(engine, expire_on_commit=False) as s:
            area = Area(code="vote-area", level="city", name_i18n={"en": "V"}, source_locale="en")
            s.add(area)
            s.flush()
            people = [User(email=f"voter{n}@example.org", display_name=f"V{n}", password_hash="x")
                      for n in range(3)]
            s.add_all(people)
            s.flush()
            hall = Hall(slug="vote-hall", area_id=area.id, name_i18n={"en": "V"}, tools=["votes"],
                        member_count=3)
            s.add(hall)
            s.flush()
            s.add_all([HallMember(hall_id=hall.id, user_id=p.id) for p in people])
            now = utcnow()
            poll = Poll(hall_id=hall.id, title="V", opens_at=now - timedelta(hours=1),
                        closes_at=now + timedelta(hours=1), state="open")
            poll.questions = [PollQuestion(text="Q", kind="single", max_choices=1, options=[
                PollOption(position=0, text="A"), PollOption(position=1, text="B")])]
            s.add(poll)
            s.commit()
            ids = (poll.id, [p.id for p in people], poll.questions[0].id, poll.questions[0].options[0].id)
        try:
            barrier = threading.Barrier(12)
            errors, counted = [], []

            def work(user_id):
                with app.test_request_context("/en/"), Session(engine) as s:
                    p = s.scalar(select(Poll).where(Poll.id == ids[0]))
                    hall_ = p.hall  # noqa: F841  (loaded before the race)
                    _ = [q.options for q in p.questions]
                    user = s.get(User, user_id)
                    barrier.wait()
                    try:
                        counted.append(polls.cast_ballot(s, user, p, {ids[2]: [ids[3]]}))
                    except Exception as exc:  # reported below
                        errors.append(exc)

            # each person submits four times at once
            threads = [threading.Thread(target=work, args=(uid,)) for uid in ids[1] * 4]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            assert sorted(counted) == [False] * 9 + [True] * 3
            with Session(engine) as s:
                p = s.get(Poll, ids[0])
                assert p.ballot_count == 3 == s.scalar(select(func.count()).select_from(Ballot).where(
                    Ballot.poll_id == ids[0]))
                assert s.get(PollOption, ids[3]).vote_count == 3
                assert s.get(PollQuestion, ids[2]).answer_count == 3
                assert s.scalar(select(func.count()).select_from(BallotChoice).where(
                    BallotChoice.poll_id == ids[0])) == 3
        finally:
            with Session(engine) as s:
                s.execute(delete(Poll).where(Poll.id == ids[0]))
                s.execute(delete(HallEvent).where(
                    HallEvent.hall_id.in_(select(Hall.id).where(Hall.slug == "vote-hall"))))
                s.execute(delete(HallMember).where(HallMember.user_id.in_(ids[1])))
                s.execute(delete(Hall).where(Hall.slug == "vote-hall"))
                s.execute(delete(User).where(User.id.in_(ids[1])))
                s.execute(delete(Area).where(Area.code == "vote-area"))
                s.commit()
