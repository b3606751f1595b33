"""Each department's annual disclosure report: figures against hand-computed values (the small
city of test_dashboard), the page and its CSV (parsed), the index of departments × years, bad
addresses, and that a disclosure write changes a cached report."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from portal.transparency import annual_report
from portal.transparency import services as svc
from tests.functional.support import page
from tests.functional.transparency.test_dashboard import city  # noqa: F401  (the fixture)

# By hand, Parks in 2026: Q2 received 1 April, answered "does not exist" 20 May, late, 35
# working days; Q1 received 4 May, answered "published" 6 May, on time, 2 working days.
PARKS_2026 = {"received": 2, "answered": 2, "answered_published": 1, "answered_not_exist": 1,
              "answered_provided": 0, "on_time": 1, "extended": 0, "corrected": 0, "paused": 0,
              "open_at_end": 0, "median_days": 18.5}
# Roads in 2026: Q3 received 1 June, extended 3 June, still open on 31 December.
ROADS_2026 = {"received": 1, "answered": 0, "on_time": 0, "extended": 1, "open_at_end": 1,
              "median_days": None}


def _values(report) -> dict:
    return {code: value for code, _label, value in annual_report.rows(report)}


def test_the_reports_equal_the_hand_computed_figures(app, db_session, city):  # noqa: F811
    with app.test_request_context("/en/"):
        parks = _values(annual_report.report(db_session, "parks", 2026))
        roads = _values(annual_report.report(db_session, "roads", 2026))
        before = _values(annual_report.report(db_session, "parks", 2025))
    assert {k: parks[k] for k in PARKS_2026} == PARKS_2026
    assert {k: roads[k] for k in ROADS_2026} == ROADS_2026
    assert before["received"] == 0 and before["open_at_end"] == 0
    # every kind of answer has its line, in the rules' order
    codes = [k for k in parks if k.startswith("answered_")]
    assert codes == [f"answered_{k}" for k in ("published", "provided", "partly", "refused", "not_exist",
                                                "not_held", "repeated")]


def test_a_request_open_across_the_year_end_counts_as_open(app, db_session, world, make_request):
    req = make_request(now=datetime(2025, 12, 20, 9))
    with app.test_request_context("/en/"):
        svc.answer(db_session, world["parks_staff"], req, svc.AnswerData("not_exist"),
                   now=datetime(2026, 1, 8, 10))
        last = _values(annual_report.report(db_session, "parks", 2025))
        this = _values(annual_report.report(db_session, "parks", 2026))
    assert (last["received"], last["answered"], last["open_at_end"]) == (1, 0, 1)
    assert (this["received"], this["answered"], this["open_at_end"]) == (0, 1, 0)


def test_the_page_shows_the_figures_in_a_table(client, db_session, city):  # noqa: F811
    response = client.get("/en/transparency/reports/parks/2026")
    assert response.status_code == 200
    doc = page(response)
    assert "Annual disclosure report 2026" in doc.one("h1").text and "Parks department" in doc.one("h1").text
    table = doc.by_id("report-table")
    assert table.one("caption").text.strip()
    rows = {tr.get("data-code"): tr.find("td").text for tr in table.find("tbody").find_all("tr")}
    assert rows["received"] == "2" and rows["on_time"] == "1" and rows["median_days"] == "18.5"
    assert doc.find("a", href="/en/transparency/reports/parks/2026.csv") is not None


def test_the_csv_parses_to_the_same_figures(client, db_session, city):  # noqa: F811
    response = client.get("/en/transparency/reports/parks/2026.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "disclosure-report-parks-2026.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Department", "Year", "Figure", "Code", "Value"]
    values = {r[3]: r[4] for r in rows[1:]}
    assert all(r[0] == "Parks department" and r[1] == "2026" for r in rows[1:])
    assert values["received"] == "2" and values["answered_published"] == "1"
    assert values["median_days"] == "18.5" and values["open_at_end"] == "0"


def test_a_department_name_is_written_safely_into_the_csv(client, db_session, city):  # noqa: F811
    city["parks"].name_i18n = {"en": "=HYPERLINK(\"x\")"}
    db_session.commit()
    text = client.get("/en/transparency/reports/parks/2026.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_the_index_lists_departments_and_years_with_data(client, db_session, city, world,  # noqa: F811
                                                         make_request):
    make_request(now=datetime(2025, 3, 2, 9))
    doc = page(client.get("/en/transparency/reports"))
    links = [a.get("href") for a in doc.one("main").find_all("a")]
    assert "/en/transparency/reports/parks/2026" in links and "/en/transparency/reports/parks/2025" in links
    assert "/en/transparency/reports/roads/2026" in links
    assert "/en/transparency/reports/roads/2025" not in links
    assert not any("/dispatch/" in (h or "") for h in links)


@pytest.mark.parametrize("path", ["nowhere/2026", "parks/99999", "parks/0", "x" * 300 + "/2026",
                                  "nowhere/2026.csv", "parks/2026.json"])
def test_bad_addresses_are_not_found(client, db_session, world, path):
    assert client.get("/en/transparency/reports/" + path).status_code == 404


def test_a_disclosure_write_changes_the_cached_report(app, client, db_session, world, make_request):
    from portal.core.cache import clear_local

    app.config.update(PAGE_CACHE=True)
    try:
        clear_local()
        req = make_request(now=datetime(2026, 3, 2, 9))
        url = "/en/transparency/reports/parks/2026"

        def answered():
            rows = page(client.get(url)).by_id("report-table").find("tbody").find_all("tr")
            return {tr.get("data-code"): tr.find("td").text for tr in rows}["answered"]

        assert answered() == "0"
        assert answered() == "0"  # from the cache
        with app.test_request_context("/en/"):
            svc.answer(db_session, world["parks_staff"], req, svc.AnswerData("not_exist"),
                       now=datetime(2026, 3, 4, 9))
        assert answered() == "1"
    finally:
        app.config.update(PAGE_CACHE=False)
        clear_local()
