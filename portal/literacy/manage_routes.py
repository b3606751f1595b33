"""Course authoring pages (blueprint ``literacy_admin``, pages under ``/learn/manage/``) and the
uploaded files' route (``/learn/files/<key>``). Thin: parse the form, call ``manage``, redirect
(303) or show the errors beside the fields; every page works without JavaScript."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.errors import Invalid
from portal.core.forms import EmptyForm
from portal.core.views import flash_errors, form_view
from portal.extensions import db
from portal.literacy import manage, uploads
from portal.literacy import manage_forms as forms
from portal.responsibility.forms import fill_versions, read_versions

bp = Blueprint("literacy_admin", __name__)
YEAR = 365 * 24 * 3600


def init_manage(app) -> None:
    from portal.literacy import class_routes  # noqa: F401  (classes: routes on bp)

    app.register_blueprint(bp, url_prefix="/<lc:locale>")

    @app.context_processor
    def _literacy_helpers():
        return {"literacy_links": links}


def links() -> dict:
    """Which of authoring and classes the reader may use (for templates/literacy/_manage_links)."""
    from portal.literacy import classes

    signed_in = bool(current_user.is_authenticated)
    return {"signed_in": signed_in,
            "author": signed_in and manage.may_author(db.session, current_user),
            "facilitator": signed_in and classes.is_facilitator(current_user)}


def _ip() -> str | None:
    return request.remote_addr


def _course_url(course, anchor=None) -> str:
    return url_for("literacy_admin.course", course_id=course.id, _anchor=anchor)


def _lesson_url(course, lesson) -> str:
    return url_for("literacy_admin.lesson", course_id=course.id, lesson_id=lesson.id)


def _step_url(course, lesson, step) -> str:
    return url_for("literacy_admin.step", course_id=course.id, lesson_id=lesson.id, step_id=step.id)


def _back(target: str, exc: Invalid | None = None):
    if exc is not None:
        db.session.rollback()
        flash_errors(exc)
    return redirect(target, code=303)


# --- files ---------------------------------------------------------------------------------------

@bp.get("/learn/files/<key>")
def file(key: str):
    """An uploaded picture or recording. Named by its hash, it never changes: a year's cache."""
    found = uploads.get(db.session, key)
    if found is None:
        abort(404)
    response = send_file(io.BytesIO(found.data), mimetype=found.content_type, etag=found.key,
                         last_modified=found.created_at, max_age=YEAR, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- courses -------------------------------------------------------------------------------------

@bp.get("/learn/manage/")
@login_required
def courses():
    items = manage.editable_courses(db.session, current_user)
    return render_template("literacy/manage/courses.html", courses=items)


def _course_setup(form) -> None:
    parties = manage.author_parties(db.session, current_user)
    form.author_department_id.choices = [(d.id, str(d.name)) for d in parties]
    if request.method == "GET" and form.author_department_id.data is None and len(parties) == 1:
        form.author_department_id.data = parties[0].id


def _course_data(form) -> manage.CourseData:
    return manage.CourseData(
        source_locale=form.source_locale.data or "", titles=read_versions(form, "title"),
        summaries=read_versions(form, "summary"), level=form.level.data or "",
        minutes=form.minutes.data, competences=list(form.competences.data or ()),
        pass_mark=form.pass_mark.data, author_department_id=form.author_department_id.data)


@bp.route("/learn/manage/new", methods=["GET", "POST"])
@login_required
def new_course():
    if not manage.may_author(db.session, current_user):
        abort(403)
    return form_view(
        forms.CourseForm, "literacy/manage/course_form.html", setup=_course_setup,
        save=lambda form: manage.create_course(db.session, current_user, _course_data(form)),
        saved=lambda course: _l("The course is saved as a draft. Add its lessons."),
        next_url=_course_url, context={"course": None})


@bp.get("/learn/manage/<int:course_id>")
@login_required
def course(course_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    return render_template("literacy/manage/course.html", course=item, action_form=EmptyForm(),
                           lesson_form=forms.LessonForm(),
                           problems=manage.publish_problems(item))


@bp.route("/learn/manage/<int:course_id>/settings", methods=["GET", "POST"])
@login_required
def edit_course(course_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    data = {"source_locale": item.source_locale, "level": item.level, "minutes": item.minutes,
            "competences": list(item.competences or ()), "pass_mark": item.pass_mark,
            "author_department_id": item.author_department_id,
            **fill_versions("title", item.title_i18n), **fill_versions("summary", item.summary_i18n)}
    return form_view(
        forms.CourseForm, "literacy/manage/course_form.html", setup=_course_setup, data=data,
        save=lambda form: manage.update_course(db.session, current_user, item, _course_data(form)),
        saved=lambda _c: _l("The course's details are saved."), next_url=_course_url,
        context={"course": item})


@bp.post("/learn/manage/<int:course_id>/<any(publish, unpublish, archive):action>")
@login_required
def course_state(course_id: int, action: str):
    item = manage.get_course(db.session, current_user, course_id)
    try:
        getattr(manage, action)(db.session, current_user, item, _ip())
    except Invalid as exc:
        return _back(_course_url(item, "publish"), exc)
    flash({"publish": _l("The course is published: learners can take it."),
           "unpublish": _l("The course is back to a draft: learners no longer see it."),
           "archive": _l("The course is archived.")}[action], "success")
    return _back(_course_url(item))


# --- lessons -------------------------------------------------------------------------------------

@bp.route("/learn/manage/<int:course_id>/lessons/new", methods=["GET", "POST"])
@login_required
def new_lesson(course_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    return form_view(
        forms.LessonForm, "literacy/manage/lesson_form.html",
        save=lambda form: manage.save_lesson(db.session, current_user, item, None, form.title.data),
        saved=lambda _l_: _l("The lesson is added. Add its steps."),
        next_url=lambda lesson: _lesson_url(item, lesson), context={"course": item, "lesson": None})


@bp.route("/learn/manage/<int:course_id>/lessons/<int:lesson_id>", methods=["GET", "POST"])
@login_required
def lesson(course_id: int, lesson_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    return form_view(
        forms.LessonForm, "literacy/manage/lesson_form.html",
        data={"title": found.title_i18n.get(item.source_locale, "")},
        save=lambda form: manage.save_lesson(db.session, current_user, item, found, form.title.data),
        saved=lambda _l_: _l("The lesson's title is saved."),
        next_url=lambda lesson: _lesson_url(item, lesson),
        context=lambda: _lesson_context(course_id, lesson_id))


def _lesson_context(course_id: int, lesson_id: int) -> dict:
    """Read again: a refused title rolls back, which expires the steps the page lists."""
    item = manage.get_course(db.session, current_user, course_id)
    return {"course": item, "lesson": manage.get_lesson(item, lesson_id),
            "action_form": EmptyForm()}


@bp.post("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/<any(up, down):direction>")
@login_required
def move_lesson(course_id: int, lesson_id: int, direction: str):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    manage.move_lesson(db.session, current_user, item, found, direction)
    return _back(_course_url(item, f"lesson-{found.id}"))


@bp.post("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/delete")
@login_required
def delete_lesson(course_id: int, lesson_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    manage.delete_lesson(db.session, current_user, item, found)
    flash(_l("The lesson is deleted."), "success")
    return _back(_course_url(item, "lessons"))


# --- steps ---------------------------------------------------------------------------------------

def _read(upload) -> bytes | None:
    """An uploaded file's bytes, at most one byte past the cap (the rest is never read)."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.stream.read(uploads.MAX_UPLOAD_BYTES + 1)


def _step_data(form) -> manage.StepData:
    return manage.StepData(
        title=form.title.data or "", body=form.body.data or "", practice=form.practice.data,
        image=_read(form.image.data), image_alt=form.image_alt.data or "",
        remove_image=bool(form.remove_image.data), audio=_read(form.audio.data),
        transcript=form.transcript.data or "", remove_audio=bool(form.remove_audio.data))


@bp.route("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/new/"
          "<any(text, practice, quiz):kind>", methods=["GET", "POST"])
@login_required
def new_step(course_id: int, lesson_id: int, kind: str):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    return form_view(
        forms.StepForm, "literacy/manage/step_form.html",
        save=lambda form: manage.save_step(db.session, current_user, item, found, None, kind,
                                           _step_data(form)),
        saved=lambda step: (_l("The quiz step is added. Add its questions.") if step.kind == "quiz"
                            else _l("The step is added.")),
        next_url=lambda step: (_step_url(item, found, step) if step.kind == "quiz"
                               else _lesson_url(item, found)),
        context={"course": item, "lesson": found, "step": None, "kind": kind})


@bp.route("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/<int:step_id>",
          methods=["GET", "POST"])
@login_required
def step(course_id: int, lesson_id: int, step_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    the_step = manage.get_step(found, step_id)
    loc = item.source_locale
    data = {"title": the_step.title_i18n.get(loc, ""), "body": the_step.body_i18n.get(loc, ""),
            "image_alt": the_step.image_alt_i18n.get(loc, ""),
            "transcript": the_step.transcript_i18n.get(loc, ""), "practice": the_step.practice}
    return form_view(
        forms.StepForm, "literacy/manage/step_form.html", data=data,
        save=lambda form: manage.save_step(db.session, current_user, item, found, the_step,
                                           the_step.kind, _step_data(form)),
        saved=lambda _s: _l("The step is saved."), next_url=lambda _s: _lesson_url(item, found),
        context={"course": item, "lesson": found, "step": the_step, "kind": the_step.kind,
                 "action_form": EmptyForm()})


@bp.post("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/<int:step_id>/"
         "<any(up, down):direction>")
@login_required
def move_step(course_id: int, lesson_id: int, step_id: int, direction: str):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    the_step = manage.get_step(found, step_id)
    manage.move_step(db.session, current_user, item, found, the_step, direction)
    return _back(_lesson_url(item, found) + f"#step-{the_step.id}")


@bp.post("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/<int:step_id>/delete")
@login_required
def delete_step(course_id: int, lesson_id: int, step_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    the_step = manage.get_step(found, step_id)
    manage.delete_step(db.session, current_user, item, found, the_step)
    flash(_l("The step is deleted."), "success")
    return _back(_lesson_url(item, found))


# --- quiz questions ------------------------------------------------------------------------------

def _question_data(form) -> manage.QuestionData:
    return manage.QuestionData(text=form.text.data or "", multiple=bool(form.multiple.data),
                               explanation=form.explanation.data or "", choices=form.choices_data())


def _quiz(course_id: int, lesson_id: int, step_id: int):
    item = manage.get_course(db.session, current_user, course_id)
    found = manage.get_lesson(item, lesson_id)
    the_step = manage.get_step(found, step_id)
    if the_step.kind != "quiz":
        abort(404)
    return item, found, the_step


@bp.route("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/<int:step_id>/"
          "questions/new", methods=["GET", "POST"])
@login_required
def new_question(course_id: int, lesson_id: int, step_id: int):
    item, found, the_step = _quiz(course_id, lesson_id, step_id)
    return form_view(
        forms.QuestionForm, "literacy/manage/question_form.html",
        save=lambda form: manage.save_question(db.session, current_user, item, the_step, None,
                                               _question_data(form)),
        saved=lambda _q: _l("The question is added."),
        next_url=lambda _q: _step_url(item, found, the_step) + "#questions",
        context={"course": item, "lesson": found, "step": the_step, "question": None})


@bp.route("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/<int:step_id>/"
          "questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(course_id: int, lesson_id: int, step_id: int, question_id: int):
    item, found, the_step = _quiz(course_id, lesson_id, step_id)
    the_question = manage.get_question(the_step, question_id)
    loc = item.source_locale
    data = {"text": the_question.text_i18n.get(loc, ""), "multiple": the_question.multiple,
            "explanation": the_question.explanation_i18n.get(loc, "")}
    for n, choice in enumerate(the_question.choices, start=1):
        data[f"choice_{n}"] = choice.text_i18n.get(loc, "")
        data[f"correct_{n}"] = choice.correct
    return form_view(
        forms.QuestionForm, "literacy/manage/question_form.html", data=data,
        save=lambda form: manage.save_question(db.session, current_user, item, the_step,
                                               the_question, _question_data(form)),
        saved=lambda _q: _l("The question is saved."),
        next_url=lambda _q: _step_url(item, found, the_step) + "#questions",
        context={"course": item, "lesson": found, "step": the_step, "question": the_question,
                 "action_form": EmptyForm()})


@bp.post("/learn/manage/<int:course_id>/lessons/<int:lesson_id>/steps/<int:step_id>/"
         "questions/<int:question_id>/delete")
@login_required
def delete_question(course_id: int, lesson_id: int, step_id: int, question_id: int):
    item, found, the_step = _quiz(course_id, lesson_id, step_id)
    the_question = manage.get_question(the_step, question_id)
    manage.delete_question(db.session, current_user, item, the_step, the_question)
    flash(_l("The question is deleted."), "success")
    return _back(_step_url(item, found, the_step) + "#questions")
