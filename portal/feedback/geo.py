"""The public map's data: the points of the public list's requests, rounded.

``public_points`` takes the list's filters (``services.ListFilter``, the same query
parameters as the list) and returns at most ``MAX_POINTS`` requests, newest first, with only
what a marker shows: the tracking code, the title (and its language), the state and the
*public* position (``services.public_coordinate``: about 100 m). The exact coordinates never
leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core import search
from portal.feedback import services
from portal.feedback.models import Request

MAX_POINTS = 2000  # the newest this many; the page says when there are more


@dataclass(frozen=True)
class Point:
    code: str
    title: str
    locale: str
    state: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Points:
    points: list[Point]
    truncated: bool  # more requests matched than MAX_POINTS


def public_points(session: Session, f: services.ListFilter, limit: int | None = None) -> Points:
    """At most ``limit`` (default ``MAX_POINTS``) points, newest first. One select of six
    columns, whatever the number of requests (two with search words: the search service's
    ids first, then the same select over them)."""
    limit = MAX_POINTS if limit is None else limit
    conditions = services.public_conditions(session, f)
    conditions += [Request.latitude.is_not(None), Request.longitude.is_not(None),
                   Request.tracking_code.is_not(None)]
    if f.q.strip():
        ids = [h.ref_id for h in search.search(session, "request", f.q)]
        if not ids:
            return Points([], False)
        conditions.append(Request.id.in_(ids))
    rows = session.execute(
        select(Request.tracking_code, Request.title, Request.source_locale, Request.state,
               Request.latitude, Request.longitude)
        .where(*conditions).order_by(Request.id.desc()).limit(limit + 1)).all()
    points = [Point(code, title or "", source_locale or "", state,
                    services.public_coordinate(lat), services.public_coordinate(lon))
              for code, title, source_locale, state, lat, lon in rows[:limit]]
    return Points(points, len(rows) > limit)
