"""Course authoring: the journey without JavaScript (course → lessons → steps of each kind with
uploads → questions → publish), publishing refused with its reasons, uploads, who may edit what,
bad input beside the field, ordering, and the cache bump on editing a published course."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from portal.core.models import AuditEvent
from portal.extensions import db
from portal.literacy import manage, uploads
from portal.literacy.models import Course, LessonFile, LessonStep, QuizChoice
from tests.functional.support import page

PNG_TEXT = b"secret-author-note"


def _png(size=(40, 30), text=True) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", PNG_TEXT.decode())
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400


@pytest.fixture
def world(factories):
    office = factories.department(en="Digital inclusion office")
    other = factories.department(en="Parks")
    return {
        "office": office, "other": other,
        "author": factories.user(roles=["staff"], departments=[office]),
        "other_author": factories.user(roles=["staff"], departments=[other]),
        "member": factories.user(roles=["organization_member"], departments=[office]),
        "resident": factories.user(),
        "unlinked_staff": factories.user(roles=["staff"]),
        "admin": factories.admin(),
    }


def _course_form(office, **over) -> dict:
    data = {"source_locale": "en", "title_en": "Using a keyboard", "summary_en": "Keys that help.",
            "title_es": "Usar un teclado", "level": "beginner", "minutes": "20",
            "competences": ["1.1", "5.2"], "pass_mark": "70", "author_department_id": str(office.id)}
    data.update(over)
    return data


def _new_course(client, office, **over):
    response = client.post("/en/learn/manage/new", data=_course_form(office, **over))
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return db.session.scalars(select(Course).order_by(Course.id.desc())).first()


def test_the_authoring_journey_without_javascript(client, login, world, monkeypatch):
    bumped = []
    monkeypatch.setattr(manage, "bump", lambda *topics: bumped.append(topics))
    login(world["author"])
    assert client.get("/en/learn/manage/").status_code == 200
    doc = page(client.get("/en/learn/manage/new"))
    assert doc.find("input", name="title_zh_Hans") is not None  # a version per language
    assert doc.find("input", type="checkbox", value="2.3") is not None  # DigComp codes
    course = _new_course(client, world["office"])
    assert course.state == "draft" and course.slug == "using-a-keyboard"
    assert course.title_i18n == {"en": "Using a keyboard", "es": "Usar un teclado"}
    assert course.competences == ["1.1", "5.2"] and course.minutes == 20
    base = f"/en/learn/manage/{course.id}"
    assert client.post(f"{base}/lessons/new", data={"title": "Make text bigger"}).status_code == 303
    lesson = manage.get_course(db.session, world["author"], course.id).lessons[0]
    lbase = f"{base}/lessons/{lesson.id}"
    # a text step with a picture and a recording
    response = client.post(f"{lbase}/steps/new/text", data={
        "title": "Zoom in", "body": "Press Ctrl and +.", "image_alt": "The Ctrl and + keys",
        "transcript": "Press control and plus.",
        "image": (io.BytesIO(_png()), "keys.png"), "audio": (io.BytesIO(MP3), "keys.mp3")},
        content_type="multipart/form-data")
    assert response.status_code == 303, page(response).one("main").text
    client.post(f"{lbase}/steps/new/practice", data={"title": "Try it", "body": "Raise one.",
                                                     "practice": "request"})
    response = client.post(f"{lbase}/steps/new/quiz", data={"title": "Check", "body": ""})
    assert response.status_code == 303
    steps = manage.get_course(db.session, world["author"], course.id).lessons[0].steps
    assert [s.kind for s in steps] == ["text", "practice", "quiz"]
    text, practice, quiz = steps
    assert text.image.startswith("upload:") and text.audio.startswith("upload:")
    assert text.image_alt_i18n == {"en": "The Ctrl and + keys"}
    assert practice.practice == "request"
    response = client.post(f"{lbase}/steps/{quiz.id}/questions/new", data={
        "text": "Which keys make text bigger?", "explanation": "Ctrl and + zoom in.",
        "choice_1": "Ctrl and +", "correct_1": "y", "choice_2": "Alt and F4"})
    assert response.status_code == 303, page(response).one("main").text
    response = client.post(f"{base}/publish")
    assert response.status_code == 303
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    assert course.state == "published" and course.published_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.published",
                                                      AuditEvent.target_id == course.id))
    bumped.clear()
    client.post(f"{lbase}", data={"title": "Make text larger"})  # editing a published course
    assert bumped == [("literacy",)]
    client.post(f"{base}/unpublish")
    assert db.session.get(Course, course.id).state == "draft"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.unpublished"))
    # the uploaded picture is served for a year, without its metadata
    key = uploads.key_of(text.image)
    response = client.get(f"/en/learn/files/{key}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert PNG_TEXT not in response.data
    assert client.get("/en/learn/files/" + "0" * 64).status_code == 404
    assert client.get("/en/learn/files/nope").status_code == 404


def test_publish_is_refused_with_reasons(client, login, world, factories):
    course = factories.course(lessons=1, steps=0, quiz=False, state="draft", author=world["office"])
    login(world["author"])
    response = client.post(f"/en/learn/manage/{course.id}/publish", follow_redirects=True)
    text = page(response).one("main").text
    assert "Add at least one step to the lesson “Lesson 1”." in text
    assert "Add a quiz step" in text
    assert db.session.get(Course, course.id).state == "draft"
    empty = factories.course(lessons=0, state="draft", author=world["office"])
    assert manage.publish_problems(manage.get_course(db.session, world["author"], empty.id))[0] \
        == "Add at least one lesson."


def test_a_quiz_without_questions_cannot_be_published(db_session, world, factories):
    course = factories.course(lessons=1, steps=1, questions=0, state="draft", author=world["office"])
    loaded = manage.get_course(db_session, world["author"], course.id)
    assert any("Add at least one question" in p for p in manage.publish_problems(loaded))


# --- uploads ---------------------------------------------------------------------------------------

def test_png_is_accepted_with_its_metadata_removed():
    kind, stored = uploads.clean_image(_png())
    assert kind == "image/png" and PNG_TEXT not in stored
    assert not Image.open(io.BytesIO(stored)).info.get("Comment")


def test_big_images_are_scaled_down():
    _kind, stored = uploads.clean_image(_png(size=(3000, 1500), text=False))
    assert Image.open(io.BytesIO(stored)).size == (1200, 600)
    assert len(stored) <= uploads.MAX_IMAGE_BYTES


@pytest.mark.parametrize("data", [b"just some text, renamed to .png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"])
def test_text_and_svg_are_refused(data):
    with pytest.raises(manage.Invalid) as caught:
        uploads.clean_image(data)
    assert "PNG, JPEG or WebP" in str(caught.value)


def test_an_oversized_image_is_refused_before_decoding(monkeypatch):
    out = io.BytesIO()
    Image.new("1", (5000, 5000)).save(out, format="PNG")  # tiny file, huge picture
    loaded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: loaded.append(1))
    with pytest.raises(manage.Invalid) as caught:
        uploads.clean_image(out.getvalue())
    assert "4000 pixels" in str(caught.value) and not loaded


def test_a_file_over_the_cap_is_refused():
    with pytest.raises(manage.Invalid):
        uploads.clean_image(b"\x89PNG" + b"\0" * uploads.MAX_UPLOAD_BYTES)
    with pytest.raises(manage.Invalid):
        uploads.clean_audio(b"ID3" + b"\0" * uploads.MAX_AUDIO_BYTES)


def test_audio_by_its_first_bytes():
    assert uploads.clean_audio(MP3)[0] == "audio/mpeg"
    assert uploads.audio_type(b"OggS\x00\x02" + b"\0" * 30) == "audio/ogg"
    assert uploads.audio_type(b"\0\0\0\x20ftypM4A \0\0\0\0") == "audio/mp4"
    with pytest.raises(manage.Invalid):
        uploads.clean_audio(b"RIFF....WAVEfmt ")


def test_a_renamed_text_file_is_refused_beside_the_field(client, login, world, factories):
    course = factories.course(lessons=1, steps=1, state="draft", author=world["office"])
    lesson = manage.get_course(db.session, world["author"], course.id).lessons[0]
    login(world["author"])
    response = client.post(f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/new/text", data={
        "title": "Zoom", "body": "Kept text", "image_alt": "Keys",
        "image": (io.BytesIO(b"hello, I am text"), "photo.png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    doc = page(response)
    assert "PNG, JPEG or WebP" in doc.by_id("image-error").text
    assert doc.one("textarea", name="body").text == "Kept text"
    assert db.session.scalar(select(LessonFile.id)) is None


def test_a_picture_needs_its_description_and_a_recording_its_transcript(db_session, world, factories):
    course = factories.course(lessons=1, steps=0, quiz=False, state="draft", author=world["office"])
    loaded = manage.get_course(db_session, world["author"], course.id)
    with pytest.raises(manage.Invalid) as caught:
        manage.save_step(db_session, world["author"], loaded, loaded.lessons[0], None, "text",
                         manage.StepData(title="T", body="B", image=_png(), audio=MP3))
    assert set(caught.value.errors) == {"image_alt", "transcript"}


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("minutes", "0", "from 1 to 600"), ("minutes", "601", "from 1 to 600"),
    ("minutes", "ten", "whole number"), ("pass_mark", "101", "from 0 to 100"),
    ("level", "expert", "level"), ("competences", ["9.9"], "Choose from the list"),
    ("title_en", "", "language you wrote in"), ("title_en", "x" * 201, "at most 200"),
    ("title_en", "Bad\x00title", "control characters"), ("author_department_id", "999999", "authors"),
])
def test_bad_course_input_is_shown_beside_the_field(client, login, world, field, value, message):
    login(world["author"])
    response = client.post("/en/learn/manage/new", data=_course_form(world["office"], **{field: value}))
    assert response.status_code == 422
    doc = page(response)
    error = doc.by_id(f"{field}-error") or doc.by_id(f"{field}-versions")
    assert error is not None and message in doc.one("main").text
    assert doc.one("title").text.startswith("Error:")
    assert db.session.scalar(select(Course.id)) is None


def test_an_author_cannot_choose_another_party(client, login, world):
    login(world["author"])
    response = client.post("/en/learn/manage/new",
                           data=_course_form(world["office"], author_department_id=str(world["other"].id)))
    assert response.status_code == 422


@pytest.mark.parametrize(("over", "field"), [
    ({"choice_2": ""}, "choice_1"),  # one answer only
    ({"correct_1": ""}, "correct_1"),  # none right
    ({"correct_2": "y"}, "multiple"),  # two right, single choice
    ({"explanation": ""}, "explanation"),
    ({"text": ""}, "text"),
])
def test_bad_questions_are_refused(client, login, world, factories, over, field):
    course = factories.course(lessons=1, steps=1, questions=1, state="draft", author=world["office"])
    lesson = manage.get_course(db.session, world["author"], course.id).lessons[0]
    quiz = lesson.steps[-1]
    login(world["author"])
    data = {"text": "Q?", "explanation": "Because.", "choice_1": "A", "correct_1": "y",
            "choice_2": "B", **over}
    response = client.post(
        f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/{quiz.id}/questions/new", data=data)
    assert response.status_code == 422
    assert page(response).by_id(f"{field}-error") is not None


def test_a_multiple_choice_question_with_six_answers(db_session, world, factories):
    course = factories.course(lessons=1, steps=1, questions=0, state="draft", author=world["office"])
    loaded = manage.get_course(db_session, world["author"], course.id)
    quiz = loaded.lessons[0].steps[-1]
    question = manage.save_question(db_session, world["author"], loaded, quiz, None, manage.QuestionData(
        text="Which are safe?", multiple=True, explanation="Both.",
        choices=[(f"A{n}", n <= 2) for n in range(1, 8)]))  # a seventh is ignored
    choices = db_session.scalars(select(QuizChoice).where(QuizChoice.question_id == question.id)
                                 .order_by(QuizChoice.position)).all()
    assert [c.correct for c in choices] == [True, True, False, False, False, False]


def test_moving_and_deleting_lessons_and_steps(client, login, world, factories):
    course = factories.course(lessons=3, steps=2, quiz=False, state="draft", author=world["office"])
    login(world["author"])
    first, second, third = manage.get_course(db.session, world["author"], course.id).lessons
    assert client.post(f"/en/learn/manage/{course.id}/lessons/{second.id}/up").status_code == 303
    client.post(f"/en/learn/manage/{course.id}/lessons/{third.id}/delete")
    db.session.expire_all()
    lessons = manage.get_course(db.session, world["author"], course.id).lessons
    assert [lesson.id for lesson in lessons] == [second.id, first.id]
    assert [lesson.position for lesson in lessons] == [1, 2]
    steps = lessons[0].steps
    client.post(f"/en/learn/manage/{course.id}/lessons/{second.id}/steps/{steps[0].id}/down")
    client.post(f"/en/learn/manage/{course.id}/lessons/{second.id}/steps/{steps[1].id}/delete")
    db.session.expire_all()
    left = db.session.scalars(select(LessonStep).where(LessonStep.lesson_id == second.id)).all()
    assert [(s.id, s.position) for s in left] == [(steps[0].id, 1)]
    assert client.post(f"/en/learn/manage/{course.id}/lessons/{second.id}/sideways").status_code == 404


def test_editing_keeps_other_languages(db_session, world, factories):
    course = factories.course(lessons=1, steps=1, quiz=False, state="draft", author=world["office"])
    loaded = manage.get_course(db_session, world["author"], course.id)
    lesson = loaded.lessons[0]
    lesson.title_i18n = {"en": "Lesson 1", "es": "Lección 1"}
    manage.save_lesson(db_session, world["author"], loaded, lesson, "First lesson")
    assert lesson.title_i18n == {"en": "First lesson", "es": "Lección 1"}


# --- who may do what -----------------------------------------------------------------------------------

def _pages(course, lesson, step, quiz, question) -> list[str]:
    b = f"/en/learn/manage/{course.id}"
    lb = f"{b}/lessons/{lesson.id}"
    return [b, f"{b}/settings", f"{b}/lessons/new", lb, f"{lb}/steps/new/text", f"{lb}/steps/{step.id}",
            f"{lb}/steps/{quiz.id}/questions/new", f"{lb}/steps/{quiz.id}/questions/{question.id}"]


def _posts(course, lesson, step, quiz, question) -> list[str]:
    b = f"/en/learn/manage/{course.id}"
    lb = f"{b}/lessons/{lesson.id}"
    return [f"{b}/publish", f"{b}/unpublish", f"{b}/archive", f"{b}/settings", f"{b}/lessons/new",
            lb, f"{lb}/down", f"{lb}/delete", f"{lb}/steps/new/quiz", f"{lb}/steps/{step.id}",
            f"{lb}/steps/{step.id}/down", f"{lb}/steps/{step.id}/delete",
            f"{lb}/steps/{quiz.id}/questions/new", f"{lb}/steps/{quiz.id}/questions/{question.id}",
            f"{lb}/steps/{quiz.id}/questions/{question.id}/delete"]


@pytest.fixture
def built(db_session, world, factories):
    course = factories.course(lessons=1, steps=1, questions=1, state="draft", author=world["office"])
    loaded = manage.get_course(db_session, world["admin"], course.id)
    lesson = loaded.lessons[0]
    step, quiz = lesson.steps
    return course, lesson, step, quiz, quiz.questions[0]


@pytest.mark.parametrize("who", ["resident", "unlinked_staff", "other_author"])
def test_those_who_may_not_edit_are_refused(client, login, world, built, who):
    login(world[who])
    for url in _pages(*built):
        assert client.get(url).status_code == 403, url
    for url in _posts(*built):
        assert client.post(url, data={"title": "Hacked", "level": "beginner"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Course, built[0].id).state == "draft"
    if who != "other_author":
        assert client.get("/en/learn/manage/").status_code == 403
        assert client.get("/en/learn/manage/new").status_code == 403
        assert client.post("/en/learn/manage/new", data=_course_form(world["office"])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, built):
    for url in ["/en/learn/manage/", "/en/learn/manage/new", *_pages(*built)]:
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], url
    for url in _posts(*built):
        assert client.post(url).status_code == 302, url


@pytest.mark.parametrize("who", ["author", "member", "admin"])
def test_authors_of_the_party_and_admins_may_edit(client, login, world, built, who):
    login(world[who])
    for url in _pages(*built):
        assert client.get(url).status_code == 200, url
    listed = page(client.get("/en/learn/manage/")).one("main").text
    assert str(built[0].title_i18n["en"]) in listed


def test_the_other_party_does_not_list_the_course(client, login, world, built):
    login(world["other_author"])
    assert built[0].title_i18n["en"] not in page(client.get("/en/learn/manage/")).one("main").text


def test_unknown_ids_are_404(client, login, world, built):
    course, lesson, step, _quiz, _question = built
    login(world["author"])
    assert client.get("/en/learn/manage/999999").status_code == 404
    assert client.get(f"/en/learn/manage/{course.id}/lessons/999999").status_code == 404
    assert client.get(f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/999999").status_code == 404
    # a text step has no questions
    assert client.get(f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/{step.id}/questions/new"
                      ).status_code == 404
    assert client.get(f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/new/video").status_code == 404


def test_editing_a_question_and_a_step_with_files(client, login, world, factories):
    course = factories.course(lessons=1, steps=1, questions=1, state="draft", author=world["office"])
    lesson = manage.get_course(db.session, world["author"], course.id).lessons[0]
    text, quiz = lesson.steps
    question = quiz.questions[0]
    login(world["author"])
    qurl = f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/{quiz.id}/questions/{question.id}"
    doc = page(client.get(qurl))
    assert doc.one("input", name="choice_1").get("value") == "Answer A"
    assert "checked" in doc.one("input", name="correct_1").attrs
    response = client.post(qurl, data={"text": "Question 1?", "explanation": "Both are right.",
                                       "multiple": "y", "choice_1": "A", "correct_1": "y",
                                       "choice_2": "B", "correct_2": "y", "choice_3": "C"})
    assert response.status_code == 303
    db.session.expire_all()
    choices = db.session.scalars(select(QuizChoice).where(QuizChoice.question_id == question.id)
                                 .order_by(QuizChoice.position)).all()
    assert [(c.text_i18n["en"], c.correct) for c in choices] == [("A", True), ("B", True), ("C", False)]
    surl = f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/{text.id}"
    client.post(surl, data={"title": "Step 1", "body": "Look.", "image_alt": "A red square",
                            "image": (io.BytesIO(_png()), "red.png")}, content_type="multipart/form-data")
    step = db.session.get(LessonStep, text.id)
    assert step.image.startswith("upload:")
    doc = page(client.get(surl))
    assert doc.one("img").get("alt") == "A red square"
    # saving again without a file keeps the picture; ticking "remove" removes it
    client.post(surl, data={"title": "Step 1", "body": "Look.", "image_alt": "A red square"})
    db.session.expire_all()
    assert db.session.get(LessonStep, text.id).image == step.image
    client.post(surl, data={"title": "Step 1", "body": "Look.", "remove_image": "y"})
    db.session.expire_all()
    assert db.session.get(LessonStep, text.id).image is None
    assert db.session.get(LessonStep, text.id).image_alt_i18n == {}


def test_a_practice_step_needs_a_known_form(client, login, world, factories):
    course = factories.course(lessons=1, steps=1, quiz=False, state="draft", author=world["office"])
    lesson = manage.get_course(db.session, world["author"], course.id).lessons[0]
    login(world["author"])
    response = client.post(f"/en/learn/manage/{course.id}/lessons/{lesson.id}/steps/new/practice",
                           data={"title": "Try", "body": "Go.", "practice": "payments"})
    assert response.status_code == 422 and page(response).by_id("practice-error") is not None


def test_a_course_is_never_given_the_slug_of_a_fixed_learn_page(app, client, login, world):
    fixed = {rule.rule.split("/")[3] for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/<lc:locale>/learn/") and len(rule.rule.split("/")) > 3}
    fixed = {segment for segment in fixed if segment and not segment.startswith("<")}
    assert fixed == manage.RESERVED_SLUGS
    login(world["author"])
    course = _new_course(client, world["office"], title_en="Manage")
    assert course.slug == "manage-2"
    assert client.get("/en/learn/manage/").status_code == 200


def test_a_published_course_is_found_by_the_search_and_an_edit_follows(app, client, login, world,
                                                                        factories):
    from portal.core import search

    course = factories.course(slug="keyboard-skills", author=world["office"])
    login(world["author"])
    base = f"/en/learn/manage/{course.id}"
    edit = _course_form(world["office"], title_en="Shortcuts for everyone")
    assert client.post(f"{base}/settings", data=edit).status_code == 303
    assert course.id in {hit.ref_id for hit in search.search(db.session, "course", "shortcuts")}
