"""Facilitators' classes (blueprint ``literacy_admin``, pages under ``/learn/classes/``) and
joining one with its code (``/learn/join``). Thin: parse, call ``classes``, redirect (303)."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.exports import to_csv
from portal.core.forms import EmptyForm
from portal.core.views import form_view
from portal.extensions import db, limiter
from portal.literacy import class_forms as forms
from portal.literacy import classes, manage
from portal.literacy.manage_routes import bp


def _class_url(learner_class) -> str:
    return url_for("literacy_admin.class_page", class_id=learner_class.id)


def _join_limit() -> str:
    return current_app.config.get("LITERACY_JOIN_RATE_LIMIT", "10 per minute;50 per day")


def _account_key() -> str:
    return f"account:{current_user.id}" if current_user.is_authenticated else "anonymous"


@bp.get("/learn/classes/")
@login_required
def classes_index():
    if not classes.is_facilitator(current_user):
        abort(403)
    return render_template("literacy/classes/index.html",
                           classes=classes.visible_classes(db.session, current_user))


def _class_setup(form) -> None:
    form.course_id.choices = [("", _("Choose a course"))] + [
        (c.id, str(c.title)) for c in classes.published_courses(db.session)]
    parties = manage.author_parties(db.session, current_user)
    form.department_id.choices = [("", _("Nobody in particular"))] + [
        (d.id, str(d.name)) for d in parties]


@bp.route("/learn/classes/new", methods=["GET", "POST"])
@login_required
def new_class():
    if not classes.is_facilitator(current_user):
        abort(403)
    return form_view(
        forms.ClassForm, "literacy/classes/form.html", setup=_class_setup,
        save=lambda form: classes.create_class(db.session, current_user, form.name.data,
                                               form.course_id.data, form.department_id.data),
        saved=lambda c: _l("The class is open. Give learners its code: %(code)s", code=c.code),
        next_url=_class_url)


@bp.get("/learn/classes/<int:class_id>")
@login_required
def class_page(class_id: int):
    learner_class = classes.get_class(db.session, current_user, class_id)
    return render_template("literacy/classes/class.html", learner_class=learner_class,
                           rows=classes.progress(db.session, learner_class),
                           action_form=EmptyForm())


@bp.get("/learn/classes/<int:class_id>/progress.csv")
@login_required
def class_csv(class_id: int):
    learner_class = classes.get_class(db.session, current_user, class_id)
    rows = classes.progress(db.session, learner_class)
    header = [_("Learner"), _("Steps done"), _("Steps in the course"), _("Last activity"),
              _("Quiz score (%)"), _("Completed"), _("Certificate code")]
    body = [[r.name, r.steps_done, r.steps_total,
             r.last_activity.isoformat(timespec="minutes") if r.last_activity else "",
             r.score if r.score is not None else "",
             r.completed_at.date().isoformat() if r.completed_at else "", r.certificate or ""]
            for r in rows]
    response = make_response(to_csv(header, body))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="class-{learner_class.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/learn/classes/<int:class_id>/<any(close, reopen):action>")
@login_required
def class_state(class_id: int, action: str):
    learner_class = classes.get_class(db.session, current_user, class_id)
    classes.set_open(db.session, current_user, learner_class, action == "reopen")
    flash(_l("The class is closed: nobody can join it now.") if action == "close"
          else _l("The class is open again: learners can join with its code."), "success")
    return redirect(_class_url(learner_class), code=303)


@bp.post("/learn/classes/<int:class_id>/learners/<int:user_id>/remove")
@login_required
def remove_learner(class_id: int, user_id: int):
    learner_class = classes.get_class(db.session, current_user, class_id)
    classes.remove_learner(db.session, current_user, learner_class, user_id)
    flash(_l("The learner is removed from the class."), "success")
    return redirect(_class_url(learner_class), code=303)


# --- learners ------------------------------------------------------------------------------------

@bp.route("/learn/join", methods=["GET", "POST"])
@login_required
@limiter.limit(_join_limit, key_func=_account_key, methods=["POST"])
def join():
    return form_view(
        forms.JoinForm, "literacy/classes/join.html",
        save=lambda form: classes.join(db.session, current_user, form.code.data),
        saved=lambda c: _l("You are in the class “%(name)s”.", name=c.name),
        next_url=lambda _c: url_for("literacy_admin.my_classes"))


@bp.get("/learn/classes/mine")
@login_required
def my_classes():
    return render_template("literacy/classes/mine.html",
                           my_classes=classes.my_classes(db.session, current_user),
                           action_form=EmptyForm())


@bp.post("/learn/classes/<int:class_id>/leave")
@login_required
def leave(class_id: int):
    learner_class = classes.leave(db.session, current_user, class_id)
    flash(_l("You have left the class “%(name)s”.", name=learner_class.name), "success")
    return redirect(url_for("literacy_admin.my_classes"), code=303)


