"""Staff pages for one request: the full timeline and every action on it; reply templates.

Each action is its own POST route and form, calling one service. Without JavaScript it
redirects back with a message (or shows the page again with the errors, 422); with htmx it
returns the updated ``_work.html`` fragment (status, deadlines, timeline and actions).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from portal.core import audit
from portal.core.auth import role_required
from portal.core.errors import Invalid, NotFound
from portal.core.forms import EmptyForm, int_arg
from portal.core.i18n import LOCALES, current, localize
from portal.core.roles import ADMIN, MODERATOR, STAFF
from portal.core.views import apply_errors, save_form
from portal.extensions import db, htmx
from portal.feedback import attachments, services
from portal.feedback import states as st
from portal.feedback.models import Attachment, Request
from portal.feedback.staff import forms, replies
from portal.moderation import services as queue
from portal.responsibility.models import Department
from portal.responsibility.services import DISPATCH_CODE, categories, department_tree, reference_data

bp = Blueprint("feedback_staff", __name__)

STAFF_ROLES = (STAFF, MODERATOR, ADMIN)  # reply templates
# A request's page and actions: also organization members linked to a party
# (portal.moderation.services.QUEUE_ROLES; ``services.handles`` decides per request).
REQUEST_ROLES = queue.QUEUE_ROLES

WORKING = {"routed", "acknowledged", "in_progress", "reopened"}
# action -> (form class, field prefix, states it applies in, as the services allow; None: any)
ACTIONS = {
    "acknowledge": (forms.AcknowledgeForm, "ack", {"routed", "reopened", "returned"}),
    "start": (forms.StartWorkForm, "start", {"routed", "acknowledged", "reopened"}),
    "ask": (forms.AskForm, "ask", WORKING),
    "answer": (forms.AnswerForm, "answer", WORKING),
    "extend": (forms.ExtendForm, "extend", st.ACTIVE),
    "assign": (forms.AssignForm, "assign", st.ACTIVE),
    "note": (forms.NoteForm, "note", None),
    "return": (forms.ReturnForm, "return", WORKING),
    "reassign": (forms.ReassignForm, "reassign", st.ACTIVE),
    "invite": (forms.InviteOrganizationForm, "invite", st.ACTIVE),
    "close": (forms.CloseForm, "close", st.ACTIVE),
}

ACTION_LABELS = {
    "acknowledge": _l("Acknowledge"),
    "start": _l("Start work"),
    "ask": _l("Ask the resident for more information"),
    "answer": _l("Answer"),
    "extend": _l("Extend the deadline"),
    "assign": _l("Assign to a colleague"),
    "note": _l("Add an internal note"),
    "return": _l("Return to the dispatcher: not our responsibility"),
    "reassign": _l("Send to another department"),
    "invite": _l("Invite an organization to help"),
    "close": _l("Close as a duplicate or not actionable"),
}


# --- loading and permissions ---------------------------------------------------------------

def _load(code: str) -> Request:
    item = services.by_code(db.session, code, public=False)
    if not services.handles(db.session, current_user, item):
        abort(403)
    return item


def available(item: Request) -> list[str]:
    """The actions the request's state allows this staff member, in page order."""
    names = [name for name, (_c, _p, states) in ACTIONS.items()
             if states is None or item.state in states]
    if item.extended or not item.resolve_due_at:
        names = [n for n in names if n != "extend"]
    if item.lead_department is not None and item.lead_department.code == DISPATCH_CODE:
        names = [n for n in names if n != "return"]  # it is with the dispatcher already
    if not services.may_reassign(db.session, current_user):
        names = [n for n in names if n != "reassign"]
    if "invite" in names and not _invitable(item):
        names = [n for n in names if n != "invite"]
    return names


def _invitable(item: Request) -> list:
    """The verified organizations' parties the lead department's staff (moderators,
    administrators) may invite to help: not on the request yet. Empty for anyone else. No
    statement at all while the city has no organization's party (reference data)."""
    from portal.responsibility.models import GOVERNMENT
    from portal.responsibility.services import unavailable_parties

    taken = {item.lead_department_id, *(item.co_department_ids or [])}
    parties = [d for d in reference_data(db.session).departments
               if d.kind != GOVERNMENT and d.id not in taken]
    if not parties:
        return []
    if not current_user.has_role(MODERATOR, ADMIN) and (
            item.lead_department_id not in queue.staff_department_ids(db.session, current_user)):
        return []
    closed = unavailable_parties(db.session, [d.id for d in parties])
    return sorted((d for d in parties if d.id not in closed), key=lambda d: str(d.name).casefold())


# --- forms ---------------------------------------------------------------------------------

def _assignees(item: Request):
    people = queue.department_staff(db.session, [item.lead_department_id, *(item.co_department_ids or [])])
    for extra in (current_user._get_current_object(), item.assigned_user):
        if extra is not None and extra not in people and services.handles(db.session, extra, item):
            people.append(extra)
    return people


def _fill(name: str, form, item: Request) -> None:
    if name == "assign":
        form.assignee.choices = [SelectChoice("", _("Nobody"))] + [
            SelectChoice(u.id, u.display_name) for u in _assignees(item)]
    elif name == "invite":
        form.organization.choices = [SelectChoice("", _("Choose an organization"))] + [
            SelectChoice(d.id, str(d.name)) for d in _invitable(item)]
    elif name == "reassign":
        form.department.choices = [SelectChoice("", _("Choose a department"))] + [
            SelectChoice(d.id, ("— " * d.depth) + str(d.name))
            for d in reference_data(db.session).departments if d.id != item.lead_department_id]


def _forms(item: Request, active: str | None = None, active_form=None,
           answer_text: str | None = None) -> dict:
    result = {}
    for name in available(item):
        if name == active and active_form is not None:
            result[name] = active_form
            continue
        cls, prefix, _states = ACTIONS[name]
        data = None
        if name == "answer" and answer_text:
            data = {"text": answer_text}
        elif name == "assign":
            data = {"assignee": item.assigned_user_id}
        form = cls(formdata=None, prefix=prefix, data=data)
        _fill(name, form, item)
        result[name] = form
    return result


def _template_picker(item: Request, selected: int | None = None):
    templates = replies.for_category(db.session, item.category_id)
    if not templates:
        return None
    form = forms.TemplatePickForm(formdata=None, data={"template": selected})
    form.template.choices = [SelectChoice("", _("Choose a template"))] + [
        SelectChoice(t.id, str(replies.title(t))) for t in templates]
    return form


# --- what the page shows -------------------------------------------------------------------

@dataclass
class Answer:
    question: object
    values: list
    free_text: bool


def _answers(item: Request) -> list[Answer]:
    """The resident's answers to the category's extra questions, in the reader's language."""
    found = []
    for attribute in sorted(item.category.attributes or [], key=lambda a: a.get("order", 0)):
        value = (item.answers or {}).get(attribute["code"])
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        names = {str(v["key"]): localize(v.get("name_i18n")) for v in attribute.get("values", [])}
        free = not names
        found.append(Answer(localize(attribute.get("description_i18n")),
                            [names.get(str(v), v) for v in values], free))
    return found


def _context(item: Request, forms_: dict, **extra) -> dict:
    events = services.timeline(db.session, item, internal=True)
    files = attachments.for_request(db.session, item.id)
    by_event: dict[int | None, list[Attachment]] = {}
    for f in files:
        by_event.setdefault(f.event_id, []).append(f)
    ref = reference_data(db.session)  # held per process: no query
    departments = {d.id: d for d in ref.departments}
    areas = {a.code: a for a in ref.areas}
    picker = extra.pop("picker") if "picker" in extra else _template_picker(item)
    return {
        "item": item, "events": events, "action_forms": forms_,
        "request_files": by_event.get(None, []), "event_files": by_event,
        "departments": departments, "departments_by_code": {d.code: d for d in departments.values()},
        "co_departments": [departments[i] for i in item.co_department_ids or [] if i in departments],
        "areas_by_code": areas, "answers": _answers(item), "states": st.STATES,
        "event_labels": st.EVENT_LABELS, "picker": picker,
        "fragment": False, "labels": ACTION_LABELS, **extra,
    }


def _page(item: Request, forms_: dict, status: int = 200, **extra):
    return render_template("feedback/staff/detail.html", **_context(item, forms_, **extra)), status


def _fragment(item: Request, forms_: dict, **extra):
    return render_template("feedback/staff/_work.html",
                           **_context(item, forms_, **{**extra, "fragment": True}))


# --- the page ------------------------------------------------------------------------------

@bp.get("/<code>")
@role_required(*REQUEST_ROLES)
def detail(code: str):
    item = _load(code)
    template_id = int_arg(request.args.get("template"))
    answer_text = None
    if template_id:
        template = replies.get(db.session, template_id)
        answer_text = str(replies.body(template, current().code))
    forms_ = _forms(item, answer_text=answer_text)
    picker = _template_picker(item, template_id)
    if htmx and not htmx.history_restore_request and template_id and "answer" in forms_:
        return render_template("feedback/staff/_answer_form.html", item=item,
                               form=forms_["answer"], picker=picker)
    page = _page(item, forms_, picker=picker, open_action="answer" if template_id else None)
    if item.personal_data_removed_at is None:  # the page shows the resident's details
        # after rendering: the commit expires nothing the page still reads (one INSERT)
        audit.viewed(db.session, current_user, "request", item.id, item.resident_id,
                     request.remote_addr)
    return page


@bp.get("/<code>/files/<int:attachment_id>")
@role_required(*REQUEST_ROLES)
def file(code: str, attachment_id: int):
    item = _load(code)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.request_id != item.id:
        abort(404)
    response = send_file(io.BytesIO(attachment.data), mimetype=attachment.content_type,
                         as_attachment=not attachment.content_type.startswith("image/"),
                         download_name=attachment.filename, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the actions ---------------------------------------------------------------------------

def _act(code: str, name: str, do, success: str):
    item = _load(code)
    if name == "reassign" and not services.may_reassign(db.session, current_user):
        abort(403)
    cls, prefix, _states = ACTIONS[name]
    form = cls(prefix=prefix)
    _fill(name, form, item)
    answer = save_form(form, lambda form: do(item, form), saved=success,
                       next_url=url_for("feedback_staff.detail", code=item.tracking_code),
                       htmx_done=lambda _none, message: _fragment(item, _forms(item), message=message))
    if answer is not None:
        return answer
    forms_ = _forms(item, active=name, active_form=form)
    if name not in forms_:  # the state changed under the staff member: show why
        forms_[name] = form
    if htmx:  # htmx swaps only 2xx answers: the fragment carries the errors
        return _fragment(item, forms_, failed=name)
    return _page(item, forms_, status=422, failed=name)


def _text(form, field="text") -> str:
    return (getattr(form, field).data or "").strip()


@bp.post("/<code>/acknowledge")
@role_required(*REQUEST_ROLES)
def acknowledge(code: str):
    return _act(code, "acknowledge",
                lambda item, form: services.acknowledge(db.session, current_user, item, _text(form)),
                _("The request is acknowledged."))


@bp.post("/<code>/start")
@role_required(*REQUEST_ROLES)
def start(code: str):
    return _act(code, "start",
                lambda item, form: services.start_work(db.session, current_user, item, _text(form)),
                _("Work on the request has started."))


@bp.post("/<code>/ask")
@role_required(*REQUEST_ROLES)
def ask(code: str):
    return _act(code, "ask",
                lambda item, form: services.ask_for_information(db.session, current_user, item,
                                                                _text(form)),
                _("Your question is sent. The deadline is paused until the resident answers."))


def _answer(item: Request, form) -> None:
    added, errors = attachments.add_uploads(db.session, form.files.data or [], request_id=item.id)
    if errors:
        raise Invalid({"files": errors})
    services.answer(db.session, current_user, item, _text(form), attachment_ids=[a.id for a in added])


@bp.post("/<code>/answer")
@role_required(*REQUEST_ROLES)
def answer(code: str):
    return _act(code, "answer", _answer,
                _("Your answer is published. The resident is asked whether it is resolved."))


@bp.post("/<code>/extend")
@role_required(*REQUEST_ROLES)
def extend(code: str):
    return _act(code, "extend",
                lambda item, form: services.extend(db.session, current_user, item, form.days.data,
                                                   _text(form, "reason")),
                _("The deadline is extended."))


def _assign(item: Request, form) -> None:
    colleague = None
    if form.assignee.data:
        allowed = {u.id: u for u in _assignees(item)}
        colleague = allowed.get(form.assignee.data)
        if colleague is None:
            raise Invalid({"assignee": [_("Choose a colleague from the list.")]})
    services.assign(db.session, current_user, item, colleague)


@bp.post("/<code>/assign")
@role_required(*REQUEST_ROLES)
def assign(code: str):
    return _act(code, "assign", _assign, _("The assignment is saved."))


@bp.post("/<code>/note")
@role_required(*REQUEST_ROLES)
def note(code: str):
    return _act(code, "note",
                lambda item, form: services.note(db.session, current_user, item, _text(form)),
                _("Your internal note is added."))


@bp.post("/<code>/return")
@role_required(*REQUEST_ROLES)
def return_to_dispatcher(code: str):
    return _act(code, "return",
                lambda item, form: services.return_to_dispatcher(db.session, current_user, item,
                                                                 _text(form, "reason")),
                _("The request is back with the dispatcher."))


def _reassign(item: Request, form) -> None:
    department = db.session.get(Department, form.department.data) if form.department.data else None
    if department is None:
        raise Invalid({"department": [_("Choose the department.")]})
    services.reassign(db.session, current_user, item, department, _text(form, "reason"))


@bp.post("/<code>/reassign")
@role_required(*REQUEST_ROLES)
def reassign(code: str):
    return _act(code, "reassign", _reassign, _("The request is sent to the other department."))


def _invite(item: Request, form) -> None:
    allowed = {d.id for d in _invitable(item)}
    party = db.session.get(Department, form.organization.data) if form.organization.data in allowed else None
    if party is None:
        raise Invalid({"organization": [_("Choose a verified organization from the list.")]})
    services.invite_co_handler(db.session, current_user, item, party, _text(form, "note"))


@bp.post("/<code>/invite")
@role_required(*REQUEST_ROLES)
def invite(code: str):
    return _act(code, "invite", _invite,
                _("The organization is invited: it now helps handle the request."))


def _close(item: Request, form) -> None:
    original = None
    if form.ending.data == "closed_duplicate":
        typed = (form.duplicate_of.data or "").strip()
        if not typed:
            raise Invalid({"duplicate_of": [_("Enter the tracking code of the original request.")]})
        try:
            original = services.by_code(db.session, typed)
        except NotFound:
            raise Invalid({"duplicate_of": [
                _("No request has the tracking code %(code)s.", code=typed)]}) from None
    services.close(db.session, current_user, item, form.ending.data, _text(form, "reason"),
                   duplicate_of=original)


@bp.post("/<code>/close")
@role_required(*REQUEST_ROLES)
def close(code: str):
    return _act(code, "close", _close, _("The request is closed."))


# --- reply templates -----------------------------------------------------------------------

def _category_choices(empty_label: str):
    return [SelectChoice("", empty_label)] + [
        SelectChoice(c.id, str(c.name)) for c in categories(db.session, active_only=False)]


@bp.get("/reply-templates")
@role_required(*STAFF_ROLES)
def templates():
    search = forms.ReplyTemplateFilterForm(request.args)
    search.category.choices = _category_choices(_("All categories"))
    search.validate_search()
    page = replies.listing(db.session, search.category.data,
                           before=int_arg(request.args.get("before")),
                           after=int_arg(request.args.get("after")))
    names = {c.id: c.name for c in categories(db.session, active_only=False)}
    mine = replies.editor_departments(db.session, current_user)
    editable = {t.id for t in page.items if mine is None or t.department_id in mine}
    return render_template("feedback/staff/templates.html", search=search, page=page,
                           category_names=names, replies=replies, locales=LOCALES, editable=editable,
                           may_write=mine is None or bool(mine))


def _template_form(template=None, formdata=None):
    data = None
    if template is not None and formdata is None:
        data = {"category": template.category_id, "source_locale": template.source_locale,
                "department": template.department_id}
        for loc in LOCALES:
            data[forms.field_name("title", loc.code)] = (template.title_i18n or {}).get(loc.code, "")
            data[forms.field_name("body", loc.code)] = (template.body_i18n or {}).get(loc.code, "")
    elif formdata is None:
        data = {"source_locale": current().code}
    form = forms.ReplyTemplateForm(formdata=formdata, data=data)
    form.category.choices = _category_choices(_("All categories"))
    mine = replies.editor_departments(db.session, current_user)
    form.department.choices = ([SelectChoice("", _("Administrators only"))] if mine is None else []) + [
        SelectChoice(d.id, ("— " * depth) + str(d.name)) for d, depth in department_tree(db.session)
        if mine is None or d.id in mine]
    return form


def _save_template(template):
    replies.require_editor(db.session, current_user, template)  # 403 before anything is shown
    form = _template_form(template, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        titles = {loc.code: form[forms.field_name("title", loc.code)].data for loc in LOCALES}
        bodies = {loc.code: form[forms.field_name("body", loc.code)].data for loc in LOCALES}
        try:
            saved = replies.save(db.session, current_user, template, form.category.data,
                                 form.source_locale.data, titles, bodies, form.department.data)
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, Invalid({
                (forms.field_name(*key.split(":", 1)) if ":" in key else key): messages
                for key, messages in exc.errors.items()}))
        else:
            flash(_l("The reply template “%(title)s” is saved.", title=replies.title(saved)), "success")
            return redirect(url_for("feedback_staff.templates"), code=303)
    status = 422 if form.errors else 200
    return render_template("feedback/staff/template_form.html", form=form, template=template,
                           locales=LOCALES, field_name=forms.field_name,
                           delete_form=EmptyForm(formdata=None, prefix="delete")), status


@bp.route("/reply-templates/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def template_new():
    return _save_template(None)


@bp.route("/reply-templates/<int:template_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def template_edit(template_id: int):
    return _save_template(replies.get(db.session, template_id))


@bp.post("/reply-templates/<int:template_id>/delete")
@role_required(*STAFF_ROLES)
def template_delete(template_id: int):
    template = replies.get(db.session, template_id)
    replies.require_editor(db.session, current_user, template)
    if not EmptyForm(prefix="delete").validate_on_submit():
        abort(400)
    title = str(replies.title(template))
    replies.delete(db.session, current_user, template)
    flash(_l("The reply template “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for("feedback_staff.templates"), code=303)

