"""The public list and request pages, and what residents do with their own requests.

Every action is its own POST route and form. Without JavaScript it redirects back to the
request's page (303); with htmx it returns the part of the page that changed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from portal.core import datasets
from portal.core.cache import cached_page
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import EmptyForm, int_arg
from portal.core.i18n import localize
from portal.core.models import utcnow
from portal.core.views import apply_errors
from portal.extensions import db, htmx
from portal.feedback import attachments, services
from portal.feedback import states as st
from portal.feedback.models import Attachment, Request, RequestEvent
from portal.feedback.web import forms
from portal.feedback.web.routes import bp
from portal.responsibility import services as responsibility
from portal.responsibility.models import Area, Department

# --- helpers -------------------------------------------------------------------------------


def _fragment() -> bool:
    """An htmx request that wants a part of the page (not a history restore)."""
    return bool(htmx) and not htmx.history_restore_request


def _vary(response):
    response = make_response(response)
    response.vary.add("HX-Request")
    return response


def login_first(view):
    """Anonymous visitors are sent to log in, and come back to the request's page (a POST
    route cannot be the place to come back to)."""

    @wraps(view)
    def wrapped(code: str, **kwargs):
        if not current_user.is_authenticated:
            target = url_for("accounts.login", next=url_for("feedback.detail", code=code))
            flash(_l("Log in to continue."), "info")
            if htmx:
                response = make_response("", 204)
                response.headers["HX-Redirect"] = target
                return response
            return redirect(target, code=303)
        return view(code, **kwargs)

    return wrapped


def _own(item: Request) -> None:
    """Only the resident who raised a request acts on it as its resident."""
    if item.resident_id is None or item.resident_id != current_user.id:
        raise Forbidden()


def is_public_attachment(item: Request, attachment: Attachment) -> bool:
    """The resident's own files (uploaded with the request) and the files of public replies;
    not what staff have uploaded for a reply they have not sent yet."""
    if attachment.request_id != item.id:
        return False
    return attachment.event_id is not None or attachment.created_at <= item.created_at


# --- deadlines, explained (a template global: ``macros/deadlines.html`` uses it) ------------


@dataclass
class Count:
    """One counting of a deadline: from ``start``, ``amount`` working hours or days."""

    unit: str
    amount: int
    start: datetime | None
    due: datetime | None
    skipped: list[tuple[date, str, object]] = field(default_factory=list)  # day, reason, name
    worked: list[tuple[date, object]] = field(default_factory=list)  # working weekend days
    office_hours: tuple[str, str] = ("09:00", "17:00")


@dataclass
class DeadlineView:
    which: str  # acknowledge, resolve
    due: datetime | None
    status: tuple[str, str] | None  # (label, status_tag kind)
    count: Count | None
    changes: list[dict]


def _dt(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _count(explanation: dict | None) -> Count | None:
    if not explanation or "unit" not in explanation:
        return None
    skipped = [(date.fromisoformat(s["date"]), s.get("reason", "weekend"),
                localize(s["name"]) if s.get("name") else None)
               for s in explanation.get("skipped", [])]
    worked = [(date.fromisoformat(w["date"]), localize(w["name"]) if w.get("name") else None)
              for w in explanation.get("worked", [])]
    hours = explanation.get("office_hours") or ("09:00", "17:00")
    return Count(explanation["unit"], int(explanation.get("amount", 0)), _dt(explanation.get("start")),
                 _dt(explanation.get("due")), skipped, worked, (hours[0], hours[1]))


def _status(item: Request, which: str, due: datetime | None) -> tuple[str, str] | None:
    now = utcnow()
    if which == "acknowledge":
        if item.acknowledged_at is not None:
            on_time = due is None or item.acknowledged_at <= due
            return (_("Met"), "success") if on_time else (_("Missed"), "danger")
    else:
        if item.answered_at is not None:
            on_time = due is None or item.answered_at <= due
            return (_("Met"), "success") if on_time else (_("Missed"), "danger")
        if item.state_type == st.PAUSED:
            return _("Paused: waiting for the resident"), "warning"
    if item.state_type in (st.CLOSED, st.PENDING) or due is None:
        return None
    if due < now:
        return _("Overdue"), "danger"
    return None


def deadline_view(item: Request, which: str) -> DeadlineView:
    """How one of a request's deadlines (``acknowledge`` or ``resolve``) was worked out: the
    first counting, then every change (a pause, the extension, a reassignment, a reopening)."""
    explanation = item.deadline_explanation or {}
    due = item.ack_due_at if which == "acknowledge" else item.resolve_due_at
    changes = []
    for change in explanation.get("changes", []):
        kind = change.get("kind")
        if kind == "paused" and which == "resolve":
            changes.append({"kind": kind, "from": _dt(change.get("from")), "to": _dt(change.get("to")),
                            "working_days": int(change.get("working_days") or 0)})
        elif kind == "extended" and which == "resolve":
            changes.append({"kind": kind, "working_days": int(change.get("working_days") or 0),
                            "reason": change.get("reason") or ""})
        elif kind in ("reassigned", "reopened") and change.get(which):
            changes.append({"kind": kind, "count": _count(change[which])})
    return DeadlineView(which, due, _status(item, which, due), _count(explanation.get(which)), changes)


@bp.app_template_global("deadline_view")
def _deadline_view_global(item, which):
    return deadline_view(item, which)


@bp.app_template_global("deadline_count")
def _deadline_count_global(explanation):
    """A stored explanation (``portal.core.calendar``), parsed for ``deadlines.explain``."""
    return _count(explanation)


# --- the timeline, as the public sees it ---------------------------------------------------


@dataclass
class Entry:
    event: RequestEvent
    label: object
    who: object
    department: Department | None  # the department the event sent it to (routed, reassigned)
    files: list[Attachment]


def _departments(item: Request, events: list[RequestEvent]) -> dict[str, Department]:
    """The departments the timeline names, and the co-handling ones, in one query."""
    codes = {e.data.get(key) for e in events if e.data
             for key in ("department", "acting_department") if e.data.get(key)}
    codes.add(responsibility.DISPATCH_CODE)
    ids = set(item.co_department_ids or [])
    rows = db.session.scalars(select(Department).where(
        or_(Department.code.in_(codes), Department.id.in_(ids)) if ids else Department.code.in_(codes)))
    return {d.code: d for d in rows}


def _entries(item: Request, events: list[RequestEvent], departments: dict[str, Department],
             files: list[Attachment]) -> list[Entry]:
    """Who did what. Staff are named by the department they acted under (the lead or a
    co-handling one; for older events, the department that had the request then), never by
    their own names; residents by their name only if they chose to show it."""
    by_event: dict[int, list[Attachment]] = {}
    for attachment in files:
        if attachment.event_id is not None:
            by_event.setdefault(attachment.event_id, []).append(attachment)
    holder: Department | None = None
    entries = []
    resident = services.public_name(item)
    for event in events:
        data = event.data or {}
        target = None
        if event.kind in ("routed", "reassigned"):
            target = departments.get(data.get("department"))
        if event.actor_role == "resident" or (
                event.actor_role == "system" and event.kind in ("submitted", "confirmed")):
            who = resident
        elif event.actor_role == "staff" and departments.get(data.get("acting_department")):
            who = departments[data["acting_department"]].name
        elif event.actor_role == "staff":
            who = holder.name if holder is not None else _("The department")
        elif event.kind == "update" and departments.get(data.get("department")):
            who = departments[data["department"]].name
        else:
            who = _("The portal")
        if event.kind in ("routed", "reassigned"):
            holder = target
        elif event.kind == "returned":
            holder = departments.get(responsibility.DISPATCH_CODE)
        entries.append(Entry(event, st.EVENT_LABELS.get(event.kind, event.kind), who, target,
                             by_event.get(event.id, [])))
    return entries


def _shown(item: Request, owner: bool) -> frozenset[str]:
    """The fields of the request the reader may read on its page: the classification table
    decides (``portal.core.datasets``), for its resident and the staff handling it as
    ``services.handles`` says. Every anonymous reader is the same reader, so the cached page
    is the same for all of them."""
    return datasets.visible("requests", datasets.reader_for(
        current_user, owner=owner, handler=services.handles(db.session, current_user, item)))


def _detail_context(item: Request, **extra) -> dict:
    events = services.timeline(db.session, item)
    files = [a for a in attachments.for_request(db.session, item.id) if is_public_attachment(item, a)]
    departments = _departments(item, events)
    entries = _entries(item, events, departments, files)
    # the areas whose rule of the responsibility list routed it (a district's, the city's)
    rule_areas = {e.data["area"] for e in events if e.kind == "routed" and (e.data or {}).get("area")}
    rule_areas = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_(rule_areas)))} if rule_areas else {}
    owner = current_user.is_authenticated and item.resident_id == current_user.id
    shown = _shown(item, owner)
    answer = next((e for e in reversed(entries) if e.event.kind == "answered"), None)
    question = next((e for e in reversed(entries) if e.event.kind == "info_requested"), None)
    context = {
        "item": item,
        "state": st.STATES[item.state],
        "entries": entries,
        "rule_areas": rule_areas,
        "answer": answer,
        "question": question if item.state == "waiting" else None,
        "request_files": [a for a in files if a.event_id is None],
        "co_departments": [d for d in departments.values() if d.id in set(item.co_department_ids or [])],
        "public_name": services.public_name(item),
        "shown": shown,
        "location": services.mask_numbers(item.location_text),
        # the resident who raised it (and the staff handling it) see the address they gave,
        # and what the public sees
        "own_location": item.location_text if "location_text" in shown else None,
        "is_owner": owner,
        "following": services.is_following(db.session, current_user, item) if not owner else False,
        "follow_form": EmptyForm(formdata=None),
        "partial": False,
    }
    if owner:
        context.setdefault("add_form", forms.AddInformationForm(formdata=None, prefix="add"))
        context.setdefault("info_form", forms.ProvideInformationForm(formdata=None))
        context.setdefault("respond_form", forms.RespondForm(formdata=None))
    context.update(extra)
    return context


def _render_request(item: Request, status: int = 200, notice: str | None = None, **extra):
    """The request's page, or (htmx) the part of it below the heading."""
    if _fragment():
        context = _detail_context(item, partial=True, notice=notice, **extra)
        # htmx does not swap 4xx responses: a form with errors comes back as 200.
        return _vary((render_template("feedback/_request.html", **context), 200))
    return _vary((render_template("feedback/detail.html", **_detail_context(item, **extra)), status))


def _done(item: Request, message: str):
    if _fragment():
        return _render_request(item, notice=message)
    flash(message, "success")
    return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)


# --- the public list -----------------------------------------------------------------------


def _search_choices(form: forms.RequestSearchForm) -> None:
    any_category, any_area, any_department = _("Any category"), _("Any area"), _("Any department")
    ref = responsibility.reference_data(db.session)  # held per process (no query)
    form.category.choices = [("", any_category)] + [(str(c.id), str(c.name)) for c in ref.categories]
    form.area.choices = [("", any_area)] + [
        (str(a.id), "— " * a.depth + str(a.name)) for a in ref.areas]
    form.department.choices = [("", any_department)] + [
        (str(d.id), "— " * d.depth + str(d.name)) for d in ref.departments]


def list_filters() -> tuple[forms.RequestSearchForm, services.ListFilter, dict]:
    """The public list's filters from the query string (the list, the map and its data share
    them): the bound form, the service's filter and the query arguments in force."""
    form = forms.RequestSearchForm(request.args)
    _search_choices(form)
    form.validate_search()
    q = (form.q.data or "").strip()[:100]
    state = form.state.data if form.state.data in st.PUBLIC_TYPES else None
    filters = services.ListFilter(
        q=q, category_id=int_arg(form.category.data), area_id=int_arg(form.area.data),
        state_type=state, department_id=int_arg(form.department.data))
    args = {"q": q, "category": form.category.data, "area": form.area.data, "state": state,
            "department": form.department.data}
    return form, filters, {k: v for k, v in args.items() if v}


@bp.get("")
@cached_page("feedback", "responsibility")
def index():
    form, filters, args = list_filters()
    page = services.public_list(db.session, filters, before=int_arg(request.args.get("before")),
                                after=int_arg(request.args.get("after")))
    context = {"search": form, "page": page, "args": args, "filtered": bool(args), "states": st.STATES,
               "shown": datasets.visible("requests", datasets.reader_for(current_user))}
    if _fragment():
        return _vary(render_template("feedback/_results.html", **context))
    return _vary(render_template("feedback/index.html", **context))


# --- finding a request by its tracking code (the home page's box) --------------------------


@bp.app_template_global("find_request_form")
def find_request_form() -> forms.FindRequestForm:
    return forms.FindRequestForm(formdata=None)


@bp.get("/find")
def find():
    """An exact code goes to its request, anything else to the list's search; a code that is
    malformed (or nothing typed) gets its error beside the field, keeping what was typed."""
    form = forms.FindRequestForm(request.args)
    if "code" not in request.args:
        return render_template("feedback/find.html", form=form)
    if form.validate():
        text = form.code.data.strip()
        try:
            code = services.read_tracking_code(text)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            if code is None:
                return redirect(url_for("feedback.index", q=text), code=303)
            try:
                item = services.by_code(db.session, code)
            except NotFound:
                return redirect(url_for("feedback.index", q=code), code=303)
            return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)
    return render_template("feedback/find.html", form=form), 422


# --- the resident's own requests -----------------------------------------------------------


@bp.get("/mine")
@login_required
def mine():
    page = services.for_resident(db.session, current_user, before=int_arg(request.args.get("before")),
                                 after=int_arg(request.args.get("after")))
    return render_template("feedback/mine.html", page=page, states=st.STATES)


# --- one request ---------------------------------------------------------------------------


@bp.get("/<code>")
@cached_page("feedback", "responsibility")
def detail(code: str):
    item = services.by_code(db.session, code)
    if code != item.tracking_code:  # r-2026-000001 → R-2026-000001: one address per request
        return redirect(url_for("feedback.detail", code=item.tracking_code), code=301)
    return _render_request(item)


@bp.get("/<code>/files/<int:attachment_id>")
def attachment(code: str, attachment_id: int):
    item = services.by_code(db.session, code)
    file = db.session.get(Attachment, attachment_id)
    if file is None or not is_public_attachment(item, file):
        abort(404)
    image = file.content_type.startswith("image/")
    response = send_file(
        io.BytesIO(file.data), mimetype=file.content_type, as_attachment=not image,
        download_name=file.filename, etag=file.sha256, last_modified=file.created_at, max_age=3600,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.get("/<code>/files/<int:attachment_id>/thumbnail")
def thumbnail(code: str, attachment_id: int):
    """A photo's small version, made by the server on first view and stored. A file never
    changes, so it is cached for a year (the page's link carries the file's hash)."""
    item = services.by_code(db.session, code)
    file = db.session.get(Attachment, attachment_id)
    if file is None or not is_public_attachment(item, file):
        abort(404)
    made = file.thumbnail is None
    data = attachments.make_thumbnail(file)
    if data is None:
        abort(404)
    if made:
        db.session.commit()
    response = send_file(io.BytesIO(data), mimetype="image/jpeg", etag=f"t-{file.sha256}",
                         last_modified=file.created_at, max_age=365 * 24 * 3600, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<code>/verify")
def verify(code: str):
    item = services.by_code(db.session, code)
    result = services.verify(db.session, item)
    events = services.timeline(db.session, item, internal=True)
    return render_template("feedback/verify.html", item=item, result=result, events=events,
                           labels=st.EVENT_LABELS, is_internal=services.is_internal,
                           public_canonical=services.public_canonical)


# --- following ("me too") ------------------------------------------------------------------


def _follow_done(item: Request, message: str):
    if _fragment():
        db.session.refresh(item)
        owner = item.resident_id == current_user.id
        return _vary(render_template(
            "feedback/_follow.html", item=item, is_owner=owner, shown=_shown(item, owner),
            following=services.is_following(db.session, current_user, item),
            follow_form=EmptyForm(formdata=None), follow_notice=message))
    flash(message, "success")
    return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)


@bp.post("/<code>/follow")
@login_first
def follow(code: str):
    item = services.by_code(db.session, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.follow(db.session, current_user, item)
    return _follow_done(item, _("You are following this request. We will tell you about every change."))


@bp.post("/<code>/unfollow")
@login_first
def unfollow(code: str):
    item = services.by_code(db.session, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.unfollow(db.session, current_user, item)
    return _follow_done(item, _("You no longer follow this request."))


# --- the resident's actions ----------------------------------------------------------------


@bp.post("/<code>/information")
@login_first
def provide_information(code: str):
    item = services.by_code(db.session, code)
    _own(item)
    form = forms.ProvideInformationForm()
    if form.validate_on_submit():
        try:
            services.provide_information(db.session, current_user, item, form.text.data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            return _done(item, _("Your answer is sent. The department's time to answer runs again."))
    return _render_request(item, 422, form=form, info_form=form)


@bp.post("/<code>/respond")
@login_first
def respond(code: str):
    item = services.by_code(db.session, code)
    _own(item)
    form = forms.RespondForm()
    if form.validate_on_submit():
        resolved = form.resolved.data == "yes"
        try:
            services.respond(db.session, current_user, item, resolved, form.satisfaction.data,
                             form.comment.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            if resolved:
                return _done(item, _("Thank you. The request is closed as resolved."))
            return _done(item, _("Thank you. The request is reopened and goes back to the "
                                 "department with priority."))
    return _render_request(item, 422, form=form, respond_form=form)


@bp.post("/<code>/add-information")
@login_first
def add_information(code: str):
    """The resident adds a text and/or files to their open request."""
    item = services.by_code(db.session, code)
    _own(item)
    try:
        form = forms.AddInformationForm(prefix="add")
    except RequestEntityTooLarge:
        form = forms.AddInformationForm(formdata=None, prefix="add")
        form.files.errors = [_("The files are too large together. Add them one or two at a time.")]
        return _render_request(item, 413, form=form, add_form=form)
    if form.validate_on_submit():
        uploads = [(f.filename or "", f.read()) for f in form.files.data or []
                   if f is not None and f.filename]
        try:
            services.add_information(db.session, current_user, item, form.text.data or "", uploads)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            return _done(item, _("Your information is added to the request, and the department "
                                 "is told."))
    return _render_request(item, 422, form=form, add_form=form)


def _confirm_page(item: Request, template: str, form, status: int = 200):
    """A confirmation step: the full page, or (htmx) the form in place of the actions."""
    name = "feedback/_" + template
    if _fragment():
        response = _vary((render_template(name, item=item, form=form, partial=True), 200))
        if request.method == "POST":  # the form asked for #request-body; errors go in place
            response.headers["HX-Retarget"] = "#actions"
            response.headers["HX-Reswap"] = "outerHTML"
        return response
    return _vary((render_template("feedback/" + template, item=item, form=form), status))


@bp.route("/<code>/withdraw", methods=["GET", "POST"])
@login_first
def withdraw(code: str):
    item = services.by_code(db.session, code)
    _own(item)
    form = forms.WithdrawForm()
    if item.state_type == st.CLOSED:
        flash(_l("This request is already closed."), "info")
        return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)
    if form.validate_on_submit():
        try:
            services.withdraw(db.session, current_user, item, form.reason.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            return _done(item, _("The request is withdrawn."))
    status = 422 if request.method == "POST" else 200
    return _confirm_page(item, "withdraw.html", form, status)


@bp.route("/<code>/remove-details", methods=["GET", "POST"])
@login_first
def remove_details(code: str):
    item = services.by_code(db.session, code)
    _own(item)
    form = EmptyForm()
    if item.personal_data_removed_at is not None:
        flash(_l("Your name and contact details have already been removed from this request."), "info")
        return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)
    if item.state_type != st.CLOSED:
        flash(_l("You can remove your name and contact details once the request is closed."), "info")
        return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)
    if form.validate_on_submit():
        try:
            services.remove_personal_data(db.session, current_user, item)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            return _done(item, _("Your name and contact details are removed from this request."))
    status = 422 if request.method == "POST" else 200
    return _confirm_page(item, "remove_details.html", form, status)
