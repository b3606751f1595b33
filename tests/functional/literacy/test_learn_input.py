"""Bad input on every learner URL and POST: a 404 or a translated error beside the field,
never a 500; who may do what."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from
from tests.functional.literacy.conftest import step_url
from tests.functional.literacy.test_learn_journey import questions
from tests.functional.support import page, translated


@pytest.mark.parametrize("path", [
    "/en/learn/no-such-course",
    "/en/learn/learn-basics/no-such-lesson/1",
    "/en/learn/learn-basics/lesson-1/0",
    "/en/learn/learn-basics/lesson-1/4",
    "/en/learn/learn-basics/lesson-1/99999999999999999999",
    "/en/learn/learn-basics/lesson-1/2147483647",
    "/en/learn/learn-basics/no-such-lesson/print",
    "/en/learn/Learn-Basics",
])
def test_unknown_courses_lessons_and_steps_are_not_found(client, course, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("state", ["draft", "archived"])
def test_unpublished_courses_are_not_shown(client, factories, state):
    hidden = factories.course(state=state, slug=f"hidden-{state}")
    assert client.get(f"/en/learn/{hidden.slug}").status_code == 404
    assert client.get(step_url(hidden)).status_code == 404
    assert f"/en/learn/{hidden.slug}" not in client.get("/en/learn/").get_data(as_text=True)


@pytest.mark.parametrize("args", [
    {"level": "expert"}, {"competence": "9.9"}, {"level": "\x00"}, {"competence": "x" * 5000},
])
def test_the_catalogue_filter_refuses_bad_values_without_failing(client, course, args):
    response = client.get("/en/learn/", query_string=args)
    assert response.status_code == 200
    assert "/en/learn/learn-basics" in response.get_data(as_text=True)


def test_the_catalogue_filters_by_level_and_competence(client, factories, course):
    other = factories.course(slug="advanced-one", level="advanced", competences=["3.4"])
    assert other.id
    by_level = client.get("/en/learn/?level=advanced").get_data(as_text=True)
    assert "/en/learn/advanced-one" in by_level and "/en/learn/learn-basics" not in by_level
    by_skill = client.get("/en/learn/?competence=4.2").get_data(as_text=True)
    assert "/en/learn/learn-basics" in by_skill and "/en/learn/advanced-one" not in by_skill


def _post_answer(client, course, qid, data):
    token = csrf_token_from(client.get(step_url(course, position=3)).get_data(as_text=True))
    return client.post(f"{step_url(course, position=3)}/answer/{qid}",
                       data={f"q{qid}-csrf_token": token, **data})


@pytest.mark.parametrize("choice", ["none", "other", "huge", "text"])
def test_bad_answers_are_a_translated_error_beside_the_question(
        app, client, db_session, course, learner, login, choice):
    q1, q2 = questions(db_session, course)
    values = {"none": [], "other": [q2.choices[0].id], "huge": ["9" * 40], "text": ["abc\x00"],
              }[choice]
    login(learner)
    response = _post_answer(client, course, q1.id, {f"q{q1.id}-answer": values})
    assert response.status_code == 422
    block = page(response).by_id(f"question-{q1.id}")
    message = block.one("p", class_="error-message").text
    expected = "Choose an answer." if choice == "none" else "Choose one of the answers shown."
    assert translated(app, "en", expected) in message or "control characters" in message
    from portal.literacy.models import QuizAnswer

    assert db_session.query(QuizAnswer).count() == 0


def test_an_anonymous_bad_answer_is_an_error_too(client, db_session, course):
    q1, q2 = questions(db_session, course)
    response = client.get(step_url(course, position=3),
                          query_string={"check": q1.id, f"q{q1.id}-answer": q2.choices[0].id})
    assert response.status_code == 422
    assert page(response).by_id(f"question-{q1.id}").find("p", class_="error-message")
    assert client.get(step_url(course, position=3), query_string={
        "check": "99999999999999999999999"}).status_code == 200


def test_a_question_of_another_step_is_not_found(client, db_session, course, learner, login):
    login(learner)
    q1 = questions(db_session, course)[0]
    token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
    response = client.post(f"{step_url(course, position=1)}/answer/{q1.id}",
                           data={f"q{q1.id}-csrf_token": token, f"q{q1.id}-answer": "1"})
    assert response.status_code == 404


def _complete(client, db_session, course):
    token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
    for position in (1, 2):
        client.post(step_url(course, position=position) + "/done", data={"csrf_token": token})
    for q in questions(db_session, course):
        _post_answer(client, course, q.id, {f"q{q.id}-answer": q.choices[0].id})
    return token


@pytest.mark.parametrize(("name", "message"), [
    ("", "Enter your name as it should appear on the certificate."),
    ("   ", "Enter your name as it should appear on the certificate."),
    ("Lin\x07Learner", "Remove the invisible control characters"),
    ("L" * 121, "Enter at most 120 characters."),
])
def test_the_name_on_the_certificate_is_checked(client, db_session, course, learner, login,
                                                 name, message):
    login(learner)
    token = _complete(client, db_session, course)
    response = client.post("/en/learn/learn-basics/certificate",
                           data={"csrf_token": token, "name": name})
    assert response.status_code == 422
    doc = page(response)
    assert message in doc.by_id("name-field").text
    assert doc.one("input", name="name").get("value") == name
    from portal.literacy.models import Certificate

    assert db_session.query(Certificate).count() == 0


def test_the_certificate_is_issued_once(client, db_session, course, learner, login):
    login(learner)
    token = _complete(client, db_session, course)
    for name in ("First Name", "Second Name"):
        client.post("/en/learn/learn-basics/certificate", data={"csrf_token": token, "name": name})
    from portal.literacy.models import Certificate

    (only,) = db_session.query(Certificate).all()
    assert only.name == "First Name" and len(only.code) == 10
    assert set(only.code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def test_issuing_twice_in_the_service_gives_the_first(db_session, client, course, learner, login):
    from portal.literacy import progress, services

    login(learner)
    _complete(client, db_session, course)
    db_session.expire_all()
    found = services.get_course(db_session, "learn-basics")
    first = progress.issue_certificate(db_session, learner, found, "Lin")
    again = progress.issue_certificate(db_session, learner, found, "Someone Else")
    assert again.id == first.id and again.name == "Lin"


@pytest.mark.parametrize("code", ["", "x" * 40, "\x00", "ABCDEFGHJ0", "abcdefghjk"])
def test_verification_of_bad_codes_answers_no_certificate(client, code):
    response = client.get("/en/learn/verify", query_string={"code": code})
    assert response.status_code == 200
    assert "There is no certificate with this code" in page(response).one("main").text


def test_verification_is_rate_limited(make_app, db_session):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [client.get("/en/learn/verify?code=ABCDEFGHJK").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


@pytest.mark.parametrize("path", ["/en/learn/mine", "/en/learn/learn-basics/certificate"])
def test_personal_pages_need_an_account(client, course, path):
    response = client.get(path)
    assert response.status_code in (302, 303) and "/account/login" in response.headers["Location"]


def test_an_anonymous_post_is_sent_to_log_in(app, client, course):
    for path in (step_url(course) + "/done", step_url(course, position=3) + "/answer/1",
                 "/en/learn/learn-basics/certificate"):
        response = client.post(path)
        assert response.status_code in (302, 303, 400), path


def test_one_learner_never_sees_anothers_certificate(client, db_session, factories, course,
                                                      learner, login):
    login(learner)
    token = _complete(client, db_session, course)
    client.post("/en/learn/learn-basics/certificate", data={"csrf_token": token, "name": "Lin"})
    client.post("/en/account/logout", data={"csrf_token": token})
    login(factories.user(display_name="Other"))
    other = page(client.get("/en/learn/learn-basics/certificate")).one("main").text
    assert "Lin" not in other and "Finish every step" in other


def test_a_certificate_issued_by_a_request_at_the_same_moment_is_the_one_kept(
        db_session, client, course, learner, login, monkeypatch):
    """Two completions at once: the second's insert meets the unique key and reads the first
    (the race is made by hiding the first from the second's check)."""
    from portal.literacy import progress, services
    from portal.literacy.models import Certificate

    login(learner)
    _complete(client, db_session, course)
    db_session.expire_all()
    found = services.get_course(db_session, "learn-basics")
    first = progress.issue_certificate(db_session, learner, found, "First")
    real = progress.certificate_for
    calls = []

    def racing(session, user, course_):
        calls.append(1)
        return None if len(calls) == 1 else real(session, user, course_)

    monkeypatch.setattr(progress, "certificate_for", racing)
    second = progress.issue_certificate(db_session, learner, found, "Second")
    assert second.id == first.id and second.name == "First"
    assert db_session.query(Certificate).count() == 1
