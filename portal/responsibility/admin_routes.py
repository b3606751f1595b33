"""Administrators' pages for the responsibility list, departments, areas, categories and
the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.core import calendar as cal
from portal.core.auth import role_required
from portal.core.errors import Invalid, NotFound
from portal.core.forms import EmptyForm, int_arg
from portal.core.roles import ADMIN
from portal.core.views import form_view, save_form
from portal.extensions import db, htmx
from portal.responsibility import forms, services
from portal.responsibility.forms import fill_versions, read_versions
from portal.responsibility.models import PARTY_KINDS

bp = Blueprint("responsibility_admin", __name__)


@bp.before_request
@role_required(ADMIN)
def administrators_only():
    """Every page here: sign in first, then administrators only (403 for anyone else)."""
    return None


def _ip() -> str | None:
    return request.remote_addr


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


# --- choices for selects, in hierarchy order -----------------------------------------------

def _department_choices(none_label=None, exclude: set[int] | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", none_label)] if none_label else []
    return choices + [
        SelectChoice(d.id, ("— " * depth) + str(d.name))
        for d, depth in services.department_tree(db.session) if d.id not in (exclude or set())
    ]


def _party_choices(none_label=None) -> list[SelectChoice]:
    """Every accountable party grouped by kind (government first): the rule form's lead."""
    choices = [SelectChoice("", none_label)] if none_label else []
    tree = services.department_tree(db.session)
    for kind, label in PARTY_KINDS.items():
        choices += [SelectChoice(d.id, ("— " * depth) + str(d.name), optgroup=str(label))
                    for d, depth in tree if (d.kind or "government") == kind]
    return choices


def _co_party_choices() -> list[SelectChoice]:
    """Co-handlers: each party named with its kind unless it is a government department."""
    return [SelectChoice(d.id, ("— " * depth) + str(d.name) if (d.kind or "government") == "government"
                         else _("%(name)s (%(kind)s)", name=str(d.name), kind=PARTY_KINDS[d.kind]))
            for d, depth in services.department_tree(db.session)]


def _area_choices(none_label=None, exclude: set[int] | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", none_label)] if none_label else []
    return choices + [
        SelectChoice(a.id, ("— " * depth) + str(a.name))
        for a, depth in services.area_order(db.session) if a.id not in (exclude or set())
    ]


def _category_choices(none_label) -> list[SelectChoice]:
    return [SelectChoice("", none_label)] + [
        SelectChoice(c.id, f"{c.name} ({c.service_code})")
        for c in services.categories(db.session, active_only=False)
    ]


@bp.get("/")
def index():
    return render_template("admin/responsibility_index.html")


# --- departments ---------------------------------------------------------------------------

def _department_data(form) -> services.DepartmentData:
    return services.DepartmentData(
        code=form.code.data or "", level=form.level.data, names=read_versions(form, "name"),
        source_locale=form.source_locale.data, parent_id=form.parent_id.data,
        email=form.email.data, phone=form.phone.data, supervisor_email=form.supervisor_email.data,
    )


@bp.get("/departments")
def departments():
    return render_template("admin/responsibility_departments.html",
                           departments=services.department_tree(db.session), levels=services.LEVELS,
                           kinds=PARTY_KINDS)


def _department_page(department):
    def setup(form):
        form.parent_id.choices = _department_choices(
            _("None: it is at the top"), {department.id} if department else None)

    def save(form):
        if department is None:
            return services.create_department(db.session, current_user, _department_data(form), _ip())
        services.update_department(db.session, current_user, department, _department_data(form), _ip())
        return department

    data = None
    if department is not None:
        supervisor = services.supervisor(db.session, department)
        data = {"code": department.code, "level": department.level, "parent_id": department.parent_id,
                "source_locale": department.source_locale, "email": department.email,
                "phone": department.phone, "supervisor_email": supervisor.email if supervisor else "",
                **fill_versions("name", department.name_i18n)}
    return form_view(
        forms.DepartmentForm, "admin/responsibility_department_form.html", data=data, setup=setup,
        save=save, saved=lambda d: _l("The department %(name)s is saved.", name=d.name),
        next_url=lambda d: url_for(".departments"), context={"department": department})


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    return _department_page(None)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    return _department_page(services.get_department(db.session, department_id))


# --- areas ---------------------------------------------------------------------------------

def _area_data(form) -> services.AreaData:
    return services.AreaData(code=form.code.data or "", level=form.level.data,
                             names=read_versions(form, "name"),
                             source_locale=form.source_locale.data, parent_id=form.parent_id.data)


@bp.get("/areas")
def areas():
    return render_template("admin/responsibility_areas.html", areas=services.area_order(db.session),
                           levels=services.LEVELS)


def _area_page(area):
    def setup(form):
        form.parent_id.choices = _area_choices(_("None: it is the whole city"),
                                               {area.id} if area else None)

    def save(form):
        if area is None:
            return services.create_area(db.session, current_user, _area_data(form), _ip())
        services.update_area(db.session, current_user, area, _area_data(form), _ip())
        return area

    data = area and {"code": area.code, "level": area.level, "parent_id": area.parent_id,
                     "source_locale": area.source_locale, **fill_versions("name", area.name_i18n)}
    return form_view(
        forms.AreaForm, "admin/responsibility_area_form.html", data=data, setup=setup, save=save,
        saved=lambda a: _l("The area %(name)s is saved.", name=a.name),
        next_url=lambda a: url_for(".areas"),
        context={"area": area, "boundaries": _boundary_history(area) if area else []})


def _boundary_history(area):
    """The area's boundaries, newest first, with who imported each (one query for them)."""
    from portal.core.models import User
    from portal.responsibility import geometry

    history = geometry.boundary_history(db.session, area)
    ids = {b.created_by_id for b in history if b.created_by_id}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [(b, people.get(b.created_by_id)) for b in history]


@bp.route("/areas/new", methods=["GET", "POST"])
def area_new():
    return _area_page(None)


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
def area_edit(area_id: int):
    return _area_page(services.get_area(db.session, area_id))


# --- category groups and categories --------------------------------------------------------

@bp.get("/categories")
def categories():
    groups = services.all_groups(db.session)
    by_group: dict[int, list] = {g.id: [] for g in groups}
    for category in services.categories(db.session, active_only=False):
        by_group.setdefault(category.group_id, []).append(category)
    return render_template("admin/responsibility_categories.html", groups=groups, by_group=by_group)


def _group_data(form) -> services.GroupData:
    return services.GroupData(code=form.code.data or "", names=read_versions(form, "name"),
                              source_locale=form.source_locale.data, position=form.position.data or 0)


def _group_page(group):
    def save(form):
        if group is None:
            return services.create_group(db.session, current_user, _group_data(form), _ip())
        services.update_group(db.session, current_user, group, _group_data(form), _ip())
        return group

    data = group and {"code": group.code, "position": group.position,
                      "source_locale": group.source_locale, **fill_versions("name", group.name_i18n)}
    return form_view(
        forms.GroupForm, "admin/responsibility_group_form.html", data=data, save=save,
        saved=lambda g: _l("The group %(name)s is saved.", name=g.name),
        next_url=lambda g: url_for(".categories"), context={"group": group})


@bp.route("/groups/new", methods=["GET", "POST"])
def group_new():
    return _group_page(None)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id: int):
    return _group_page(services.get_group(db.session, group_id))


def _category_data(form) -> services.CategoryData:
    return services.CategoryData(
        service_code=form.service_code.data or "", group_id=form.group_id.data,
        names=read_versions(form, "name"), descriptions=read_versions(form, "description"),
        source_locale=form.source_locale.data, keywords=read_versions(form, "keywords"),
        ack_hours=form.ack_hours.data, resolve_days=form.resolve_days.data,
        active=form.active.data,
    )


def _group_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a group"))] + [
        SelectChoice(g.id, str(g.name)) for g in services.all_groups(db.session)]


def _category_page(category):
    def setup(form):
        form.group_id.choices = _group_choices()
        if category is None and request.method == "GET" and int_arg(request.args.get("group")):
            form.group_id.data = int_arg(request.args.get("group"))

    def save(form):
        if category is None:
            return services.create_category(db.session, current_user, _category_data(form), _ip())
        services.update_category(db.session, current_user, category, _category_data(form), _ip())
        return category

    def saved(c):
        if category is None:
            return _l("The category %(name)s is saved. You can now add its questions.", name=c.name)
        return _l("The category %(name)s is saved.", name=c.name)

    data = category and {
        "service_code": category.service_code, "group_id": category.group_id,
        "source_locale": category.source_locale, **fill_versions("keywords", category.keywords_i18n),
        "ack_hours": category.ack_hours, "resolve_days": category.resolve_days,
        "active": category.active, **fill_versions("name", category.name_i18n),
        **fill_versions("description", category.description_i18n)}
    context = {"category": category, "remove_form": None}
    if category is not None:
        context.update(remove_form=EmptyForm(), datatypes=services.DATATYPES)
    return form_view(
        forms.CategoryForm, "admin/responsibility_category_form.html", data=data, setup=setup,
        save=save, saved=saved, next_url=lambda c: url_for(".category_edit", category_id=c.id),
        context=context)


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():
    return _category_page(None)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id: int):
    return _category_page(services.get_category(db.session, category_id))


# --- a category's questions, one per page --------------------------------------------------

def _attribute_rows(existing: int) -> int:
    """Answer rows to show: the posted count (plus one if "add another" was pressed), else
    the question's answers and one empty row."""
    posted = int_arg(request.form.get("rows")) if request.method == "POST" else None
    rows = posted if posted is not None else existing + 1
    if request.method == "POST" and "add_row" in request.form:
        rows += 1
    return max(1, min(rows, 50))


def _attribute_data(form, rows: int) -> services.AttributeData:
    return services.AttributeData(
        code=form.code.data or "", datatype=form.datatype.data,
        descriptions=read_versions(form, "description"), required=form.required_answer.data,
        order=form.order.data,
        values=[(form[f"value_{n}_key"].data or "", read_versions(form, f"value_{n}_name"))
                for n in range(rows)],
    )


def _attribute_page(category, form, rows: int, original: dict | None):
    form.rows.data = str(rows)
    return render_template("admin/responsibility_attribute_form.html", form=form, rows=rows,
                           category=category, attribute=original), _status(form)


def _save_attribute(category, original: dict | None):
    rows = _attribute_rows(len(original["values"]) if original else 0)
    form_class = forms.attribute_form(rows)
    if request.method == "GET":
        data = {}
        if original:
            data = {"code": original["code"], "datatype": original["datatype"],
                    "required_answer": original.get("required", False),
                    "order": original.get("order"),
                    **fill_versions("description", original.get("description_i18n"))}
            for n, value in enumerate(original.get("values", [])):
                data[f"value_{n}_key"] = value["key"]
                data.update(fill_versions(f"value_{n}_name", value.get("name_i18n")))
        form = form_class(data=data)
        return _attribute_page(category, form, rows, original)
    form = form_class()
    if "add_row" in request.form:  # no JavaScript needed: the page comes back with a new row
        return _attribute_page(category, form, rows, original)
    answer = save_form(
        form, lambda form: services.save_attribute(db.session, current_user, category,
                                                   _attribute_data(form, rows),
                                                   original["code"] if original else None, _ip()),
        saved=_l("The question is saved."),
        next_url=url_for(".category_edit", category_id=category.id, _anchor="questions"))
    return answer or _attribute_page(category, form, rows, original)


@bp.route("/categories/<int:category_id>/questions/new", methods=["GET", "POST"])
def attribute_new(category_id: int):
    return _save_attribute(services.get_category(db.session, category_id), None)


@bp.route("/categories/<int:category_id>/questions/<attribute_code>", methods=["GET", "POST"])
def attribute_edit(category_id: int, attribute_code: str):
    category = services.get_category(db.session, category_id)
    return _save_attribute(category, services.attribute(category, attribute_code))


@bp.post("/categories/<int:category_id>/questions/<attribute_code>/remove")
def attribute_remove(category_id: int, attribute_code: str):
    category = services.get_category(db.session, category_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_attribute(db.session, current_user, category, attribute_code, _ip())
    flash(_l("The question is removed."), "success")
    return redirect(url_for(".category_edit", category_id=category.id, _anchor="questions"), code=303)


# --- the responsibility list ---------------------------------------------------------------

@bp.get("/rules")
def rules():
    today = date.today()
    history = services.ended_rules(db.session, today, before=int_arg(request.args.get("before")),
                                   after=int_arg(request.args.get("after")))
    return render_template(
        "admin/responsibility_rules.html", groups=services.responsibility_list(db.session, today),
        upcoming=services.upcoming_rules(db.session, today), history=history, today=today,
    )


@bp.route("/rules/new", methods=["GET", "POST"])
def rule_new():
    def setup(form):
        form.category_id.choices = _category_choices(_("Choose a category"))
        form.area_id.choices = _area_choices(_("Choose an area"))
        form.lead_id.choices = _party_choices(_("Choose the lead department"))
        form.co_departments.choices = _co_party_choices()
        if request.method == "GET":
            form.category_id.data = int_arg(request.args.get("category"))
            form.area_id.data = int_arg(request.args.get("area"))
            form.effective_from.data = form.effective_from.data or date.today()

    def save(form):
        try:
            category = services.get_category(db.session, form.category_id.data)
            area = services.get_area(db.session, form.area_id.data)
            lead = services.get_department(db.session, form.lead_id.data)
            co = [services.get_department(db.session, d) for d in form.co_departments.data or []]
        except NotFound:
            raise Invalid(_("Choose from the lists.")) from None
        return services.set_rule(db.session, current_user, category, area, lead, co,
                                 form.effective_from.data, (form.note.data or "").strip(), _ip())

    return form_view(
        forms.RuleForm, "admin/responsibility_rule_form.html", setup=setup, save=save,
        saved=lambda rule: _l("Rule %(id)s is saved: %(category)s in %(area)s goes to %(department)s.",
                             id=rule.id, category=rule.category.name, area=rule.area.name,
                             department=rule.lead_department.name),
        next_url=lambda rule: url_for(".rules"))


@bp.route("/rules/<int:rule_id>/end", methods=["GET", "POST"])
def rule_end(rule_id: int):
    rule = services.get_rule(db.session, rule_id)

    def setup(form):
        if request.method == "GET" and form.effective_to.data is None:
            form.effective_to.data = date.today()

    def save(form):
        services.end_rule(db.session, current_user, rule, form.effective_to.data, _ip())
        return rule

    return form_view(
        forms.EndRuleForm, "admin/responsibility_rule_end.html", setup=setup, save=save,
        saved=lambda r: _l("Rule %(id)s ends on %(date)s.", id=r.id, date=r.effective_to.isoformat()),
        next_url=lambda r: url_for(".rules"), context={"rule": rule})


@bp.get("/check")
def check():
    """Who handles category C in area A on day D? The answer, the rule that gave it and the
    areas walked to find it. A GET form; htmx swaps in the form and answer alone."""
    form = forms.CheckForm(request.args)
    form.category.choices = _category_choices(_("Choose a category"))
    form.area.choices = _area_choices(_("Choose an area"))
    result = None
    if request.args and form.validate():
        try:
            category = services.get_category(db.session, form.category.data)
            area = services.get_area(db.session, form.area.data)
        except NotFound:
            form.form_errors.append(_("Choose from the lists."))
        else:
            try:
                result = services.explain_route(db.session, category, area, form.on.data)
            except NotFound:
                form.form_errors.append(_("No rule applies and no dispatcher has been entered."))
    if htmx:  # htmx swaps only 2xx answers: the errors come back beside the fields all the same
        return render_template("responsibility/_check.html", form=form, result=result)
    status = 422 if request.args and (form.errors or form.form_errors) else 200
    return render_template("admin/responsibility_check.html", form=form, result=result), status


# --- the working-day calendar --------------------------------------------------------------

def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


def _day_data(form):
    return dict(is_working_day=form.is_working_day.data == "1", names=read_versions(form, "name"),
                source_locale=form.source_locale.data)


@bp.get("/calendar")
def calendar_now():
    return redirect(url_for(".calendar", year=date.today().year), code=303)


@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
def calendar(year: int):
    if not 1900 <= year <= 2999:
        abort(404)
    form = forms.CalendarDayForm()
    answer = save_form(
        form, lambda form: cal.save_day(db.session, current_user, form.day.data, **_day_data(form),
                                        ip_address=_ip()),
        saved=lambda row: _l("%(date)s is saved in the calendar.", date=row.day.isoformat()),
        next_url=lambda row: url_for(".calendar", year=row.day.year))
    if answer is not None:
        return answer
    checker = forms.WorkingDaysForm(request.args)
    deadline = None
    if "start" in request.args and checker.validate():
        start = datetime.combine(checker.start.data, time(9, 0))
        deadline = cal.Calendar(db.session).add_working_days(start, checker.days.data)
    status = 422 if form.errors or ("start" in request.args and checker.errors) else 200
    # Links to a few years around this one (not from year to year without end).
    this_year = date.today().year
    years = sorted({*range(this_year - 1, this_year + 3), year})
    return render_template(
        "admin/calendar.html", year=year, years=years, days=cal.year_days(db.session, year),
        form=form, checker=checker, deadline=deadline, remove_form=EmptyForm(),
    ), status


@bp.route("/calendar/days/<day>", methods=["GET", "POST"])
def calendar_day(day: str):
    row = cal.get_day(db.session, _parse_day(day))

    def setup(form):
        del form.day  # the date itself does not change: remove the day and add another

    def save(form):
        return cal.save_day(db.session, current_user, row.day, **_day_data(form), ip_address=_ip())

    data = {"day": row.day, "is_working_day": "1" if row.is_working_day else "0",
            "source_locale": row.source_locale, **fill_versions("name", row.name_i18n)}
    return form_view(
        forms.CalendarDayForm, "admin/calendar_day.html", data=data, setup=setup, save=save,
        saved=lambda r: _l("%(date)s is saved in the calendar.", date=r.day.isoformat()),
        next_url=lambda r: url_for(".calendar", year=r.day.year),
        context={"row": row, "remove_form": EmptyForm()})


@bp.post("/calendar/days/<day>/remove")
def calendar_remove(day: str):
    when = _parse_day(day)
    if not EmptyForm().validate_on_submit():
        abort(400)
    cal.delete_day(db.session, current_user, when, _ip())
    flash(_l("%(date)s is removed from the calendar: it is an ordinary day again.", date=when.isoformat()),
          "success")
    return redirect(url_for(".calendar", year=when.year), code=303)
