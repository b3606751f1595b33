"""Public pages of who is accountable: the responsibility list, per category and per
department, and the departments and areas."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.core.cache import cached_page
from portal.core.errors import NotFound
from portal.extensions import db
from portal.responsibility import services

bp = Blueprint("responsibility", __name__)


def _dispatcher():
    """The city dispatcher, or None while the list has no dispatch centre entered."""
    try:
        return services.dispatcher(db.session)
    except NotFound:
        return None


@bp.get("/departments")
@cached_page("responsibility")
def departments():
    return render_template(
        "responsibility/departments.html",
        departments=services.department_tree(db.session),
        areas=services.area_tree(db.session),
    )


@bp.get("/responsibility")
@cached_page("responsibility")
def index():
    return render_template(
        "responsibility/index.html",
        groups=services.responsibility_list(db.session),
        dispatcher=_dispatcher(),
    )


@bp.get("/responsibility/departments/<department_code>")
@cached_page("responsibility")
def department(department_code: str):
    return render_template(
        "responsibility/department.html",
        overview=services.department_overview(db.session, department_code),
        levels=services.LEVELS,
    )


@bp.get("/responsibility/categories/<service_code>")
@cached_page("responsibility")
def category(service_code: str):
    return render_template(
        "responsibility/category.html",
        overview=services.category_overview(db.session, service_code),
        dispatcher=_dispatcher(),
    )
