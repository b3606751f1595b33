"""Which area a point is in: inside, in a hole, on a border, outside, nested; the index."""

import pytest

from portal.responsibility import geometry
from portal.responsibility.geometry import GeometryError


def square(x0, y0, x1, y1, *holes):
    def ring(a, b, c, d):
        return [[a, b], [c, b], [c, d], [a, d], [a, b]]
    return {"type": "Polygon", "coordinates": [ring(x0, y0, x1, y1), *(ring(*h) for h in holes)]}


@pytest.fixture
def city(db_session, factories):
    """A 10×10 city, two districts side by side, a community in the west one with a hole."""
    c = factories.area(code="c")
    west, east = factories.area(code="w", parent=c), factories.area(code="e", parent=c)
    west_community = factories.area(code="wc", parent=west)
    geometry.set_boundary(db_session, c, square(0, 0, 10, 10))
    geometry.set_boundary(db_session, west, square(0, 0, 5, 10))
    geometry.set_boundary(db_session, east, square(5, 0, 10, 10))
    geometry.set_boundary(db_session, west_community, square(1, 1, 4, 4, (2, 2, 3, 3)))
    db_session.commit()
    return {a.code: a for a in (c, west, east, west_community)}


@pytest.mark.parametrize(("lat", "lon", "code"), [
    (1.5, 1.5, "wc"),   # inside the community: the smallest area takes it
    (2.5, 2.5, "w"),    # in the community's hole: its district
    (8, 2, "w"),        # in the district, in no community
    (5, 5, "e"),        # on the two districts' border: the same surface, the code first ("e")
    (1, 1, "wc"),       # on the community's outer edge: covered, so the community's
    (0, 0, "w"),        # the city's corner: on the edge of the city and of the west district
    (7, 9, "e"),
])
def test_a_point_goes_to_the_smallest_area_that_covers_it(db_session, city, lat, lon, code):
    assert geometry.area_at(db_session, lat, lon).code == code


@pytest.mark.parametrize(("lat", "lon"), [(11, 5), (-0.001, 3), (5, 10.5), (float("nan"), 1)])
def test_a_point_outside_every_boundary_is_in_no_area(db_session, city, lat, lon):
    assert geometry.area_at(db_session, lat, lon) is None


def test_areas_at_lists_every_covering_area_smallest_first(db_session, city):
    assert [a.code for a in geometry.locator(db_session).areas_at(1.5, 1.5)] == ["wc", "w", "c"]


def test_a_new_boundary_ends_the_one_in_force_and_keeps_history(db_session, city):
    first = geometry.boundary_history(db_session, city["wc"])[0]
    geometry.set_boundary(db_session, city["wc"], square(1, 1, 2, 2), source="test.geojson")
    db_session.commit()
    history = geometry.boundary_history(db_session, city["wc"])
    assert [b.effective_to is None for b in history] == [True, False]
    assert history[1].id == first.id and history[0].source == "test.geojson"
    assert geometry.area_at(db_session, 3.5, 3.5).code == "w"  # outside the new boundary


@pytest.mark.parametrize(("data", "code"), [
    ({"type": "Point", "coordinates": [1, 1]}, "type"),
    ("not a dict", "type"),
    ({"type": "Polygon", "coordinates": "x"}, "coordinates"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}, "coordinates"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [200, 1], [0, 0]]]}, "coordinates"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}, "invalid"),
    ({"type": "Polygon", "coordinates": []}, "empty"),
])
def test_unusable_geometry_is_refused_with_a_reason(data, code):
    with pytest.raises(GeometryError) as caught:
        geometry.to_shape(data)
    assert caught.value.code == code


def test_bounding_box_holds_the_circle():
    min_lat, max_lat, min_lon, max_lon = geometry.bounding_box(47.0, 8.0, 250)
    assert geometry.distance_m(47.0, 8.0, max_lat, 8.0) == pytest.approx(250, rel=1e-6)
    assert geometry.distance_m(47.0, 8.0, 47.0, max_lon) == pytest.approx(250, rel=1e-3)
    assert min_lat < 47.0 < max_lat and min_lon < 8.0 < max_lon
