"""The curriculum loader: idempotent by slugs, every text in all seven locales; the search
finds courses; the home page and the navigation link the courses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core.i18n import LOCALES
from tests.functional.support import page


def _curriculum(title="A test course"):
    return [{
        "slug": "loader-course", "title": _l(title), "summary": _l("What it teaches."),
        "level": "intermediate", "minutes": 25, "competences": ["2.3"], "pass_mark": 60,
        "lessons": [{"slug": "first-lesson", "title": _l("First lesson"), "steps": [
            {"kind": "text", "title": _l("Read"), "body": _l("Some text."),
             "image": "static:img/favicon.svg", "image_alt": _l("The portal's sign"),
             "audio": None, "transcript": None},
            {"kind": "practice", "title": _l("Try"), "body": _l("Try it."), "practice": "comment"},
            {"kind": "quiz", "title": _l("Check"), "body": _l("Answer."), "questions": [
                {"text": _l("Which one?"), "multiple": True, "explanation": _l("Because."),
                 "choices": [(_l("This"), True), (_l("That"), True), (_l("No"), False)]}]},
        ]}],
    }]


def _counts(db_session):
    from portal.literacy.models import Course, Lesson, LessonStep, QuizChoice, QuizQuestion

    return [db_session.scalar(select(func.count()).select_from(m))
            for m in (Course, Lesson, LessonStep, QuizQuestion, QuizChoice)]


def test_the_loader_fills_every_locale_and_is_idempotent(app, db_session, pseudo_catalogs):
    from portal.literacy.models import Course, QuizChoice
    from portal.literacy.seed import load_curriculum

    with app.test_request_context("/en/"):
        assert load_curriculum(db_session, _curriculum()) == 1 + 1 + 3 + 1 + 3
        before = _counts(db_session)
        assert load_curriculum(db_session, _curriculum()) == 0
    assert _counts(db_session) == before == [1, 1, 3, 1, 3]
    course = db_session.scalar(select(Course).where(Course.slug == "loader-course"))
    assert set(course.title_i18n) == {loc.code for loc in LOCALES}
    assert course.title_i18n["en"] == "A test course"
    assert course.title_i18n["es"] == "[es] A test course"
    assert course.title_i18n["ug"] == "[ug] A test course"
    assert course.state == "published" and course.competences == ["2.3"]
    choice = db_session.scalars(select(QuizChoice).order_by(QuizChoice.id)).first()
    assert choice.text_i18n["bo"] == "[bo] This"


def test_reloading_updates_texts_and_keeps_progress(app, db_session, client, factories, login):
    from portal.literacy.models import Course, StepDone
    from portal.literacy.seed import load_curriculum
    from tests.conftest import csrf_token_from

    with app.test_request_context("/en/"):
        load_curriculum(db_session, _curriculum())
    learner = factories.user()
    login(learner)
    url = "/en/learn/loader-course/first-lesson/1"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(url + "/done", data={"csrf_token": token})
    with app.test_request_context("/en/"):
        load_curriculum(db_session, _curriculum("A renamed course"))
    course = db_session.scalar(select(Course).where(Course.slug == "loader-course"))
    assert course.title_i18n["en"] == "A renamed course"
    assert db_session.query(StepDone).filter_by(user_id=learner.id).count() == 1


def test_the_loaded_course_shows_its_image_practice_and_checkboxes(app, db_session, client):
    from portal.literacy.seed import load_curriculum

    with app.test_request_context("/en/"):
        load_curriculum(db_session, _curriculum())
    doc = page(client.get("/en/learn/loader-course/first-lesson/1"))
    image = doc.one("img", alt="The portal's sign")
    assert "favicon" in image.get("src")
    assert doc.find("div", class_="user-text").text == "Some text."
    quiz = page(client.get("/en/learn/loader-course/first-lesson/3"))
    fieldset = quiz.one("fieldset")
    assert fieldset.one("legend").text.startswith("Which one?")
    assert len(fieldset.find_all("input", type="checkbox")) == 3


def test_a_practice_step_links_the_practice_form_when_it_exists(app, db_session, client):
    from portal.literacy.seed import load_curriculum

    with app.test_request_context("/en/"):
        load_curriculum(db_session, _curriculum())
    doc = page(client.get("/en/learn/loader-course/first-lesson/2"))
    link = [a for a in doc.find_all("a") if a.text == "Open the practice form"]
    if "practice.form" in app.view_functions:
        from urllib.parse import parse_qs, urlsplit

        assert link and parse_qs(urlsplit(link[0].get("href")).query)["back"] == [
            "/en/learn/loader-course/first-lesson/2"]
    else:
        assert not link
    assert doc.one("h1").text == "Try"


def test_courses_are_found_by_the_search(app, db_session):
    from portal.core import search
    from portal.literacy.seed import load_curriculum

    with app.test_request_context("/en/"):
        load_curriculum(db_session, _curriculum())
    hits = search.search(db_session, "course", "teaches")
    assert len(hits) == 1


def test_the_site_search_shows_published_courses(client, db_session, factories):
    from portal.literacy import services

    shown = factories.course(slug="findable-course",
                             title_i18n={"en": "Spotting scams safely"})
    hidden = factories.course(slug="draft-course", state="draft",
                              title_i18n={"en": "Spotting scams draft"})
    for course in (shown, hidden):
        services.index_course(db_session, course)
    db_session.commit()
    text = client.get("/en/search?q=scams").get_data(as_text=True)
    assert "/en/learn/findable-course" in text and "/en/learn/draft-course" not in text


def test_the_home_page_and_the_navigation_link_the_courses(client):
    doc = page(client.get("/en/"))
    assert doc.by_id("card-learn") is not None
    assert doc.find("a", href="/en/learn/") is not None
    nav = page(client.get("/en/learn/")).one("nav", class_="main-nav")
    assert nav.one("a", href="/en/learn/").get("aria-current") == "page"
