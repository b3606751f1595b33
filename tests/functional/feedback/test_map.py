"""The public map of requests and its data (``/<lang>/requests/map`` and ``map.geojson``),
the submission form's map partial, the map assets only where a map is, and the tile
server's place in the Content-Security-Policy."""

from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qs

import pytest
from sqlalchemy import event, select

from portal.core.security import CSP, tile_source
from portal.feedback import geo
from portal.feedback.models import Request
from tests.functional.support import page

MAP = "/en/requests/map"
DATA = "/en/requests/map.geojson"


@pytest.fixture
def city(app, db_session):
    """The demo city; every public request gets an exact point inside Riverbend."""
    from portal.seed import seed

    with app.test_request_context():
        seed(db_session)
    for i, item in enumerate(db_session.scalars(select(Request).order_by(Request.id))):
        item.latitude = 47.0112345 + i * 0.0031237
        item.longitude = 8.0123456 + i * 0.0041113
    db_session.commit()
    return db_session


def _data(client, url=DATA) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/geo+json"
    return json.loads(response.get_data(as_text=True))


def _codes(data: dict) -> list[str]:
    return [f["properties"]["code"] for f in data["features"]]


def _list_codes(client, query: str) -> set[str]:
    doc = page(client.get("/en/requests" + query))
    return {a.text for a in doc.find_all("a", class_="request-code")}


def test_markers_are_at_the_public_rounded_position_never_the_exact_one(client, city):
    response = client.get(DATA)
    body = response.get_data(as_text=True)
    data = json.loads(body)
    rows = {r.tracking_code: r for r in city.scalars(select(Request).where(Request.state_type != "pending"))}
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(rows) >= 5
    for feature in data["features"]:
        item = rows[feature["properties"]["code"]]
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) == (round(item.latitude, 3), round(item.longitude, 3))
        assert str(item.latitude) not in body and str(item.longitude) not in body
        assert f"{item.latitude:.4f}" not in body and f"{item.longitude:.4f}" not in body
        props = feature["properties"]
        assert props["url"] == f"/en/requests/{item.tracking_code}"
        assert props["title"] == item.title and props["lang"] == item.source_locale
        assert set(props) == {"code", "title", "lang", "state", "url"}  # nothing personal
    assert data["truncated"] is False and "note" not in data
    # newest first, like the list
    ids = [rows[c].id for c in _codes(data)]
    assert ids == sorted(ids, reverse=True)


def test_state_names_and_links_are_in_the_page_language(client, city):
    data = _data(client, "/es/requests/map.geojson")
    first = data["features"][0]["properties"]
    assert first["url"].startswith("/es/requests/R-")
    assert data["list_url"] == "/es/requests"
    english = _data(client)["features"][0]["properties"]
    assert first["code"] == english["code"] and first["state"] != english["state"]


def test_requests_without_a_point_or_waiting_for_confirmation_are_left_out(client, city):
    item = city.scalars(select(Request).where(Request.state_type != "pending").order_by(Request.id)).first()
    item.latitude = None
    item.longitude = None
    pending = city.scalars(select(Request).where(Request.state_type == "pending")).first()
    city.commit()
    codes = _codes(_data(client))
    assert item.tracking_code not in codes
    if pending is not None and pending.tracking_code:
        assert pending.tracking_code not in codes


@pytest.mark.parametrize("query", ["?state=closed", "?state=open", "?q=pothole", "?q=street&state=open",
                                   "?area={district}", "?category={pothole}", "?department={roads}",
                                   "?area={district}&q=light"])
def test_the_filters_are_the_lists(client, city, query):
    from portal.responsibility.models import Area, Department, ServiceCategory

    query = query.format(
        district=city.scalar(select(Area.id).where(Area.code == "north")),
        pothole=city.scalar(select(ServiceCategory.id).where(ServiceCategory.service_code == "pothole")),
        roads=city.scalar(select(Department.id).where(Department.code == "roads")))
    data = _data(client, DATA + query)
    assert set(_codes(data)) == _list_codes(client, query)
    wanted = parse_qs(query[1:])
    path, _, args = data["list_url"].partition("?")
    assert path == "/en/requests" and parse_qs(args) == wanted
    # the map page keeps the filters in its data URL
    view = page(client.get(MAP + query)).by_id("requests-map-view")
    path, _, args = view.get("data-points-url").partition("?")
    assert path == DATA and parse_qs(args) == wanted


def test_the_filters_do_filter(client, city):
    everything = set(_codes(_data(client)))
    for query in ("?state=closed", "?state=open", "?q=pothole"):
        some = set(_codes(_data(client, DATA + query)))
        assert some and some < everything, query


def test_at_most_the_newest_points_with_a_note(client, city, monkeypatch):
    monkeypatch.setattr(geo, "MAX_POINTS", 3)
    data = _data(client)
    assert len(data["features"]) == 3 and data["truncated"] is True
    assert "newest 3 requests" in data["note"]
    newest = city.scalars(select(Request.tracking_code).where(Request.state_type != "pending")
                          .order_by(Request.id.desc()).limit(3))
    assert _codes(data) == list(newest)


class _Queries:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def _queries(client, db_session, url) -> list[str]:
    from portal.extensions import db

    db_session.commit()
    with _Queries(db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.statements


def test_the_data_costs_the_same_queries_with_10_and_500_requests(client, db_session, factories):
    roads = factories.department(code="dispatch")
    city = factories.area()
    district = factories.area(parent=city)
    communities = [factories.area(parent=district) for _ in range(3)]
    categories = [factories.service_category() for _ in range(3)]
    factories.feedback_requests(10, categories, communities, roads, latitude=47.01234, longitude=8.01234)
    urls = [DATA, f"{DATA}?area={district.id}&state=open", f"{DATA}?q=paving"]
    small = {url: _queries(client, db_session, url) for url in urls}
    factories.feedback_requests(490, categories, communities, roads, latitude=47.02345, longitude=8.02345)
    for url in urls:
        large = _queries(client, db_session, url)
        assert len(large) == len(small[url]), (url, small[url], large)
        assert not any("count(" in s.lower() for s in large), url
    data = json.loads(client.get(DATA).get_data(as_text=True))
    assert len(data["features"]) == 500
    # one select of the columns a marker needs, not whole rows
    select_requests = [s for s in large if "feedback_request" in s and "description" in s.lower()]
    assert not select_requests


@pytest.mark.parametrize("query", [
    "?q=%00", "?q=" + "x" * 5000, "?area=99999999999999999999", "?area=abc", "?area=-1",
    "?category=1e9", "?state=<script>", "?department=%00", "?q=%ff%fe", "?before=1&after=x",
    "?area=&category=&state=&department=&q=", "?q=R-2026-000001", "?q=" + "%E2%80%8F" * 20,
    "?area=1&area=2", "?state=pending", "?locale=../../etc",
])
def test_hostile_query_parameters_never_give_a_500(client, city, query):
    for url in (DATA + query, MAP + query):
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
    if "state=pending" in query:
        assert not any(f["properties"]["state"] == "Waiting for email confirmation"
                       for f in _data(client, DATA + query)["features"])


def test_the_data_is_cached_and_compressed_for_anonymous_readers(city, make_app, tmp_path):
    from portal.core import cache as page_cache

    page_cache.clear_local()
    try:
        app = make_app(PAGE_CACHE=True, REFERENCE_CACHE=True, CACHE_TYPE="FileSystemCache",
                       CACHE_DIR=str(tmp_path / "cache"))
        client = app.test_client()
        response = client.get(DATA, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert response.headers.get("ETag") and "Set-Cookie" not in response.headers
        assert response.headers["Content-Encoding"] == "gzip"
        data = json.loads(gzip.decompress(response.data))
        assert data["features"]
        etag = response.headers["ETag"]
        again = client.get(DATA, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304
        # a hit is served from the cache: no query
        from portal.extensions import db

        with _Queries(db.engine) as counter:
            hit = client.get(DATA)
        assert hit.status_code == 200 and json.loads(hit.data) == data and counter.statements == []
        page_map = client.get(MAP)
        assert page_map.headers["Cache-Control"] == "public, max-age=60"
    finally:
        page_cache.clear_local()


# --- the map page ----------------------------------------------------------------------------

def test_the_map_page_links_to_the_list_first_and_works_without_javascript(client, city):
    response = client.get(MAP + "?state=open")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    doc = page(response)
    main = doc.one("main")
    list_link = main.find("a", href="/en/requests?state=open")
    assert list_link is not None
    # the list link (and the fallback for no JavaScript) come before the map
    assert html.index('href="/en/requests?state=open"') < html.index('id="requests-map"')
    fallback = doc.by_id("requests-map-fallback")
    assert fallback is not None and "hidden" not in fallback.attrs
    assert fallback.find("a", href="/en/requests?state=open") is not None
    assert "hidden" in doc.by_id("requests-map-view").attrs  # no empty box
    scripts = [s.get("src") for s in doc.find_all("script")]
    assert any(s.startswith("/static/vendor/leaflet/leaflet.js?v=") for s in scripts)
    cluster = "/static/vendor/leaflet.markercluster/leaflet.markercluster.js?v="
    assert any(s.startswith(cluster) for s in scripts)
    assert any(s.startswith("/static/js/requests-map.js?v=") for s in scripts)
    form = main.one("form", role="search")
    assert form.get("action") == MAP and form.get("method") == "get"
    assert "selected" in doc.by_id("state").find("option", value="open").attrs


def test_the_list_links_to_the_map_and_loads_no_map_code(client, city):
    doc = page(client.get("/en/requests?state=closed"))
    assert doc.one("main").find("a", href=MAP + "?state=closed") is not None
    for url in ("/en/requests?state=closed", "/en/"):
        scripts = " ".join(s.get("src") or "" for s in page(client.get(url)).find_all("script"))
        links = " ".join(s.get("href") or "" for s in page(client.get(url)).find_all("link"))
        assert "leaflet" not in scripts and "map" not in scripts and "map.css" not in links, url


def test_the_static_map_files_are_served_fingerprinted(client, city):
    doc = page(client.get(MAP))
    urls = [s.get("src") for s in doc.find_all("script") if "vendor/leaflet" in (s.get("src") or "")]
    urls += [s.get("href") for s in doc.find_all("link") if "leaflet" in (s.get("href") or "")
             or "map.css" in (s.get("href") or "")]
    assert len(urls) >= 6
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"], url
    assert client.get("/static/vendor/leaflet/images/marker-icon.png").status_code == 200
    streets = client.get("/static/places/riverbend-streets.geojson")
    assert streets.status_code == 200
    for feature in json.loads(streets.data)["features"]:
        for lon, lat in feature["geometry"]["coordinates"]:
            assert 8.0 <= lon <= 8.09 and 47.0 <= lat <= 47.06


# --- the submission form's map ----------------------------------------------------------------

def test_the_details_step_has_the_map_hidden_until_javascript_and_keeps_its_fields(client, city):
    from tests.functional.feedback.test_submit import choose

    choose(client)
    doc = page(client.get("/en/requests/new/details"))
    picker = doc.by_id("map-picker")
    assert picker is not None and "hidden" in picker.attrs
    for name in ("latitude", "longitude", "area"):
        assert doc.by_id(name) is not None and doc.by_id(name).get("name") == name
    assert picker.get("data-at-url") == "/api/v1/areas/at.json"
    assert picker.get("data-locale") == "en"
    assert picker.get("data-areas-url") == "/api/v1/areas.geojson?locale=en"
    assert picker.get("data-tile-url") == ""
    assert doc.by_id("map-picker-map").get("tabindex") == "0"
    assert doc.by_id("map-picker-status").get("role") == "status"
    scripts = [s.get("src") for s in doc.find_all("script")]
    assert any(s.startswith("/static/js/map-picker.js?v=") for s in scripts)
    assert not any("markercluster" in s for s in scripts)
    ar = page(client.get("/ar/requests/new/details")).by_id("map-picker")
    assert ar.get("data-locale") == "ar" and ar.get("data-areas-url").endswith("locale=ar")


# --- tiles and the Content-Security-Policy --------------------------------------------------------

@pytest.mark.parametrize(("url", "source"), [
    ("", None),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("https://tiles.example.org:8443/osm/{z}/{x}/{y}.png?key=abc", "https://tiles.example.org:8443"),
    ("http://10.0.0.5/{z}/{x}/{y}.png", "http://10.0.0.5"),
    ("javascript:alert(1)//{z}", None), ("tiles.example.org/{z}/{x}/{y}.png", None),
    ("https://tiles.example.org; script-src *", None), ("https://a.{s}.example.org/{z}", None),
    ("https://{s}/{z}", None), ("ftp://tiles.example.org/{z}", None),
])
def test_the_tile_server_becomes_an_image_source(url, source):
    assert tile_source(url) == source


def test_a_configured_tile_server_is_allowed_and_passed_to_the_map(make_app, city):
    app = make_app(MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png",
                   MAP_TILE_ATTRIBUTION="© Example <contributors>")
    client = app.test_client()
    response = client.get(MAP)
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tile.example.org;" in policy
    assert "script-src 'self';" in policy  # nothing else loosened
    view = page(response).by_id("requests-map-view")
    assert view.get("data-tile-url") == "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    assert view.get("data-tile-attribution") == "© Example <contributors>"
    assert "&lt;contributors&gt;" in response.get_data(as_text=True)
    # without one, the policy is the portal's own
    assert page(client.get(MAP)) is not None


def test_without_a_tile_server_the_policy_is_unchanged(client, city):
    assert client.get(MAP).headers["Content-Security-Policy"] == CSP
