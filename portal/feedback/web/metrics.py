"""The public metrics page: response, resolution and satisfaction, overall and per
department, category, area or month (``portal.feedback.metrics.compute``)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask import current_app, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import SelectChoice, SelectField

from portal.core.cache import cached_page
from portal.core.forms import PortalForm
from portal.core.i18n import babel_locale
from portal.extensions import db, htmx
from portal.feedback import metrics
from portal.feedback.web.routes import bp
from portal.responsibility.models import Area, Department, ServiceCategory

log = logging.getLogger(__name__)

DIMENSION_LABELS = {
    "department": _l("Department"),
    "category": _l("Category"),
    "area": _l("Area"),
    "month": _l("Month"),
}

CAPTIONS = {
    "department": _l("Figures per department"),
    "category": _l("Figures per category"),
    "area": _l("Figures per area"),
    "month": _l("Figures per month"),
}


class MetricsForm(PortalForm):
    """Which figures the table shows: a GET form bound to the query string."""

    class Meta:
        csrf = False

    by = SelectField(_l("Show figures per"), default="department",
                     choices=[SelectChoice(k, v) for k, v in DIMENSION_LABELS.items()])


@dataclass
class Row:
    key: object
    label: object  # a translatable name (with its lang), a month, or "not assigned"
    figures: metrics.Summary


def _month(key: str) -> str:
    year, month = key.split("-")
    return format_skeleton("yMMMM", date(int(year), int(month), 1), locale=babel_locale())


def rows(session, dimension: str, groups: dict) -> list[Row]:
    """The table's rows, names loaded in one query per dimension: most requests first, months
    newest first."""
    if dimension == "month":
        return [Row(k, _month(k), f) for k, f in sorted(groups.items(), key=lambda kv: kv[0], reverse=True)]
    model = {"department": Department, "category": ServiceCategory, "area": Area}[dimension]
    ids = [k for k in groups if k is not None]
    names = {o.id: o.name for o in session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
    found = [Row(k, names.get(k) or _l("Not assigned"), f) for k, f in groups.items()]
    return sorted(found, key=lambda r: (-r.figures.requests, str(r.label)))


def _figure(text: str | None) -> Markup:
    """A figure, or a dash read out as "no data" where there is nothing to count."""
    if text is None:
        return Markup('<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>').format(
            _("No data"))
    return escape(text)


def percent(value: float | None) -> Markup:
    return _figure(None if value is None else format_percent(value))


def decimal(value: float | None) -> Markup:
    return _figure(None if value is None else format_decimal(value, "#,##0.0"))


# When the worker last was asked for a first snapshot, per process: a burst of visitors
# before the first snapshot queues one computation, not one each.
REQUEUE_SECONDS = 60.0
_queued_at: list[float] = []


def queue_once(queued_at: list[float], task, what: str) -> None:
    """Ask the worker for a first snapshot (``task``, a Celery task), at most once a
    ``REQUEUE_SECONDS`` per process; ``queued_at`` is the page's own record of when."""
    now = time.monotonic()
    if queued_at and now - queued_at[-1] < REQUEUE_SECONDS:
        return
    if not current_app.config.get("CELERY_DISPATCH", True):
        return
    queued_at[:] = [now]
    try:
        task.delay()
    except Exception:  # broker down: the beat schedule computes it later
        log.warning("broker unavailable; the first %s snapshot waits for beat", what)


def _queue_refresh() -> None:
    from portal.feedback.tasks import refresh_metrics

    queue_once(_queued_at, refresh_metrics, "metrics")


@bp.get("/metrics", endpoint="metrics")
@cached_page("feedback", "responsibility")
def metrics_page():
    form = MetricsForm(request.args)
    dimension = form.by.data if form.by.data in metrics.DIMENSIONS else "department"
    form.by.data = dimension
    if current_app.config.get("METRICS_SNAPSHOTS", True):
        found = metrics.latest(db.session, dimension)
        if found is None:  # never computed here: the worker prepares it
            _queue_refresh()
            if htmx:
                return render_template("feedback/_metrics_pending.html", dimension=dimension)
            return render_template("feedback/metrics_pending.html", dimension=dimension)
        total, groups, computed_at = found
    else:  # always exact (tests, tiny installations)
        total, all_groups = metrics.compute(db.session, dimension)
        total, groups = metrics.Summary.of(total), {k: metrics.Summary.of(f) for k, f in all_groups.items()}
        computed_at = None
    context = {"form": form, "total": total, "rows": rows(db.session, dimension, groups),
               "computed_at": computed_at,
               "dimension": dimension, "dimension_label": DIMENSION_LABELS[dimension],
               "caption": CAPTIONS[dimension],
               "percent": percent, "decimal": decimal}
    if htmx:
        return render_template("feedback/_metrics_table.html", **context)
    return render_template("feedback/metrics.html", **context)
