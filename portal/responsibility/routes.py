"""Public pages of who is accountable: departments and areas."""

from flask import Blueprint, render_template

from portal.extensions import db
from portal.responsibility import services

bp = Blueprint("responsibility", __name__)


@bp.get("/departments")
def departments():
    return render_template(
        "responsibility/departments.html",
        departments=services.department_tree(db.session),
        areas=services.area_tree(db.session),
    )
