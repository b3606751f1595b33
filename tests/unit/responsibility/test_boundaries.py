"""The boundary import's rules: bounded reading, the tolerances, surfaces in km², and the
point-to-area index built once per version of the data (an import rebuilds it)."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from portal.core.errors import Invalid
from portal.responsibility import boundaries, geometry


def square(x0, y0, x1, y1):
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def fc(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c}, "geometry": g} for c, g in features]}).encode()


@pytest.fixture
def wards(factories, db_session):
    city = factories.area("u-city")
    west, east = factories.area("u-west", parent=city), factories.area("u-east", parent=city)
    geometry.set_boundary(db_session, city, square(8.0, 47.0, 8.04, 47.02))
    db_session.commit()
    return city, west, east


def test_a_million_vertices_within_the_size_cap_are_refused_before_any_geometry(monkeypatch):
    ring = [[8 + i * 1e-7, 47.0] for i in range(1_000_000)] + [[8.0, 47.0]]
    data = fc(("x", {"type": "Polygon", "coordinates": [ring]}))
    monkeypatch.setattr(geometry, "to_shape", lambda g: pytest.fail("no geometry is built"))
    features = boundaries.read_file(data, limits=boundaries.Limits(max_bytes=len(data)))
    assert features[0]["error"] == "vertices" and "geometry" not in features[0]
    # The count stops one past the cap: the work is bounded by the cap, not by the file.
    assert boundaries._positions([ring], 2, 100) == 101


def test_strings_and_booleans_are_not_coordinates():
    for bad in (["8", "47"], [True, 47.0], [8.0], [8.0, 47.0, 1.0, 2.0], "8,47"):
        data = fc(("x", {"type": "Polygon", "coordinates": [[bad, [8.1, 47], [8.1, 47.1], bad]]}))
        assert boundaries.read_file(data)[0]["error"] == "coordinates", bad


@pytest.mark.parametrize("data", [b"\xff\xfe", b"[" * 200 + b"]" * 200, b'{"a": Infinity}',
                                  b'{"type": "FeatureCollection", "features": {}}'])
def test_unreadable_files_raise_invalid_on_the_file_field(data):
    with pytest.raises(Invalid) as caught:
        boundaries.read_file(data)
    assert list(caught.value.errors) == ["file"]


def test_the_feature_cap(db_session):
    with pytest.raises(Invalid):
        boundaries.read_file(fc(*[("x", None)] * 11), limits=boundaries.Limits(max_features=10))
    assert len(boundaries.read_file(fc(*[("x", None)] * 10), limits=boundaries.Limits(max_features=10))) == 10


def test_km2_is_an_equal_area_surface():
    # 0.01° × 0.01° at 47° N ≈ 1.11195² × cos(47°) km² (spherical Earth).
    assert boundaries.km2(box(8.0, 47.0, 8.01, 47.01)) == pytest.approx(0.8432, rel=1e-3)
    assert boundaries.km2(box(8.0, 0.0, 8.01, 0.01)) == pytest.approx(1.2364, rel=1e-3)


def test_shared_edges_within_the_tolerance_are_fine(db_session, wards):
    # West pokes out of the city by a sliver (0.05 % of its surface) and shares its edge
    # with east up to the same sliver: both are within the tolerances.
    sliver = 0.02 * 0.0005
    data = fc(("u-west", square(8.0 - sliver, 47.0, 8.02 + sliver, 47.02)),
              ("u-east", square(8.02, 47.0, 8.04, 47.02)))
    result = boundaries.plan(db_session, boundaries.read_file(data))
    assert result.errors == [] and result.ok
    # Past the tolerance both are errors, named.
    data = fc(("u-west", square(7.99, 47.0, 8.025, 47.02)), ("u-east", square(8.02, 47.0, 8.04, 47.02)))
    messages = [str(m) for m in boundaries.plan(db_session, boundaries.read_file(data)).errors]
    assert len(messages) == 2
    assert any("not inside" in m for m in messages) and any("overlap" in m for m in messages)


def test_a_kept_child_is_checked_against_its_parents_new_boundary(db_session, wards):
    west = wards[1]
    geometry.set_boundary(db_session, west, square(8.0, 47.0, 8.02, 47.02))
    db_session.commit()
    data = fc(("u-city", square(8.01, 47.0, 8.04, 47.02)))  # the city shrinks past its west ward
    messages = [str(m) for m in boundaries.plan(db_session, boundaries.read_file(data)).errors]
    assert len(messages) == 1 and "not inside" in messages[0]


def test_an_invalid_polygon_names_the_place_not_shapelys_text(db_session, wards):
    bowtie = {"type": "Polygon", "coordinates": [[[8.0, 47.0], [8.02, 47.02], [8.02, 47.0],
                                                   [8.0, 47.02], [8.0, 47.0]]]}
    (message,) = boundaries.plan(db_session, boundaries.read_file(fc(("u-west", bowtie)))).errors
    assert "47.010000, 8.010000" in str(message) and "Self-intersection" not in str(message)


def test_the_index_is_built_once_per_version_and_an_import_rebuilds_it(
        make_app, factories, db_session, monkeypatch, tmp_path):
    from portal.core import cache

    area = factories.area("u-idx")
    geometry.set_boundary(db_session, area, square(8.0, 47.0, 8.04, 47.02))
    db_session.commit()
    app = make_app(REFERENCE_CACHE=True, CACHE_TYPE="FileSystemCache",
                   CACHE_DIR=str(tmp_path / "cache"))
    builds = []
    original = geometry._build_locator
    monkeypatch.setattr(geometry, "_build_locator", lambda s: builds.append(1) or original(s))
    cache.clear_local()
    client = app.test_client()
    try:
        for _ in range(2):
            response = client.get("/api/v1/areas/at.json?lat=47.01&long=8.01")
            assert response.status_code == 200 and response.json["area"]["code"] == "u-idx"
        assert len(builds) == 1  # two requests, one index
        with app.app_context():  # the commit bumps the version under this app's backend
            boundaries.import_file(db_session, None, fc(("u-idx", square(8.0, 47.0, 8.03, 47.02))),
                                   "t.geojson")
            db_session.commit()
        assert client.get("/api/v1/areas/at.json?lat=47.01&long=8.035").json["area"] is None
        client.get("/api/v1/areas/at.json?lat=47.01&long=8.01")
        assert len(builds) == 2  # rebuilt once for the new version
    finally:
        cache.clear_local()


def test_a_file_name_with_control_characters_is_not_kept(db_session):
    upload = boundaries.store_upload(db_session, None, [], "wards\x00.geojson", "code")
    assert upload.filename == "upload.geojson"
    db_session.rollback()
