"""The hot spots page: before the first snapshot, the map (one path per area, the hatching
pattern, title and description), the table, staff's own hot spots first, the CSV (content and
formula injection), hostile filters, htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.core.models import utcnow
from portal.feedback import hotspots
from portal.feedback.models import Request
from portal.responsibility.geometry import set_boundary
from tests.functional.support import page


def _square(lon, lat, size=0.01):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


@pytest.fixture
def spots(app, db_session, factories):
    """A town with two districts: potholes spike in East (roads), litter spikes harder in West
    (parks); each area has a boundary. The snapshot is taken."""
    now = utcnow()
    with app.test_request_context():
        town = factories.area("hs-town", en="Town")
        east = factories.area("hs-east", parent=town, en="East")
        west = factories.area("hs-west", parent=town, en="=HYPERLINK(\"http://evil\")")
        factories.department("dispatch", en="Dispatch")
        roads = factories.department("hs-roads", en="Roads")
        parks = factories.department("hs-parks", en="Parks")
        potholes = factories.service_category("hs-pothole", en="Pothole")
        litter = factories.service_category("hs-litter", en="@Litter")
        factories.responsibility_rule(potholes, east, roads)
        factories.responsibility_rule(litter, west, parks)
        set_boundary(db_session, town, _square(8.0, 47.0, 0.02))
        set_boundary(db_session, east, _square(8.01, 47.0))
        set_boundary(db_session, west, _square(8.0, 47.0))
        db_session.commit()

        def make(area, category, count, ago):
            made = factories.feedback_requests(count, category, area, roads)
            db_session.execute(update(Request).where(Request.id.in_([r.id for r in made]))
                               .values(created_at=now - ago))

        make(east, potholes, 4, timedelta(hours=1))
        make(west, litter, 6, timedelta(hours=1))
        make(east, potholes, 1, timedelta(days=20))
        db_session.commit()
        hotspots.refresh(db_session)
        staff = factories.user(roles=("staff",), departments=(roads,))

        class Spots:
            pass

        s = Spots()
        s.town, s.east, s.west, s.roads, s.parks = town, east, west, roads, parks
        s.potholes, s.litter, s.staff = potholes, litter, staff
        yield s


def test_before_the_first_snapshot_the_page_says_so(client):
    response = client.get("/en/requests/hotspots")
    assert response.status_code == 200
    assert "have not been computed yet" in page(response).by_id("hotspots-results").text


def test_the_map_draws_each_area_with_title_desc_and_a_pattern(client, spots):
    response = client.get("/en/requests/hotspots")
    assert response.status_code == 200
    doc = page(response)
    svg = doc.one("svg", role="img")
    assert svg.get("aria-labelledby") == "hotspot-map-title hotspot-map-desc"
    assert "hot spots for all categories together" in doc.by_id("hotspot-map-title").text
    desc = doc.by_id("hotspot-map-desc").text
    assert "2 areas are flagged:" in desc and "East, 4 requests this week" in desc
    assert "Town" not in desc  # the whole city is never hatched: the table has it
    paths = [p for p in svg.find_all("path") if "hotspot-area" in p.get("class").split()]
    assert sorted(p.get("data-area") for p in paths) == sorted(
        str(a.id) for a in (spots.town, spots.east, spots.west))
    assert all(p.find("title") is not None for p in paths)
    assert svg.find("pattern", id="hotspot-hatch") is not None
    flagged = [p for p in paths if "hotspot-area--flagged" in p.get("class")]
    assert flagged and all(p.get("fill") == "url(#hotspot-hatch)" for p in flagged)
    assert str(spots.town.id) not in {p.get("data-area") for p in flagged}
    east = next(p for p in paths if p.get("data-area") == str(spots.east.id))
    assert "flagged" in east.find("title").text
    # the rule is stated on the page
    assert "at least 3 requests this week" in doc.by_id("rule").parent.text


def test_the_table_has_the_same_figures_in_text(client, spots):
    doc = page(client.get(f"/en/requests/hotspots?category={spots.potholes.service_code}"))
    table = doc.by_id("areas-table")
    rows = {r.find("th").text.strip(): [td.text.strip() for td in r.find_all("td")]
            for r in table.find("tbody").find_all("tr")}
    assert rows["East"] == ["Pothole", "4", "0.1", "2.1", "Yes"]
    assert rows["Town"][-1] == "Yes"
    assert rows['=HYPERLINK("http://evil")'] == ["Pothole", "0", "0.0", "2.0", "No"]


def test_staff_see_their_own_hot_spots_first(client, login, spots):
    anonymous = page(client.get("/en/requests/hotspots"))
    assert anonymous.by_id("own-table") is None
    rows = anonymous.by_id("flagged-table").find("tbody").find_all("tr")
    assert "Town All categories 10" in rows[0].text  # the biggest spike first
    assert "@Litter" in next(r.text for r in rows if "All categories" not in r.text)
    login(spots.staff)
    doc = page(client.get("/en/requests/hotspots"))
    own = doc.by_id("own-table").find("tbody").find_all("tr")
    assert own and all("Pothole" in r.text for r in own)
    rows = doc.by_id("flagged-table").find("tbody").find_all("tr")
    assert "Pothole" in rows[0].text and "Your department" in rows[0].text
    assert "Your department" not in rows[-1].text


def test_the_csv_has_the_figures_with_a_bom_and_no_formulas(client, spots):
    response = client.get("/en/requests/hotspots.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Area code", "Area", "Category code", "Category", "This week"]
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    east = by_key[("hs-east", "hs-pothole")]
    assert east[4:13] == ["4", "0", "1", "0", "0", "0", "0", "0", "0"]
    assert east[13] == "0.12" and east[-2] == "yes"
    west = by_key[("hs-west", "hs-litter")]
    assert west[1] == "'=HYPERLINK(\"http://evil\")"
    assert west[3] == "'@Litter"
    assert by_key[("hs-town", "")][3] == "All categories"
    one = client.get(f"/en/requests/hotspots.csv?category={spots.litter.service_code}")
    keys = {r[2] for r in list(csv.reader(io.StringIO(one.get_data(as_text=True).lstrip("\ufeff"))))[1:]}
    assert keys == {"hs-litter"}


@pytest.mark.parametrize("query", [
    "category=%3Cscript%3Ealert(1)%3C/script%3E", "category=" + "x" * 5000, "category=%00%01",
    "category=hs-pothole&category=hs-litter", "category=", "category=%E2%80%AE",
])
def test_hostile_filters_never_fail(client, spots, query):
    response = client.get(f"/en/requests/hotspots?{query}")
    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)
    assert client.get(f"/en/requests/hotspots.csv?{query}").status_code == 200


def test_an_unknown_category_is_an_error_beside_the_field(client, spots):
    doc = page(client.get("/en/requests/hotspots?category=nope"))
    assert doc.by_id("category-error") is not None
    assert "all categories together" in doc.by_id("hotspot-map-title").text


def test_htmx_gets_the_results_alone(client, spots):
    response = client.get(f"/en/requests/hotspots?category={spots.litter.service_code}",
                          headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert "<html" not in text and 'id="hotspots-results"' in text
    assert "hot spots for @Litter" in text


def test_the_page_in_arabic_keeps_the_map_left_to_right(client, spots):
    response = client.get("/ar/requests/hotspots")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("html").get("dir") == "rtl"
    assert doc.one("svg", role="img").get("direction") == "ltr"


def test_anonymous_readers_get_a_cached_page_staff_a_fresh_one(spots, make_app, tmp_path):
    from portal.core import cache as page_cache
    from portal.extensions import db
    from tests.functional.core.test_cache import Queries

    page_cache.clear_local()
    try:
        app = make_app(PAGE_CACHE=True, REFERENCE_CACHE=True, CACHE_TYPE="FileSystemCache",
                       CACHE_DIR=str(tmp_path / "cache"))
        client = app.test_client()
        for url in ("/en/requests/hotspots", "/en/requests/hotspots.csv"):
            first = client.get(url)
            assert first.headers["Cache-Control"] == "public, max-age=60", url
            with Queries(db.engine) as queries:
                again = client.get(url)
            assert again.data == first.data and queries.count == 0, url
        staff = app.test_client()
        staff.post("/en/account/login", data={"email": spots.staff.email,
                                              "password": "correct horse battery"})
        mine = staff.get("/en/requests/hotspots")
        assert set(mine.headers["Cache-Control"].split(", ")) == {"private", "no-store"}
        assert 'id="own-table"' in mine.get_data(as_text=True)
        assert 'id="own-table"' not in client.get("/en/requests/hotspots").get_data(as_text=True)
    finally:
        page_cache.clear_local()


def test_the_page_reads_a_bounded_number_of_queries(client, spots, factories, db_session):
    from portal.extensions import db
    from tests.functional.core.test_cache import Queries

    def count():
        with Queries(db.engine) as queries:
            assert client.get("/en/requests/hotspots").status_code == 200
        return queries.count

    before = count()
    more = [factories.area(f"hs-more-{i}", parent=spots.west) for i in range(5)]
    for area in more:
        factories.feedback_requests(4, spots.litter, area, spots.parks)
    with client.application.test_request_context():
        hotspots.refresh(db_session)
    assert count() == before


def test_the_page_never_computes_the_figures(client, spots, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the page computed the figures")

    monkeypatch.setattr(hotspots, "compute", refuse)
    monkeypatch.setattr(hotspots, "weekly_counts", refuse)
    assert client.get("/en/requests/hotspots").status_code == 200
    assert client.get("/en/requests/hotspots.csv").status_code == 200


def test_the_metrics_page_links_the_hot_spots(client):
    doc = page(client.get("/en/requests/metrics"))
    assert any(a.get("href") == "/en/requests/hotspots" for a in doc.find_all("a"))


def test_before_the_first_snapshot_the_task_is_queued_once(make_app, db_session, monkeypatch):
    from portal.feedback import tasks
    from portal.feedback.web import hotspots as hotspots_page

    app = make_app(CELERY_DISPATCH=True)
    queued = []
    monkeypatch.setattr(tasks.refresh_hotspots, "delay", lambda *a, **k: queued.append(a))
    monkeypatch.setattr(hotspots_page, "_queued_at", [])
    client = app.test_client()
    assert client.get("/en/requests/hotspots").status_code == 200
    assert client.get("/ar/requests/hotspots").status_code == 200
    assert queued == [()]


def test_beat_refreshes_the_hot_spots(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["refresh-hotspots"]["task"] == "portal.feedback.tasks.refresh_hotspots"


def test_the_staff_queue_links_the_hot_spots(client, login, spots):
    login(spots.staff)
    doc = page(client.get("/en/staff/queue/"))
    assert any(a.get("href") == "/en/requests/hotspots" for a in doc.find_all("a"))


def test_without_boundaries_the_table_stands_alone(app, client, db_session, factories):
    town = factories.area("nb-town", en="Town")
    category = factories.service_category("nb-cat", en="Benches")
    factories.department("dispatch", en="Dispatch")
    factories.feedback_requests(3, category, town, factories.department("nb-dept"))
    with app.test_request_context():
        hotspots.refresh(db_session)
    doc = page(client.get("/en/requests/hotspots"))
    assert doc.find("svg", role="img") is None
    assert "no map" in doc.by_id("hotspots-results").text
    rows = doc.by_id("areas-table").find("tbody").find_all("tr")
    assert [r.find("th").text.strip() for r in rows] == ["Town"]
    assert rows[0].find_all("td")[-1].text.strip() == "Yes"  # 3 against 0, 0, 0, ...
