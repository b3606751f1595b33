"""Reading courses for a learner: the catalogue, a course's outline, a step with its neighbours.

Only published courses are shown to learners (drafts and archived courses are not found).
Each function runs a constant, small number of statements, whatever the size of the course:
the catalogue one, a course's outline three (the course, its lessons, their steps), a step
five (the outline, then the step's questions and their choices).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session, selectinload

from portal.core import search, site_search
from portal.core.errors import NotFound
from portal.literacy.digcomp import COMPETENCES
from portal.literacy.models import LEVELS, Course, Lesson, LessonStep, QuizQuestion

CACHE_TOPIC = "literacy"  # the cached pages' and held outlines' topic: editors' changes bump it

LEVEL_LABELS = {"beginner": _l("Beginner"), "intermediate": _l("Intermediate"),
                "advanced": _l("Advanced")}


def catalogue(session: Session, level: str | None = None,
              competence: str | None = None) -> list[Course]:
    """The published courses in their order, filtered by level and DigComp competence."""
    stmt = select(Course).where(Course.state == "published")
    if level in LEVELS:
        stmt = stmt.where(Course.level == level)
    if competence in COMPETENCES:
        # The codes are a JSON list, stored as written: '["1.1", "5.2"]' on both databases.
        stmt = stmt.where(cast(Course.competences, String).like(f'%"{competence}"%'))
    return list(session.scalars(stmt.order_by(Course.position, Course.id)))


def get_course(session: Session, slug: str) -> Course:
    """A published course with its lessons and their steps loaded (three statements)."""
    course = session.scalar(
        select(Course).where(Course.slug == slug, Course.state == "published")
        .options(selectinload(Course.lessons).selectinload(Lesson.steps)))
    if course is None:
        raise NotFound()
    return course


def all_steps(course: Course) -> list[LessonStep]:
    """Every step of the course in order: lesson by lesson, step by step."""
    return [step for lesson in course.lessons for step in lesson.steps]


def step_count(course: Course) -> int:
    return sum(len(lesson.steps) for lesson in course.lessons)


@dataclass
class StepView:
    course: Course
    lesson: Lesson
    step: LessonStep
    number: int  # its place in the lesson, from 1 ("Step 2 of 5")
    of: int  # the lesson's number of steps
    previous: LessonStep | None
    next: LessonStep | None
    lesson_of: dict[int, Lesson] = field(default_factory=dict)  # step id -> its lesson

    def lesson_for(self, step: LessonStep) -> Lesson:
        return self.lesson_of[step.id]


def get_step(session: Session, slug: str, lesson_slug: str, position: int) -> StepView:
    """The step at ``position`` of a lesson, with its neighbours in the whole course and,
    for a quiz, its questions and their choices."""
    course = get_course(session, slug)

    def questions(step: LessonStep) -> None:
        if step.kind == "quiz":
            load_questions(session, [step])
        else:
            from sqlalchemy.orm.attributes import set_committed_value

            set_committed_value(step, "questions", [])

    return _step_view(course, lesson_slug, position, questions)


def read_step(session: Session, slug: str, lesson_slug: str, position: int) -> StepView:
    """``get_step`` for the step's page, which only reads it: the course's outline is held in
    this process (``read_course``), so a signed-in learner's page reads only their progress."""
    return _step_view(read_course(session, slug), lesson_slug, position)


def read_course(session: Session, slug: str) -> Course:
    """A published course with its lessons, steps, quiz questions and choices, for pages that
    only read it: held in this process under the "literacy" version (``cache.held``; every
    editor's change bumps it), as objects that no session holds, loaded in five statements
    when it is not held. Never hand them to a session (``get_course`` is for writes)."""
    from portal.core.cache import held

    course = held(CACHE_TOPIC, f"course:{slug}", lambda: _outline(session, slug))
    if course is None:
        raise NotFound()
    return course


def _outline(session: Session, slug: str) -> Course | None:
    course = session.scalar(
        select(Course).where(Course.slug == slug, Course.state == "published")
        .options(selectinload(Course.lessons).selectinload(Lesson.steps)))
    if course is None:
        return None
    steps = all_steps(course)
    load_questions(session, steps)
    for obj in (course, *course.lessons, *steps, *(q for s in steps for q in s.questions),
                *(c for s in steps for q in s.questions for c in q.choices)):
        if obj in session:
            session.expunge(obj)
    return course


def _step_view(course: Course, lesson_slug: str, position: int, questions=None) -> StepView:
    lesson = next((le for le in course.lessons if le.slug == lesson_slug), None)
    if lesson is None:
        raise NotFound()
    step = next((s for s in lesson.steps if s.position == position), None)
    if step is None:
        raise NotFound()
    if questions is not None:
        questions(step)
    ordered = all_steps(course)
    at = ordered.index(step)
    lesson_of = {s.id: le for le in course.lessons for s in le.steps}
    return StepView(course, lesson, step, lesson.steps.index(step) + 1, len(lesson.steps),
                    ordered[at - 1] if at > 0 else None,
                    ordered[at + 1] if at + 1 < len(ordered) else None, lesson_of)


def load_questions(session: Session, steps: list[LessonStep]) -> None:
    """Load the questions and choices of these steps in two statements, whatever their number."""
    from sqlalchemy.orm.attributes import set_committed_value

    ids = [s.id for s in steps]
    questions: dict[int, list[QuizQuestion]] = {i: [] for i in ids}
    if ids:
        for q in session.scalars(select(QuizQuestion).where(QuizQuestion.step_id.in_(ids))
                                 .options(selectinload(QuizQuestion.choices))
                                 .order_by(QuizQuestion.step_id, QuizQuestion.position,
                                           QuizQuestion.id)):
            questions[q.step_id].append(q)
    for s in steps:
        set_committed_value(s, "questions", questions[s.id])


def get_lesson(session: Session, slug: str, lesson_slug: str) -> tuple[Course, Lesson]:
    """A lesson of a published course with every step's questions (its printable version)."""
    course = get_course(session, slug)
    lesson = next((le for le in course.lessons if le.slug == lesson_slug), None)
    if lesson is None:
        raise NotFound()
    load_questions(session, list(lesson.steps))
    return course, lesson


def step_args(course: Course, lesson: Lesson, step: LessonStep) -> dict:
    return {"slug": course.slug, "lesson_slug": lesson.slug, "position": step.position}


def first_step_args(course: Course) -> dict | None:
    for lesson in course.lessons:
        if lesson.steps:
            return step_args(course, lesson, lesson.steps[0])
    return None


def args_for_step_id(course: Course, step_id: int | None) -> dict | None:
    for lesson in course.lessons:
        for step in lesson.steps:
            if step.id == step_id:
                return step_args(course, lesson, step)
    return None


# --- search -------------------------------------------------------------------------------------

def _document(session: Session, course: Course) -> search.Document:
    steps = session.execute(
        select(LessonStep.title_i18n, LessonStep.body_i18n).join(Lesson)
        .where(Lesson.course_id == course.id)).all()
    body = " ".join([*course.summary_i18n.values(),
                     *(" ".join([*t.values(), *b.values()]) for t, b in steps)])
    return search.Document(course.id, title=" ".join(course.title_i18n.values()), body=body,
                           public=course.state == "published")


def index_course(session: Session, course: Course) -> None:
    """Keep the search index in step with a course (call it when it is saved or published)."""
    search.bulk_index(session, "course", [_document(session, course)])


def _documents(session: Session):
    for course in session.scalars(select(Course)):
        yield _document(session, course)


search.register("course", 9, _documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """Published courses, whoever reads; a course belongs to no area."""
    if scope.area_ids is not None:
        return {}
    stmt = select(Course.id, Course.published_at).where(
        Course.id.in_(ids), Course.state == "published")
    if scope.start is not None:
        stmt = stmt.where(Course.published_at >= scope.start)
    if scope.end is not None:
        stmt = stmt.where(Course.published_at < scope.end)
    return dict(session.execute(stmt).all())


def _site_rows(session: Session, ids) -> dict:
    from portal.core.i18n import localize

    rows = {}
    for course in session.scalars(select(Course).where(Course.id.in_(ids))):
        title = localize(course.title_i18n, course.source_locale)
        summary = localize(course.summary_i18n, course.source_locale)
        rows[course.id] = site_search.Row(
            title.text, summary.text if summary.lang == title.lang else "", title.lang,
            "literacy.course", {"slug": course.slug}, "", course.published_at)
    return rows


site_search.register(site_search.Source("course", _l("Course"), _site_visible, _site_rows, 90))
