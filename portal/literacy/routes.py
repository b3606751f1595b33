"""The learner's pages: the catalogue, a course, its steps one task a page, quizzes, the
printable lesson, "My learning", certificates and their public verification.

Anonymous readers get every page without a form (no session, no cookie), so the catalogue,
the course, the steps and the printable lessons are served from the page cache; they answer
a quiz with a GET form (nothing is saved, so nothing needs a token) and see the result. A
signed-in learner marks steps done and answers with POST forms, and their progress is saved.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.cache import cached_page
from portal.core.errors import Invalid, NotFound
from portal.core.forms import EmptyForm
from portal.core.urls import absolute_url
from portal.core.views import apply_errors, flash_errors, save_form
from portal.extensions import db, htmx, limiter
from portal.literacy import digcomp, forms, progress, services

bp = Blueprint("literacy", __name__)

VERIFY_RATE_LIMIT = "30 per minute;300 per hour"


@bp.app_template_filter("lesson_media")
def lesson_media(ref: str | None) -> str | None:
    """A step's image or audio file as a URL: ``static:<path>`` under static/ (fingerprinted),
    ``upload:<key>`` from the authors' uploads (``literacy_admin.file``)."""
    from portal.core.rendering import static_url
    from portal.literacy import uploads

    if not ref:
        return None
    key = uploads.key_of(ref)
    if key is not None:
        return url_for("literacy_admin.file", key=key)
    kind, _, name = ref.partition(":")
    return static_url(name) if kind == "static" and name else None


def _get(fn, *args):
    try:
        return fn(db.session, *args)
    except NotFound:
        abort(404)


def _practice_url(view: services.StepView) -> str | None:
    """The practice form of a practice step (part of the sandboxes, when they are there)."""
    if view.step.kind != "practice" or not view.step.practice \
            or "practice.form" not in current_app.view_functions:
        return None
    back = url_for("literacy.step", **services.step_args(view.course, view.lesson, view.step))
    return url_for("practice.form", name=view.step.practice, back=back)


@bp.get("/learn/")
@cached_page("literacy")
def courses():
    form = forms.CatalogueFilterForm(request.args)
    form.validate_search()
    found = services.catalogue(db.session, form.level.data or None, form.competence.data or None)
    return render_template("literacy/courses.html", form=form, courses=found,
                           filtered=bool(form.level.data or form.competence.data),
                           levels=services.LEVEL_LABELS, digcomp=digcomp)


@bp.get("/learn/mine")
@login_required
def mine():
    from portal.literacy import classes

    doing, done = progress.my_learning(db.session, current_user)
    return render_template("literacy/mine.html", doing=doing, done=done, action_form=EmptyForm(),
                           my_classes=classes.my_classes(db.session, current_user))


@bp.get("/learn/verify")
@limiter.limit(VERIFY_RATE_LIMIT)
def verify():
    form = forms.VerifyForm(request.args)
    asked = "code" in request.args
    certificate = None
    if asked:
        form.validate_search()
        certificate = progress.verify(db.session, form.code.data)
    return render_template("literacy/verify.html", form=form, asked=asked,
                           certificate=certificate)


@bp.get("/learn/<slug:slug>")
@cached_page("literacy")
def course(slug: str):
    found = _get(services.read_course, slug)
    mine = progress.progress_for(db.session, current_user, found)
    done = progress.done_step_ids(db.session, current_user, found) if mine else set()
    continue_args = services.args_for_step_id(found, mine.last_step_id) if mine else None
    return render_template(
        "literacy/course.html", course=found, progress=mine, done=done,
        start_args=services.first_step_args(found), continue_args=continue_args,
        total=services.step_count(found), levels=services.LEVEL_LABELS,
        competences=digcomp.named(found.competences))


def _step_page(view: services.StepView, results=None, answer_forms=None, status: int = 200,
               fragment=None):
    """The step's page; with ``fragment`` (a question, for htmx) only that question."""
    signed_in = current_user.is_authenticated
    questions = view.step.questions
    latest = progress.latest_answers(db.session, current_user, questions) if signed_in else {}
    results = results or {}
    answer_forms = dict(answer_forms or {})
    for q in questions:
        if q.id not in answer_forms:
            form = forms.answer_form(q, formdata=None, csrf=signed_in)
            if q.id in latest:
                form.answer.data = [str(i) for i in latest[q.id].choice_ids] if q.multiple \
                    else (str(latest[q.id].choice_ids[0]) if latest[q.id].choice_ids else None)
            answer_forms[q.id] = form
    for q in questions:
        if q.id not in results and q.id in latest:
            results[q.id] = progress.Result(q, latest[q.id].choice_ids, latest[q.id].correct)
    mine = progress.progress_for(db.session, current_user, view.course) if signed_in else None
    done = progress.done_step_ids(db.session, current_user, view.course) if mine else set()
    context = {
        "view": view, "course": view.course, "lesson": view.lesson, "step": view.step,
        "args": services.step_args(view.course, view.lesson, view.step),
        "answer_forms": answer_forms, "results": results, "progress": mine, "done": done,
        "done_form": EmptyForm() if signed_in else None, "practice_url": _practice_url(view),
        "total": services.step_count(view.course),
        "complete": bool(mine and mine.completed_at),
    }
    if fragment is not None and htmx:
        # htmx swaps only 2xx answers: the fragment carries its own error message
        return render_template("literacy/_question.html", question=fragment, **context), 200
    return render_template("literacy/step.html", **context), status


@bp.get("/learn/<slug:slug>/<slug:lesson_slug>/<int:position>")
@cached_page("literacy")
def step(slug: str, lesson_slug: str, position: int):
    """A step. An anonymous reader's quiz form comes back here by GET (``check`` names the
    question): the answer is checked and shown, never saved."""
    view = _get(services.read_step, slug, lesson_slug, position)
    checked = request.args.get("check", type=int)
    question = next((q for q in view.step.questions if q.id == checked), None)
    if question is None or current_user.is_authenticated:
        return _step_page(view)
    form = forms.answer_form(question, formdata=request.args, csrf=False)
    results = {}
    status = 200
    if form.validate():
        try:
            results[question.id] = progress.check(question, forms.chosen_ids(form))
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
    else:
        status = 422
    return _step_page(view, results=results, answer_forms={question.id: form}, status=status,
                      fragment=question)


@bp.post("/learn/<slug:slug>/<slug:lesson_slug>/<int:position>/done")
@login_required
def mark_done(slug: str, lesson_slug: str, position: int):
    view = _get(services.get_step, slug, lesson_slug, position)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("literacy.step", **services.step_args(
            view.course, view.lesson, view.step)), code=303)
    mine = progress.mark_done(db.session, current_user, view)
    if mine.completed_at is not None and view.next is None:
        flash(_l("You have finished the course."), "success")
        return redirect(url_for("literacy.certificate", slug=view.course.slug), code=303)
    if view.next is None:
        return redirect(url_for("literacy.course", slug=view.course.slug), code=303)
    nxt = view.next
    return redirect(url_for("literacy.step", **services.step_args(
        view.course, view.lesson_for(nxt), nxt)), code=303)


@bp.post("/learn/<slug:slug>/<slug:lesson_slug>/<int:position>/answer/<int:question_id>")
@login_required
def answer(slug: str, lesson_slug: str, position: int, question_id: int):
    view = _get(services.get_step, slug, lesson_slug, position)
    question = next((q for q in view.step.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    form = forms.answer_form(question)
    status = 422
    if form.validate_on_submit():
        try:
            progress.answer(db.session, current_user, view, question, forms.chosen_ids(form))
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if not htmx:  # the step's page shows the latest answer and its explanation
                return redirect(url_for("literacy.step", **services.step_args(
                    view.course, view.lesson, view.step)) + f"#question-{question.id}", code=303)
            status = 200
    # The commit (or the rollback) expired the rows: read the step again.
    view = _get(services.get_step, slug, lesson_slug, position)
    question = next(q for q in view.step.questions if q.id == question_id)
    answer_forms = {} if status == 200 else {question.id: form}
    return _step_page(view, answer_forms=answer_forms, status=status, fragment=question)


@bp.get("/learn/<slug:slug>/<slug:lesson_slug>/print")
@cached_page("literacy")
def print_lesson(slug: str, lesson_slug: str):
    found, lesson = _get(services.get_lesson, slug, lesson_slug)
    quizzes = [q for s in lesson.steps for q in s.questions]
    return render_template("literacy/print.html", course=found, lesson=lesson, quizzes=quizzes)


@bp.route("/learn/<slug:slug>/certificate", methods=["GET", "POST"])
@login_required
def certificate(slug: str):
    found = _get(services.get_course, slug)
    issued = progress.certificate_for(db.session, current_user, found)
    mine = progress.progress_for(db.session, current_user, found)
    form = None
    status = 200
    if issued is None and mine is not None and mine.completed_at is not None:
        form = forms.CertificateForm(data={"name": current_user.display_name}) \
            if request.method == "GET" else forms.CertificateForm()
        if request.method == "POST":
            answer = save_form(
                form, lambda form: progress.issue_certificate(db.session, current_user, found,
                                                              form.name.data),
                saved=_l("Your certificate is ready. You can print it."),
                next_url=url_for("literacy.certificate", slug=found.slug))
            if answer is not None:
                return answer
            status = 422
    elif request.method == "POST":
        if issued is None:
            flash_errors(Invalid({"": [_l("Finish every step and pass the quiz to get the "
                                          "certificate.")]}))
        return redirect(url_for("literacy.certificate", slug=found.slug), code=303)
    verify_url = absolute_url("literacy.verify", code=issued.code) if issued else None
    return render_template("literacy/certificate.html", course=found, certificate=issued,
                           progress=mine, form=form, verify_url=verify_url,
                           verify_page=absolute_url("literacy.verify")), status
