"""Routing by location on the web form, with JavaScript off: the area picker preselected from
the point (and still the resident's to change), a point outside the city refused beside the
coordinates with everything typed kept, the routing reason naming the boundary on the
request's page and the staff page, hostile coordinates, and "near here" at the review step
(its query read off ``ix_request_point`` on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update

from portal.feedback import services
from portal.feedback.models import Request, RequestEvent
from portal.seed import DEMO_PASSWORD
from tests.functional.feedback.test_submit import (
    NEW,
    choose,
    details,
    field_error,
    newest_request,
    seed_city,
    the_draft,
)
from tests.functional.support import page, title

STONE_BRIDGE = {"latitude": "47.01", "longitude": "8.03"}  # old-bridge, in Old Town
MARKET_SQUARE = {"latitude": "47.01", "longitude": "8.01"}  # old-market, in Old Town
OUTSIDE = "This point is outside the city."


@pytest.fixture(name="city")
def _city(app, db_session):
    """The demo city (with its boundaries), without its demo requests."""
    return seed_city(app, db_session, requests=False)


@pytest.fixture(name="resident")
def _resident(city, login):
    return login(city["users"]["resident"], password=DEMO_PASSWORD)


def selected_area(doc) -> str:
    return doc.by_id("area").find("option", selected=True).get("value")


def routed(db_session, item) -> dict:
    return db_session.scalar(select(RequestEvent.data).where(
        RequestEvent.request_id == item.id, RequestEvent.kind == "routed"))


# --- the area picker preselected from the point -------------------------------------------

def test_a_point_without_an_area_preselects_it_and_the_resident_confirms(
        client, city, resident, db_session):
    choose(client)
    typed = details(city["areas"]["old-market"], area="", **STONE_BRIDGE)
    response = client.post(f"{NEW}/details", data=typed)
    assert response.status_code == 200  # shown once more, to check the area chosen for them
    assert not title(response).startswith("Error:")
    doc = page(response)
    stone_bridge = city["areas"]["old-bridge"]
    assert selected_area(doc) == str(stone_bridge.id)
    line = doc.by_id("area-preselected")
    assert line.text.strip() == "Preselected from your point: Stone Bridge. Change it if it is wrong."
    assert "area-preselected" in doc.by_id("area").get("aria-describedby").split()
    assert "Stone Bridge" in doc.by_id("area-preselected-notice").text
    assert doc.find(class_="error-summary") is None and doc.by_id("area-error") is None
    assert doc.by_id("latitude").get("value") == "47.01"  # what was typed stays
    assert doc.by_id("description").text == typed["description"]
    assert not the_draft(db_session).data.get("details_done")
    # coming back to the step shows the same
    assert "Preselected from your point" in page(client.get(f"{NEW}/details")).by_id("area-preselected").text

    # Continue as it is: on to the files, then sent and routed by the boundary
    response = client.post(f"{NEW}/details", data={**typed, "area": str(stone_bridge.id)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/new/files")
    summary = page(client.get(f"{NEW}/review")).one("dl", class_="summary-list")
    assert "Stone Bridge (preselected from your point)" in summary.text
    assert client.post(f"{NEW}/review").status_code == 303
    item = newest_request(db_session)
    assert item.area == stone_bridge and item.lead_department.code == "old-town-office"
    reason = routed(db_session, item)
    assert reason["area_by"] == "boundary" and reason["point_area"] == "old-bridge"
    assert reason["rule_id"] and reason["area"] == "old-town"  # the district's rule decided

    # the reason, where the routing reason is shown
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert "In Stone Bridge by its boundary: the point given is inside it." in doc.one(id="timeline").text


def test_the_resident_may_pick_another_area_and_theirs_stands(client, city, resident, db_session):
    choose(client)
    market = city["areas"]["old-market"]
    client.post(f"{NEW}/details", data=details(market, area="", **STONE_BRIDGE))  # preselected
    response = client.post(f"{NEW}/details", data=details(market, **STONE_BRIDGE))  # changed
    assert response.status_code == 303
    assert the_draft(db_session).data["details"]["area"] == str(market.id)
    doc = page(client.get(f"{NEW}/details"))
    assert selected_area(doc) == str(market.id) and doc.by_id("area-preselected") is None
    assert "preselected" not in page(client.get(f"{NEW}/review")).one("dl", class_="summary-list").text
    client.post(f"{NEW}/review")
    item = newest_request(db_session)
    assert item.area == market
    assert {"area_by": "chosen", "point_area": "old-bridge"}.items() <= routed(db_session, item).items()


def test_an_area_chosen_with_the_point_is_not_changed_and_goes_straight_on(client, city, resident):
    choose(client)
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"], **MARKET_SQUARE))
    assert response.status_code == 303
    # chosen elsewhere by the resident: no preselection either
    choose(client)
    response = client.post(f"{NEW}/details", data=details(city["areas"]["north"], **MARKET_SQUARE))
    assert response.status_code == 303


def test_moving_the_point_moves_the_area_we_chose_not_theirs(client, city, resident, db_session):
    choose(client)
    market, stone_bridge = city["areas"]["old-market"], city["areas"]["old-bridge"]
    client.post(f"{NEW}/details", data=details(market, area="", **STONE_BRIDGE))
    response = client.post(f"{NEW}/details", data=details(stone_bridge, **MARKET_SQUARE))
    assert response.status_code == 200
    assert selected_area(page(response)) == str(market.id)
    assert "Market Square" in page(response).by_id("area-preselected").text


def test_without_coordinates_the_area_is_still_required(client, city, resident):
    choose(client)
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"], area=""))
    assert response.status_code == 422
    assert "Choose the area" in field_error(page(response), "area")


def test_a_point_in_a_hole_goes_to_the_district(client, city, resident):
    choose(client)  # Hillside's park (a hole): the north district takes it
    response = client.post(f"{NEW}/details", data=details(
        city["areas"]["old-market"], area="", latitude="47.0475", longitude="8.07"))
    assert selected_area(page(response)) == str(city["areas"]["north"].id)


# --- a point outside the city ---------------------------------------------------------------

def test_a_point_outside_the_city_is_an_error_beside_the_coordinates(client, city, resident):
    choose(client)
    for area in ("", str(city["areas"]["old-market"].id)):
        typed = details(city["areas"]["old-market"], area=area, latitude="46.9", longitude="8.0",
                        location_text="By the old mill")
        response = client.post(f"{NEW}/details", data=typed)
        assert response.status_code == 422
        doc = page(response)
        assert title(response).startswith("Error:")
        assert OUTSIDE in field_error(doc, "latitude")
        assert "#latitude" in {a.get("href") for a in doc.one(class_="error-summary").find_all("a")}
        assert doc.by_id("latitude").get("value") == "46.9"
        assert doc.by_id("longitude").get("value") == "8.0"
        assert doc.by_id("location_text").get("value") == "By the old mill"
        assert selected_area(doc) == area
        assert doc.by_id("area-preselected") is None


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e309", "9" * 400,
                                   "47.01\x00", "\x00", "47,01,5", "4\u202f7", "٤٧٫٠١", "--1",
                                   " ", "0x2f", "1_000"])
def test_hostile_coordinates_never_500_and_stay_as_typed(client, city, resident, value):
    choose(client)
    for lat, long in ((value, "8.03"), ("47.01", value)):
        response = client.post(f"{NEW}/details", data=details(
            city["areas"]["old-market"], area="", latitude=lat, longitude=long))
        assert response.status_code in (200, 422), (lat, long)
        doc = page(response)
        if response.status_code == 422:
            assert doc.find(class_="error-summary") is not None
        response = client.get(f"{NEW}/details")
        assert response.status_code == 200


def test_spanish_decimal_commas_locate_the_point(client, city, resident):
    assert client.post("/es/requests/new/category", data={"category": "pothole"}).status_code == 303
    response = client.post("/es/requests/new/details", data=details(
        city["areas"]["old-market"], area="", latitude="47,01", longitude="8,03"))
    assert response.status_code == 200
    assert selected_area(page(response)) == str(city["areas"]["old-bridge"].id)


# --- the staff page ------------------------------------------------------------------------

def test_the_staff_page_says_how_the_area_was_found(app, client, city, db_session, login):
    users = city["users"]

    def submit(area):
        with app.test_request_context():
            return services.submit(db_session, users["resident"], services.Submission(
                category=services_category(db_session), area=area, title="Hole",
                description="A deep hole in the road by the bridge.", latitude=47.01,
                longitude=8.03, answers={"size": "small"}))

    by_point, chosen = submit(None), submit(city["areas"]["old-market"])
    login(users["oldtown"], password=DEMO_PASSWORD)
    text_ = page(client.get(f"/en/staff/requests/{by_point.tracking_code}")).text
    assert "In Stone Bridge by its boundary: the point given is inside it." in text_
    text_ = page(client.get(f"/en/staff/requests/{chosen.tracking_code}")).text
    assert ("In Market Square, the area chosen when it was sent; the point given is in "
            "Stone Bridge.") in text_


def services_category(db_session):
    from portal.responsibility.models import ServiceCategory

    return db_session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "pothole"))


# --- near here -------------------------------------------------------------------------------

@pytest.fixture
def around(city, factories, db_session):
    """Open requests around Stone Bridge's (47.01, 8.03): two within 250 m of their public
    point, one 440 m away, one near but closed, one near but waiting for its email."""
    from portal.responsibility.models import Department, ServiceCategory

    streetlight = db_session.scalar(select(ServiceCategory).where(
        ServiceCategory.service_code == "streetlight"))
    roads = db_session.scalar(select(Department).where(Department.code == "roads"))
    made = {}
    for name, lat, lon, state in (("north", 47.01104, 8.03002, "acknowledged"),
                                  ("east", 47.01002, 8.03197, "acknowledged"),
                                  ("far", 47.01400, 8.03000, "acknowledged"),
                                  ("closed", 47.01050, 8.03000, "closed_resolved"),
                                  ("held", 47.01010, 8.03010, "unconfirmed")):
        (item,) = factories.feedback_requests(1, streetlight, city["areas"]["old-bridge"], roads,
                                              state=state, title=f"Dark lamp {name}")
        item.latitude, item.longitude = lat, lon
        made[name] = item
    db_session.commit()
    return made


def test_near_here_offers_the_open_requests_within_250_m_nearest_first(
        client, city, resident, around, db_session):
    found = services.near_open(db_session, 47.01, 8.03)
    assert [(n.request, n.metres) for n in found] == [(around["north"], 110), (around["east"], 150)]
    choose(client)
    client.post(f"{NEW}/details", data=details(city["areas"]["old-bridge"], **STONE_BRIDGE))
    response = client.get(f"{NEW}/review")
    assert response.status_code == 200
    panel = page(response).one("section", class_="submit-panel")
    items = panel.find_all("li")
    assert [li.one("h3").text.strip().split(" ", 1)[0] for li in items] == [
        around["north"].tracking_code, around["east"].tracking_code]
    assert "About 110 m from your point" in items[0].text
    assert "About 150 m from your point" in items[1].text
    html = response.get_data(as_text=True)
    for exact in ("47.01104", "8.03002", "47.01002", "8.03197"):
        assert exact not in html  # never another resident's exact point
    # and from the public rounded point only: moving the exact one inside its 100 m square
    # does not change what is shown
    db_session.execute(update(Request).where(Request.id == around["north"].id)
                       .values(latitude=47.01096, longitude=8.02996))
    db_session.commit()
    assert [n.metres for n in services.near_open(db_session, 47.01, 8.03)] == [110, 150]


def test_near_here_without_a_point_or_with_a_hostile_one_is_empty(db_session, around):
    for lat, lon in ((None, None), (float("nan"), 8.03), (47.01, float("inf")), (1e308, 8.0),
                     (91.0, 8.0)):
        assert services.near_open(db_session, lat, lon) == []


def test_near_here_is_two_queries_however_many_are_near(db_session, around, factories, city):
    from portal.extensions import db
    from portal.responsibility.models import Department

    def statements() -> list[str]:
        seen = []

        def count(conn, cursor, statement, *args):
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = services.near_open(db_session, 47.01, 8.03, limit=50)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return seen, found

    few, found = statements()
    assert len(few) == 2 and "latitude BETWEEN" in few[0] and len(found) == 2, few
    roads = db_session.scalar(select(Department).where(Department.code == "roads"))
    more = factories.feedback_requests(30, around["north"].category, city["areas"]["old-bridge"], roads)
    db_session.execute(update(Request), [{"id": r.id, "latitude": 47.0105, "longitude": 8.0305}
                                         for r in more])
    db_session.commit()
    many, found = statements()
    assert len(many) == 2 and len(found) == 32, many


def _plan(session, stmt) -> str:
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    return "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))


def test_near_here_reads_the_point_index_on_both_databases(db_session, factories, city):
    from portal.responsibility.models import Department, ServiceCategory

    pothole = db_session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "pothole"))
    roads = db_session.scalar(select(Department).where(Department.code == "roads"))
    items = factories.feedback_requests(300, pothole, city["areas"]["old-bridge"], roads)
    db_session.execute(update(Request), [
        {"id": r.id, "latitude": 47.0 + (n % 60) / 1000, "longitude": 8.0 + (n // 60) / 100}
        for n, r in enumerate(items)])
    db_session.commit()
    postgresql = db_session.get_bind().dialect.name == "postgresql"
    if postgresql:
        db_session.execute(text("ANALYZE feedback_request"))
        db_session.execute(text("SET LOCAL enable_seqscan = off"))
    explained = _plan(db_session, services.near_statement(47.01, 8.03))
    assert "ix_request_point" in explained, explained
    if postgresql:
        assert "Index" in explained or "Bitmap" in explained, explained
    else:
        assert "SEARCH" in explained, explained  # not a SCAN of the table
