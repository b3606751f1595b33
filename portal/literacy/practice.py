"""Practice forms: sandbox copies of three real forms for a lesson's practice steps.

    /<locale>/learn/practice/request     practice.form   raising a request (the wizard's
                                                         category and details steps, on one page)
    /<locale>/learn/practice/comment     practice.form   a comment on a proposal
    /<locale>/learn/practice/disclosure  practice.form   asking for information

Each page shows the real form's fields, labels, hints and required marks, built from the real
WTForms classes, and checks what is typed with the real validators (for a request, the
tracker's own ``validate_submission`` too). It never submits: a valid POST only shows
"Well done — this was practice. Nothing was sent." with what the real form would show next,
an example clearly labelled as one. No row is written, no mail is sent, nothing is indexed.

``back`` (the lesson step that sent the learner here) is kept only when it is a local path
under ``/<locale>/learn/``; otherwise "Back to the lesson" leads to the course list.
Anonymous visitors can practise: the page is never cached (its form carries a CSRF token).
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from flask import Blueprint, Flask, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from portal.core import i18n
from portal.core.calendar import Calendar
from portal.core.errors import Invalid
from portal.core.forms import int_arg
from portal.core.models import utcnow
from portal.core.views import apply_errors, is_safe_next
from portal.extensions import db

NAMES = ("request", "comment", "disclosure")
BACK_MAX = 500
LOCALE_CODES = "|".join(re.escape(loc.code) for loc in i18n.LOCALES)
BACK_PATTERN = re.compile(rf"^/(?:{LOCALE_CODES})/learn/")
SAMPLE_NUMBER = 123  # the example tracking codes' number: R-<year>-000123, D-<year>-000123

bp = Blueprint("practice", __name__)


def safe_back(value: str | None) -> str | None:
    """``value`` when it is a local path under ``/<locale>/learn/``, else None."""
    if not value or len(value) > BACK_MAX or not is_safe_next(value):
        return None
    return value if BACK_PATTERN.match(value) else None


def _courses_url() -> str:
    """The course list (part of the learner's pages, ``literacy.courses``)."""
    from flask import current_app

    if "literacy.courses" in current_app.view_functions:
        return url_for("literacy.courses")
    return f"{request.script_root}/{i18n.current().code}/learn/"


# --- raising a request -----------------------------------------------------------------------

def _request_forms(formdata):
    """The wizard's step 1 (the categories) and step 2 (the details, without a category's own
    questions) as the real forms build them."""
    from portal.feedback.web import forms as feedback_forms
    from portal.feedback.web.submit import _area_choices, _grouped
    from portal.responsibility import services as responsibility

    every = sorted(responsibility.categories(db.session),
                   key=lambda c: (c.group.position, c.group.id, str(c.name)))
    categories = feedback_forms.category_form(_grouped(every))
    visitor = not current_user.is_authenticated
    no_questions = SimpleNamespace(attributes=[], source_locale=i18n.DEFAULT)
    details = feedback_forms.details_form(no_questions, visitor, _area_choices())
    return categories, details, {c.service_code: c for c in every}, visitor


def _check_request(categories, details, by_code) -> dict | None:
    """The real checks; what a submission would have shown next, or None with the errors
    beside the fields."""
    from portal.feedback import services
    from portal.feedback.web.submit import _service_errors
    from portal.responsibility.models import Area

    categories.validate_on_submit()
    details.validate_on_submit()
    code = categories.chosen()
    category = by_code.get(code) if code else None
    if category is None:
        categories.missing(_l("Choose the category that fits best."))
    area_id = int_arg(details.area.data)
    area = db.session.get(Area, area_id) if area_id else None
    if category is not None:  # as the wizard does: the service's errors besides the form's
        latitude = None if details.latitude.errors else details.latitude.data
        longitude = None if details.longitude.errors else details.longitude.data
        try:
            services.validate_submission(db.session, services.Submission(
                category=category, area=area, title=(details.title.data or "").strip(),
                description=(details.description.data or "").strip(),
                location_text=(details.location_text.data or "").strip(),
                latitude=None if latitude is None else float(latitude),
                longitude=None if longitude is None else float(longitude),
                show_name=bool(details.show_name.data), locale=i18n.current().code))
        except Invalid as exc:
            _service_errors(details, exc)
    if categories.errors or any(f.errors for f in categories) or any(f.errors for f in details):
        return None
    return {"category": category, "area": area,
            "code": f"R-{date.today().year}-{SAMPLE_NUMBER:06d}",
            "email": (details.contact_email.data or "").strip() if "contact_email" in details else None}


def _request_page(back, formdata):
    categories, details, by_code, visitor = _request_forms(formdata)
    done = _check_request(categories, details, by_code) if formdata is not None else None
    return "literacy/practice/request.html", {"categories": categories, "form": details,
                                              "visitor": visitor, "done": done}


# --- a comment -------------------------------------------------------------------------------

def _comment_page(back, formdata):
    from portal.deliberation.comment_forms import CommentForm
    from portal.deliberation.comments import COMMENT_MAX, clean_text

    form = CommentForm(formdata=formdata, prefix="comment")
    done = None
    if formdata is not None and form.validate_on_submit():
        problems: dict[str, list] = {}  # the service's check: only spaces is no comment
        body = clean_text(problems, "body", form.body.data, COMMENT_MAX)
        apply_errors(form, Invalid(problems))
        done = None if problems else {"body": body}
    return "literacy/practice/comment.html", {"form": form, "done": done}


# --- asking for information ------------------------------------------------------------------

def _disclosure_page(back, formdata):
    from portal.responsibility.services import LEVELS, area_order, categories
    from portal.transparency import forms, rules
    from portal.transparency import services as svc

    finder = forms.FindDepartmentForm(request.args)
    finder.category_id.choices = [SelectChoice("", _l("Choose a topic"))] + [
        SelectChoice(c.id, str(c.name)) for c in categories(db.session)]
    finder.area_id.choices = [SelectChoice("", _l("Choose an area"))] + [
        SelectChoice(a.id, "\u2003" * depth + str(a.name)) for a, depth in area_order(db.session)]
    suggestion = None
    if formdata is None and ("category_id" in request.args or "area_id" in request.args):
        finder.validate_search()
        try:
            suggestion = svc.suggest_department(db.session, finder.category_id.data,
                                                finder.area_id.data)
        except Invalid as exc:
            apply_errors(finder, exc)
    form = forms.AskForm()
    groups: dict[str, list] = {}
    departments = {d.id: d for d in svc.departments(db.session)}
    for department in departments.values():
        groups.setdefault(str(LEVELS.get(department.level, department.level)), []).append(
            SelectChoice(department.id, str(department.name)))
    form.department_id.choices = {"": [SelectChoice("", _l("Choose a department"))], **groups}
    form.category_id.choices = form.area_id.choices = []
    if formdata is None and suggestion is not None:
        form.department_id.data = suggestion.department.id
        form.category_id.data, form.area_id.data = suggestion.category.id, suggestion.area.id
    done = None
    if formdata is not None and form.validate_on_submit():
        # the service's checks of ``ask`` (which saves at once, so it cannot be called here)
        problems: dict[str, list] = {}
        svc._text(problems, "description", form.description.data, svc.DESCRIPTION_MAX,
                  _l("Describe the information you ask for."))
        svc._text(problems, "purpose", form.purpose.data, svc.PURPOSE_MAX)
        if form.delivery.data not in rules.DELIVERY:
            problems["delivery"] = [_l("Choose how you want to receive the information.")]
        department = departments.get(form.department_id.data)
        if department is None:
            problems["department_id"] = [_l("Choose the department you ask.")]
        apply_errors(form, Invalid(problems))
        if not problems:
            days = rules.limits().answer_days
            deadline = Calendar(db.session).add_working_days(utcnow(), days)
            done = {"department": department, "deadline": deadline, "days": days,
                    "code": f"D-{date.today().year}-{SAMPLE_NUMBER:06d}"}
    return "literacy/practice/disclosure.html", {"form": form, "finder": finder,
                                                 "suggestion": suggestion, "done": done}


PAGES = {"request": _request_page, "comment": _comment_page, "disclosure": _disclosure_page}
TITLES = {"request": _l("Practice: raise a request"), "comment": _l("Practice: comment on a proposal"),
          "disclosure": _l("Practice: ask for information")}


@bp.route("/learn/practice/<any(request, comment, disclosure):name>", methods=["GET", "POST"])
def form(name: str):
    back = safe_back(request.values.get("back"))
    formdata = request.form if request.method == "POST" else None
    template, context = PAGES[name](back, formdata)
    status = 422 if request.method == "POST" and context["done"] is None else 200
    return render_template(template, name=name, back=back, title=TITLES[name],
                           back_url=back or _courses_url(), **context), status


def init_practice(app: Flask) -> None:
    app.register_blueprint(bp, url_prefix="/<lc:locale>")
