"""Shared fixtures of the literacy tests: a published course built with the shared factory
(``factories.course``), its steps' URLs, and the page cache switched off where a test counts
statements."""

from __future__ import annotations

import pytest


def step_url(course, lesson_slug="lesson-1", position=1, locale="en") -> str:
    return f"/{locale}/learn/{course.slug}/{lesson_slug}/{position}"


def quiz_step(db_session, course):
    """The course's (first) quiz step with its questions and choices loaded."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from portal.literacy.models import Lesson, LessonStep, QuizQuestion

    return db_session.scalar(
        select(LessonStep).join(Lesson).where(Lesson.course_id == course.id,
                                              LessonStep.kind == "quiz")
        .options(selectinload(LessonStep.questions).selectinload(QuizQuestion.choices))
        .order_by(Lesson.position, LessonStep.position))


@pytest.fixture
def course(factories):
    """One lesson: two text steps and a quiz of two single-choice questions (answer A)."""
    return factories.course(steps=2, questions=2, slug="learn-basics", pass_mark=70,
                            competences=["1.1", "4.2"], minutes=20)


@pytest.fixture
def learner(factories):
    return factories.user(display_name="Lin Learner")
