"""A learner's progress, answers, certificates and classes in their data download; all of it
goes when their account is deleted (portal.core.privacy): it is nobody else's business."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core import privacy
from portal.literacy.models import (
    Certificate,
    ClassEnrolment,
    Course,
    CourseProgress,
    LearnerClass,
    LessonFile,
    QuizAnswer,
    StepDone,
)


def _own(key, attr, description, position):
    privacy.register(privacy.Part(key, description, covers=(attr,),
                                  export=privacy.rows_of(attr),
                                  erase=privacy.delete_rows(attr), position=position))


_own("course_progress", CourseProgress.user_id, _l("Your place and score in each course."), 40)
_own("lesson_steps_done", StepDone.user_id, _l("The lesson steps you finished."), 41)
_own("quiz_answers", QuizAnswer.user_id, _l("Your latest answer to each quiz question."), 42)
# A certificate carries the name the learner gave: it goes too (its code stops verifying).
_own("certificates", Certificate.user_id, _l("Your certificates."), 43)
_own("class_enrolments", ClassEnrolment.user_id, _l("The classes you joined."), 44)
privacy.register(privacy.Part(
    "course_authoring",
    covers=(Course.created_by_id, LearnerClass.facilitator_id, LessonFile.created_by_id)))
