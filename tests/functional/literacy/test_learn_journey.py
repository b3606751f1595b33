"""The learner's journey without JavaScript: the list, a course, each step, the quiz (wrong,
then right), completion, the certificate, and its verification by anyone."""

from __future__ import annotations

import re

from tests.conftest import csrf_token_from
from tests.functional.literacy.conftest import quiz_step, step_url
from tests.functional.support import page


class Q:
    """A question's ids, read before the app's commits expire the rows."""

    def __init__(self, question):
        self.id = question.id
        self.choices = [type("C", (), {"id": c.id})() for c in question.choices]


def questions(db_session, course) -> list[Q]:
    return [Q(q) for q in quiz_step(db_session, course).questions]


def _answer(client, course, question, choice_ids, position=3):
    html = client.get(step_url(course, position=position)).get_data(as_text=True)
    token = csrf_token_from(html)
    return client.post(f"{step_url(course, position=position)}/answer/{question.id}",
                       data={f"q{question.id}-csrf_token": token,
                             f"q{question.id}-answer": choice_ids}, follow_redirects=True)


def test_the_whole_journey_to_a_verified_certificate(app, client, db_session, course, learner,
                                                     login):
    title = course.title.text
    login(learner)
    listing = page(client.get("/en/learn/"))
    link = listing.one("a", href="/en/learn/learn-basics")
    assert link.text == title
    outline = page(client.get("/en/learn/learn-basics"))
    assert "Start" in [a.text for a in outline.find_all("a", href=step_url(course, position=1))]

    first = client.get(step_url(course, position=1))
    doc = page(first)
    assert "Step 1 of 3" in doc.one("main").text
    assert doc.one("h1").text == "Step 1"
    token = csrf_token_from(first.get_data(as_text=True))
    done = client.post(step_url(course, position=1) + "/done", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith(step_url(course, position=2))
    done = client.post(step_url(course, position=2) + "/done", data={"csrf_token": token})
    assert done.headers["Location"].endswith(step_url(course, position=3))

    q1, q2 = questions(db_session, course)
    wrong = _answer(client, course, q1, [q1.choices[1].id])
    assert wrong.status_code == 200, page(wrong).one("main").text
    text = page(wrong).by_id(f"question-{q1.id}").text
    assert "Not quite." in text and "Why answer A is right for question 1." in text
    assert "Try again" in text
    right = _answer(client, course, q1, [q1.choices[0].id])
    assert "Right." in page(right).by_id(f"question-{q1.id}").text
    last = _answer(client, course, q2, [q2.choices[0].id])
    assert page(last).find("a", href="/en/learn/learn-basics/certificate") is not None

    from portal.literacy.models import CourseProgress, QuizAnswer

    progress = db_session.query(CourseProgress).filter_by(user_id=learner.id).one()
    assert progress.completed_at is not None and progress.score == 100
    assert progress.steps_done == 3
    assert db_session.get(QuizAnswer, (learner.id, q1.id)).attempts == 2

    form = client.get("/en/learn/learn-basics/certificate")
    assert page(form).one("input", name="name").get("value") == "Lin Learner"
    issued = client.post("/en/learn/learn-basics/certificate", data={
        "csrf_token": csrf_token_from(form.get_data(as_text=True)), "name": "  Lin Q. Learner "})
    assert issued.status_code == 303
    certificate = page(client.get("/en/learn/learn-basics/certificate"))
    main = certificate.one("main").text
    assert "Lin Q. Learner" in main and "100%" in main
    code = re.search(r"\b([A-HJ-NP-Z2-9]{10})\b", main).group(1)
    assert f"{app.config['PORTAL_BASE_URL']}/en/learn/verify?code={code}" in main

    mine = page(client.get("/en/learn/mine"))
    assert mine.find("a", href="/en/learn/learn-basics/certificate") is not None

    anonymous = app.test_client()
    checked = page(anonymous.get(f"/en/learn/verify?code={code.lower()}"))
    assert "Valid: Lin Q. Learner, Course" in checked.one("main").text
    unknown = page(anonymous.get("/en/learn/verify?code=ABCDEFGHJK"))
    assert "There is no certificate with this code" in unknown.one("main").text


def test_continue_where_you_left_off(client, course, learner, login):
    login(learner)
    first = client.get(step_url(course, position=1))
    client.post(step_url(course, position=1) + "/done",
                data={"csrf_token": csrf_token_from(first.get_data(as_text=True))})
    outline = page(client.get("/en/learn/learn-basics"))
    assert "Continue where you left off" in [
        a.text for a in outline.find_all("a", href=step_url(course, position=2))]
    assert "You have done 1 of 3 steps." in outline.one("main").text
    mine = page(client.get("/en/learn/mine"))
    assert mine.find("a", href=step_url(course, position=2)) is not None
    assert "33% done" in mine.one("main").text


def test_marking_a_step_twice_counts_it_once(client, db_session, course, learner, login):
    login(learner)
    token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
    for _ in range(2):
        client.post(step_url(course) + "/done", data={"csrf_token": token})
    from portal.literacy.models import CourseProgress, StepDone

    assert db_session.query(StepDone).filter_by(user_id=learner.id).count() == 1
    assert db_session.query(CourseProgress).filter_by(user_id=learner.id).one().steps_done == 1


def test_below_the_pass_mark_the_course_is_not_complete(client, db_session, course, learner,
                                                        login):
    login(learner)
    token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
    for position in (1, 2):
        client.post(step_url(course, position=position) + "/done", data={"csrf_token": token})
    q1, q2 = questions(db_session, course)
    _answer(client, course, q1, [q1.choices[0].id])
    _answer(client, course, q2, [q2.choices[1].id])  # 50% < 70%
    from portal.literacy.models import CourseProgress

    progress = db_session.query(CourseProgress).filter_by(user_id=learner.id).one()
    assert progress.steps_done == 3 and progress.score == 50 and progress.completed_at is None
    refused = client.post("/en/learn/learn-basics/certificate", data={"csrf_token": token,
                                                                      "name": "Lin"})
    assert refused.status_code == 303
    shown = page(client.get(refused.headers["Location"])).one("main").text
    assert "Finish every step and pass the quiz" in shown
    _answer(client, course, q2, [q2.choices[0].id])  # the latest answer counts
    db_session.expire_all()
    progress = db_session.query(CourseProgress).filter_by(user_id=learner.id).one()
    assert progress.score == 100 and progress.completed_at is not None


def test_anonymous_learners_read_and_answer_without_a_cookie(client, db_session, course):
    outline = client.get("/en/learn/learn-basics")
    assert "Set-Cookie" not in outline.headers
    first = client.get(step_url(course))
    assert "Set-Cookie" not in first.headers
    doc = page(first)
    assert doc.find("form", method="post") is None or all(
        f.get("action", "").endswith("/logout") for f in doc.find_all("form", method="post"))
    assert "Log in to keep your place" in doc.one("main").text
    q1 = questions(db_session, course)[0]
    quiz = page(client.get(step_url(course, position=3)))
    form = quiz.by_id(f"question-{q1.id}").one("form")
    assert form.get("method") == "get"
    answered = client.get(step_url(course, position=3),
                          query_string={"check": q1.id, f"q{q1.id}-answer": q1.choices[1].id})
    assert "Set-Cookie" not in answered.headers
    assert "Not quite." in page(answered).by_id(f"question-{q1.id}").text
    answered = client.get(step_url(course, position=3),
                          query_string={"check": q1.id, f"q{q1.id}-answer": q1.choices[0].id})
    assert "Right." in page(answered).by_id(f"question-{q1.id}").text
    from portal.literacy.models import QuizAnswer

    assert db_session.query(QuizAnswer).count() == 0


def test_the_print_version_has_every_step_and_the_answers_at_the_end(client, course):
    doc = page(client.get("/en/learn/learn-basics/lesson-1/print"))
    text = doc.one("main").text
    assert text.index("Step 1") < text.index("Step 2") < text.index("Question 1?")
    answers = doc.by_id("answers-heading")
    assert answers is not None
    assert text.index("Question 2?") < text.index("Answers") < text.rindex("Right answer:")


def test_marking_the_quiz_done_without_answering_does_not_complete(client, db_session, course,
                                                                   learner, login):
    login(learner)
    token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
    for position in (1, 2, 3):
        client.post(step_url(course, position=position) + "/done", data={"csrf_token": token})
    from portal.literacy.models import CourseProgress

    progress = db_session.query(CourseProgress).filter_by(user_id=learner.id).one()
    assert progress.steps_done == 3 and progress.completed_at is None and progress.score == 0


def test_htmx_swaps_only_the_question(client, db_session, course, learner, login):
    q1 = questions(db_session, course)[0]
    headers = {"HX-Request": "true"}
    anonymous = client.get(step_url(course, position=3), headers=headers, query_string={
        "check": q1.id, f"q{q1.id}-answer": q1.choices[0].id, "fragment": "1"})
    body = anonymous.get_data(as_text=True)
    assert anonymous.status_code == 200 and "<html" not in body and "Right." in body
    login(learner)
    token = csrf_token_from(client.get(step_url(course, position=3)).get_data(as_text=True))
    answered = client.post(f"{step_url(course, position=3)}/answer/{q1.id}", headers=headers,
                           data={f"q{q1.id}-csrf_token": token, f"q{q1.id}-answer": q1.choices[1].id})
    body = answered.get_data(as_text=True)
    assert answered.status_code == 200 and "<html" not in body
    assert f'id="question-{q1.id}"' in body and "Not quite." in body
    refused = client.post(f"{step_url(course, position=3)}/answer/{q1.id}", headers=headers,
                          data={f"q{q1.id}-csrf_token": token})
    assert refused.status_code == 200 and "Choose an answer." in refused.get_data(as_text=True)
