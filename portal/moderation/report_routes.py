"""Reports' pages: a reader's report form (``/<lang>/report/<kind>/<id>``) and, in the staff
queue, a reported item's page where moderators decide. Plain form posts that redirect (303);
the report form page works without JavaScript (htmx only loads it inline on the item's page)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.auth import role_required
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.roles import ADMIN, MODERATOR
from portal.core.views import apply_errors, save_form
from portal.extensions import db, htmx
from portal.moderation import reports
from portal.moderation.report_forms import DecisionForm, ReportForm
from portal.moderation.routes import bp as queue_bp

bp = Blueprint("reports", __name__)


def _item_url(info: reports.ItemInfo) -> str:
    return url_for(info.endpoint, **info.endpoint_args, _anchor=info.anchor)


def _loaded(kind: str, item_id: int):
    try:
        spec, item = reports.load(db.session, kind, item_id)
    except NotFound:
        abort(404)
    return spec, item, spec.describe(item)


@bp.route("/<kind>/<int:item_id>", methods=["GET", "POST"])
@login_required
def report(kind: str, item_id: int):
    spec, item, info = _loaded(kind, item_id)
    if not reports.may_report(current_user, spec.author_id(item)):
        abort(403)
    already = reports.already_reported(db.session, current_user, kind, item_id)
    form = ReportForm()
    if request.method == "POST" and not already and form.validate_on_submit():
        try:
            result = reports.report(db.session, current_user, kind, item_id, form.reason.data,
                                    form.note.data or "")
        except Forbidden:
            db.session.rollback()
            abort(403)
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if result.created:
                flash(_l("Thank you: your report is sent to the moderators."), "success")
            else:
                flash(_l("You have already reported this. The moderators will look at it."), "info")
            return redirect(_item_url(info), code=303)
    elif request.method == "POST" and already:
        if not form.validate_on_submit():
            abort(400)
        flash(_l("You have already reported this. The moderators will look at it."), "info")
        return redirect(_item_url(info), code=303)
    status = 422 if request.method == "POST" else 200
    inline = htmx and request.method == "GET"
    template = "moderation/_report_form.html" if inline else "moderation/report.html"
    return render_template(template, form=form, spec=spec, info=info, kind=kind, item_id=item_id,
                           already=already, back=_item_url(info)), status


# --- the queue's page of a reported item --------------------------------------------------------------

def _reported_page(reported_id: int, form=None, status: int = 200):
    try:
        view = reports.get_reported(db.session, current_user, reported_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    return render_template(
        "moderation/reported.html", view=view, form=form or DecisionForm(formdata=None),
        reason_labels=reports.REASON_LABELS, state_labels=reports.STATE_LABELS,
        state_tags=reports.STATE_TAGS,
        item_url=_item_url(view.info) if view.info else None), status


@queue_bp.get("/reports/<int:reported_id>")
@role_required(MODERATOR, ADMIN)
def reported(reported_id: int):
    return _reported_page(reported_id)


@queue_bp.post("/reports/<int:reported_id>")
@role_required(MODERATOR, ADMIN)
def decide(reported_id: int):
    form = DecisionForm()
    answer = save_form(
        form, lambda form: reports.decide(db.session, current_user, reported_id, form.decision.data,
                                          form.reason_code.data or "", form.reason_text.data or "",
                                          request.remote_addr),
        saved=lambda done: {
            "hidden": _l("The content is hidden; its author is told why."),
            "restored": _l("The content is restored; the reports are dismissed."),
            "blocked": _l("The content is hidden and its author can no longer post in the "
                          "halls; they are told why.")}[done.state],
        next_url=url_for("moderation.reported", reported_id=reported_id))
    return answer or _reported_page(reported_id, form, 422)


def init_app(app) -> None:
    reports.register_queue()
    app.add_template_global(reports.may_report, "may_report")
    app.add_template_global(reports.sees_hidden, "sees_hidden")
    app.add_template_global(reports.reason_label, "hidden_reason_label")
