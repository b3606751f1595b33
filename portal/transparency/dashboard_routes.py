"""The governance dashboard's pages and the annual disclosure reports.

- ``/transparency/dashboard?scope=…``: the public dashboard of the city, a district or a
  department, read from the newest snapshot (``dashboard.latest``); an htmx request gets the
  figures' fragment alone (and 204 when the snapshot it shows is still the newest), so the
  page's polling costs one small query while nothing changed;
- ``/transparency/dashboard/staff?scope=…``: the same with the staff queue's backlog, for
  staff and administrators (never cached: signed-in pages are ``private, no-store``);
- ``/transparency/reports``: departments × years with disclosure requests;
- ``/transparency/reports/<department>/<year>`` and ``….csv``: a department's annual report.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice, SelectField

from portal.core.cache import cached_page
from portal.core.errors import NotFound
from portal.core.forms import PortalForm
from portal.core.i18n import current as current_locale
from portal.core.roles import ADMIN, STAFF
from portal.extensions import db, htmx
from portal.transparency import annual_report, dashboard, dashboard_charts, rules
from portal.transparency.routes import bp

# Charts that mean nothing for one department (halls and votes belong to areas).
AREA_ONLY = ("chart-halls", "chart-votes")


class ScopeForm(PortalForm):
    """Whose figures: a GET form bound to the query string."""

    class Meta:
        csrf = False

    scope = SelectField(_l("Show the figures of"), default=dashboard.CITY)


def _scopes():
    """The form's choices and the scopes by their URL value ("district-<code>",
    "department-<code>"): two queries for the names."""
    from portal.responsibility.models import Area, Department

    districts = list(db.session.scalars(select(Area).where(Area.level == "district").order_by(Area.code)))
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    by_value = {dashboard.CITY: (dashboard.CITY, None, _l("The whole city"))}
    for a in districts:
        by_value[f"district-{a.code}"] = (dashboard.scope_key("district", a.id), a, a.name)
    for d in departments:
        by_value[f"department-{d.code}"] = (dashboard.scope_key("department", d.id), d, d.name)
    choices = {
        "": [SelectChoice(dashboard.CITY, str(_l("The whole city")))],
        str(_l("Districts")): [SelectChoice(f"district-{a.code}", str(a.name)) for a in districts],
        str(_l("Departments")): [SelectChoice(f"department-{d.code}", str(d.name)) for d in departments],
    }
    return {label: group for label, group in choices.items() if group}, by_value


def _poll_seconds() -> int:
    return int(current_app.config.get("DASHBOARD_POLL_SECONDS", 60))


def _refresh_minutes() -> int:
    return max(1, round(float(current_app.config.get("DASHBOARD_REFRESH_SECONDS", 300)) / 60))


def _queue_refresh() -> None:
    from portal.feedback.web.metrics import queue_once
    from portal.transparency.tasks import refresh_dashboard

    queue_once(_queued_at, refresh_dashboard, "dashboard")


_queued_at: list[float] = []


def _render(staff: bool):
    endpoint = "transparency.dashboard_staff" if staff else "transparency.dashboard"
    choices, by_value = _scopes()
    form = ScopeForm(request.args)
    form.scope.choices = choices
    status = 200
    if not form.validate_search() or form.scope.data not in by_value:
        form.scope.data = dashboard.CITY
        status = 422 if not htmx else 200
        form.scope.errors = [_l("Choose the city, a district or a department from the list.")]
    value = form.scope.data
    key, subject, name = by_value[value]
    kind = key.partition(":")[0]
    if htmx and status == 200:
        seen = request.args.get("seen", "")
        stamp = dashboard.latest_stamp(db.session)
        if stamp is not None and seen == str(stamp[0]):
            return Response(status=204)
    figures = dashboard.latest(db.session, key)
    if figures is None:
        _queue_refresh()
    rtl = current_locale().rtl
    charts = []
    if figures is not None:
        charts = [c for c in dashboard_charts.charts(figures, rtl=rtl)
                  if not (kind == "department" and c.ident in AREA_ONLY)]
    backlog = dashboard.backlog(db.session, current_user) if staff else None
    context = {
        "form": form, "scope_value": value, "scope_name": name, "scope_kind": kind, "subject": subject,
        "figures": figures, "charts": charts, "staff": staff, "backlog": backlog,
        "endpoint": endpoint, "poll_seconds": _poll_seconds(), "refresh_minutes": _refresh_minutes(),
        "answer_names": rules.ANSWER_NAMES, "percent": dashboard_charts.value_text,
        "announce": bool(htmx) and "seen" in request.args,  # a poll, not the first page
        "other_scopes": by_value,
    }
    if htmx:
        return render_template("transparency/_dashboard_figures.html", **context), status
    return render_template("transparency/dashboard.html", **context), status


@bp.get("/transparency/dashboard", endpoint="dashboard")
@cached_page("dashboard", "responsibility")  # read from the snapshot alone
def dashboard_page():
    return _render(staff=False)


@bp.get("/transparency/dashboard/staff")
@login_required
def dashboard_staff():
    if not current_user.has_role(STAFF, ADMIN):
        abort(403)
    return _render(staff=True)


# --- annual reports ---------------------------------------------------------------------------

@bp.get("/transparency/reports")
@cached_page("transparency", "responsibility")
def reports():
    return render_template("transparency/annual_report_index.html",
                           departments=annual_report.index(db.session))


def _report(department_code: str, year: int):
    try:
        return annual_report.report(db.session, department_code, year)
    except NotFound:
        abort(404)


@bp.get("/transparency/reports/<department_code>/<int:year>")
@cached_page("transparency", "responsibility")
def annual_report_page(department_code: str, year: int):
    report = _report(department_code, year)
    return render_template("transparency/annual_report.html", report=report,
                           rows=annual_report.rows(report),
                           csv_url=url_for("transparency.annual_report_csv",
                                           department_code=department_code, year=year))


@bp.get("/transparency/reports/<department_code>/<int:year>.csv")
@cached_page("transparency", "responsibility")
def annual_report_csv(department_code: str, year: int):
    report = _report(department_code, year)
    filename = f"disclosure-report-{report.department.code}-{year}.csv"
    return Response(annual_report.csv_text(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
