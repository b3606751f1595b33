"""Published boundaries and the point lookup, at /api/v1/ (JSON, never localized by URL).

- ``areas.geojson``: every area with a boundary in force, as a GeoJSON FeatureCollection;
  ``areas/<code>.geojson``: one. Names in every language (``names``) and in the ``locale``
  parameter's (``name``). Cached with the responsibility data and compressed.
- ``areas/at.json?lat=…&long=…``: the area that takes a point by the rule in
  ``portal.responsibility.geometry`` (what the submission form's map asks), not cached: the
  lookup is an in-memory index.
"""

from __future__ import annotations

import math

from flask import Blueprint, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core.cache import cached_page
from portal.core.i18n import localize, normalize_tag
from portal.core.text import has_control_characters
from portal.extensions import db
from portal.responsibility import geometry, services

bp = Blueprint("responsibility_api", __name__)

GEOJSON = "application/geo+json"
NUMBER_MAX = 32  # characters of a coordinate parameter


def _locale() -> str:
    value = request.args.get("locale", "")
    return (normalize_tag(value) if value and len(value) <= 35 else None) or "en"


def _feature(item: services.RefItem, parent_code: str | None, geom: dict, locale: str) -> dict:
    return {
        "type": "Feature",
        "id": item.code,
        "geometry": geom,
        "properties": {
            "code": item.code, "level": item.level, "parent": parent_code,
            "name": localize(item.names, item.source_locale, locale).text, "names": item.names,
        },
    }


def _features(codes: set[str] | None = None) -> list[dict]:
    ref = services.reference_data(db.session)
    by_id = {a.id: a for a in ref.areas}
    boundaries = geometry.current_boundaries(db.session)
    locale = _locale()
    out = []
    for item in ref.areas:
        if item.id not in boundaries or (codes is not None and item.code not in codes):
            continue
        parent = by_id.get(item.parent_id)
        out.append(_feature(item, parent.code if parent else None, boundaries[item.id], locale))
    return out


def _geojson(data, status: int = 200):
    response = jsonify(data)
    response.status_code = status
    response.mimetype = GEOJSON
    return response


@bp.get("/areas.geojson")
@cached_page("responsibility")
def areas():
    return _geojson({"type": "FeatureCollection", "features": _features()})


@bp.get("/areas/<string(maxlength=32):code>.geojson")
@cached_page("responsibility")
def area(code: str):
    found = _features({code})
    if not found:
        return _geojson({"error": "not found"}, 404)
    return _geojson(found[0])


def _coordinate(name: str, low: float, high: float, errors: dict) -> float | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        errors[name] = _("Give both latitude and longitude, or neither.")
        return None
    try:
        if len(raw) > NUMBER_MAX or has_control_characters(raw):
            raise ValueError(raw)
        value = float(raw.replace(",", "."))
    except ValueError:
        errors[name] = _("Enter a number.")
        return None
    if not math.isfinite(value) or not low <= value <= high:
        errors[name] = _("These coordinates are not on Earth.")
        return None
    return value


@bp.get("/areas/at.json")
def area_at():
    locale = _locale()
    with force_locale(locale):
        errors: dict[str, str] = {}
        lat = _coordinate("lat", -90, 90, errors)
        lon = _coordinate("long", -180, 180, errors)
        if errors:
            return jsonify({"errors": errors}), 400
        found = geometry.locator(db.session).areas_at(lat, lon)
        if not found:
            return jsonify({"area": None, "message": _(
                "This point is outside the city's areas. Choose the area from the list.")})
        ref = {a.id: a for a in services.reference_data(db.session).areas}
        chosen = ref[found[0].area_id]
        return jsonify({"area": {"id": chosen.id, "code": chosen.code,
                                 "name": localize(chosen.names, chosen.source_locale, locale).text}})
