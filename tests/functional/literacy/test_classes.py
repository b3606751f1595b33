"""Facilitators' classes: opening one, its code, the class page's progress figures (one query,
whatever the class's size), the CSV, closing and reopening, removing a learner; learners join
with the code and leave; who may see and do what."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.literacy import classes
from portal.literacy.models import (
    Certificate,
    ClassEnrolment,
    CourseProgress,
    LearnerClass,
)
from tests.functional.support import QueryCounter, page


@pytest.fixture
def world(db_session, factories):
    office = factories.department(en="Library")
    course = factories.course(lessons=2, steps=3, questions=2, author=office)  # 2 × (3 + 1) = 8 steps
    facilitator = factories.user(roles=["organization_member"], departments=[office],
                                 display_name="Fay Facilitator")
    other_facilitator = factories.user(roles=["staff"], display_name="Otto Other")
    learner_class = classes.create_class(db_session, facilitator, "Tuesday mornings", course.id,
                                         office.id)
    other_class = classes.create_class(db_session, other_facilitator, "Evenings", course.id, None)
    ann = factories.user(display_name="Ann Learner")
    bob = factories.user(display_name="Bob Learner")
    outsider = factories.user(display_name="Olga Outsider")
    classes.join(db_session, ann, learner_class.code)
    classes.join(db_session, bob, learner_class.code)
    classes.join(db_session, outsider, other_class.code)
    return {"office": office, "course": course, "facilitator": facilitator,
            "other_facilitator": other_facilitator, "class": learner_class, "other_class": other_class,
            "ann": ann, "bob": bob, "outsider": outsider, "resident": factories.user(),
            "admin": factories.admin()}


def _progress(session, user, course, done, score=None, completed=False, certificate=None):
    session.add(CourseProgress(user_id=user.id, course_id=course.id, steps_done=done, score=score,
                               updated_at=datetime(2026, 11, 30, 10, 0),
                               completed_at=datetime(2026, 11, 30, 10, 0) if completed else None))
    if certificate:
        session.add(Certificate(code=certificate, user_id=user.id, course_id=course.id,
                                name=user.display_name, score=score or 0))
    session.commit()


def test_a_facilitator_opens_a_class_without_javascript(client, login, world):
    login(world["facilitator"])
    doc = page(client.get("/en/learn/classes/new"))
    assert doc.find("option", value=str(world["course"].id)) is not None
    response = client.post("/en/learn/classes/new", data={
        "name": "Thursday club", "course_id": str(world["course"].id),
        "department_id": str(world["office"].id)})
    assert response.status_code == 303
    made = db.session.scalars(select(LearnerClass).where(LearnerClass.name == "Thursday club")).one()
    assert made.facilitator_id == world["facilitator"].id and made.department_id == world["office"].id
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"), ({"name": "x" * 121}, "name"), ({"name": "Tab\x07"}, "name"),
    ({"course_id": "999999"}, "course_id"), ({"course_id": "abc"}, "course_id"),
    ({"department_id": "999999"}, "department_id"),
])
def test_bad_class_input_is_shown_beside_the_field(client, login, world, data, field):
    login(world["facilitator"])
    form = {"name": "Club", "course_id": str(world["course"].id),
            "department_id": str(world["office"].id), **data}
    response = client.post("/en/learn/classes/new", data=form)
    assert response.status_code == 422
    assert page(response).by_id(f"{field}-error") is not None


def test_a_draft_course_cannot_have_a_class(db_session, world, factories):
    draft = factories.course(state="draft", author=world["office"])
    with pytest.raises(classes.Invalid):
        classes.create_class(db_session, world["facilitator"], "Club", draft.id, world["office"].id)


def test_codes_are_unguessable():
    codes = {classes.new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 8 and set(code) <= set(classes.ALPHABET) for code in codes)
    assert not set("0O1IL5S2Z") & set(classes.ALPHABET)
    assert len(classes.ALPHABET) ** 8 > 10**11


def test_the_class_page_shows_each_learners_progress(client, login, world, db_session):
    course = world["course"]
    _progress(db_session, world["ann"], course, 8, score=100, completed=True, certificate="CERT-ANN1")
    _progress(db_session, world["bob"], course, 3)
    _progress(db_session, world["outsider"], course, 5)  # in another class: not shown
    login(world["facilitator"])
    doc = page(client.get(f"/en/learn/classes/{world['class'].id}"))
    rows = {r.find("th").text: [td.text for td in r.find_all("td")]
            for r in doc.one("tbody").find_all("tr")}
    assert set(rows) == {"Ann Learner", "Bob Learner"}
    assert rows["Ann Learner"][0] == "8 of 8" and rows["Ann Learner"][2] == "100 %"
    assert rows["Ann Learner"][4] == "CERT-ANN1"
    assert rows["Bob Learner"][0] == "3 of 8" and rows["Bob Learner"][3] == "Not yet"
    assert world["class"].code in doc.one("main").text
    response = client.get(f"/en/learn/classes/{world['class'].id}/progress.csv")
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][0] == "Learner"
    assert table[1] == ["Ann Learner", "8", "8", "2026-11-30T10:00", "100", "2026-11-30", "CERT-ANN1"]
    assert table[2] == ["Bob Learner", "3", "8", "2026-11-30T10:00", "", "", ""]


def test_the_class_page_reads_progress_in_one_query(client, login, world, db_session, factories):
    login(world["facilitator"])
    url = f"/en/learn/classes/{world['class'].id}"
    client.get(url)
    with QueryCounter(db.engine) as small:
        assert client.get(url).status_code == 200
    for person in factories.users(38, prefix="crowd"):
        db_session.add(ClassEnrolment(class_id=world["class"].id, user_id=person.id))
        _progress(db_session, person, world["course"], 2, score=50)
    with QueryCounter(db.engine) as big:
        doc = page(client.get(url))
    assert len(doc.one("tbody").find_all("tr")) == 40
    assert len(big.statements) == len(small.statements)


def test_join_and_leave(client, login, world):
    login(world["resident"])
    code = world["class"].code
    response = client.post("/en/learn/join", data={"code": f" {code[:4].lower()}-{code[4:]} "})
    assert response.status_code == 303
    mine = page(client.get("/en/learn/classes/mine")).one("main").text
    assert "Tuesday mornings" in mine and "Ann Learner" not in mine  # learners never see each other
    assert client.post(f"/en/learn/classes/{world['class'].id}/leave").status_code == 303
    assert db.session.get(ClassEnrolment, (world["class"].id, world["resident"].id)) is None
    assert client.post(f"/en/learn/classes/{world['class'].id}/leave").status_code == 404


@pytest.mark.parametrize("code", ["", "ABC", "AAAAAAAA", "0O1IL5S2", "ÄÄÄÄÄÄÄÄ", "x" * 20])
def test_a_wrong_code_gets_one_translated_answer(client, login, world, code):
    login(world["resident"])
    response = client.post("/en/learn/join", data={"code": code})
    assert response.status_code == 422
    doc = page(response)
    assert "No open class has this code" in doc.by_id("code-error").text
    assert doc.one("input", name="code").get("value", "") == code


def test_a_closed_class_answers_like_a_wrong_code(client, login, world, db_session):
    classes.set_open(db_session, world["facilitator"], world["class"], False)
    login(world["resident"])
    response = client.post("/en/learn/join", data={"code": world["class"].code})
    assert response.status_code == 422 and "No open class has this code" in page(response).by_id(
        "code-error").text


def test_close_reopen_and_remove(client, login, world):
    login(world["facilitator"])
    cid = world["class"].id
    assert client.post(f"/en/learn/classes/{cid}/close").status_code == 303
    assert db.session.get(LearnerClass, cid).closed_at is not None
    client.post(f"/en/learn/classes/{cid}/reopen")
    assert db.session.get(LearnerClass, cid).closed_at is None
    assert client.post(f"/en/learn/classes/{cid}/learners/{world['ann'].id}/remove").status_code == 303
    assert db.session.get(ClassEnrolment, (cid, world["ann"].id)) is None
    assert client.post(f"/en/learn/classes/{cid}/learners/{world['outsider'].id}/remove").status_code == 404


def test_joining_is_rate_limited(make_app, db_session, factories):
    limited = make_app(RATELIMIT_ENABLED=True, LITERACY_JOIN_RATE_LIMIT="3 per minute")
    person = factories.user()
    client = limited.test_client()
    assert client.post("/en/account/login", data={"email": person.email,
                                                  "password": "correct horse battery"}).status_code == 303
    for _ in range(3):
        assert client.post("/en/learn/join", data={"code": "AAAAAAAA"}).status_code == 422
    assert client.post("/en/learn/join", data={"code": "AAAAAAAA"}).status_code == 429


# --- who may see and do what -----------------------------------------------------------------------

def _facilitator_urls(world) -> tuple[list[str], list[str]]:
    cid = world["class"].id
    gets = [f"/en/learn/classes/{cid}", f"/en/learn/classes/{cid}/progress.csv"]
    posts = [f"/en/learn/classes/{cid}/close", f"/en/learn/classes/{cid}/reopen",
             f"/en/learn/classes/{cid}/learners/{world['ann'].id}/remove"]
    return gets, posts


@pytest.mark.parametrize("who", ["resident", "outsider", "ann", "other_facilitator"])
def test_the_class_is_refused_to_others(client, login, world, who):
    login(world[who])
    gets, posts = _facilitator_urls(world)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url).status_code == 403, url
    assert db.session.get(ClassEnrolment, (world["class"].id, world["ann"].id)) is not None
    assert db.session.get(LearnerClass, world["class"].id).closed_at is None
    if who in ("resident", "outsider", "ann"):  # not facilitators at all
        assert client.get("/en/learn/classes/").status_code == 403
        assert client.get("/en/learn/classes/new").status_code == 403
        assert client.post("/en/learn/classes/new", data={"name": "X"}).status_code == 403


@pytest.mark.parametrize("who", ["facilitator", "admin"])
def test_the_facilitator_and_admins_see_the_class(client, login, world, who):
    login(world[who])
    gets, _posts = _facilitator_urls(world)
    for url in gets:
        assert client.get(url).status_code == 200, url
    listed = page(client.get("/en/learn/classes/")).one("main").text
    assert "Tuesday mornings" in listed
    assert ("Evenings" in listed) == (who == "admin")  # a facilitator sees only their own


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    gets, posts = _facilitator_urls(world)
    for url in [*gets, "/en/learn/classes/", "/en/learn/classes/new", "/en/learn/join",
                "/en/learn/classes/mine"]:
        assert client.get(url).status_code == 302, url
    for url in [*posts, "/en/learn/join", f"/en/learn/classes/{world['class'].id}/leave"]:
        assert client.post(url).status_code == 302, url


def test_the_demo_class_is_seeded_once(db_session, factories):
    from portal.literacy.manage_seed import FACILITATOR, LEARNER, seed_classes

    assert seed_classes(db_session) == 0  # no published course yet
    factories.admin(email=FACILITATOR)
    learner = factories.user(email=LEARNER)
    factories.course()
    assert seed_classes(db_session) == 1
    assert seed_classes(db_session) == 0
    (made,) = classes.my_classes(db_session, learner)
    assert made.name == "Tuesday mornings at the library"


@pytest.mark.parametrize(("who", "links"), [
    ("resident", ["Classes I take part in", "Join a class"]),
    ("facilitator", ["Manage courses", "My classes", "Classes I take part in", "Join a class"]),
    ("other_facilitator", ["My classes", "Classes I take part in", "Join a class"]),
])
def test_the_links_show_what_the_reader_may_use(client, login, world, who, links):
    login(world[who])
    nav = page(client.get("/en/learn/classes/mine")).one("nav", class_="literacy-links")
    assert [a.text for a in nav.find_all("a")] == links
