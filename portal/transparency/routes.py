"""The disclosure requests' pages: the section's index (how it works, recent public requests),
the ask form (with the responsibility list's lookup, no JavaScript needed), the
acknowledgement, "your disclosure requests", and a request's page, which shows each reader
what they may see: the requester and the department's staff the whole request and their
forms, anonymous readers of a public request its timeline only (cached, no forms, nobody
named). One POST route per step; each redirects (303) back to the request's page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core import datasets
from portal.core.cache import cached_page
from portal.core.errors import Invalid
from portal.core.forms import EmptyForm, int_arg
from portal.core.models import User
from portal.core.views import apply_errors, flash_errors, save_form
from portal.extensions import db
from portal.responsibility.services import LEVELS, area_order, categories
from portal.transparency import forms, rules
from portal.transparency import services as svc

bp = Blueprint("transparency", __name__)

# The classification table's dataset whose fields these pages print (``open_data``): a page
# prints a field only if it is in ``shown``.
DATASET = "disclosure-requests"


def _url(req) -> str:
    return url_for("transparency.detail", code=req.tracking_code)


@bp.get("/disclosure")
@cached_page("transparency", "responsibility")
def index():
    form = forms.SearchForm(request.args)
    form.validate_search()
    q = form.q.data or ""
    page = svc.public_requests(db.session, before=int_arg(request.args.get("before")),
                               after=int_arg(request.args.get("after")), q=q)
    return render_template("transparency/index.html", page=page, limits=rules.limits(),
                           states=rules.STATES, form=form, args={"q": q} if q else {},
                           shown=datasets.visible(DATASET, datasets.reader_for(current_user)))


@bp.get("/disclosure/mine")
@login_required
def mine():
    page = svc.for_requester(db.session, current_user, before=int_arg(request.args.get("before")),
                             after=int_arg(request.args.get("after")))
    return render_template("transparency/mine.html", page=page, states=rules.STATES,
                           shown=datasets.visible(DATASET, datasets.reader_for(current_user, owner=True)))


# --- asking ---------------------------------------------------------------------------------

def _department_choices(form) -> None:
    groups: dict[str, list] = {}
    for department in svc.departments(db.session):
        groups.setdefault(str(LEVELS.get(department.level, department.level)), []).append(
            SelectChoice(department.id, str(department.name)))
    form.department_id.choices = {"": [SelectChoice("", _l("Choose a department"))], **groups}


def _lookup_choices(form) -> None:
    form.category_id.choices = [SelectChoice("", _l("Choose a topic"))] + [
        SelectChoice(c.id, str(c.name)) for c in categories(db.session)]
    form.area_id.choices = [SelectChoice("", _l("Choose an area"))] + [
        SelectChoice(a.id, "\u2003" * depth + str(a.name)) for a, depth in area_order(db.session)]


@bp.route("/disclosure/ask", methods=["GET", "POST"])
@login_required
def ask():
    finder = forms.FindDepartmentForm(request.args)
    _lookup_choices(finder)
    suggestion = None
    if request.method == "GET" and ("category_id" in request.args or "area_id" in request.args):
        finder.validate_search()
        try:
            suggestion = svc.suggest_department(db.session, finder.category_id.data, finder.area_id.data)
        except Invalid as exc:
            apply_errors(finder, exc)
    form = forms.AskForm()
    _department_choices(form)
    form.category_id.choices = form.area_id.choices = []
    if request.method == "GET" and suggestion is not None:
        form.department_id.data = suggestion.department.id
        form.category_id.data, form.area_id.data = suggestion.category.id, suggestion.area.id
    answer = save_form(form, lambda form: svc.ask(db.session, current_user, svc.AskData(
        description=form.description.data or "", purpose=form.purpose.data or "",
        delivery=form.delivery.data or "", public=form.visibility.data == "public",
        department_id=form.department_id.data, source_locale=g.get("locale") or "en",
        category_id=form.category_id.data, area_id=form.area_id.data)), saved=None,
        next_url=lambda req: url_for("transparency.received", code=req.tracking_code))
    if answer is not None:
        return answer
    status = 422 if request.method == "POST" else 200
    return render_template("transparency/ask.html", form=form, finder=finder,
                           suggestion=suggestion), status


@bp.get("/disclosure/requests/<code>/received")
@login_required
def received(code: str):
    req = svc.by_code(db.session, code, current_user)
    if not svc.is_requester(req, current_user):
        abort(403)
    return render_template("transparency/received.html", req=req)


# --- a request's page -----------------------------------------------------------------------

FORMS = ("correction_form", "reply_form", "extend_form", "pause_form", "answer_form")


def _page(req, status=200, **bound):
    user = current_user
    handler = svc.can_handle(db.session, req, user)
    requester = svc.is_requester(req, user)
    shown = datasets.visible(DATASET, datasets.reader_for(user, owner=requester, handler=handler))
    staff_forms = {}
    if handler:
        answer_form = bound.get("answer_form") or forms.AnswerForm(formdata=None)
        answer_form.fill_choices()
        staff_forms = {
            "correction_form": bound.get("correction_form") or forms.CorrectionForm(formdata=None),
            "extend_form": bound.get("extend_form") or forms.ExtendForm(formdata=None),
            "pause_form": bound.get("pause_form") or forms.PauseForm(formdata=None),
            "answer_form": answer_form,
            "action_form": EmptyForm(),
        }
    reply_form = (bound.get("reply_form") or forms.ReplyForm(formdata=None)) if requester else None
    # The department needs to know whom to answer (by email, by post); nobody else is told.
    contact = db.session.get(User, req.requester_id) if handler and "requester_id" in shown else None
    from portal.transparency import catalog

    can_catalog = handler and req.state == "answered" and req.answer_type in catalog.CATALOGUABLE
    catalogued = catalog.catalogued(db.session, req) if can_catalog else None
    return render_template(
        "transparency/request.html", req=req, state=rules.STATES[req.state],
        events=svc.timeline(db.session, req), limits=rules.limits(), rules=rules,
        handler=handler, requester=requester, full=handler or requester, shown=shown,
        reply_form=reply_form,
        contact=contact, can_catalog=can_catalog, catalogued=catalogued,
        **staff_forms), status


@bp.get("/disclosure/requests/<code>")
@cached_page("transparency", "responsibility")
def detail(code: str):
    return _page(svc.by_code(db.session, code, current_user))


def _step(code: str, form_class, form_arg: str, action, done, allowed=None):
    req = svc.by_code(db.session, code, current_user)
    if not (allowed or svc.can_handle)(db.session, req, current_user):
        abort(403)
    form = form_class()
    if form_arg == "answer_form":
        form.fill_choices()
    answer = save_form(form, lambda form: action(req, form), saved=done, next_url=_url(req))
    return answer or _page(req, 422, **{form_arg: form})


@bp.post("/disclosure/requests/<code>/correction")
@login_required
def ask_correction(code: str):
    return _step(code, forms.CorrectionForm, "correction_form",
                 lambda r, f: svc.ask_correction(db.session, current_user, r, f.missing.data),
                 _l("The requester is asked for a correction: the clock stopped."))


@bp.post("/disclosure/requests/<code>/reply")
@login_required
def reply(code: str):
    return _step(code, forms.ReplyForm, "reply_form",
                 lambda r, f: svc.send_correction(db.session, current_user, r, f.text.data),
                 _l("Your correction is sent: the department's time to answer started again."),
                 allowed=lambda session, r, user: svc.is_requester(r, user))


@bp.post("/disclosure/requests/<code>/extend")
@login_required
def extend(code: str):
    return _step(code, forms.ExtendForm, "extend_form",
                 lambda r, f: svc.extend(db.session, current_user, r, f.days.data, f.reason.data),
                 _l("The time to answer is extended."))


@bp.post("/disclosure/requests/<code>/pause")
@login_required
def pause(code: str):
    return _step(code, forms.PauseForm, "pause_form",
                 lambda r, f: svc.pause(db.session, current_user, r, f.third_party.data),
                 _l("The clock stopped while you consult the third party."))


@bp.post("/disclosure/requests/<code>/resume")
@login_required
def resume(code: str):
    req = svc.by_code(db.session, code, current_user)
    if not svc.can_handle(db.session, req, current_user):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.resume(db.session, current_user, req)
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(_l("The clock runs again; the days paused are not counted."), "success")
    return redirect(_url(req), code=303)


@bp.post("/disclosure/requests/<code>/answer")
@login_required
def answer(code: str):
    def act(r, f):
        return svc.answer(db.session, current_user, r, svc.AnswerData(
            answer_type=f.answer_type.data or "", link=f.link.data or "", provided=f.provided.data or "",
            withheld=f.withheld.data or "", ground=f.ground.data or "", holder=f.holder.data or "",
            earlier_code=f.earlier_code.data or "", note=f.note.data or ""))

    return _step(code, forms.AnswerForm, "answer_form", act, _l("The answer is sent to the requester."))
