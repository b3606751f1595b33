"""Demo data of part (3): a facilitator's class for the first published course, with the demo
resident enrolled. Idempotent (by the class's name); nothing without a published course. Called
after the curriculum is loaded (portal/literacy/seed.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.models import User
from portal.literacy import classes
from portal.literacy.models import ClassEnrolment, Course, LearnerClass

DEMO_CLASS = "Tuesday mornings at the library"
FACILITATOR = "admin@riverbend.example.org"
LEARNER = "resident@riverbend.example.org"


def seed_classes(session: Session) -> int:
    if session.scalar(select(LearnerClass.id).where(LearnerClass.name == DEMO_CLASS)):
        return 0
    course = session.scalar(select(Course).where(Course.state == "published")
                            .order_by(Course.position, Course.id).limit(1))
    facilitator = session.scalar(select(User).where(User.email == FACILITATOR))
    if course is None or facilitator is None:
        return 0
    learner_class = classes.create_class(session, facilitator, DEMO_CLASS, course.id, None)
    learner = session.scalar(select(User).where(User.email == LEARNER))
    if learner is not None:
        session.add(ClassEnrolment(class_id=learner_class.id, user_id=learner.id))
        session.commit()
    return 1
