"""The curriculum loader: ``portal/literacy/curriculum.py``'s ``COURSES`` into rows.

Idempotent by slugs: a course is found by its slug, a lesson by its slug in the course, a
step, a question and a choice by their position; what exists is updated in place (so
learners' progress, which points at the rows, stays), what is missing is added. Every
translatable text is a lazy string of the portal's catalogs: each ``*_i18n`` dict gets its
text in all seven locales, evaluated under ``force_locale`` for each locale's catalog (a
locale without a translation yet gets the English text, as the page would show).

The format (one course)::

    {"slug": ..., "title": _l(...), "summary": _l(...), "level": "beginner", "minutes": 20,
     "competences": ["1.1", "5.2"], "pass_mark": 70,
     "lessons": [{"slug": ..., "title": _l(...), "steps": [
         {"kind": "text", "title": _l(...), "body": _l(...),
          "image": "static:literacy/x.svg", "image_alt": _l(...), "audio": None, "transcript": None},
         {"kind": "practice", "title": _l(...), "body": _l(...), "practice": "request"},
         {"kind": "quiz", "title": _l(...), "body": _l(...), "questions": [
             {"text": _l(...), "multiple": False, "explanation": _l(...),
              "choices": [(_l(...), True), (_l(...), False)]}]}]}]}
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.core.i18n import LOCALES
from portal.core.models import utcnow
from portal.literacy.models import Course, Lesson, LessonStep, QuizChoice, QuizQuestion


def all_locales(text) -> dict[str, str]:
    """A lazy string in every locale (URL code → text); None or "" gives an empty dict."""
    if text is None or str(text) == "":
        return {}
    found = {}
    for loc in LOCALES:
        with force_locale(loc.catalog):
            found[loc.code] = str(text)
    return found


def _by(items, key):
    return {getattr(i, key): i for i in items}


def load_curriculum(session: Session, courses=None) -> int:
    """Create or update the curriculum's courses; returns how many rows were created."""
    if courses is None:
        from portal.literacy.curriculum import COURSES as courses
    from portal.literacy.services import index_course

    created = 0
    existing = _by(session.scalars(
        select(Course).where(Course.slug.in_([c["slug"] for c in courses]))
        .options(selectinload(Course.lessons).selectinload(Lesson.steps)
                 .selectinload(LessonStep.questions).selectinload(QuizQuestion.choices))), "slug")
    for position, data in enumerate(courses, start=1):
        course = existing.get(data["slug"])
        if course is None:
            course = Course(slug=data["slug"], state="published", published_at=utcnow(),
                            position=position, source_locale="en")
            course.lessons = []
            session.add(course)
            created += 1
        course.title_i18n = all_locales(data["title"])
        course.summary_i18n = all_locales(data.get("summary"))
        course.level = data.get("level", "beginner")
        course.minutes = data.get("minutes", 15)
        course.competences = list(data.get("competences", []))
        course.pass_mark = data.get("pass_mark", 70)
        lessons = _by(course.lessons, "slug")
        for li, ldata in enumerate(data["lessons"], start=1):
            lesson = lessons.get(ldata["slug"])
            if lesson is None:
                lesson = Lesson(slug=ldata["slug"])
                lesson.steps = []
                course.lessons.append(lesson)
                created += 1
            lesson.position = li
            lesson.title_i18n = all_locales(ldata["title"])
            steps = _by(lesson.steps, "position")
            for si, sdata in enumerate(ldata["steps"], start=1):
                step = steps.get(si)
                if step is None:
                    step = LessonStep(position=si)
                    step.questions = []
                    lesson.steps.append(step)
                    created += 1
                step.kind = sdata["kind"]
                step.title_i18n = all_locales(sdata["title"])
                step.body_i18n = all_locales(sdata.get("body"))
                step.image = sdata.get("image")
                step.image_alt_i18n = all_locales(sdata.get("image_alt"))
                step.audio = sdata.get("audio")
                step.transcript_i18n = all_locales(sdata.get("transcript"))
                step.practice = sdata.get("practice")
                questions = _by(step.questions, "position")
                for qi, qdata in enumerate(sdata.get("questions", []), start=1):
                    question = questions.get(qi)
                    if question is None:
                        question = QuizQuestion(position=qi)
                        question.choices = []
                        step.questions.append(question)
                        created += 1
                    question.text_i18n = all_locales(qdata["text"])
                    question.multiple = bool(qdata.get("multiple"))
                    question.explanation_i18n = all_locales(qdata.get("explanation"))
                    choices = _by(question.choices, "position")
                    for ci, (text, correct) in enumerate(qdata["choices"], start=1):
                        choice = choices.get(ci)
                        if choice is None:
                            choice = QuizChoice(position=ci)
                            question.choices.append(choice)
                            created += 1
                        choice.text_i18n = all_locales(text)
                        choice.correct = bool(correct)
        session.flush()
        index_course(session, course)
    session.commit()
    return created


def seed(session: Session) -> int:
    """The starter curriculum, then a demo class (the administrator's, the resident in it)."""
    from portal.literacy.manage_seed import seed_classes

    return load_curriculum(session) + seed_classes(session)
