"""Where areas are, and which area a point is in (shapely).

Each area may carry a boundary, a GeoJSON Polygon or MultiPolygon in WGS 84 (longitude first,
as GeoJSON writes it). Boundaries keep their history in ``area_boundary``: the row whose
``effective_to`` is empty is in force.

**Which area a point is in** (the rule the routing explanation and docs/places.md state):

1. An area contains a point when its boundary *covers* it: inside, or exactly on its edge. A
   hole (a lake, a park that belongs to nobody) is outside.
2. Of the areas that contain the point, the smallest surface decides: a community before its
   district, a district before the city; of two with the same surface, the code that sorts
   first.
3. So a point exactly on the border shared by two neighbours belongs to both by rule 1 and
   goes to the smaller of them by rule 2: the same point always goes to the same area.
4. A point that no boundary covers is outside the city: the caller says so and asks again.

The lookup is a shapely STRtree over every boundary in force, built once per process and per
version of the responsibility data (an import bumps it), never per request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.models import utcnow
from portal.responsibility.models import Area, AreaBoundary

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


class GeometryError(ValueError):
    """Not a usable boundary; ``code`` names the reason for a translated message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code
        self.detail = detail


def to_shape(geometry) -> BaseGeometry:
    """A GeoJSON geometry (a dict) as a valid shapely Polygon or MultiPolygon, or GeometryError:
    ``type`` (not a polygon), ``coordinates`` (unreadable, or off the Earth), ``invalid``
    (self-intersecting, unclosed, ...: ``detail`` says where) or ``empty``."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise GeometryError("type")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError,
            shapely.errors.ShapelyError) as exc:
        raise GeometryError("coordinates", str(exc)) from exc
    if geom.is_empty:
        raise GeometryError("empty")
    try:
        min_lon, min_lat, max_lon, max_lat = geom.bounds
    except (ValueError, TypeError) as exc:
        raise GeometryError("coordinates", str(exc)) from exc
    if not all(math.isfinite(v) for v in geom.bounds) or not (
            -180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise GeometryError("coordinates")
    if not geom.is_valid:
        raise GeometryError("invalid", explain_validity(geom))
    return geom


def to_geojson(geom: BaseGeometry) -> dict:
    """A shapely geometry as a GeoJSON geometry dict with plain lists (JSON-ready)."""
    def lists(value):
        return [lists(v) for v in value] if isinstance(value, list | tuple) else value
    data = mapping(geom)
    return {"type": data["type"], "coordinates": lists(data["coordinates"])}


# --- boundaries in force and their history ---------------------------------------------------

def current_boundaries(session: Session) -> dict[int, dict]:
    """Area id → its boundary in force (GeoJSON geometry)."""
    return dict(session.execute(
        select(AreaBoundary.area_id, AreaBoundary.geometry).where(AreaBoundary.effective_to.is_(None))
    ).all())


def boundary_history(session: Session, area: Area) -> list[AreaBoundary]:
    """Every boundary the area has had, newest first."""
    return list(session.scalars(
        select(AreaBoundary).where(AreaBoundary.area_id == area.id)
        .order_by(AreaBoundary.effective_from.desc(), AreaBoundary.id.desc())))


def set_boundary(session: Session, area: Area, geometry: dict, *, source: str = "",
                 actor=None) -> AreaBoundary:
    """Put a boundary in force for ``area`` now, ending the one it replaces (no commit; the
    caller checks the geometry with ``to_shape`` first and writes the audit entry)."""
    now = utcnow()
    for current in session.scalars(select(AreaBoundary).where(
            AreaBoundary.area_id == area.id, AreaBoundary.effective_to.is_(None))):
        current.effective_to = now
    boundary = AreaBoundary(area_id=area.id, geometry=to_geojson(to_shape(geometry)),
                            effective_from=now, source=source[:200],
                            created_by_id=getattr(actor, "id", None))
    session.add(boundary)
    session.flush()
    return boundary


# --- which area a point is in ----------------------------------------------------------------

@dataclass(frozen=True)
class Located:
    """One area with a boundary, as plain values the per-process index can hold."""

    area_id: int
    code: str
    level: str
    parent_id: int | None
    surface: float  # in square degrees: only ever compared with other areas of one city
    geometry: BaseGeometry


@dataclass(frozen=True)
class Locator:
    areas: tuple[Located, ...]
    tree: shapely.STRtree | None

    def areas_at(self, lat: float, lon: float) -> list[Located]:
        """Every area whose boundary covers the point, the one that takes it first."""
        if self.tree is None or not (math.isfinite(lat) and math.isfinite(lon)):
            return []
        point = Point(lon, lat)
        found = [self.areas[i] for i in self.tree.query(point, predicate="intersects")]
        return sorted(found, key=lambda a: (a.surface, a.code))

    def area_id_at(self, lat: float, lon: float) -> int | None:
        found = self.areas_at(lat, lon)
        return found[0].area_id if found else None

    def covered(self) -> bool:
        return bool(self.areas)


def _build_locator(session: Session) -> Locator:
    rows = session.execute(
        select(Area.id, Area.code, Area.level, Area.parent_id, AreaBoundary.geometry)
        .join(AreaBoundary, AreaBoundary.area_id == Area.id)
        .where(AreaBoundary.effective_to.is_(None))
        .order_by(Area.code)
    ).all()
    located = []
    for area_id, code, level, parent_id, geometry in rows:
        try:
            geom = to_shape(geometry)
        except GeometryError:  # stored before a rule tightened: left out, never a 500
            continue
        shapely.prepare(geom)
        located.append(Located(area_id, code, level, parent_id, geom.area, geom))
    tree = shapely.STRtree([a.geometry for a in located]) if located else None
    return Locator(tuple(located), tree)


def locator(session: Session) -> Locator:
    """The point-to-area index for the boundaries in force: built once per process and per
    version of the responsibility data."""
    from portal.core.cache import reference

    return reference("responsibility.locator", lambda: _build_locator(session))


def area_at(session: Session, lat: float, lon: float) -> Area | None:
    """The area that takes the point by the rule above, or None outside every boundary."""
    area_id = locator(session).area_id_at(lat, lon)
    return session.get(Area, area_id) if area_id is not None else None


# --- distances ---------------------------------------------------------------------------------

def bounding_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that holds every point within ``metres``
    of the point: what an index on (latitude, longitude) can answer."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    cos = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(math.degrees(metres / (EARTH_RADIUS_M * cos)), 180.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
