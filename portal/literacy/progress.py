"""A signed-in learner's progress: steps done, quiz answers, completion and the certificate.

* ``mark_done`` records a step done (once) and moves "continue where you left off"
  (``CourseProgress.last_step_id``) to the step after it.
* ``answer`` keeps the learner's latest answer to a question (retries are unlimited and
  replace it; ``attempts`` counts them), recomputes the course's score (percent of its quiz
  questions whose latest answer is right) and, once every question of the quiz step has an
  answer, records that step done.
* A course is complete when every step is done and the score reaches the course's pass mark
  (a course without questions needs only its steps).
* ``issue_certificate`` issues the certificate once, with the name the learner typed and a
  verification code anyone can check (``verify``).

Counters (``steps_done``) are kept here, never counted per page. Two requests at once (a
double click) cannot record a step twice or issue two certificates: the rows' keys refuse
the second, which then reads the first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core.errors import Invalid
from portal.core.models import User, utcnow
from portal.core.text import has_control_characters
from portal.literacy import services
from portal.literacy.models import (
    Certificate,
    Course,
    CourseProgress,
    Lesson,
    LessonStep,
    QuizAnswer,
    QuizQuestion,
    StepDone,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by hand
CODE_LENGTH = 10
NAME_MAX = 120


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def progress_for(session: Session, user, course: Course) -> CourseProgress | None:
    if not _signed_in(user):
        return None
    return session.scalar(select(CourseProgress).where(
        CourseProgress.user_id == user.id, CourseProgress.course_id == course.id))


def done_step_ids(session: Session, user, course: Course) -> set[int]:
    """The ids of the course's steps this learner has done (one statement)."""
    if not _signed_in(user):
        return set()
    ids = [s.id for s in services.all_steps(course)]
    if not ids:
        return set()
    return set(session.scalars(select(StepDone.step_id).where(
        StepDone.user_id == user.id, StepDone.step_id.in_(ids))))


def _progress(session: Session, user: User, course: Course) -> CourseProgress:
    found = progress_for(session, user, course)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = CourseProgress(user_id=user.id, course_id=course.id, steps_done=0)
            session.add(found)
    except IntegrityError:  # made by another request a moment ago
        found = progress_for(session, user, course)
    return found


def _record_done(session: Session, user: User, progress: CourseProgress, step: LessonStep) -> bool:
    """Insert the step's StepDone once; True when it was new (then the counter moves)."""
    if session.get(StepDone, (user.id, step.id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(StepDone(user_id=user.id, step_id=step.id))
    except IntegrityError:
        return False
    session.execute(update(CourseProgress).where(CourseProgress.id == progress.id)
                    .values(steps_done=CourseProgress.steps_done + 1))
    session.refresh(progress, ["steps_done"])
    return True


def mark_done(session: Session, user: User, view: services.StepView) -> CourseProgress:
    """The learner did this step: record it and continue at the next one."""
    progress = _progress(session, user, view.course)
    _record_done(session, user, progress, view.step)
    progress.last_step_id = (view.next or view.step).id
    progress.updated_at = utcnow()
    _maybe_complete(session, progress, view.course)
    session.commit()
    return progress


# --- quizzes --------------------------------------------------------------------------------

@dataclass
class Result:
    question: QuizQuestion
    chosen: list[int]
    correct: bool


def check(question: QuizQuestion, choice_ids) -> Result:
    """Whether ``choice_ids`` answer ``question`` right: exactly its right choices. Refuses
    (``Invalid`` on ``answer``) no choice, choices of another question, several for a
    single-choice question."""
    valid = {c.id for c in question.choices}
    chosen = sorted(set(choice_ids or ()))
    if not chosen:
        raise Invalid({"answer": [_l("Choose an answer.")]})
    if not set(chosen) <= valid:
        raise Invalid({"answer": [_l("Choose one of the answers shown.")]})
    if not question.multiple and len(chosen) > 1:
        raise Invalid({"answer": [_l("Choose only one answer.")]})
    right = {c.id for c in question.choices if c.correct}
    return Result(question, chosen, set(chosen) == right)


def answer(session: Session, user: User, view: services.StepView, question: QuizQuestion,
           choice_ids) -> Result:
    """Keep the learner's latest answer and recompute the course's score."""
    result = check(question, choice_ids)
    progress = _progress(session, user, view.course)
    found = session.get(QuizAnswer, (user.id, question.id))
    if found is None:
        try:
            with session.begin_nested():
                session.add(QuizAnswer(user_id=user.id, question_id=question.id,
                                       choice_ids=result.chosen, correct=result.correct))
        except IntegrityError:
            found = session.get(QuizAnswer, (user.id, question.id))
    if found is not None:
        found.choice_ids = result.chosen
        found.correct = result.correct
        found.attempts = QuizAnswer.attempts + 1
        found.answered_at = utcnow()
        session.flush()
    progress.score = _score(session, user.id, view.course)
    progress.last_step_id = view.step.id
    progress.updated_at = utcnow()
    answered = set(session.scalars(select(QuizAnswer.question_id).where(
        QuizAnswer.user_id == user.id,
        QuizAnswer.question_id.in_([q.id for q in view.step.questions]))))
    if answered >= {q.id for q in view.step.questions}:
        _record_done(session, user, progress, view.step)
    _maybe_complete(session, progress, view.course)
    session.commit()
    return result


def _score(session: Session, user_id: int, course: Course) -> int | None:
    """Percent of the course's questions whose latest answer is right (None: no questions)."""
    total, right = session.execute(
        select(func.count(QuizQuestion.id), func.count(QuizAnswer.question_id))
        .select_from(QuizQuestion).join(LessonStep).join(Lesson)
        .outerjoin(QuizAnswer, (QuizAnswer.question_id == QuizQuestion.id)
                   & (QuizAnswer.user_id == user_id) & QuizAnswer.correct.is_(True))
        .where(Lesson.course_id == course.id)).one()
    return None if not total else right * 100 // total


def latest_answers(session: Session, user, questions) -> dict[int, QuizAnswer]:
    if not _signed_in(user) or not questions:
        return {}
    return {a.question_id: a for a in session.scalars(select(QuizAnswer).where(
        QuizAnswer.user_id == user.id, QuizAnswer.question_id.in_([q.id for q in questions])))}


def passed(course: Course, score: int | None) -> bool:
    return score is None or score >= course.pass_mark


def _maybe_complete(session: Session, progress: CourseProgress, course: Course) -> None:
    if progress.completed_at is not None:
        return
    if progress.steps_done < services.step_count(course):
        return
    progress.score = _score(session, progress.user_id, course)  # never trust a stale score
    if passed(course, progress.score):
        progress.completed_at = utcnow()


def percent(progress: CourseProgress, total_steps: int) -> int:
    if not total_steps:
        return 100
    return min(100, progress.steps_done * 100 // total_steps)


# --- certificates ---------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def certificate_for(session: Session, user, course: Course) -> Certificate | None:
    if not _signed_in(user):
        return None
    return session.scalar(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.course_id == course.id))


def clean_name(name: str | None) -> str:
    """The name as the learner typed it, spaces at the ends removed; refused when empty, too
    long or holding control characters."""
    name = (name or "").strip()
    if not name:
        raise Invalid({"name": [_l("Enter your name as it should appear on the certificate.")]})
    if has_control_characters(name):
        raise Invalid({"name": [_l("Remove the invisible control characters from this text: "
                                   "they cannot be saved. Copying from another program can "
                                   "add them.")]})
    if len(name) > NAME_MAX:
        raise Invalid({"name": [_l("Enter at most %(num)d characters.", num=NAME_MAX)]})
    return name


def issue_certificate(session: Session, user: User, course: Course, name: str) -> Certificate:
    """The learner's certificate for a completed course: issued once (a second call, or two
    at once, give the first)."""
    existing = certificate_for(session, user, course)
    if existing is not None:
        return existing
    progress = progress_for(session, user, course)
    if progress is None or progress.completed_at is None:
        raise Invalid({"": [_l("Finish every step and pass the quiz to get the certificate.")]})
    name = clean_name(name)
    for _ in range(5):
        try:
            with session.begin_nested():
                certificate = Certificate(code=new_code(), user_id=user.id, course_id=course.id,
                                          name=name, score=progress.score or 0)
                session.add(certificate)
        except IntegrityError:
            existing = certificate_for(session, user, course)
            if existing is not None:
                session.commit()
                return existing
            continue  # the code was taken: draw another
        session.commit()
        return certificate
    raise RuntimeError("no free certificate code")  # 32**10 codes: never in practice


def normalize_code(value: str | None) -> str:
    """A code as typed (lowercase, spaces, dashes) in its stored form."""
    return "".join(ch for ch in (value or "").upper() if ch not in " -\t")


def verify(session: Session, code: str | None) -> Certificate | None:
    """The certificate with this code, or None. The same one statement whatever was typed
    (a malformed code looks for a code no certificate can have)."""
    code = normalize_code(code)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        code = "-" * CODE_LENGTH
    from sqlalchemy.orm import joinedload

    return session.scalar(select(Certificate).options(joinedload(Certificate.course))
                          .where(Certificate.code == code))


# --- my learning ----------------------------------------------------------------------------

@dataclass
class Learning:
    course: Course
    progress: CourseProgress
    percent: int
    continue_args: dict | None
    certificate: Certificate | None


def my_learning(session: Session, user: User) -> tuple[list[Learning], list[Learning]]:
    """The learner's courses in progress and finished ones, most recent first (three
    statements: progress with courses, their steps, certificates)."""
    from sqlalchemy.orm import joinedload

    rows = list(session.scalars(
        select(CourseProgress).where(CourseProgress.user_id == user.id)
        .join(Course).where(Course.state == "published")
        .options(joinedload(CourseProgress.course).selectinload(Course.lessons)
                 .selectinload(Lesson.steps))
        .order_by(CourseProgress.updated_at.desc(), CourseProgress.id.desc())))
    certificates = {c.course_id: c for c in session.scalars(
        select(Certificate).where(Certificate.user_id == user.id))}
    doing, done = [], []
    for p in rows:
        item = Learning(p.course, p, percent(p, services.step_count(p.course)),
                        services.args_for_step_id(p.course, p.last_step_id)
                        or services.first_step_args(p.course), certificates.get(p.course_id))
        (done if p.completed_at else doing).append(item)
    return doing, done
