"""Course authoring: who may author, courses, lessons, steps and quiz questions, publishing.

Who may author for a party: a user linked to it in ``staff_department`` (a department's staff;
a verified organization's members are linked to its party the same way), or an administrator
(any party). A course is edited by those who may author for its ``author_department``.

A course's title and summary have versions per language (``source_locale`` needed); a lesson's,
a step's and a question's texts are written in the course's language (``source_locale``), and
editing one keeps the other languages' versions it has (the starter curriculum's).

Editing a published course bumps the "literacy" cache topic; publishing, unpublishing and
archiving are written to the audit log. Services raise ``Invalid`` with messages by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from portal.core import audit
from portal.core.cache import bump
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import at_most
from portal.core.models import utcnow
from portal.core.text import has_control_characters
from portal.literacy import uploads
from portal.literacy.digcomp import COMPETENCES
from portal.literacy.models import (
    LEVELS,
    Course,
    Lesson,
    LessonStep,
    QuizChoice,
    QuizQuestion,
)
from portal.literacy.services import CACHE_TOPIC, index_course
from portal.responsibility.models import Department, staff_department
from portal.responsibility.services import check_source, check_versions, clean_versions

PRACTICES = ("request", "comment", "disclosure")
TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 5000
ALT_MAX = 300
TRANSCRIPT_MAX = 10000
QUESTION_MAX = 500
CHOICE_MAX = 200
EXPLANATION_MAX = 1000
MIN_CHOICES, MAX_CHOICES = 2, 6


# --- who may author -------------------------------------------------------------------------

def _is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role("administrator"))


def party_ids(session: Session, user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(session.scalars(select(staff_department.c.department_id)
                               .where(staff_department.c.user_id == user.id)))


def author_parties(session: Session, user) -> list[Department]:
    """The parties ``user`` may author for: their own; every party for an administrator."""
    if user is None or not user.is_authenticated:
        return []
    stmt = select(Department).order_by(Department.code)
    if not _is_admin(user):
        stmt = stmt.where(Department.id.in_(select(staff_department.c.department_id)
                                            .where(staff_department.c.user_id == user.id)))
    return list(session.scalars(stmt))


def may_author(session: Session, user) -> bool:
    return _is_admin(user) or bool(party_ids(session, user))


def can_edit(session: Session, user, course: Course, parties: set[int] | None = None) -> bool:
    if _is_admin(user):
        return True
    if course.author_department_id is None:
        return False
    parties = party_ids(session, user) if parties is None else parties
    return course.author_department_id in parties


def editable_courses(session: Session, user) -> list[Course]:
    """Every course the user may edit, drafts first, then by title's id (newest first)."""
    if not may_author(session, user):
        raise Forbidden()
    stmt = select(Course).options(selectinload(Course.author_department))
    if not _is_admin(user):
        stmt = stmt.where(Course.author_department_id.in_(
            select(staff_department.c.department_id).where(staff_department.c.user_id == user.id)))
    return list(session.scalars(stmt.order_by(Course.state, Course.id.desc()).limit(500)))


def _full():
    return selectinload(Course.lessons).selectinload(Lesson.steps).selectinload(
        LessonStep.questions).selectinload(QuizQuestion.choices)


def get_course(session: Session, user, course_id: int) -> Course:
    """The course with its lessons, steps, questions and choices, for someone who may edit it."""
    course = session.scalar(select(Course).where(Course.id == course_id).options(
        _full(), selectinload(Course.author_department)))
    if course is None:
        raise NotFound()
    if not can_edit(session, user, course):
        raise Forbidden()
    return course


def get_lesson(course: Course, lesson_id: int) -> Lesson:
    for lesson in course.lessons:
        if lesson.id == lesson_id:
            return lesson
    raise NotFound()


def get_step(lesson: Lesson, step_id: int) -> LessonStep:
    for step in lesson.steps:
        if step.id == step_id:
            return step
    raise NotFound()


def get_question(step: LessonStep, question_id: int) -> QuizQuestion:
    for question in step.questions:
        if question.id == question_id:
            return question
    raise NotFound()


# --- checks ------------------------------------------------------------------------------------

def _text(errors: dict, name: str, value: str | None, limit: int, *, required=None,
          multiline: bool = False) -> str:
    """``value`` trimmed; an error under ``name`` when too long, holding control characters or,
    with ``required`` (its message), empty."""
    value = (value or "").strip()
    if has_control_characters(value, multiline=multiline):
        errors[name] = [_l("Remove the invisible control characters from this text: they cannot "
                           "be saved. Copying from another program can add them.")]
    elif len(value) > limit:
        errors[name] = [at_most(limit)]
    elif required is not None and not value:
        errors[name] = [required]
    return value


def _whole(errors: dict, name: str, value, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors[name] = [_l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high)]
        return low
    return value


_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# The fixed first segments of the pages under /learn/: a course's slug is never one of them,
# or /learn/<slug> would be another page (tests/functional/literacy/test_manage.py checks the
# URL map against this list).
RESERVED_SLUGS = frozenset({"classes", "files", "join", "manage", "mine", "practice", "verify"})


def _slug_base(text: str, fallback: str) -> str:
    base = _NOT_SLUG.sub("-", text.lower()).strip("-")[:60].strip("-")
    return base or fallback


def _unique_slug(taken, base: str) -> str:
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _touch(course: Course) -> None:
    """An edit: the course's search document follows it, and its public pages when published."""
    course.updated_at = utcnow()
    index_course(object_session(course), course)
    if course.state == "published":
        bump(CACHE_TOPIC)


def _versioned(values: dict | None, locale: str, text: str) -> dict:
    """A texts-by-language dict with ``locale``'s version set to ``text`` (others kept)."""
    new = dict(values or {})
    if text:
        new[locale] = text
    else:
        new.pop(locale, None)
    return new


# --- courses -----------------------------------------------------------------------------------

@dataclass
class CourseData:
    source_locale: str
    titles: dict[str, str]
    summaries: dict[str, str]
    level: str
    minutes: int | None
    competences: list[str]
    pass_mark: int | None
    author_department_id: int | None


def _course_values(session: Session, user, data: CourseData) -> dict:
    errors: dict[str, list] = {}
    check_source(errors, data.source_locale)
    titles, summaries = clean_versions(data.titles), clean_versions(data.summaries)
    for prefix, versions in (("title", titles), ("summary", summaries)):
        for code, text in versions.items():
            if has_control_characters(text, multiline=prefix == "summary"):
                from portal.responsibility.services import field_name

                errors[field_name(prefix, code)] = [_l(
                    "Remove the invisible control characters from this text: they cannot be "
                    "saved. Copying from another program can add them.")]
    check_versions(errors, "title", titles, data.source_locale, TITLE_MAX)
    check_versions(errors, "summary", summaries, data.source_locale, SUMMARY_MAX)
    if data.level not in LEVELS:
        errors["level"] = [_l("Choose the course's level.")]
    minutes = _whole(errors, "minutes", data.minutes, 1, 600)
    pass_mark = _whole(errors, "pass_mark", data.pass_mark, 0, 100)
    competences = list(data.competences or ())
    if any(c not in COMPETENCES for c in competences):
        errors["competences"] = [_l("Choose from the list.")]
    allowed = {d.id for d in author_parties(session, user)}
    if data.author_department_id not in allowed:
        errors["author_department_id"] = [_l("Choose who authors the course.")]
    if errors:
        raise Invalid(errors)
    return {"source_locale": data.source_locale, "title_i18n": titles, "summary_i18n": summaries,
            "level": data.level, "minutes": minutes, "pass_mark": pass_mark,
            "competences": [c for c in COMPETENCES if c in competences],
            "author_department_id": data.author_department_id}


def create_course(session: Session, user, data: CourseData) -> Course:
    if not may_author(session, user):
        raise Forbidden()
    values = _course_values(session, user, data)
    base = _slug_base(values["title_i18n"].get(values["source_locale"], ""), "course")
    slug = _unique_slug(lambda s: s in RESERVED_SLUGS or session.scalar(
        select(Course.id).where(Course.slug == s)) is not None, base)
    course = Course(slug=slug, state="draft", created_by_id=user.id, **values)
    session.add(course)
    session.flush()
    audit.record(session, user, "course.created", "course", course.id, slug=slug)
    session.commit()
    return course


def update_course(session: Session, user, course: Course, data: CourseData) -> Course:
    if not can_edit(session, user, course):
        raise Forbidden()
    values = _course_values(session, user, data)
    for name, value in values.items():
        setattr(course, name, value)
    _touch(course)
    session.commit()
    return course


def publish_problems(course: Course) -> list[str]:
    """Why ``course`` may not be published yet (empty when it may)."""
    problems: list = []
    if not course.lessons:
        problems.append(_l("Add at least one lesson."))
    quiz = False
    for lesson in course.lessons:
        if not lesson.steps:
            problems.append(_l("Add at least one step to the lesson “%(title)s”.",
                               title=str(lesson.title)))
        for step in lesson.steps:
            if step.kind == "quiz":
                quiz = True
                if not step.questions:
                    problems.append(_l("Add at least one question to the quiz “%(title)s”.",
                                       title=str(step.title)))
    if not quiz:
        problems.append(_l("Add a quiz step, so learners can check what they learnt."))
    return [str(p) for p in problems]


def publish(session: Session, user, course: Course, ip_address: str | None = None) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    if course.state == "published":
        return
    problems = publish_problems(course)
    if problems:
        raise Invalid({"": problems})
    course.state = "published"
    course.published_at = course.published_at or utcnow()
    course.updated_at = utcnow()
    index_course(session, course)
    audit.record(session, user, "course.published", "course", course.id, ip_address,
                 slug=course.slug)
    session.commit()
    bump(CACHE_TOPIC)


def unpublish(session: Session, user, course: Course, ip_address: str | None = None) -> None:
    _set_state(session, user, course, "draft", "course.unpublished", ip_address)


def archive(session: Session, user, course: Course, ip_address: str | None = None) -> None:
    _set_state(session, user, course, "archived", "course.archived", ip_address)


def _set_state(session, user, course, state, action, ip_address) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    if course.state == state:
        return
    was_public = course.state == "published"
    course.state = state
    course.updated_at = utcnow()
    index_course(session, course)
    audit.record(session, user, action, "course", course.id, ip_address, slug=course.slug)
    session.commit()
    if was_public:
        bump(CACHE_TOPIC)


# --- lessons -----------------------------------------------------------------------------------

def _renumber(items) -> None:
    for n, item in enumerate(items, start=1):
        item.position = n


def _move(items: list, item, direction: str) -> None:
    if direction not in ("up", "down"):
        raise NotFound()
    items = list(items)
    _renumber(items)
    i = items.index(item)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i].position, items[j].position = items[j].position, items[i].position


def save_lesson(session: Session, user, course: Course, lesson: Lesson | None,
                title: str) -> Lesson:
    if not can_edit(session, user, course):
        raise Forbidden()
    errors: dict = {}
    title = _text(errors, "title", title, TITLE_MAX, required=_l("Enter the lesson's title."))
    if errors:
        raise Invalid(errors)
    if lesson is None:
        taken = {existing.slug for existing in course.lessons}
        slug = _unique_slug(lambda s: s in taken, _slug_base(title, "lesson"))
        lesson = Lesson(slug=slug, position=len(course.lessons) + 1,
                        title_i18n={course.source_locale: title})
        course.lessons.append(lesson)
    else:
        lesson.title_i18n = _versioned(lesson.title_i18n, course.source_locale, title)
    _touch(course)
    session.commit()
    return lesson


def move_lesson(session: Session, user, course: Course, lesson: Lesson, direction: str) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    _move(course.lessons, lesson, direction)
    _touch(course)
    session.commit()


def delete_lesson(session: Session, user, course: Course, lesson: Lesson) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    course.lessons.remove(lesson)
    _renumber(course.lessons)
    _touch(course)
    session.commit()


# --- steps -------------------------------------------------------------------------------------

@dataclass
class StepData:
    title: str = ""
    body: str = ""
    practice: str | None = None
    image: bytes | None = None  # a new upload
    image_alt: str = ""
    remove_image: bool = False
    audio: bytes | None = None
    transcript: str = ""
    remove_audio: bool = False


def save_step(session: Session, user, course: Course, lesson: Lesson, step: LessonStep | None,
              kind: str, data: StepData) -> LessonStep:
    if not can_edit(session, user, course):
        raise Forbidden()
    if step is not None:
        kind = step.kind
    if kind not in ("text", "practice", "quiz"):
        raise NotFound()
    errors: dict = {}
    title = _text(errors, "title", data.title, TITLE_MAX, required=_l("Enter the step's title."))
    body = _text(errors, "body", data.body, BODY_MAX, multiline=True,
                 required=_l("Enter what the step says.") if kind != "quiz" else None)
    values: dict = {}
    if kind == "text":
        alt = _text(errors, "image_alt", data.image_alt, ALT_MAX)
        transcript = _text(errors, "transcript", data.transcript, TRANSCRIPT_MAX, multiline=True)
        image_ref = None if data.remove_image else (step.image if step else None)
        audio_ref = None if data.remove_audio else (step.audio if step else None)
        new_image = new_audio = None
        if data.image:
            try:
                new_image = uploads.clean_image(data.image)
            except Invalid as exc:
                errors.update(exc.errors)
        if data.audio:
            try:
                new_audio = uploads.clean_audio(data.audio)
            except Invalid as exc:
                errors.update(exc.errors)
        if (image_ref or new_image or data.image) and not alt and "image_alt" not in errors:
            errors["image_alt"] = [_l("Describe the picture for people who cannot see it.")]
        if (audio_ref or new_audio or data.audio) and not transcript \
                and "transcript" not in errors:
            errors["transcript"] = [_l("Write what the recording says, for people who cannot "
                                       "hear it.")]
        if errors:
            raise Invalid(errors)
        if new_image:
            image_ref = uploads.store(session, user, *new_image)
        if new_audio:
            audio_ref = uploads.store(session, user, *new_audio)
        values = {"image": image_ref, "audio": audio_ref, "alt": alt if image_ref else "",
                  "transcript": transcript if audio_ref else ""}
    elif kind == "practice":
        if data.practice not in PRACTICES:
            errors["practice"] = [_l("Choose the form to practise on.")]
        values = {"practice": data.practice}
    if errors:
        raise Invalid(errors)
    locale = course.source_locale
    if step is None:
        step = LessonStep(kind=kind, position=len(lesson.steps) + 1)
        lesson.steps.append(step)
    step.title_i18n = _versioned(step.title_i18n, locale, title)
    step.body_i18n = _versioned(step.body_i18n, locale, body)
    if kind == "text":
        step.image, step.audio = values["image"], values["audio"]
        step.image_alt_i18n = _versioned(step.image_alt_i18n, locale, values["alt"]) \
            if step.image else {}
        step.transcript_i18n = _versioned(step.transcript_i18n, locale, values["transcript"]) \
            if step.audio else {}
    elif kind == "practice":
        step.practice = values["practice"]
    _touch(course)
    session.commit()
    return step


def move_step(session: Session, user, course: Course, lesson: Lesson, step: LessonStep,
              direction: str) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    _move(lesson.steps, step, direction)
    _touch(course)
    session.commit()


def delete_step(session: Session, user, course: Course, lesson: Lesson, step: LessonStep) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    lesson.steps.remove(step)
    _renumber(lesson.steps)
    _touch(course)
    session.commit()


# --- quiz questions ------------------------------------------------------------------------------

@dataclass
class QuestionData:
    text: str = ""
    multiple: bool = False
    explanation: str = ""
    choices: list[tuple[str, bool]] = field(default_factory=list)  # up to MAX_CHOICES


def save_question(session: Session, user, course: Course, step: LessonStep,
                  question: QuizQuestion | None, data: QuestionData) -> QuizQuestion:
    if not can_edit(session, user, course):
        raise Forbidden()
    if step.kind != "quiz":
        raise NotFound()
    errors: dict = {}
    text = _text(errors, "text", data.text, QUESTION_MAX, required=_l("Enter the question."))
    explanation = _text(errors, "explanation", data.explanation, EXPLANATION_MAX, multiline=True,
                        required=_l("Explain the right answer: learners see it after answering."))
    choices = []
    for n, (choice_text, correct) in enumerate(data.choices[:MAX_CHOICES], start=1):
        value = _text(errors, f"choice_{n}", choice_text, CHOICE_MAX)
        if value:
            choices.append((value, bool(correct)))
        elif correct:
            errors.setdefault(f"choice_{n}", [_l("Write the answer you marked as right.")])
    if len(choices) < MIN_CHOICES:
        errors.setdefault("choice_1", [_l("Write at least %(num)d answers.", num=MIN_CHOICES)])
    right = sum(1 for _text_, correct in choices if correct)
    if choices and right == 0:
        errors.setdefault("correct_1", [_l("Mark at least one answer as right.")])
    elif right > 1 and not data.multiple:
        errors.setdefault("multiple", [_l("Several answers are marked as right: choose “more "
                                          "than one answer is right”, or mark only one.")])
    if errors:
        raise Invalid(errors)
    locale = course.source_locale
    if question is None:
        question = QuizQuestion(position=len(step.questions) + 1)
        step.questions.append(question)
    question.text_i18n = _versioned(question.text_i18n, locale, text)
    question.explanation_i18n = _versioned(question.explanation_i18n, locale, explanation)
    question.multiple = bool(data.multiple)
    old = list(question.choices) if question.id else []
    new = []
    for n, (value, correct) in enumerate(choices, start=1):
        choice = old[n - 1] if n <= len(old) else QuizChoice()
        choice.position, choice.correct = n, correct
        choice.text_i18n = _versioned(choice.text_i18n, locale, value)
        new.append(choice)
    question.choices = new
    _touch(course)
    session.commit()
    return question


def delete_question(session: Session, user, course: Course, step: LessonStep,
                    question: QuizQuestion) -> None:
    if not can_edit(session, user, course):
        raise Forbidden()
    step.questions.remove(question)
    _renumber(step.questions)
    _touch(course)
    session.commit()
