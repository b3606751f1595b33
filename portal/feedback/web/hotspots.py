"""The hot spots page, its map and its CSV: what ``portal.feedback.hotspots`` last computed.

The page only reads the newest snapshot (the beat task ``refresh_hotspots`` writes it); before
the first one it says the figures are being prepared. Anonymous readers get a cached page;
staff of a department see their own department's hot spots first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import make_response, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice, SelectField

from portal.core.cache import cached_page
from portal.core.forms import PortalForm
from portal.core.roles import STAFF
from portal.extensions import db, htmx
from portal.feedback import hotspots
from portal.feedback.web.routes import bp
from portal.responsibility.services import reference_data

log = logging.getLogger(__name__)
OWN_LIMIT = 25  # rows in "your department's" table; the CSV has them all


class HotspotsForm(PortalForm):
    """Which category the map and the table show: a GET form bound to the query string."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), default="")


def _form(ref) -> HotspotsForm:
    form = HotspotsForm(request.args)
    form.category.choices = [SelectChoice("", _("All categories together"))] + [
        SelectChoice(c.code, c.name) for c in ref.categories]
    form.validate_search()
    return form


@dataclass
class Row:
    figure: hotspots.Figure
    area: object  # RefItem
    category: object | None  # RefItem, None for all categories together
    own: bool = False


def _label(item) -> object:
    return item.name if item is not None else _l("All categories")


# When the worker last was asked for a first snapshot, per process (as the metrics page).
_queued_at: list[float] = []


def _queue_refresh() -> None:
    from portal.feedback.tasks import refresh_hotspots
    from portal.feedback.web.metrics import queue_once

    queue_once(_queued_at, refresh_hotspots, "hot spots")


def _departments() -> set[int]:
    if current_user.is_authenticated and current_user.has_role(STAFF):
        return hotspots.staff_departments(db.session, current_user)
    return set()


@bp.get("/hotspots", endpoint="hotspots")
@cached_page("feedback", "responsibility")
def hotspots_page():
    ref = reference_data(db.session)
    form = _form(ref)
    snapshot = hotspots.latest(db.session)
    if snapshot is None:
        _queue_refresh()
        return render_template("feedback/hotspots_pending.html", form=form)
    areas = {a.id: a for a in ref.areas}
    categories = {c.id: c for c in ref.categories}
    code = form.category.data or ""
    chosen = next((c for c in ref.categories if c.code == code), None)
    departments = _departments()

    def row(figure):
        return Row(figure, areas[figure.area], categories.get(figure.category),
                   hotspots.is_own(figure, departments))

    known = [f for f in snapshot.rows if f.area in areas
             and (f.category is None or f.category in categories)]
    flagged = [row(f) for f in hotspots.own_first([f for f in known if f.flagged], departments)]
    own = [row(f) for f in known if f.category is not None and hotspots.is_own(f, departments)
           and (f.flagged or f.this_week)]
    wanted = {f.area: f for f in known if f.category == (chosen.id if chosen else None)}
    # Every area in the hierarchy's order (city, districts, communities), a staff member's first.
    table = sorted((row(wanted.get(a.id) or hotspots.quiet(a.id, chosen.id if chosen else None))
                    for a in ref.areas), key=lambda r: not r.own)
    projected = hotspots.city_map(db.session)
    depth = {a.id: a.depth for a in ref.areas}
    shapes = sorted((s for s in projected.shapes if s.area_id in areas),
                    key=lambda s: (depth.get(s.area_id, 0), s.area_id))
    map_flagged = [r for r in table if r.figure.flagged and depth.get(r.area.id, 0) > 0]
    context = {
        "form": form, "computed_at": snapshot.computed_at, "chosen": chosen,
        "flagged": flagged, "own": own[:OWN_LIMIT], "own_more": max(0, len(own) - OWN_LIMIT),
        "is_staff": bool(departments) or (current_user.is_authenticated and current_user.has_role(STAFF)),
        "table": table, "by_area": {r.area.id: r for r in table}, "map": projected, "shapes": shapes,
        "depth": depth, "map_flagged": map_flagged, "decimal": _decimal, "label": _label,
        "rule": hotspots,
    }
    if htmx and not htmx.history_restore_request:
        return render_template("feedback/_hotspots_results.html", **context)
    return render_template("feedback/hotspots.html", **context)


def _decimal(value: float) -> str:
    return format_decimal(value, "#,##0.0")


@bp.get("/hotspots.csv", endpoint="hotspots_csv")
@cached_page("feedback", "responsibility")
def hotspots_csv():
    """Every figure of the snapshot (or of one category), the same as the page shows."""
    ref = reference_data(db.session)
    form = _form(ref)
    snapshot = hotspots.latest(db.session)
    areas = {a.id: a for a in ref.areas}
    categories = {c.id: c for c in ref.categories}
    chosen = next((c for c in ref.categories if c.code == (form.category.data or "")), None)
    header = [_("Area code"), _("Area"), _("Category code"), _("Category"), _("This week")]
    header += [_("%(num)d weeks before", num=n) if n > 1 else _("1 week before")
               for n in range(1, hotspots.WEEKS + 1)]
    header += [_("Mean of the eight weeks before"), _("Standard deviation"), _("Threshold"),
               _("Flagged"), _("Computed at (UTC)")]
    rows = []
    if snapshot is not None:
        order = {a.id: i for i, a in enumerate(ref.areas)}
        figures = [f for f in snapshot.rows if f.area in areas
                   and (f.category is None or f.category in categories)
                   and (chosen is None or f.category == chosen.id)]
        figures.sort(key=lambda f: (order[f.area], f.category is not None, f.category or 0))
        for f in figures:
            category = categories.get(f.category)
            rows.append([areas[f.area].code, str(areas[f.area].name),
                         category.code if category else "", str(_label(category)),
                         f.this_week, *f.previous, round(f.mean, 2), round(f.sd, 2),
                         round(f.threshold, 2), _("yes") if f.flagged else _("no"),
                         snapshot.computed_at.isoformat(timespec="seconds")])
    response = make_response(hotspots.to_csv(header, rows))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    stamp = snapshot.computed_at.strftime("%Y-%m-%d") if snapshot else "pending"
    suffix = "-" + re.sub(r"[^A-Za-z0-9_-]", "", chosen.code) if chosen else ""
    response.headers["Content-Disposition"] = f'attachment; filename="hotspots-{stamp}{suffix}.csv"'
    return response
