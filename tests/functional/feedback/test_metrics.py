"""The public metrics page: overall figures with their explanations, the table per
department, category, area or month, names in the reader's language, htmx."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.feedback import services
from tests.functional.support import page, title, translated

MONDAY = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def handled(app, db_session, factories, monkeypatch):
    """Two requests on a controlled clock: one acknowledged in 2 h, answered and confirmed
    resolved (5/5) after 2 days, in an area whose department is named only in Chinese; one
    never answered, elsewhere."""
    now = {"at": MONDAY}
    monkeypatch.setattr("portal.feedback.services.utcnow", lambda: now["at"])
    root = factories.area("m-city", en="Town")
    east = factories.area("m-east", parent=root, en="East", es="Este")
    west = factories.area("m-west", parent=root, en="West")
    factories.department("dispatch", en="Dispatch")
    roads = factories.department("m-roads", en="Roads", es="Vías")
    parks = factories.department("m-parks", zh_Hans="园林局")
    category = factories.service_category("m-pothole", en="Pothole", es="Bache")
    factories.responsibility_rule(category, east, roads)
    factories.responsibility_rule(category, west, parks)
    resident, staff = factories.user(), factories.admin()
    with app.test_request_context():
        def submit(area):
            return services.submit(db_session, resident, services.Submission(
                category=category, area=area, title="Hole", description="A deep hole in the road.",
                location_text="Main Street"))

        first, _second = submit(east), submit(west)
        now["at"] = MONDAY + timedelta(hours=2)
        services.acknowledge(db_session, staff, first)
        now["at"] = MONDAY + timedelta(days=1)
        services.answer(db_session, staff, first, "Filled and sealed today.")
        now["at"] = MONDAY + timedelta(days=2)
        services.respond(db_session, resident, first, True, 5)
    return {"roads": roads, "parks": parks}


def overall(doc) -> dict[str, str]:
    figures = {}
    for row in doc.one("dl", class_="metrics").find_all("div"):
        figures[row.find("dt").text] = row.find("dd").find("strong").text
    return figures


def test_overall_figures_with_their_explanations(client, handled):
    response = client.get("/en/requests/metrics")
    assert response.status_code == 200
    assert title(response).startswith("How requests are handled")
    doc = page(response)
    assert overall(doc) == {
        "Requests": "2", "Response rate": "100%", "Resolution rate": "100%",
        "Satisfaction rate": "100%", "On-time rate": "100%",
        "Median hours to first response": "2.0", "Median days to resolution": "2.0"}
    assert "(1 of 1)" in doc.one("dl", class_="metrics").text
    assert len(doc.one("dl", class_="metrics").find_all("p", class_="hint")) == 7


def test_the_table_per_department_names_them_in_the_readers_language(app, client, handled):
    doc = page(client.get("/es/requests/metrics"))
    table = doc.by_id("metrics-table").one("table")
    assert table.find("caption") is not None
    assert all(th.get("scope") == "col" for th in table.find("thead").find_all("th"))
    rows = table.find("tbody").find_all("tr")
    labels = [r.find("th") for r in rows]
    assert all(th.get("scope") == "row" for th in labels)
    assert "Vías" in [th.text for th in labels]
    parks = next(th for th in labels if th.find("span", lang="zh-Hans"))
    assert parks.text == "园林局"
    cells = [td.text for td in parks.parent.find_all("td")]
    assert cells[0] == "1"
    no_data = parks.parent.find_all("td")[1]  # a dash, read out as "no data" in Spanish
    assert no_data.one("span", aria_hidden="true").text == "—"
    assert no_data.one("span", class_="visually-hidden").text == translated(app, "es", "No data")


def test_the_table_per_month_and_per_area(client, handled):
    doc = page(client.get("/en/requests/metrics?by=month"))
    assert doc.by_id("by").find("option", selected=True).get("value") == "month"
    row = doc.by_id("metrics-table").find("tbody").find("tr")
    assert row.find("th").text == "March 2026"
    assert page(client.get("/zh-Hans/requests/metrics?by=month")).by_id(
        "metrics-table").find("tbody").find("th").text == "2026年3月"
    doc = page(client.get("/en/requests/metrics?by=area"))
    assert [th.text for th in doc.by_id("metrics-table").find("tbody").find_all("th")] == ["East", "West"]
    assert page(client.get("/en/requests/metrics?by=category")).by_id(
        "metrics-table").find("tbody").find("th").text == "Pothole"


def test_an_unknown_dimension_shows_departments(client, handled):
    response = client.get("/en/requests/metrics?by=colour")
    assert response.status_code == 200
    assert page(response).by_id("by").find("option", selected=True).get("value") == "department"


def test_htmx_gets_the_table_alone(client, handled):
    response = client.get("/en/requests/metrics?by=area", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "<h1" not in html
    assert page(response).one("div", id="metrics-table").find("caption").text == "Figures per area"


def test_no_requests_yet(client, db_session):
    doc = page(client.get("/en/requests/metrics"))
    assert overall(doc)["Requests"] == "0"
    assert overall(doc)["Response rate"] == "—No data"
    assert "nothing to count" in doc.by_id("metrics-table").text
