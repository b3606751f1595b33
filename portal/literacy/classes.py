"""Facilitators' classes, as in a community centre: a facilitator (staff, an organization's
member, an administrator) opens a class for a published course, gives learners its code, and
follows each learner's progress. Learners join with the code and may leave.

A facilitator sees only their own classes, an administrator all; a learner sees the classes
they are in, never the other learners. The class page reads every learner's progress in one
query (``progress``), straight from the progress tables.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, ORG_MEMBER, STAFF
from portal.core.text import has_control_characters
from portal.literacy import manage
from portal.literacy.models import (
    Certificate,
    ClassEnrolment,
    Course,
    CourseProgress,
    LearnerClass,
    Lesson,
    LessonStep,
)

# No 0/O, 1/I/L, 5/S or 2/Z: a code read aloud or copied from a board stays right.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 8
NAME_MAX = 120
MAX_LEARNERS = 200
MAX_CLASSES_LISTED = 200


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str:
    """What a learner typed, as a code: capitals, without spaces or hyphens."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")


def is_facilitator(user) -> bool:
    return bool(user is not None and user.is_authenticated
                and user.has_role(STAFF, ORG_MEMBER, ADMIN))


def _is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(ADMIN))


def can_follow(user, learner_class: LearnerClass) -> bool:
    return _is_admin(user) or (is_facilitator(user) and learner_class.facilitator_id == user.id)


def published_courses(session: Session) -> list[Course]:
    return list(session.scalars(select(Course).where(Course.state == "published")
                                .order_by(Course.position, Course.id)))


# --- the facilitator's side --------------------------------------------------------------------

def create_class(session: Session, user, name: str, course_id: int | None,
                 department_id: int | None) -> LearnerClass:
    if not is_facilitator(user):
        raise Forbidden()
    errors: dict = {}
    name = (name or "").strip()
    if has_control_characters(name):
        errors["name"] = [_l("Remove the invisible control characters from this text: they "
                             "cannot be saved. Copying from another program can add them.")]
    elif not name:
        errors["name"] = [_l("Enter the class's name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_l("Enter at most %(num)d characters.", num=NAME_MAX)]
    course = session.get(Course, course_id) if isinstance(course_id, int) else None
    if course is None or course.state != "published":
        errors["course_id"] = [_l("Choose a published course.")]
    parties = {d.id for d in manage.author_parties(session, user)} if _is_admin(user) \
        else manage.party_ids(session, user)
    if department_id is not None and department_id not in parties:
        errors["department_id"] = [_l("Choose a party you teach for.")]
    elif department_id is None and parties and not _is_admin(user):
        errors["department_id"] = [_l("Choose the party you teach for.")]
    if errors:
        raise Invalid(errors)
    for _attempt in range(5):  # 27^8 codes: a clash is very unlikely, and retried
        learner_class = LearnerClass(code=new_code(), name=name, course_id=course.id,
                                     facilitator_id=user.id, department_id=department_id)
        try:
            with session.begin_nested():
                session.add(learner_class)
        except IntegrityError:
            continue
        session.commit()
        return learner_class
    raise RuntimeError("no free class code")  # pragma: no cover


def visible_classes(session: Session, user) -> list[LearnerClass]:
    """The user's own classes (every class for an administrator), newest first."""
    if not is_facilitator(user):
        raise Forbidden()
    stmt = select(LearnerClass).options(joinedload(LearnerClass.course),
                                        joinedload(LearnerClass.facilitator))
    if not _is_admin(user):
        stmt = stmt.where(LearnerClass.facilitator_id == user.id)
    return list(session.scalars(stmt.order_by(LearnerClass.id.desc()).limit(MAX_CLASSES_LISTED)))


def get_class(session: Session, user, class_id: int) -> LearnerClass:
    """A class its facilitator (or an administrator) follows."""
    learner_class = session.scalar(select(LearnerClass).where(LearnerClass.id == class_id)
                                   .options(joinedload(LearnerClass.course),
                                            joinedload(LearnerClass.facilitator)))
    if learner_class is None:
        raise NotFound()
    if not can_follow(user, learner_class):
        raise Forbidden()
    return learner_class


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    enrolled_at: datetime
    steps_done: int
    steps_total: int
    last_activity: datetime | None
    score: int | None
    completed_at: datetime | None
    certificate: str | None


def progress(session: Session, learner_class: LearnerClass) -> list[LearnerRow]:
    """Every learner's progress in the class's course: ONE query, whatever the class's size."""
    total = (select(func.count(LessonStep.id)).join(Lesson, Lesson.id == LessonStep.lesson_id)
             .where(Lesson.course_id == learner_class.course_id).scalar_subquery())
    stmt = (
        select(User.id, User.display_name, ClassEnrolment.enrolled_at, CourseProgress.steps_done,
               total, CourseProgress.updated_at, CourseProgress.score,
               CourseProgress.completed_at, Certificate.code)
        .select_from(ClassEnrolment)
        .join(User, User.id == ClassEnrolment.user_id)
        .outerjoin(CourseProgress, (CourseProgress.user_id == ClassEnrolment.user_id)
                   & (CourseProgress.course_id == learner_class.course_id))
        .outerjoin(Certificate, (Certificate.user_id == ClassEnrolment.user_id)
                   & (Certificate.course_id == learner_class.course_id))
        .where(ClassEnrolment.class_id == learner_class.id)
        .order_by(User.display_name, User.id)
    )
    return [LearnerRow(uid, name, enrolled, done or 0, steps or 0, last, score, completed, cert)
            for uid, name, enrolled, done, steps, last, score, completed, cert
            in session.execute(stmt)]


def set_open(session: Session, user, learner_class: LearnerClass, open_: bool) -> None:
    if not can_follow(user, learner_class):
        raise Forbidden()
    learner_class.closed_at = None if open_ else (learner_class.closed_at or utcnow())
    session.commit()


def remove_learner(session: Session, user, learner_class: LearnerClass, learner_id: int) -> None:
    if not can_follow(user, learner_class):
        raise Forbidden()
    enrolment = session.get(ClassEnrolment, (learner_class.id, learner_id))
    if enrolment is None:
        raise NotFound()
    session.delete(enrolment)
    session.commit()


# --- the learner's side ------------------------------------------------------------------------

def _wrong_code() -> Invalid:
    return Invalid({"code": [_l("No open class has this code. Check it with your facilitator: "
                                "it has 8 letters and digits.")]})


def join(session: Session, user, code: str) -> LearnerClass:
    """Enrol ``user`` in the open class with ``code``. A wrong code, a closed or a full class
    all give the same answer, so codes cannot be probed."""
    if user is None or not user.is_authenticated:
        raise Forbidden()
    code = normalize_code(code)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        raise _wrong_code()
    learner_class = session.scalar(select(LearnerClass).where(LearnerClass.code == code))
    if learner_class is None or learner_class.closed_at is not None:
        raise _wrong_code()
    if session.get(ClassEnrolment, (learner_class.id, user.id)) is not None:
        return learner_class
    count = session.scalar(select(func.count()).select_from(ClassEnrolment)
                           .where(ClassEnrolment.class_id == learner_class.id)) or 0
    if count >= MAX_LEARNERS:
        raise Invalid({"code": [_l("This class is full. Ask your facilitator.")]})
    session.add(ClassEnrolment(class_id=learner_class.id, user_id=user.id))
    session.commit()
    return learner_class


def my_classes(session: Session, user) -> list[LearnerClass]:
    if user is None or not user.is_authenticated:
        return []
    return list(session.scalars(
        select(LearnerClass).join(ClassEnrolment, ClassEnrolment.class_id == LearnerClass.id)
        .where(ClassEnrolment.user_id == user.id)
        .options(joinedload(LearnerClass.course), joinedload(LearnerClass.facilitator))
        .order_by(ClassEnrolment.enrolled_at.desc()).limit(MAX_CLASSES_LISTED)))


def leave(session: Session, user, class_id: int) -> LearnerClass:
    if user is None or not user.is_authenticated:
        raise Forbidden()
    enrolment = session.get(ClassEnrolment, (class_id, user.id))
    if enrolment is None:
        raise NotFound()
    learner_class = session.get(LearnerClass, class_id)
    session.delete(enrolment)
    session.commit()
    return learner_class
