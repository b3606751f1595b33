"""Digital-literacy courses: a course is lessons, a lesson is short steps (one task a page), a
quiz step holds questions. Learners' progress, quiz answers and certificates are kept for
signed-in learners; facilitators run classes that learners join by a code.

Translatable texts are ``*_i18n`` dicts (URL locale code → text) read through
``translated(...)``, as everywhere in the portal; ``source_locale`` is the language a course was
written in. A step's ``image`` and ``audio`` name a file: ``static:<path under static/>`` for
the shipped curriculum, ``upload:<key>`` for a file an author uploaded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import translated
from portal.core.models import User, utcnow
from portal.extensions import db
from portal.responsibility.models import Department

LEVELS = ("beginner", "intermediate", "advanced")
STEP_KINDS = ("text", "practice", "quiz")
COURSE_STATES = ("draft", "published", "archived")


class Course(db.Model):
    __tablename__ = "course"
    __table_args__ = (Index("ix_course_listed", "state", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summary_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    level: Mapped[str] = mapped_column(String(16), default="beginner")
    minutes: Mapped[int] = mapped_column(default=15)  # estimated time to take it
    # DigComp 2.2 competence codes ("1.1" … "5.4"), see portal/literacy/digcomp.py.
    competences: Mapped[list[str]] = mapped_column(JSON, default=list)
    pass_mark: Mapped[int] = mapped_column(default=70)  # percent of quiz questions right
    # The accountable party that authors it: a department, or a verified organization's party.
    author_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    position: Mapped[int] = mapped_column(default=0)  # order in the catalogue
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    author_department: Mapped[Department | None] = relationship()
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan",
        lazy="raise")

    title = translated("title_i18n")
    summary = translated("summary_i18n")


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug", name="uq_lesson_course_slug"),
                      Index("ix_lesson_course", "course_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    title_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    course: Mapped[Course] = relationship(back_populates="lessons")
    steps: Mapped[list[LessonStep]] = relationship(
        back_populates="lesson", order_by="LessonStep.position", cascade="all, delete-orphan",
        lazy="raise")

    title = translated("title_i18n")


class LessonStep(db.Model):
    """One task a page. ``kind``: text (read, look, listen), practice (a sandbox copy of a real
    form, named by ``practice``: request, comment, disclosure), quiz (its questions)."""

    __tablename__ = "lesson_step"
    __table_args__ = (Index("ix_lesson_step_lesson", "lesson_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    title_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    image: Mapped[str | None] = mapped_column(String(255))
    image_alt_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    audio: Mapped[str | None] = mapped_column(String(255))
    transcript_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    practice: Mapped[str | None] = mapped_column(String(24))

    lesson: Mapped[Lesson] = relationship(back_populates="steps")
    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="step", order_by="QuizQuestion.position", cascade="all, delete-orphan",
        lazy="raise")

    title = translated("title_i18n")
    body = translated("body_i18n")
    image_alt = translated("image_alt_i18n")
    transcript = translated("transcript_i18n")


class QuizQuestion(db.Model):
    __tablename__ = "quiz_question"
    __table_args__ = (Index("ix_quiz_question_step", "step_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("lesson_step.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    multiple: Mapped[bool] = mapped_column(default=False)  # several right choices: checkboxes
    explanation_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    step: Mapped[LessonStep] = relationship(back_populates="questions")
    choices: Mapped[list[QuizChoice]] = relationship(
        back_populates="question", order_by="QuizChoice.position", cascade="all, delete-orphan",
        lazy="raise")

    text = translated("text_i18n")
    explanation = translated("explanation_i18n")


class QuizChoice(db.Model):
    __tablename__ = "quiz_choice"
    __table_args__ = (Index("ix_quiz_choice_question", "question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[QuizQuestion] = relationship(back_populates="choices")

    text = translated("text_i18n")


class CourseProgress(db.Model):
    """A signed-in learner's place in a course: where to continue, and when it was finished."""

    __cache_topic__ = None  # a learner's own: no cached page shows it
    __tablename__ = "course_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_course_progress"),
                      Index("ix_course_progress_user", "user_id", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    last_step_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_step.id", ondelete="SET NULL"))
    steps_done: Mapped[int] = mapped_column(default=0)  # kept by the services, never counted
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    score: Mapped[int | None]  # percent of the course's quiz questions last answered right

    course: Mapped[Course] = relationship(lazy="raise")


class StepDone(db.Model):
    __cache_topic__ = None  # a learner's own: no cached page shows it
    __tablename__ = "step_done"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("lesson_step.id", ondelete="CASCADE"),
                                         primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizAnswer(db.Model):
    """A learner's latest answer to a question (retries replace it; ``attempts`` counts them)."""

    __cache_topic__ = None  # a learner's own: no cached page shows it
    __tablename__ = "quiz_answer"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    choice_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    correct: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=1)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(db.Model):
    """Issued once per learner and course; anyone can check ``code`` on a public page."""

    __cache_topic__ = None  # a learner's own: no cached page shows it
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_certificate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))  # the name printed, as the learner gave it
    score: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    course: Mapped[Course] = relationship(lazy="raise")


class LearnerClass(db.Model):
    """A facilitator's class, as in a community centre: learners join with ``code``."""

    __cache_topic__ = None  # a learner's own: no cached page shows it
    __tablename__ = "learner_class"
    __table_args__ = (Index("ix_learner_class_facilitator", "facilitator_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The party the facilitator teaches for (their department or organization), when any.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship(lazy="raise")
    facilitator: Mapped[User] = relationship(lazy="raise")


class ClassEnrolment(db.Model):
    __cache_topic__ = None  # a learner's own: no cached page shows it
    __tablename__ = "class_enrolment"
    __table_args__ = (Index("ix_class_enrolment_user", "user_id"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("learner_class.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


# --- part (3), course authoring: the files authors upload (portal/literacy/uploads.py) -------

class LessonFile(db.Model):
    """An image or audio file an author uploaded for a step, kept in the database as the
    tracker keeps its attachments; named by its content's hash (``LessonStep.image`` is
    ``upload:<key>``), so it never changes and is served with a long cache lifetime."""

    __tablename__ = "lesson_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of ``data``
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
