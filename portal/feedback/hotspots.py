"""Hot spots: where requests of a kind are unusually many this week (decision support).

**The figures.** For every area and category, the requests made **this week** — the last
seven days before the computation (a rolling week, so "this week" is always seven whole
days) — and in each of the **eight weeks before it** (days 7–13 back, 14–20, …, 56–62). A
request counts in its own area and in every area above it: a community's requests count for
its district and for the city too. Each area also has a row for all categories together.
Requests still waiting for a visitor's email confirmation are not public and do not count;
every other request does, whatever its state (a duplicate is a resident telling us again).

**The rule** (the page and docs/places.md say it in words). Let *n* be this week's count and
*m* and *s* the mean and the population standard deviation of the eight weeks before. The
area is flagged for the category when

    n ≥ 3   and   n > m + 2 · max(s, 1)

The floor of 1 on *s* keeps a calm series (0, 0, 0, …) from flagging a single request,
and the minimum of 3 keeps one or two requests from ever being a "spike"; with the floor a
calm area is flagged from 3 requests in a week (3 > 0 + 2).

**When.** The beat task ``refresh_hotspots`` computes the figures into a snapshot
(``HotspotSnapshot``) that the page reads; a page never computes them. The same task tells
the supervisor of the department responsible for a flagged area and category (by the
responsibility list), once per area, category and ISO week (``HotspotAlert``).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core import notifications
from portal.core.exports import FORMULA_START, safe_cell, to_csv  # noqa: F401  (the CSV rule, shared)
from portal.core.models import User, utcnow
from portal.feedback import states as st
from portal.feedback.models import HotspotAlert, HotspotSnapshot, Request
from portal.responsibility.models import Area, Department, ServiceCategory, staff_department

WEEKS = 8  # previous weeks compared against
WEEK = timedelta(days=7)
MIN_COUNT = 3  # n ≥ 3 ...
SIGMAS = 2  # ... and n > m + 2·max(s, 1)
SD_FLOOR = 1.0

notifications.register_message(
    "feedback.hotspot",
    _l("Hot spot in %(area)s: %(count)s requests for %(category)s in the last seven days, "
       "against %(mean)s a week on average in the eight weeks before"))


# --- the rule -------------------------------------------------------------------------------

@dataclass
class Figure:
    """One area and category (``category`` None: all categories together)."""

    area: int
    category: int | None
    this_week: int
    previous: list[int]  # the eight weeks before, the most recent first
    mean: float = 0.0
    sd: float = 0.0
    threshold: float = 0.0  # this week's count must be above it (and at least MIN_COUNT)
    flagged: bool = False
    lead: int | None = None  # the department the responsibility list sends these to
    co: list[int] = field(default_factory=list)


def judge(this_week: int, previous: list[int]) -> tuple[float, float, float, bool]:
    """(mean, sd, threshold, flagged) by the rule in the module's docstring."""
    mean = statistics.fmean(previous) if previous else 0.0
    sd = statistics.pstdev(previous) if len(previous) > 1 else 0.0
    threshold = mean + SIGMAS * max(sd, SD_FLOOR)
    flagged = this_week >= MIN_COUNT and this_week > threshold
    return mean, sd, threshold, flagged


def quiet(area: int, category: int | None) -> Figure:
    """The figures of an area without a request in the nine weeks (not stored)."""
    previous = [0] * WEEKS
    mean, sd, threshold, flagged = judge(0, previous)
    return Figure(area, category, 0, previous, mean, sd, threshold, flagged)


# --- computing ------------------------------------------------------------------------------

def weekly_counts(session: Session, now: datetime) -> dict[tuple[int, int | None], list[int]]:
    """(area id, category id or None) → [this week, week 1 before, …, week 8 before]: one
    query over the nine weeks' requests; each counted in its area and every area above."""
    start = now - WEEK * (WEEKS + 1)
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    chains: dict[int, list[int]] = {}

    def chain(area_id: int) -> list[int]:
        if area_id not in chains:
            found, current = [], area_id
            while current is not None and current not in found:
                found.append(current)
                current = parents.get(current)
            chains[area_id] = found
        return chains[area_id]

    counts: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0] * (WEEKS + 1))
    rows = session.execute(
        select(Request.area_id, Request.category_id, Request.created_at)
        .where(Request.created_at >= start, Request.created_at <= now,
               Request.state_type != st.PENDING))
    for area_id, category_id, created_at in rows:
        week = int((now - created_at) / WEEK)
        if not 0 <= week <= WEEKS:
            continue
        for aid in chain(area_id):
            counts[(aid, category_id)][week] += 1
            counts[(aid, None)][week] += 1
    return dict(counts)


def compute(session: Session, now: datetime | None = None) -> list[Figure]:
    """Every area and category with a request in the nine weeks, judged, with the department
    the responsibility list names for it (``route``: the rule that routes a request there)."""
    from portal.responsibility.services import route_many

    now = now or utcnow()
    counts = weekly_counts(session, now)
    areas = {a.id: a for a in session.scalars(select(Area))}
    categories = {c.id: c for c in session.scalars(select(ServiceCategory))}
    routed = route_many(session, [
        (categories[category_id], areas[area_id]) for area_id, category_id in counts
        if category_id is not None and category_id in categories and area_id in areas],
        on=now.date())
    figures = []
    for (area_id, category_id), weeks in counts.items():
        mean, sd, threshold, flagged = judge(weeks[0], weeks[1:])
        figure = Figure(area_id, category_id, weeks[0], weeks[1:], mean, sd, threshold, flagged)
        routing = routed.get((category_id, area_id))
        if routing is not None:
            figure.lead = routing.lead.id
            figure.co = [d.id for d in routing.co]
        figures.append(figure)
    figures.sort(key=lambda f: (not f.flagged, -f.this_week, f.area, f.category or 0))
    return figures


def week_of(moment: datetime) -> date:
    """The Monday of the ISO week ``moment`` falls in: an alert's week."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def refresh(session: Session, now: datetime | None = None) -> datetime:
    """Compute the figures and store the snapshot; tell supervisors of new spikes.

    The figures are read in a transaction that is ended before the short write (as
    ``metrics.refresh``), so on SQLite the write lock is held for milliseconds."""
    from portal.core.sqlite import deferred

    now = now or utcnow()
    with deferred():
        figures = compute(session, now)
        session.commit()
    session.add(HotspotSnapshot(computed_at=now, data={
        "now": now.isoformat(), "weeks": WEEKS, "rows": [asdict(f) for f in figures]}))
    session.flush()
    session.execute(delete(HotspotSnapshot).where(HotspotSnapshot.computed_at < now))
    alert_supervisors(session, figures, now)
    session.commit()
    return now


def alert_supervisors(session: Session, figures: list[Figure], now: datetime) -> int:
    """Tell the supervisor of each flagged area and category's department, once per ISO week
    (the alert row is unique: a second run, or a second worker, sends nothing). No commit."""
    from babel.numbers import format_decimal

    from portal.core.i18n import localize

    week = week_of(now)
    flagged = [f for f in figures if f.flagged and f.category is not None and f.lead is not None]
    if not flagged:
        return 0
    done = set(session.execute(
        select(HotspotAlert.area_id, HotspotAlert.category_id).where(HotspotAlert.week == week)).all())
    sent = 0
    for figure in flagged:
        if (figure.area, figure.category) in done:
            continue
        department = session.get(Department, figure.lead)
        supervisor = (session.get(User, department.supervisor_id)
                      if department is not None and department.supervisor_id else None)
        if supervisor is None or not supervisor.is_active:
            continue  # nobody to tell: a supervisor named later this week still hears of it
        try:
            with session.begin_nested():
                session.add(HotspotAlert(area_id=figure.area, category_id=figure.category, week=week,
                                         department_id=department.id, supervisor_id=supervisor.id,
                                         count=figure.this_week, sent_at=now))
        except IntegrityError:  # another run got there first
            continue
        area = session.get(Area, figure.area)
        category = session.get(ServiceCategory, figure.category)
        locale = supervisor.locale
        params = {
            "area": str(localize(area.name_i18n, area.source_locale, locale=locale)),
            "category": str(localize(category.name_i18n, category.source_locale, locale=locale)),
            "count": format_decimal(figure.this_week, locale=_babel(locale)),
            "mean": format_decimal(round(figure.mean, 1), "#,##0.#", locale=_babel(locale)),
        }
        notifications.notify(session, [supervisor], "feedback.hotspot", params, "feedback.hotspots",
                             {"category": category.service_code})
        sent += 1
    return sent


def _babel(locale: str) -> str:
    from portal.core.i18n import BY_CODE, DEFAULT

    return str(BY_CODE.get(locale, BY_CODE[DEFAULT]).catalog)


# --- reading --------------------------------------------------------------------------------

@dataclass
class Snapshot:
    computed_at: datetime
    rows: list[Figure]


def latest(session: Session) -> Snapshot | None:
    """The newest snapshot, or None before the task first ran (a page never computes it)."""
    snapshot = session.scalar(select(HotspotSnapshot).order_by(HotspotSnapshot.id.desc()).limit(1))
    if snapshot is None:
        return None
    names = {f.name for f in fields(Figure)}  # a snapshot from an older release: what it has
    return Snapshot(snapshot.computed_at, [Figure(**{k: v for k, v in row.items() if k in names})
                                           for row in snapshot.data.get("rows", [])])


def staff_departments(session: Session, user) -> set[int]:
    """The departments a staff member works in."""
    if user is None or not getattr(user, "id", None):
        return set()
    return set(session.scalars(
        select(staff_department.c.department_id).where(staff_department.c.user_id == user.id)))


def own_first(rows: list[Figure], departments: set[int]) -> list[Figure]:
    """The rows of these departments (as lead or co-handling) first; the order is otherwise kept."""
    if not departments:
        return rows
    return sorted(rows, key=lambda f: not is_own(f, departments))


def is_own(figure: Figure, departments: set[int]) -> bool:
    return figure.lead in departments or bool(departments.intersection(figure.co))


# --- the map: boundaries projected onto an SVG viewBox --------------------------------------

MAP_WIDTH = 600.0


@dataclass(frozen=True)
class MapShape:
    area_id: int
    path: str  # SVG path data: one subpath per ring (holes drawn with even-odd filling)


@dataclass(frozen=True)
class Projected:
    width: float
    height: float
    shapes: tuple[MapShape, ...]


def project(boundaries: dict[int, dict], width: float = MAP_WIDTH) -> Projected:
    """Boundaries (area id → GeoJSON Polygon/MultiPolygon, lon/lat) on a ``width``-wide
    viewBox: equirectangular, longitude scaled by the cosine of the middle latitude, north up
    (y flipped). A map keeps its orientation in right-to-left pages too."""
    from portal.responsibility.geometry import GeometryError, to_shape

    shapes = {}
    for area_id, geometry in boundaries.items():
        try:
            shapes[area_id] = to_shape(geometry)
        except GeometryError:
            continue
    if not shapes:
        return Projected(width, 0.0, ())
    min_lon = min(s.bounds[0] for s in shapes.values())
    min_lat = min(s.bounds[1] for s in shapes.values())
    max_lon = max(s.bounds[2] for s in shapes.values())
    max_lat = max(s.bounds[3] for s in shapes.values())
    cos = max(math.cos(math.radians((min_lat + max_lat) / 2)), 1e-6)
    span_x = max((max_lon - min_lon) * cos, 1e-9)
    scale = width / span_x
    height = round(max((max_lat - min_lat) * scale, 1.0), 1)

    def point(lon: float, lat: float) -> str:
        return f"{(lon - min_lon) * cos * scale:.1f},{(max_lat - lat) * scale:.1f}"

    out = []
    for area_id, geom in shapes.items():
        polygons = getattr(geom, "geoms", [geom])
        parts = []
        for polygon in polygons:
            for ring in (polygon.exterior, *polygon.interiors):
                coords = list(ring.coords)[:-1]
                parts.append("M" + " L".join(point(lon, lat) for lon, lat in coords) + " Z")
        out.append(MapShape(area_id, " ".join(parts)))
    return Projected(width, height, tuple(out))


def city_map(session: Session) -> Projected:
    """The projected boundaries in force: once per process and responsibility version."""
    from portal.core.cache import reference
    from portal.responsibility.geometry import current_boundaries

    return reference("feedback.hotspots.map", lambda: project(current_boundaries(session)))
