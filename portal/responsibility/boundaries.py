"""Importing area boundaries from a GeoJSON file: read, check, preview, confirm.

One feature per area, matched by a property (``code`` unless the administrator names
another). Reading refuses, for the whole file: a file over ``BOUNDARY_IMPORT_MAX_BYTES``,
anything but UTF-8, anything but JSON (NaN and Infinity included), nesting deeper than
GeoJSON needs, anything but a FeatureCollection, and more than
``BOUNDARY_IMPORT_MAX_FEATURES`` features. Each feature is then checked (``plan``):

* it carries the code property, used by no other feature of the file; a code that is not an
  area is listed and skipped, not an error;
* its geometry is a Polygon or MultiPolygon of at most ``BOUNDARY_IMPORT_MAX_VERTICES``
  points, longitude and latitude numbers on the Earth, valid (``geometry.to_shape``) and not
  empty; where it crosses itself, the message gives the place as latitude, longitude;
* against the boundaries as they will be after the import (the new ones, and those kept):
  each area with a boundary lies inside its parent's boundary, apart from at most
  ``CONTAIN_TOLERANCE`` of its surface (digitised shared edges never match exactly), and two
  areas with the same parent have at most ``OVERLAP_TOLERANCE`` of the smaller one's surface
  in common (a shared border has none).

Any error and nothing is imported. Confirming checks everything again (boundaries may have
changed since the preview) and puts every new or changed boundary in force in one
transaction through ``geometry.set_boundary``, with one audit entry.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import numpy
import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.errors import Invalid, NotFound
from portal.core.models import utcnow
from portal.core.text import has_control_characters
from portal.responsibility import geometry
from portal.responsibility.models import Area, BoundaryUpload

MAX_BYTES = 5 * 1024 * 1024
MAX_FEATURES = 5000
MAX_VERTICES = 100_000
UPLOAD_HOURS = 24
MAX_DEPTH = 64  # a FeatureCollection of MultiPolygons needs about ten levels
CONTAIN_TOLERANCE = 0.001  # share of a child's surface that may lie outside its parent
OVERLAP_TOLERANCE = 0.001  # share of the smaller sibling's surface two siblings may share
CODE_MAX = 64  # longest code shown back (no area code is longer than 32)

audit.register_action("area.boundaries_imported", _l("Area boundaries imported"))


def megabytes(size: int) -> str:
    """A byte count as megabytes for a message ("5", "0.5")."""
    return f"{size / 1024 / 1024:g}"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_features: int = MAX_FEATURES
    max_vertices: int = MAX_VERTICES

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(int(config.get("BOUNDARY_IMPORT_MAX_BYTES", MAX_BYTES)),
                   int(config.get("BOUNDARY_IMPORT_MAX_FEATURES", MAX_FEATURES)),
                   int(config.get("BOUNDARY_IMPORT_MAX_VERTICES", MAX_VERTICES)))


# --- reading the file ---------------------------------------------------------------------------

def _refuse_constant(name):
    raise ValueError(name)


def _depth(value, limit: int) -> int:
    """How deep lists and objects nest (stops counting past ``limit``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _positions(coordinates, levels: int, limit: int) -> int | None:
    """The number of positions in ``coordinates`` nested ``levels`` deep (2 for a Polygon, 3 for
    a MultiPolygon), each two or three numbers; None when the shape is wrong or holds
    something else (strings, booleans). Stops at ``limit`` + 1."""
    count, stack = 0, [(coordinates, levels)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, list):
            return None
        if level == 0:
            if len(item) not in (2, 3) or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in item):
                return None
            count += 1
            if count > limit:
                return count
        else:
            stack.extend((child, level - 1) for child in item)
    return count


def read_file(data: bytes, code_property: str = "code", limits: Limits = Limits()) -> list[dict]:
    """The features of a GeoJSON FeatureCollection as ``{"n", "code", "geometry"}`` (or
    ``"error"`` in place of the geometry: ``vertices`` or ``coordinates``), or Invalid on
    ``file`` for a file that cannot be read at all."""
    def refuse(message):
        raise Invalid({"file": [message]})

    if not data:
        refuse(_l("The file is empty. Choose a GeoJSON file with the boundaries."))
    if len(data) > limits.max_bytes:
        refuse(_l("The file is larger than %(size)s MB. Import the boundaries in several files.",
                  size=megabytes(limits.max_bytes)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        refuse(_l("The file is not UTF-8 text. Save it as GeoJSON (UTF-8) and upload it again."))
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        refuse(_l("The file is not valid JSON: look near line %(line)d, column %(column)d.",
                  line=exc.lineno, column=exc.colno))
    except RecursionError:
        refuse(_l("The file is nested too deeply to be GeoJSON."))
    except ValueError:  # NaN, Infinity
        refuse(_l("The file holds NaN or Infinity, which JSON does not allow. Every coordinate "
                  "must be a number."))
    if _depth(document, MAX_DEPTH) > MAX_DEPTH:
        refuse(_l("The file is nested too deeply to be GeoJSON."))
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        refuse(_l("The file is not a GeoJSON FeatureCollection: it needs \"type\": "
                  "\"FeatureCollection\" and a list of \"features\"."))
    features = document["features"]
    if not features:
        refuse(_l("The file has no features: it needs one feature for each area."))
    if len(features) > limits.max_features:
        refuse(_l("The file has %(count)s features: at most %(max)s can be imported at once.",
                  count=len(features), max=limits.max_features))
    read = []
    for n, feature in enumerate(features, start=1):
        item: dict = {"n": n, "code": None}
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties")
        code = properties.get(code_property) if isinstance(properties, dict) else None
        if isinstance(code, str) and has_control_characters(code):
            item["code"], item["error"] = "?", "control"  # never a code: said so, not stored
        elif isinstance(code, str) and code.strip():
            item["code"] = code.strip()[:CODE_MAX]
        elif isinstance(code, int) and not isinstance(code, bool):
            item["code"] = str(code)[:CODE_MAX]
        geom = feature.get("geometry")
        kind = geom.get("type") if isinstance(geom, dict) else None
        if "error" in item:
            pass
        elif kind not in geometry.GEOMETRY_TYPES:
            item["error"] = "type"
        else:
            count = _positions(geom.get("coordinates"), 2 if kind == "Polygon" else 3,
                               limits.max_vertices)
            if count is None:
                item["error"] = "coordinates"
            elif count > limits.max_vertices:
                item["error"] = "vertices"
            else:
                item["geometry"] = {"type": kind, "coordinates": geom["coordinates"]}
        read.append(item)
    return read


# --- checking it against the areas ---------------------------------------------------------------

@dataclass
class Change:
    area: Area
    status: str  # new, changed, unchanged
    km2: float  # the new boundary's surface
    delta_km2: float = 0.0  # new minus old (changed)
    n: int = 0  # feature number


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (feature, code)
    errors: list = field(default_factory=list)  # translated messages, in file order
    shapes: dict[int, BaseGeometry] = field(default_factory=dict)  # area id → new shape

    @property
    def ok(self) -> bool:
        return not self.errors and any(c.status != "unchanged" for c in self.changes)

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)


def km2(geom: BaseGeometry) -> float:
    """Surface in km²: the sinusoidal projection (equal-area) centred on the geometry."""
    lon0 = geom.centroid.x
    radius = geometry.EARTH_RADIUS_M

    def project(coords):
        lon, lat = coords[:, 0], coords[:, 1]
        phi = lat * (math.pi / 180)
        x = radius * (lon - lon0) * (math.pi / 180) * numpy.cos(phi)
        return numpy.column_stack((x, radius * phi))

    return shapely.transform(geom, project).area / 1e6


_WHERE = re.compile(r"\[\s*(-?[\d.]+(?:e[-+]?\d+)?)\s+(-?[\d.]+(?:e[-+]?\d+)?)", re.IGNORECASE)


def _where(detail: str) -> str | None:
    """The place shapely names in its explanation, as "latitude, longitude"."""
    match = _WHERE.search(detail or "")
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    return f"{lat:.6f}, {lon:.6f}"


def _geometry_error(code: str, label, detail: str = "", limits: Limits = Limits()):
    if code == "type":
        return _l("%(feature)s: the geometry is not a Polygon or MultiPolygon.", feature=label)
    if code == "vertices":
        return _l("%(feature)s: the boundary has more than %(max)s points. Simplify it first.",
                  feature=label, max=limits.max_vertices)
    if code == "empty":
        return _l("%(feature)s: the boundary is empty.", feature=label)
    if code == "invalid":
        where = _where(detail)
        if where:
            return _l("%(feature)s: the boundary is not a valid polygon (it crosses itself or a "
                      "ring is not closed) near latitude, longitude %(where)s.",
                      feature=label, where=where)
        return _l("%(feature)s: the boundary is not a valid polygon (it crosses itself or a "
                  "ring is not closed).", feature=label)
    return _l("%(feature)s: the coordinates are not longitude and latitude numbers on the "
              "Earth.", feature=label)


def _label(n: int, area: Area | None = None, code: str | None = None):
    if area is not None:
        return _l("feature %(n)s (%(name)s)", n=n, name=area.name)
    if code:
        return _l("feature %(n)s (code %(code)s)", n=n, code=code)
    return _l("feature %(n)s", n=n)


def plan(session: Session, features: list[dict], code_property: str = "code",
         limits: Limits = Limits()) -> Plan:
    """What importing ``features`` (from ``read_file``) would do, and every reason it can't."""
    result = Plan()
    areas = {a.code: a for a in session.scalars(select(Area))}
    by_id = {a.id: a for a in areas.values()}
    seen: dict[str, int] = {}
    for item in features:
        n, code = item["n"], item.get("code")
        if item.get("error") == "control":
            result.errors.append(_l(
                "Feature %(n)s: its code holds invisible control characters, so it matches no "
                "area.", n=n))
            continue
        if code is None:
            result.errors.append(_l(
                "Feature %(n)s has no property “%(property)s”, so it matches no area. Give it "
                "the area's code, or choose the property that holds the codes.",
                n=n, property=code_property))
            continue
        if code in seen:
            result.errors.append(_l(
                "Feature %(n)s has the code %(code)s, like feature %(other)s: give each area "
                "one feature.", n=n, code=code, other=seen[code]))
            continue
        seen[code] = n
        area = areas.get(code)
        if area is None:
            result.unknown.append((n, code))
            continue
        label = _label(n, area)
        if "error" in item:
            result.errors.append(_geometry_error(item["error"], label, limits=limits))
            continue
        try:
            shape = geometry.to_shape(item["geometry"])
        except geometry.GeometryError as exc:
            result.errors.append(_geometry_error(exc.code, label, exc.detail, limits))
            continue
        result.shapes[area.id] = shape
        result.changes.append(Change(area, "new", km2(shape), n=n))

    current = {}
    for area_id, stored in geometry.current_boundaries(session).items():
        try:
            current[area_id] = geometry.to_shape(stored)
        except geometry.GeometryError:
            continue
    for change in result.changes:
        old = current.get(change.area.id)
        if old is None:
            continue
        new = result.shapes[change.area.id]
        if new.equals(old):
            change.status = "unchanged"
        else:
            change.status = "changed"
            change.delta_km2 = change.km2 - km2(old)

    if not result.errors:
        result.errors.extend(_topology_errors(by_id, {**current, **result.shapes}, result.shapes))
    return result


def _topology_errors(by_id: dict[int, Area], after: dict[int, BaseGeometry],
                     new: dict[int, BaseGeometry]) -> list:
    """Children outside their parent, siblings that overlap: among the boundaries as they
    will be, for every pair the import touches."""
    errors = []
    for area_id, shape in after.items():
        area = by_id.get(area_id)
        if area is None or area.parent_id not in after:
            continue
        if area_id not in new and area.parent_id not in new:
            continue
        parent = after[area.parent_id]
        outside = shape.difference(parent).area
        if outside > CONTAIN_TOLERANCE * shape.area:
            errors.append(_l(
                "%(area)s is not inside %(parent)s, the area it is part of: about %(km2)s km² "
                "of it lies outside.", area=by_id[area_id].name,
                parent=by_id[area.parent_id].name, km2=_format_km2(outside, shape)))
    children: dict[int | None, list[int]] = {}
    for area_id in after:
        area = by_id.get(area_id)
        if area is not None:
            children.setdefault(area.parent_id, []).append(area_id)
    for siblings in children.values():
        if len(siblings) < 2:
            continue
        shapes = [after[i] for i in siblings]
        tree = shapely.STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            a, b = siblings[i], siblings[j]
            if i >= j or (a not in new and b not in new):
                continue
            common = shapes[i].intersection(shapes[j]).area
            if common > OVERLAP_TOLERANCE * min(shapes[i].area, shapes[j].area):
                first, second = sorted((by_id[a], by_id[b]), key=lambda x: x.code)
                errors.append(_l(
                    "%(area)s and %(other)s overlap: about %(km2)s km² belongs to both. "
                    "Neighbours may share a border, not land.", area=first.name,
                    other=second.name, km2=_format_km2(common, shapes[i])))
    return errors


def _format_km2(square_degrees: float, near: BaseGeometry) -> str:
    """A surface in square degrees near ``near``, in km² (for messages)."""
    whole = near.area
    value = km2(near) * square_degrees / whole if whole else 0.0
    return f"{value:.3f}"


# --- pending uploads -----------------------------------------------------------------------------

def store_upload(session: Session, actor, features: list[dict], filename: str,
                 code_property: str, hours: int = UPLOAD_HOURS) -> BoundaryUpload:
    """Keep a read file for its preview and confirmation (and forget expired ones)."""
    session.execute(delete(BoundaryUpload).where(
        BoundaryUpload.created_at < utcnow() - timedelta(hours=hours)))
    if has_control_characters(filename or ""):
        filename = "upload.geojson"
    upload = BoundaryUpload(token=secrets.token_urlsafe(32), filename=(filename or "")[:200],
                            code_property=code_property[:64], features=features,
                            created_by_id=getattr(actor, "id", None))
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, token: str | None, hours: int = UPLOAD_HOURS) -> BoundaryUpload:
    if not token or len(token) > 64:
        raise NotFound("upload")
    upload = session.scalar(select(BoundaryUpload).where(BoundaryUpload.token == token))
    if upload is None or upload.created_at < utcnow() - timedelta(hours=hours):
        raise NotFound("upload")
    return upload


def apply(session: Session, actor, result: Plan, source: str,
          ip_address: str | None = None) -> list[Area]:
    """Put every new or changed boundary of a checked plan in force (no commit)."""
    if result.errors:
        raise Invalid({"": [str(e) for e in result.errors]})
    changed = [c for c in result.changes if c.status != "unchanged"]
    for change in changed:
        geometry.set_boundary(session, change.area, geometry.to_geojson(result.shapes[change.area.id]),
                              source=source, actor=actor)
    audit.record(session, actor, "area.boundaries_imported", "area", None, ip_address,
                 source=source[:200], new=[c.area.code for c in changed if c.status == "new"],
                 changed=[c.area.code for c in changed if c.status == "changed"],
                 unchanged=result.count("unchanged"), unknown=[code for _, code in result.unknown])
    return [c.area for c in changed]


def confirm(session: Session, actor, upload: BoundaryUpload, limits: Limits = Limits(),
            ip_address: str | None = None) -> tuple[Plan, list[Area]]:
    """Check a stored upload again and import it; the upload is forgotten once imported.
    Invalid when it has errors now (nothing is imported)."""
    result = plan(session, upload.features, upload.code_property, limits)
    if result.errors:
        raise Invalid({"": [str(e) for e in result.errors]})
    areas = apply(session, actor, result, upload.filename or "upload", ip_address)
    session.delete(upload)
    return result, areas


def import_file(session: Session, actor, data: bytes, filename: str, code_property: str = "code",
                limits: Limits = Limits(), dry_run: bool = False) -> Plan:
    """Read, check and (unless ``dry_run`` or any error) import a file: the CLI's one call.
    Invalid when the file cannot be read; the plan's ``errors`` otherwise."""
    result = plan(session, read_file(data, code_property, limits), code_property, limits)
    if not result.errors and not dry_run:
        apply(session, actor, result, filename)
    return result
