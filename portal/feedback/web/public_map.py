"""The public map of requests, beside the list (the list stays the primary, accessible view).

- ``/<lang>/requests/map``: the page. The list's filter form (same query parameters), a link
  to the list with the same filters before the map, and the map itself, drawn by
  ``static/js/requests-map.js``; without JavaScript the page says so and links to the list.
- ``/<lang>/requests/map.geojson``: its data, the same filters. Markers at the public,
  rounded positions (``portal.feedback.geo``), the newest ``geo.MAX_POINTS`` at most, with
  titles, state names and links in the page's language. Cached for anonymous readers and
  compressed (``application/geo+json``).
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, url_for
from flask_babel import ngettext

from portal.core import datasets, i18n
from portal.core.cache import cached_page
from portal.extensions import db
from portal.feedback import geo
from portal.feedback import states as st
from portal.feedback.web.public import list_filters
from portal.feedback.web.routes import bp

GEOJSON = "application/geo+json"


def map_settings() -> dict:
    """What the map scripts read from data- attributes (the CSP forbids inline scripts)."""
    config = current_app.config
    return {
        "areas_url": url_for("responsibility_api.areas", locale=_page_locale()),
        "streets_url": url_for("static", filename="places/riverbend-streets.geojson"),
        "tile_url": config.get("MAP_TILE_URL") or "",
        "tile_attribution": config.get("MAP_TILE_ATTRIBUTION") or "",
    }


def _page_locale() -> str:
    return i18n.current().code


@bp.app_template_global("map_settings")
def _map_settings_global() -> dict:
    return map_settings()


@bp.get("/map")
@cached_page("feedback", "responsibility")
def requests_map():
    form, _filters, args = list_filters()
    return render_template("feedback/map.html", search=form, args=args, filtered=bool(args),
                           settings=map_settings())


# The map's properties that print a field of the "requests" dataset (portal.feedback.open_data);
# its points are the public rounded ones (``geo.public_points``, the dataset's lat and long).
MAP_SOURCES = {"title": "title"}


@bp.get("/map.geojson")
@cached_page("feedback", "responsibility")
def requests_geojson():
    _form, filters, args = list_filters()
    found = geo.public_points(db.session, filters, geo.MAX_POINTS)
    withheld = datasets.withheld("requests", MAP_SOURCES)  # the classification table decides
    features = []
    for p in found.points:
        state = st.STATES.get(p.state)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
            "properties": {
                "code": p.code, "title": None if "title" in withheld else p.title, "lang": p.locale,
                "state": str(state.label) if state else p.state,
                "url": url_for("feedback.detail", code=p.code),
            },
        })
    data = {"type": "FeatureCollection", "features": features,
            "list_url": url_for("feedback.index", **args), "truncated": found.truncated}
    if found.truncated:
        data["note"] = ngettext(
            "The map shows the newest %(num)d requests only. The list has them all.",
            "The map shows the newest %(num)d requests only. The list has them all.",
            geo.MAX_POINTS)
    response = jsonify(data)
    response.mimetype = GEOJSON
    return response
