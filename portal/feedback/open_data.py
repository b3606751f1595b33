"""The tracker's published datasets (``portal.core.datasets``): public requests, masked, and
their metrics (``portal.feedback.metrics``, not computed again here)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import datasets as ds
from portal.core.datasets import INTERNAL, PERSONAL, PUBLIC, Field
from portal.core.i18n import localize
from portal.feedback import states as st


def _w3c(moment) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment is not None else None


def request_rows(session, query: ds.Query):
    """Public requests (never one waiting for its email confirmation), oldest first, by id.
    Personal columns are read so that the staff pages of a request could print them; the
    masking rule drops them from every download and API answer."""
    from portal.core.urls import absolute_url
    from portal.feedback import services
    from portal.feedback.models import Request
    from portal.responsibility.services import reference_data

    stmt = (select(Request.id, Request.tracking_code, Request.title, Request.description,
                   Request.source_locale, Request.category_id, Request.area_id,
                   Request.lead_department_id, Request.state, Request.state_type,
                   Request.location_text, Request.address_id, Request.latitude, Request.longitude,
                   Request.created_at, Request.updated_at, Request.acknowledged_at,
                   Request.answered_at, Request.closed_at, Request.resolve_due_at,
                   Request.followers_count, Request.overdue, Request.priority,
                   Request.escalation_level, Request.assigned_user_id, Request.contact_name,
                   Request.contact_email, Request.contact_phone, Request.satisfaction_comment)
            .where(Request.state_type != st.PENDING)
            .order_by(Request.id).limit(query.limit + 1))
    if query.cursor:
        stmt = stmt.where(Request.id > query.cursor)
    found = list(session.execute(stmt))
    more = len(found) > query.limit
    found = found[:query.limit]
    ref = reference_data(session)
    categories = {c.id: c for c in ref.categories}
    areas = {a.id: a.code for a in ref.areas}
    departments = {d.id: d.code for d in ref.departments}
    rows = []
    for r in found:
        category = categories.get(r.category_id)
        rows.append({
            "id": r.id, "code": r.tracking_code, "title": r.title, "description": r.description,
            "language": r.source_locale,
            "category": category.code if category else None,
            "category_name": localize(category.names, category.source_locale, query.locale).text
            if category else None,
            "area": areas.get(r.area_id), "department": departments.get(r.lead_department_id),
            "state": r.state, "state_type": r.state_type,
            "state_label": str(st.STATES[r.state].label) if r.state in st.STATES else r.state,
            "address": services.mask_numbers(r.location_text) or None,
            "lat": services.public_coordinate(r.latitude),
            "long": services.public_coordinate(r.longitude),
            "created_at": _w3c(r.created_at), "updated_at": _w3c(r.updated_at),
            "acknowledged_at": _w3c(r.acknowledged_at), "answered_at": _w3c(r.answered_at),
            "closed_at": _w3c(r.closed_at), "resolve_due_at": _w3c(r.resolve_due_at),
            "followers": r.followers_count, "overdue": bool(r.overdue),
            "link": absolute_url("feedback.detail", locale=query.locale, code=r.tracking_code),
            "priority": bool(r.priority), "escalation_level": r.escalation_level,
            "assigned_user_id": r.assigned_user_id,
            "location_text": r.location_text or None, "address_id": r.address_id,
            "latitude": r.latitude,
            "longitude": r.longitude, "contact_name": r.contact_name,
            "contact_email": r.contact_email, "contact_phone": r.contact_phone,
            "satisfaction_comment": r.satisfaction_comment,
        })
    return rows, (found[-1].id if more else None)


def _figures(session, dimension: str):
    """(overall Summary, {key: Summary}) as the metrics page reads them: the latest snapshot
    (never computed on a miss: empty until the worker has taken one), or exact figures where
    snapshots are off."""
    from portal.feedback import metrics

    if current_app.config.get("METRICS_SNAPSHOTS", True):
        found = metrics.latest(session, dimension)
        if found is None:
            return None, {}
        return found[0], found[1]
    total, groups = metrics.compute(session, dimension)
    return metrics.Summary.of(total), {k: metrics.Summary.of(f) for k, f in groups.items()}


FIGURES = ("requests", "responded", "responded_on_time", "closed_after_answer", "resolved",
           "answers", "answers_on_time", "ratings_total", "ratings_good")
RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")
MEDIANS = ("median_response_hours", "median_resolution_days")


def metric_rows(session, query: ds.Query):
    """The overall figures (``key`` null) then one row per department, category, area or month
    (``dimension``), by key."""
    from portal.responsibility.services import reference_data

    dimension = query.filters.get("dimension", "department")
    total, groups = _figures(session, dimension)
    ref = reference_data(session)
    items = {"department": ref.departments, "category": ref.categories, "area": ref.areas}.get(dimension)
    by_id = {i.id: i for i in items} if items is not None else {}

    def row(key, summary, kind=dimension):
        item = by_id.get(key)
        code = item.code if item else (key if dimension == "month" else None)
        name = (localize(item.names, item.source_locale, query.locale).text if item
                else key if dimension == "month" and key else None)
        out = {"dimension": kind, "key": code, "name": name}
        out.update({f: getattr(summary, f) for f in FIGURES + RATES + MEDIANS})
        return out

    everything = ([row(None, total, "total")] if total is not None else []) + [
        row(k, s) for k, s in sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))]
    start = query.cursor or 0
    chosen = everything[start:start + query.limit]
    end = start + len(chosen)
    return chosen, (end if end < len(everything) else None)


def _rate(name, text):
    return Field(name, PUBLIC, "number", text, nullable=True)


REQUESTS = ds.register(ds.Dataset(
    "requests", _l("Requests"),
    _l("Every public request to the city: what, where (the address with its numbers masked, "
       "the point rounded to about 100 m), who answers and how it went. Never who raised it."),
    fields=(
        Field("id", PUBLIC, "integer", _l("The request's number (the cursor pages by it).")),
        Field("code", PUBLIC, "string", _l("Its tracking code.")),
        Field("title", PUBLIC, "text", _l("Its title, as the resident wrote it.")),
        Field("description", PUBLIC, "text", _l("What the resident described, as on its public page.")),
        Field("language", PUBLIC, "string", _l("The language it was written in.")),
        Field("category", PUBLIC, "string", _l("The service category's code."), nullable=True),
        Field("category_name", PUBLIC, "string", _l("The service category's name."), nullable=True),
        Field("area", PUBLIC, "string", _l("The area's code."), nullable=True),
        Field("department", PUBLIC, "string", _l("The code of the department that leads."), nullable=True),
        Field("state", PUBLIC, "string", _l("Its state's code."), enum=tuple(st.STATES)),
        Field("state_type", PUBLIC, "string", _l("The kind of state: open, paused, answered or closed."),
              enum=st.PUBLIC_TYPES),
        Field("state_label", PUBLIC, "string", _l("Its state's name.")),
        Field("address", PUBLIC, "string", _l("Where, with the house numbers masked (## Elm Street)."),
              nullable=True),
        Field("lat", PUBLIC, "number",
              _l("Latitude rounded to three decimals (about 100 m)."), nullable=True),
        Field("long", PUBLIC, "number",
              _l("Longitude rounded to three decimals (about 100 m)."), nullable=True),
        Field("created_at", PUBLIC, "date-time", _l("When it was raised (UTC).")),
        Field("updated_at", PUBLIC, "date-time", _l("When it last changed (UTC).")),
        Field("acknowledged_at", PUBLIC, "date-time",
              _l("When the department acknowledged it."), nullable=True),
        Field("answered_at", PUBLIC, "date-time", _l("When the department answered it."), nullable=True),
        Field("closed_at", PUBLIC, "date-time", _l("When it was closed."), nullable=True),
        Field("resolve_due_at", PUBLIC, "date-time", _l("When the answer is due."), nullable=True),
        Field("followers", PUBLIC, "integer", _l("How many people follow it.")),
        Field("overdue", PUBLIC, "boolean", _l("Whether its answer is late.")),
        Field("link", PUBLIC, "url", _l("Its public page.")),
        # Public: the rating form tells the resident it is shown on the request's public page,
        # and it is the public text of the timeline's rating event (the page, Open311 updates).
        Field("satisfaction_comment", PUBLIC, "text", _l("What the resident said when rating the answer."),
              nullable=True),
        Field("priority", INTERNAL, "boolean", _l("Whether staff marked it a priority.")),
        Field("escalation_level", INTERNAL, "integer", _l("How many times it was escalated.")),
        Field("assigned_user_id", INTERNAL, "integer", _l("The staff member handling it."), nullable=True),
        Field("location_text", PERSONAL, "text", _l("The exact address the resident gave."), nullable=True),
        Field("address_id", PERSONAL, "string", _l("The identifier of the exact address (Open311)."),
              nullable=True),
        Field("latitude", PERSONAL, "number", _l("The exact latitude."), nullable=True),
        Field("longitude", PERSONAL, "number", _l("The exact longitude."), nullable=True),
        Field("contact_name", PERSONAL, "string", _l("The name a visitor gave."), nullable=True),
        Field("contact_email", PERSONAL, "string", _l("The email address a visitor gave."), nullable=True),
        Field("contact_phone", PERSONAL, "string", _l("The phone number a visitor gave."), nullable=True),
    ),
    rows=request_rows, topics=("feedback", "responsibility"), position=40))

METRICS = ds.register(ds.Dataset(
    "metrics", _l("Request metrics"),
    _l("Response, resolution, satisfaction and on-time rates of the requests, overall and per "
       "department, category, area or month, as on the metrics page."),
    fields=(
        Field("dimension", PUBLIC, "string", _l("What the row groups by (total for the overall row)."),
              enum=("total", "department", "category", "area", "month")),
        Field("key", PUBLIC, "string",
              _l("The department's, category's or area's code, or the month (YYYY-MM)."),
              nullable=True),
        Field("name", PUBLIC, "string", _l("Its name, in the language asked."), nullable=True),
        Field("requests", PUBLIC, "integer", _l("Requests made public.")),
        Field("responded", PUBLIC, "integer", _l("Requests that got a first response.")),
        Field("responded_on_time", PUBLIC, "integer",
              _l("Of those, answered by the acknowledgement deadline.")),
        Field("closed_after_answer", PUBLIC, "integer", _l("Requests closed after an answer.")),
        Field("resolved", PUBLIC, "integer", _l("Requests the resident confirmed resolved.")),
        Field("answers", PUBLIC, "integer", _l("Answers given.")),
        Field("answers_on_time", PUBLIC, "integer", _l("Answers given by the resolution deadline.")),
        Field("ratings_total", PUBLIC, "integer", _l("Ratings given.")),
        Field("ratings_good", PUBLIC, "integer", _l("Ratings of 4 or 5.")),
        _rate("response_rate", _l("Response rate (0 to 1).")),
        _rate("resolution_rate", _l("Resolution rate (0 to 1).")),
        _rate("satisfaction_rate", _l("Satisfaction rate (0 to 1).")),
        _rate("on_time_rate", _l("On-time rate (0 to 1).")),
        _rate("median_response_hours", _l("Median hours to the first response.")),
        _rate("median_resolution_days", _l("Median days to resolution.")),
    ),
    filters=(ds.Filter("dimension", _l("What the rows group by."),
                       ("department", "category", "area", "month"), "department"),),
    rows=metric_rows, topics=("feedback", "responsibility"), position=50))


def hotspot_rows(session, query: ds.Query):
    """The latest hot spots snapshot (``portal.feedback.hotspots``, taken by a task: empty
    until the first), by area then category (all categories first), as the hot spots CSV."""
    from portal.feedback import hotspots
    from portal.responsibility.services import reference_data

    snapshot = hotspots.latest(session)
    if snapshot is None:
        return [], None
    ref = reference_data(session)
    areas = {a.id: a for a in ref.areas}
    order = {a.id: i for i, a in enumerate(ref.areas)}
    categories = {c.id: c.code for c in ref.categories}
    departments = {d.id: d.code for d in ref.departments}
    figures = sorted((f for f in snapshot.rows if f.area in areas
                      and (f.category is None or f.category in categories)),
                     key=lambda f: (order[f.area], f.category is not None, f.category or 0))
    start = query.cursor or 0
    chosen = figures[start:start + query.limit]
    end = start + len(chosen)
    rows = [{"area": areas[f.area].code,
             "area_name": localize(areas[f.area].names, areas[f.area].source_locale, query.locale).text,
             "category": categories.get(f.category), "this_week": f.this_week,
             "previous_weeks": list(f.previous), "mean": round(f.mean, 2), "sd": round(f.sd, 2),
             "threshold": round(f.threshold, 2), "flagged": bool(f.flagged),
             "lead_department": departments.get(f.lead),
             "computed_at": _w3c(snapshot.computed_at)} for f in chosen]
    return rows, (end if end < len(figures) else None)


HOTSPOTS = ds.register(ds.Dataset(
    "hotspots", _l("Hot spots"),
    _l("Requests this week per area and category against the eight weeks before, and whether "
       "that is unusually many, as on the hot spots page. Counts only."),
    fields=(
        Field("area", PUBLIC, "string", _l("The area's code.")),
        Field("area_name", PUBLIC, "string", _l("The area's name, in the language asked.")),
        Field("category", PUBLIC, "string", _l("The service category's code; empty for all categories."),
              nullable=True),
        Field("this_week", PUBLIC, "integer", _l("Requests in the last seven days.")),
        Field("previous_weeks", PUBLIC, "integer-list", _l("Requests in each of the eight weeks before, "
                                                           "the most recent first.")),
        Field("mean", PUBLIC, "number", _l("Mean of the eight weeks before.")),
        Field("sd", PUBLIC, "number", _l("Their standard deviation.")),
        Field("threshold", PUBLIC, "number", _l("This week is unusual above it.")),
        Field("flagged", PUBLIC, "boolean", _l("Whether this week is unusually many.")),
        Field("lead_department", PUBLIC, "string", _l("The department the responsibility list sends "
                                                      "these to."), nullable=True),
        Field("computed_at", PUBLIC, "date-time", _l("When the figures were computed (UTC).")),
    ),
    rows=hotspot_rows, topics=("feedback", "responsibility"), position=55))
