"""The staff queue pages: one inbox, filters, bulk and row actions (htmx updates in place)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectChoice

from portal.core.auth import role_required
from portal.core.errors import Invalid
from portal.core.forms import EmptyForm
from portal.core.i18n import format_moment
from portal.core.models import User, utcnow
from portal.core.rendering import CompiledRow
from portal.core.views import apply_errors
from portal.extensions import db, htmx
from portal.moderation import forms, services
from portal.moderation.models import QueueItem
from portal.responsibility import services as responsibility

bp = Blueprint("moderation", __name__)

FILTER_ARGS = ("department", "category", "area", "state", "overdue", "mine", "done", "sort")


def _filter_form() -> forms.QueueFilterForm:
    form = forms.QueueFilterForm(request.args)
    form.validate_search()
    return form


def _filters(form: forms.QueueFilterForm) -> services.QueueFilter:
    return services.QueueFilter(
        department_id=form.department.data, category_id=form.category.data,
        area_id=form.area.data, state=form.state.data or None, overdue=bool(form.overdue.data),
        mine=bool(form.mine.data), include_done=bool(form.done.data),
        sort="updated" if form.sort.data == "updated" else "due",
    )


def filter_args() -> dict[str, str]:
    """The queue's filters from the query string, to keep them across actions and pages."""
    return {k: v for k in FILTER_ARGS if (v := request.args.get(k))}


class Lookups:
    """Names for the filters and the rows: the categories, areas and departments from the
    per-process reference data (no query); the assignees of the page's rows in one query."""

    def __init__(self, items: list[QueueItem],
                 directory: services.StaffDirectory | None = None) -> None:
        ref = responsibility.reference_data(db.session)
        self.departments = [(d, d.depth) for d in ref.departments]
        self.areas = [(a, a.depth) for a in ref.areas]
        self.categories = list(ref.categories)
        self.department = {d.id: d for d in ref.departments}
        self.area = {a.id: a for a in ref.areas}
        self.category = {c.id: c for c in ref.categories}
        names = directory.names if directory is not None else {}
        self.user = {i.assigned_user_id: names[i.assigned_user_id] for i in items
                     if i.assigned_user_id in names}
        ids = {i.assigned_user_id for i in items if i.assigned_user_id} - set(self.user)
        if ids:  # not staff (any more), or blocked: looked up
            self.user.update(db.session.execute(
                select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _fill_choices(form: forms.QueueFilterForm, lookups: Lookups) -> None:
    form.department.choices = [SelectChoice("", _("Any department"))] + [
        SelectChoice(d.id, ("— " * depth) + str(d.name)) for d, depth in lookups.departments]
    form.category.choices = [SelectChoice("", _("Any category"))] + [
        SelectChoice(c.id, str(c.name)) for c in lookups.categories]
    form.area.choices = [SelectChoice("", _("Any area"))] + [
        SelectChoice(a.id, ("— " * depth) + str(a.name)) for a, depth in lookups.areas]
    form.state.choices = [SelectChoice("", _("Any state"))] + [
        SelectChoice(code, str(info.label)) for code, info in services.all_states()]


def _bulk_form(bound: bool = False, departments: set[int] | None = None,
               directory: services.StaffDirectory | None = None) -> forms.BulkForm:
    """The bulk form: bound to what was posted, or empty; its colleagues from the staff
    directory held per process when the page has it."""
    form = forms.BulkForm() if bound else forms.BulkForm(formdata=None)
    if directory is not None:
        people = directory.colleagues(current_user, departments or set())
    else:
        people = [(u.id, u.display_name)
                  for u in services.colleagues(db.session, current_user, departments)]
    form.assignee.choices = [SelectChoice("", _("Choose a colleague"))] + [
        SelectChoice(user_id, name) for user_id, name in people]
    return form


def _rows(items: list[QueueItem], lookups: Lookups, co_handled: set[int], args: dict,
          selected: set[int], invalid: bool) -> list[CompiledRow]:
    """The rows with their links and buttons, worked out once a page (each URL pattern and
    label built once) and written by ``compiled_rows`` (templates/moderation/_queue_row.html)."""
    now = utcnow()
    links = services.links(items)
    # The pattern, trusted as the templates' _() trusts translations; the reference is escaped.
    select_label = Markup(_("Select %(reference)s"))  # noqa: S704
    labels = {"assign_me": _("Assign to me"), "acknowledge": _("Acknowledge")}
    marker = 2_147_483_647  # no real id: replaced by each row's
    patterns = {name: url_for("moderation.row_action", item_id=marker, action=name, **args)
                for name in labels}
    states: dict[tuple[str, str], services.StateInfo] = {}  # each label translated once a page
    rows = []
    for item in items:
        key = (item.module, item.state)
        if key not in states:
            info = services.state_info(item)
            states[key] = services.StateInfo(str(info.label), info.tag)
        state = states[key]
        actions = services.row_actions(item, current_user)
        href = links[item.id]
        department = lookups.department.get(item.department_id)
        assigned = lookups.user.get(item.assigned_user_id)
        category, area = lookups.category.get(item.category_id), lookups.area.get(item.area_id)
        rows.append(CompiledRow(
            shape={"linked": bool(href), "checked": item.id in selected, "invalid": invalid,
                   "has_lang": bool(item.lang), "with_dispatcher": department is None,
                   "co_handled": item.id in co_handled, "priority": bool(item.priority),
                   "has_due": bool(item.due_at), "overdue": services.is_overdue(item, now),
                   "nobody": assigned is None, "actions": tuple(labels[a] for a in actions)},
            values={"id": item.id, "select_label": select_label % {"reference": item.reference},
                    "href": href or "", "reference": item.reference, "lang": item.lang or "",
                    "title": item.title, "category": category.name if category else "",
                    "area": area.name if area else "",
                    "department": department.name if department else "",
                    "state_tag": state.tag, "state_label": state.label,
                    "due_iso": item.due_at.isoformat() if item.due_at else "",
                    "due_text": format_moment(item.due_at) if item.due_at else "",
                    "assigned": assigned or ""},
            actions=[patterns[a].replace(f"/{marker}/", f"/{item.id}/", 1) for a in actions]))
    return rows


def _context(bulk_form: forms.BulkForm | None = None) -> dict:
    form = _filter_form()
    # Who works where and their names, held per process: the staff member's departments for
    # the rows, co-handling and colleagues, and the assignees' names.
    directory = services.staff_directory(db.session)
    departments = (directory.departments_of(current_user)
                   if services.acts_for_parties(current_user) else set())
    items, cursor = services.page(db.session, current_user, _filters(form),
                                  after=request.args.get("after") or None, departments=departments)
    lookups = Lookups(items, directory)
    _fill_choices(form, lookups)
    args = filter_args()
    bulk = bulk_form or _bulk_form(departments=departments, directory=directory)
    co_handled = services.co_handled(db.session, current_user, items, departments)
    selected = set(bulk["items"].data or [])
    return {
        "search": form, "items": items, "next_cursor": cursor,
        "rows": _rows(items, lookups, co_handled, args, selected, bool(bulk["items"].errors)),
        "selected": selected,
        "bulk": bulk, "args": args, "first_page": bool(request.args.get("after")),
    }


def _may_open() -> None:
    if not services.may_open_queue(db.session, current_user):
        abort(403)


@bp.get("/")
@role_required(*services.QUEUE_ROLES)
def queue():
    _may_open()
    context = _context()
    if htmx and not htmx.history_restore_request:
        return render_template("moderation/_queue_table.html", **context)
    return render_template("moderation/queue.html", **context)


def _summary(result: services.BulkResult) -> tuple[str, str]:
    parts = []
    if result.done:
        parts.append(ngettext("%(num)d item updated.", "%(num)d items updated.", len(result.done)))
    for item, message in result.failed:
        parts.append(_("%(reference)s: %(message)s", reference=item.reference, message=message)
                     if item else message)
    category = "error" if result.failed and not result.done else (
        "warning" if result.failed else "success")
    return " ".join(parts), category


@bp.post("/bulk")
@role_required(*services.QUEUE_ROLES)
def bulk():
    _may_open()
    form = _bulk_form(bound=True)
    if form.validate_on_submit():
        assignee = None
        if form.action.data == "assign_to" and form.assignee.data:
            allowed = {choice.value for choice in form.assignee.choices}
            assignee = db.session.get(User, form.assignee.data) if form.assignee.data in allowed else None
            if assignee is None:
                form.assignee.errors = [_("Choose a colleague from the list.")]
        if not form.errors:
            try:
                result = services.bulk(db.session, current_user, form.items.data or [],
                                       form.action.data or "", assignee)
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                message, category = _summary(result)
                if htmx:
                    context = _context()
                    return render_template("moderation/_queue_table.html", message=message,
                                           message_category=category, **context)
                flash(message, category)
                return redirect(url_for("moderation.queue", **filter_args()), code=303)
    context = _context(bulk_form=form)
    if htmx:  # htmx swaps 2xx answers only: the fragment carries the errors
        return render_template("moderation/_queue_table.html", fragment=True, **context)
    return render_template("moderation/queue.html", **context), 422


@bp.post("/<int:item_id>/<any(assign_me, acknowledge):action>")
@role_required(*services.QUEUE_ROLES)
def row_action(item_id: int, action: str):
    """One row's button: the same as ticking that row alone and choosing the action."""
    _may_open()
    if not EmptyForm().validate_on_submit():
        abort(400)
    item = services.get_visible(db.session, current_user, item_id)
    message, category = _summary(services.bulk(db.session, current_user, [item.id], action))
    if htmx:
        return render_template("moderation/_queue_table.html", message=message,
                               message_category=category, **_context())
    flash(message, category)
    return redirect(url_for("moderation.queue", **filter_args()), code=303)
