"""Which area a submission goes to (``services.place``) and how the routing reason says it."""

from __future__ import annotations

import pytest

from portal.feedback import services
from portal.responsibility import geometry
from portal.responsibility.services import Routing
from tests.unit.responsibility.test_geometry import square


@pytest.fixture
def town(db_session, factories):
    """A 10×10 town, two districts side by side, a community in the west one with a hole."""
    c = factories.area(code="c")
    west, east = factories.area(code="w", parent=c), factories.area(code="e", parent=c)
    community = factories.area(code="wc", parent=west)
    geometry.set_boundary(db_session, c, square(0, 0, 10, 10))
    geometry.set_boundary(db_session, west, square(0, 0, 5, 10))
    geometry.set_boundary(db_session, east, square(5, 0, 10, 10))
    geometry.set_boundary(db_session, community, square(1, 1, 4, 4, (2, 2, 3, 3)))
    db_session.commit()
    return {a.code: a for a in (c, west, east, community)}


@pytest.mark.parametrize(("lat", "lon", "code"), [
    (1.5, 1.5, "wc"), (2.5, 2.5, "w"), (5, 5, "e"), (8, 8, "e"), (1, 1, "wc")])
def test_without_an_area_the_point_decides(db_session, town, lat, lon, code):
    placement = services.place(db_session, None, lat, lon)
    assert placement.area.code == code and placement.by == "boundary"
    assert placement.point_area.code == code and not placement.outside


def test_an_area_chosen_stands_and_says_where_the_point_is(db_session, town):
    placement = services.place(db_session, town["e"], 1.5, 1.5)
    assert placement.area == town["e"] and placement.by == "chosen"
    assert placement.point_area == town["wc"]
    same = services.place(db_session, town["wc"], 1.5, 1.5)
    assert same.by == "boundary"  # chosen, and the boundary agrees
    assert services.place(db_session, town["w"], None, None).by == "chosen"


@pytest.mark.parametrize(("lat", "lon"), [(11, 5), (-1, -1), (47.0, 8.0)])
def test_a_point_outside_every_boundary(db_session, town, lat, lon):
    placement = services.place(db_session, None, lat, lon)
    assert placement.area is None and placement.outside
    assert services.place(db_session, town["w"], lat, lon).outside  # an area does not excuse it


@pytest.mark.parametrize(("lat", "lon"), [(float("nan"), 1.0), (1.0, float("inf")), (91.0, 1.0),
                                          (1.0, -181.0), (None, 1.0)])
def test_points_off_the_earth_locate_nothing(db_session, town, lat, lon):
    assert services.locate(db_session, lat, lon) is None


def test_a_city_without_boundaries_takes_any_point_with_an_area(db_session, factories):
    city = factories.area(code="plain")
    db_session.commit()
    placement = services.place(db_session, city, 29.65, 91.13)
    assert placement.area == city and placement.by == "chosen" and not placement.outside
    nowhere = services.place(db_session, None, 29.65, 91.13)
    assert nowhere.area is None and not nowhere.outside


def test_the_routing_reason_names_how_the_area_was_found(town):
    dispatch = object()
    plain = Routing(dispatch, [], None, None)
    assert plain.reason() == {"rule_id": None, "fallback": "dispatch"}
    located = Routing(dispatch, [], None, None, "boundary", town["wc"])
    assert located.reason() == {"rule_id": None, "fallback": "dispatch", "area_by": "boundary",
                                "point_area": "wc"}
