"""A learner's progress is their own: writing it never empties the cached public course pages
(``__cache_topic__`` in portal/literacy/models.py), while the course's own rows stay under the
"literacy" topic that an author's edit bumps."""

from __future__ import annotations

import pytest

from portal.core import cache as page_cache
from portal.literacy import models
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.functional.literacy.conftest import step_url


@pytest.fixture
def cached_app(make_app, tmp_path):
    page_cache.clear_local()
    yield make_app(PAGE_CACHE=True, REFERENCE_CACHE=True, CACHE_TYPE="FileSystemCache",
                   CACHE_DIR=str(tmp_path / "cache"))
    page_cache.clear_local()


def _version(app):
    with app.test_request_context():
        return page_cache.versions("literacy")


def test_a_learner_marking_a_step_done_keeps_the_cached_step_page(cached_app, course, learner):
    reader = cached_app.test_client()
    url = step_url(course, position=1)
    before = reader.get(url)
    assert before.status_code == 200 and "Set-Cookie" not in before.headers
    version = _version(cached_app)
    client = cached_app.test_client()
    assert client.post("/en/account/login", data={"email": learner.email,
                                                  "password": PASSWORD}).status_code == 303
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert client.post(f"{url}/done", data={"csrf_token": token}).status_code == 303
    assert _version(cached_app) == version
    assert reader.get(url).headers["ETag"] == before.headers["ETag"]


def test_course_rows_keep_their_topic_and_a_learners_rows_have_none():
    for cls in (models.Course, models.Lesson, models.LessonStep, models.QuizQuestion,
                models.QuizChoice):
        assert page_cache.topic_of(cls) == "literacy"
    for cls in (models.CourseProgress, models.StepDone, models.QuizAnswer, models.Certificate,
                models.LearnerClass, models.ClassEnrolment):
        assert page_cache.topic_of(cls) is None


def test_a_learners_step_page_reads_only_their_own_rows_once_the_outline_is_held(
        cached_app, course, learner):
    """The course's outline (lessons, steps, questions, choices) is held per process under
    "literacy" (``services.read_course``): a signed-in step page or course page reads only
    the learner's progress, and an author's change shows on the next request."""
    from sqlalchemy import select

    from portal.extensions import db
    from tests.functional.support import QueryCounter

    client = cached_app.test_client()
    assert client.post("/en/account/login", data={"email": learner.email,
                                                  "password": PASSWORD}).status_code == 303
    quiz = step_url(course, position=3)
    for url in (step_url(course, position=2), quiz, f"/en/learn/{course.slug}"):
        assert client.get(url).status_code == 200  # the outline is held from here on
        with QueryCounter(db.engine) as counted:
            response = client.get(url)
        assert response.status_code == 200
        read = " ".join(counted.statements)
        for table in ("FROM course ", "FROM lesson ", "FROM lesson_step", "FROM quiz_question",
                      "FROM quiz_choice"):
            assert table not in read, (url, table)
        selects = [s for s in counted.statements if s.startswith("SELECT")]
        assert len(selects) <= 3, selects  # progress, steps done, a quiz's latest answers
    assert client.get(quiz).get_data(as_text=True).count('class="quiz-question"') == 2
    with cached_app.app_context():  # a write in the reader's process bumps its backend
        step = db.session.scalars(select(models.LessonStep).where(
            models.LessonStep.position == 2)).first()
        step.title_i18n = {**step.title_i18n, "en": "Make the text bigger, again"}
        db.session.commit()
    assert "Make the text bigger, again" in client.get(
        step_url(course, position=2)).get_data(as_text=True)
