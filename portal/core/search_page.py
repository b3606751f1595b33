"""The site-wide search page (``/<locale>/search``): a GET form, its results, and the header's box.

The rules (what each kind lets a reader find, the ranking, the highlighting) live in
``portal.core.site_search``; this is the thin route: read the query string through a form,
call the service, render the page or (htmx) its results.
"""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SearchField, SelectField, validators
from wtforms.validators import ValidationError

from portal.core import search, site_search
from portal.core.cache import cached_page
from portal.core.forms import PortalForm, int_arg, length
from portal.core.routes import bp
from portal.core.text import has_control_characters
from portal.extensions import db, htmx

Q_MAX = 100  # the field takes this many characters (search.MAX_QUERY_CHARS cuts at 200)


class _Date(DateField):
    """A date (``YYYY-MM-DD``, the browser's date control) with a translated message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter a real date, for example 2026-03-27.")) from exc


def _listed(message):
    def check(form, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(str(message))

    return check


class SiteSearchForm(PortalForm):
    """The search page's GET form, bound to ``request.args``."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search for"), validators=[validators.Optional(), length(Q_MAX)],
                    description=_l("Words from a title or a text, in any language."))
    kind = SelectField(_l("Kind"), validate_choice=False,
                       validators=[_listed(_l("Choose a kind from the list."))])
    area = SelectField(_l("Area"), validate_choice=False,
                       validators=[_listed(_l("Choose an area from the list."))])
    date_from = _Date(_l("From date"), validators=[validators.Optional()])
    date_to = _Date(_l("To date"), validators=[validators.Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("Enter a date on or after the first date."))


def _form() -> SiteSearchForm:
    # The query string names the dates ``from`` and ``to``, as the page's URL promises.
    args = request.args.copy()
    for name in ("from", "to"):
        if name in args:
            args.setlist(f"date_{name}", args.poplist(name))
    form = SiteSearchForm(args)
    form.date_from.name, form.date_to.name = "from", "to"
    form.kind.choices = [("", _("Everything"))] + [(s.kind, str(s.label)) for s in site_search.sources()]
    from portal.responsibility.services import reference_data

    form.area.choices = [("", _("Any area"))] + [
        (str(a.id), "— " * a.depth + str(a.name)) for a in reference_data(db.session).areas]
    return form


@bp.get("/search")
# every module a source of the results lives in (its models' topic), and the catalog's own
@cached_page("feedback", "deliberation", "responsibility", "transparency", "catalog", "literacy",
             "organizations")
def site_search_page():
    form = _form()
    valid = form.validate_search()
    q = (form.q.data or "").strip()[:Q_MAX]
    typed = request.args.get("q") or ""
    if form.q.errors and not has_control_characters(typed):
        form.q.data = typed[:1000]  # shown again beside its message, not searched for
    filters = site_search.Filters(
        q=q, kinds=(form.kind.data,) if form.kind.data else (),
        area_id=int_arg(form.area.data), date_from=form.date_from.data, date_to=form.date_to.data)
    page_arg = request.args.get("page")
    page = int_arg(page_arg, site_search.MAX_PAGE) or 1
    bad_page = page_arg is not None and int_arg(page_arg, site_search.MAX_PAGE) in (None, 0)
    reader = current_user if current_user.is_authenticated else None
    results = site_search.site_search(db.session, reader, filters, page=page)
    args = {"q": q, "kind": form.kind.data, "area": form.area.data,
            "from": form.date_from.data.isoformat() if form.date_from.data else "",
            "to": form.date_to.data.isoformat() if form.date_to.data else ""}
    context = {"form": form, "results": results, "q": q, "args": {k: v for k, v in args.items() if v},
               "searched": bool(search.query_tokens(q)), "bad_page": bad_page}
    if htmx and not htmx.history_restore_request:
        response = make_response(render_template("search/_results.html", fragment=True, **context))
    else:
        response = make_response(render_template("search/index.html", **context),
                                 200 if valid else 422)
    response.vary.add("HX-Request")
    return response


@bp.app_template_global("site_search_query")
def site_search_query() -> str:
    """What the header's box shows: the words searched for, on the search page only."""
    value = (request.args.get("q") or "")[:Q_MAX] if request.endpoint == "core.site_search_page" else ""
    return "" if has_control_characters(value) else value
