"""The governance dashboard: its figures against values computed by hand from a small city
with known dates (requests, disclosure requests, halls, proposals, votes), the snapshot, the
SVG charts (parsed) and their tables, the htmx fragment and its polling answers, the staff
version's permissions and backlog, query counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from portal.transparency import dashboard
from portal.transparency import services as svc
from portal.transparency.models import DashboardSnapshot, DisclosureEvent
from tests.functional.support import page, parse

TODAY = date(2026, 6, 15)  # the window: July 2025 to June 2026
MONTHS = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
MAY, JUNE, APRIL, MARCH = MONTHS.index("2026-05"), MONTHS.index("2026-06"), MONTHS.index("2026-04"), \
    MONTHS.index("2026-03")


def _tracker_request(db_session, factories, category, area, department, created, ack_after_hours):
    """One tracker request made at ``created``, acknowledged ``ack_after_hours`` later; the
    time to acknowledge is 8 hours."""
    from portal.feedback.models import RequestEvent

    (request,) = factories.feedback_requests(1, category, area, department)
    request.created_at = created
    for e in db_session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)):
        if e.kind == "acknowledged":
            e.created_at = created + timedelta(hours=ack_after_hours)
        else:
            e.created_at = created
        if e.kind == "routed":
            e.data = {**(e.data or {}), "ack_due": (created + timedelta(hours=8)).isoformat()}
    db_session.commit()
    return request


@pytest.fixture
def city(app, db_session, factories, world):
    """By hand:

    tracker — May 2026: two requests in the community of District One to Parks, acknowledged
    after 2 h (on time) and 10 h (late): response rate 1/2, median 6 h; June: one in the city
    (no district) to Roads after 4 h: 1/1, 4 h.
    disclosure — Q2 to Parks received 1 April, answered (does not exist) 20 May: late, 35
    working days; Q1 to Parks in the community received 4 May, answered (published) 6 May: on
    time, 2 working days; Q3 to Roads received 1 June, extended 3 June, open.
    participation — a hall in the community opened 5 March; a proposal to Parks published 7
    May; 3 votes cast in May.
    """
    from portal.core.models import User
    from portal.deliberation.models import Ballot, Hall, Poll, Proposal
    from portal.responsibility.models import Area

    district = Area(code="district-one", level="district", parent_id=world["city"].id,
                    name_i18n={"en": "District One"}, source_locale="en")
    db_session.add(district)
    db_session.flush()
    community = Area(code="community-one", level="community", parent_id=district.id,
                     name_i18n={"en": "Community One"}, source_locale="en")
    db_session.add(community)
    db_session.commit()
    parks, roads, category = world["parks"], world["roads"], world["category"]
    _tracker_request(db_session, factories, category, community, parks, datetime(2026, 5, 3, 10), 2)
    _tracker_request(db_session, factories, category, community, parks, datetime(2026, 5, 10, 10), 10)
    _tracker_request(db_session, factories, category, world["city"], roads, datetime(2026, 6, 2, 10), 4)

    with app.test_request_context("/en/"):
        def ask(department, when, area=None):
            return svc.ask(db_session, world["requester"], svc.AskData(
                description="The budget of the park works.", purpose="", delivery="online",
                public=True, department_id=department.id, source_locale="en",
                area_id=area.id if area else None), now=when)

        q2 = ask(parks, datetime(2026, 4, 1, 9))
        svc.answer(db_session, world["parks_staff"], q2, svc.AnswerData("not_exist"),
                   now=datetime(2026, 5, 20, 11))
        q1 = ask(parks, datetime(2026, 5, 4, 9), community)
        svc.answer(db_session, world["parks_staff"], q1,
                   svc.AnswerData("published", link="https://example.org/plan.pdf"),
                   now=datetime(2026, 5, 6, 11))
        q3 = ask(roads, datetime(2026, 6, 1, 9))
        svc.extend(db_session, world["roads_staff"], q3, 5, "Many files to read.")
    extended = db_session.scalar(select(DisclosureEvent).where(DisclosureEvent.request_id == q3.id,
                                                               DisclosureEvent.kind == "extended"))
    extended.created_at = datetime(2026, 6, 3, 10)

    hall = Hall(slug="community-hall", area_id=community.id, name_i18n={"en": "Community hall"},
                created_at=datetime(2026, 3, 5, 10))
    db_session.add(hall)
    db_session.flush()
    db_session.add(Proposal(hall_id=hall.id, author_id=world["requester"].id, area_id=community.id,
                            title="More benches", state="published", published=True,
                            published_at=datetime(2026, 5, 7, 10), department_id=parks.id))
    poll = Poll(hall_id=hall.id, title="Which benches?", opens_at=datetime(2026, 5, 1),
                closes_at=datetime(2026, 5, 31))
    db_session.add(poll)
    db_session.flush()
    voters = [world["requester"], world["other"], world["admin"]]
    for n, voter in enumerate(voters):
        db_session.add(Ballot(poll_id=poll.id, user_id=voter.id, created_at=datetime(2026, 5, 10 + n)))
    db_session.commit()
    assert db_session.get(User, voters[0].id)
    return {"district": district, "community": community, "parks": parks, "roads": roads,
            "q1": q1, "q2": q2, "q3": q3}


def _series(figures: dict, part: str, name: str) -> list:
    return [m[part][name] for m in figures["months"]]


def test_the_figures_equal_the_hand_computed_ones(app, db_session, city):
    with app.test_request_context("/en/"):
        data = dashboard.compute(db_session, TODAY)
    assert data["months"] == MONTHS
    scopes = data["scopes"]
    district = f"district:{city['district'].id}"
    parks, roads = f"department:{city['parks'].id}", f"department:{city['roads'].id}"
    assert set(scopes) >= {"city", district, parks, roads}
    c = scopes["city"]
    # the tracker, month by month
    may, june = c["months"][MAY]["tracker"], c["months"][JUNE]["tracker"]
    assert (may["requests"], may["responded"], may["responded_on_time"]) == (2, 2, 1)
    assert may["median_response_hours"] == pytest.approx(6.0)
    assert (june["requests"], june["responded"], june["responded_on_time"]) == (1, 1, 1)
    assert june["median_response_hours"] == pytest.approx(4.0)
    assert _series(c, "tracker", "requests") == [0] * 10 + [2, 1]
    d = scopes[district]
    assert _series(d, "tracker", "requests") == [0] * 10 + [2, 0]
    assert d["months"][MAY]["tracker"]["responded_on_time"] == 1
    assert _series(scopes[parks], "tracker", "requests") == [0] * 10 + [2, 0]
    assert _series(scopes[roads], "tracker", "requests") == [0] * 11 + [1]
    # over the 12 months: 3 requests, 2 of 3 responses on time, median of 2, 4, 10 h = 4
    total = c["total"]["tracker"]
    assert (total["requests"], total["responded_on_time"], total["responded"]) == (3, 2, 3)
    assert total["median_response_hours"] == pytest.approx(4.0)
    # disclosure requests
    assert _series(c, "disclosure", "received") == [0] * 9 + [1, 1, 1]
    assert _series(c, "disclosure", "answered") == [0] * 10 + [2, 0]
    assert _series(c, "disclosure", "on_time") == [0] * 10 + [1, 0]
    assert _series(c, "disclosure", "open_at_end") == [0] * 9 + [1, 0, 1]
    assert _series(c, "disclosure", "extended") == [0] * 11 + [1]
    assert c["months"][MAY]["disclosure"]["by_type"] == {"not_exist": 1, "published": 1}
    assert c["months"][MAY]["disclosure"]["median_days"] == pytest.approx(18.5)  # (2 + 35) / 2
    assert _series(scopes[parks], "disclosure", "answered") == [0] * 10 + [2, 0]
    assert _series(scopes[district], "disclosure", "answered") == [0] * 10 + [1, 0]  # Q1 only
    assert c["total"]["disclosure"]["open_at_end"] == 1  # at the end of June: Q3
    # participation
    assert _series(c, "participation", "halls") == [0] * MARCH + [1] + [0] * 3
    assert _series(c, "participation", "proposals") == [0] * 10 + [1, 0]
    assert _series(c, "participation", "ballots") == [0] * 10 + [3, 0]
    assert scopes[district]["total"]["participation"] == {"halls": 1, "proposals": 1, "ballots": 3}
    assert scopes[parks]["total"]["participation"]["proposals"] == 1
    assert scopes[roads]["total"]["participation"] == {"halls": 0, "proposals": 0, "ballots": 0}


def test_the_metrics_series_equal_the_overall_figures(db_session, city):
    """The month-by-month series of ``feedback.metrics`` adds up to its per-month figures."""
    from portal.feedback import metrics

    _total, groups = metrics.compute_all(db_session, ("month", *metrics.SERIES))
    by_month = {m: f.requests for m, f in groups["month"].items()}
    from_departments: dict = {}
    for (_dept, month), f in groups["department+month"].items():
        from_departments[month] = from_departments.get(month, 0) + f.requests
    assert from_departments == by_month == {"2026-05": 2, "2026-06": 1}


def _refresh(app, db_session):
    with app.test_request_context("/en/"):
        return dashboard.refresh(db_session, TODAY)


def test_the_snapshot_keeps_one_row_and_the_page_reads_it(app, client, db_session, city):
    _refresh(app, db_session)
    _refresh(app, db_session)
    assert len(db_session.scalars(select(DashboardSnapshot)).all()) == 1
    response = client.get("/en/transparency/dashboard")
    assert response.status_code == 200
    doc = page(response)
    main = doc.one("main").text
    assert "Figures as of" in main and "updated every 5 minutes" in main
    assert doc.find("a", href="/en/transparency/dashboard?scope=city#dashboard-figures") is not None
    # the scope form is a plain GET form; every scope is a link too
    form = doc.one("form", class_="search-form")
    assert form.get("method") == "get" and form.get("action") == "/en/transparency/dashboard"
    assert doc.find("a", href="/en/transparency/dashboard?scope=district-district-one") is not None
    assert doc.find("a", href="/en/transparency/dashboard?scope=department-parks") is not None


def test_before_the_first_snapshot_the_page_says_the_figures_are_prepared(client, db_session, world):
    response = client.get("/en/transparency/dashboard")
    assert response.status_code == 200
    assert "The figures are being prepared" in page(response).one("main").text


def _charts(doc):
    return doc.find_all("section", class_="dashboard-chart")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_every_chart_is_accessible_svg_with_the_same_numbers_as_its_table(app, client, db_session, city,
                                                                          locale):
    _refresh(app, db_session)
    doc = page(client.get(f"/{locale}/transparency/dashboard?scope=district-district-one"))
    sections = _charts(doc)
    assert len(sections) == 9
    for section in sections:
        svg = section.one("svg")
        assert svg.get("role") == "img"
        ident = section.get("id")
        assert svg.get("aria-labelledby") == f"{ident}-title {ident}-desc"
        assert svg.one("title").get("id") == f"{ident}-title" and svg.one("title").text.strip()
        desc = svg.one("desc").text
        assert desc.strip()
        svg_values = [t.text for t in svg.find_all("text", class_="chart-value")]
        table = section.one("table")
        assert table.one("caption").text.strip()
        assert [th.get("scope") for th in table.find_all("th")][:2] == ["col", "col"]
        cells = [td.text for td in table.find_all("td")]
        assert svg_values == ["—" if c.startswith("—") else c for c in cells]
        months = [g.get("data-month") for g in svg.find_all("g", class_="chart-point")]
        assert months == MONTHS
    if locale == "en":
        votes = doc.by_id("chart-votes")
        assert [t.text for t in votes.find_all("text", class_="chart-value")][MAY] == "3"
        desc = votes.one("desc").text
        assert "It rose from 0 in Jul 2025 to 0 in Jun 2026" not in desc
        assert "the highest was 3, in May 2026" in desc and "from left to right" in desc
        response = doc.by_id("chart-response")
        values = [t.text for t in response.find_all("text", class_="chart-value")]
        assert values[MAY] == "50%" and values[JUNE] == "—"
    else:  # the catalog's words for the other direction
        from flask_babel import force_locale, gettext

        with app.test_request_context(f"/{locale}/"), force_locale(locale):
            months = gettext("The months run from right to left, the oldest on the right.")
        assert months != "The months run from right to left, the oldest on the right."
        assert months in doc.by_id("chart-votes").one("desc").text


def test_in_rtl_the_oldest_month_stands_on_the_right(app, client, db_session, city):
    _refresh(app, db_session)

    def x_of_first_and_last(locale):
        svg = page(client.get(f"/{locale}/transparency/dashboard")).by_id("chart-votes").one("svg")
        points = svg.find_all("g", class_="chart-point")
        first, last = (float(p.find_all("text")[0].get("x")) for p in (points[0], points[-1]))
        return first, last

    first, last = x_of_first_and_last("en")
    assert first < last
    first, last = x_of_first_and_last("ar")
    assert first > last


def test_a_department_has_no_hall_or_vote_charts(app, client, db_session, city):
    _refresh(app, db_session)
    doc = page(client.get("/en/transparency/dashboard?scope=department-parks"))
    idents = [s.get("id") for s in _charts(doc)]
    assert "chart-halls" not in idents and "chart-votes" not in idents and "chart-proposals" in idents
    assert "Parks department" in doc.one("h1").text


def test_an_unknown_scope_is_an_error_beside_the_field(app, client, db_session, city):
    _refresh(app, db_session)
    response = client.get("/en/transparency/dashboard?scope=department-nowhere")
    assert response.status_code == 422
    doc = page(response)
    assert "Choose the city, a district or a department from the list." in doc.by_id("scope-error").text
    assert doc.one("head").one("title").text.startswith("Error: ")
    assert "The whole city" in doc.one("h1").text


def test_the_fragment_for_htmx_and_the_full_page_otherwise(app, client, db_session, city):
    _refresh(app, db_session)
    full = client.get("/en/transparency/dashboard?scope=city")
    assert b"<html" in full.data
    fragment = client.get("/en/transparency/dashboard?scope=city", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.data
    doc = parse(fragment.data)
    region = doc.by_id("dashboard-figures")
    assert region.get("hx-trigger") == "refresh-figures from:body"
    snapshot_id = db_session.scalar(select(DashboardSnapshot.id))
    assert region.get("hx-get") == f"/en/transparency/dashboard?scope=city&seen={snapshot_id}"
    # the page's live region is polite and outside the swapped fragment
    status = page(full).by_id("dashboard-status")
    assert status.get("aria-live") == "polite"
    # polling with the newest snapshot: nothing changed, nothing swapped, nothing announced
    same = client.get(region.get("hx-get"), headers={"HX-Request": "true"})
    assert same.status_code == 204 and same.data == b""
    # a new snapshot: the fragment, and the announcement out of band
    _refresh(app, db_session)
    changed = client.get(region.get("hx-get"), headers={"HX-Request": "true"})
    assert changed.status_code == 200
    oob = parse(changed.data).by_id("dashboard-status")
    assert oob is not None and oob.get("hx-swap-oob") == "innerHTML"
    assert "The figures were updated" in oob.text


def test_anonymous_pages_are_public_and_set_no_cookie(app, client, db_session, city):
    _refresh(app, db_session)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/en/transparency/dashboard", headers=headers)
        assert "Set-Cookie" not in response.headers
        assert "public" in response.headers["Cache-Control"]


# --- the staff version ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["requester", "other", "moderator"])
def test_the_staff_version_is_refused_to_residents(client, db_session, world, login, who):
    login(world[who])
    assert client.get("/en/transparency/dashboard/staff").status_code == 403


def test_the_staff_version_is_refused_to_anonymous_readers(client, db_session, world):
    response = client.get("/en/transparency/dashboard/staff")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("who", "open_items"), [("roads_staff", "1"), ("parks_staff", None),
                                                  ("admin", "1")])
def test_the_staff_version_shows_the_backlog_of_their_departments(app, client, db_session, city, world,
                                                                    login, who, open_items):
    """The queue: Q3 (Roads) is open; Q1 and Q2 (Parks) are answered, so done."""
    _refresh(app, db_session)
    login(world[who])
    response = client.get("/en/transparency/dashboard/staff")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    doc = page(response)
    table = doc.by_id("backlog-table")
    if open_items is None:
        assert table is None and "No open items in your queue." in doc.one("main").text
        return
    rows = {r.find("th").text: [td.text for td in r.find_all("td")]
            for r in table.find("tbody").find_all("tr")}
    assert rows["Disclosure requests"][-1] == open_items


def test_the_backlog_counts_by_age_and_overdue(app, db_session, city, world):
    from portal.moderation.models import QueueItem

    now = datetime(2026, 12, 1, 12)
    item = db_session.scalar(select(QueueItem).where(QueueItem.item_id == city["q3"].id,
                                                     QueueItem.module == "disclosure"))
    item.updated_at = now - timedelta(days=10)
    item.due_at = now - timedelta(days=1)
    db_session.commit()
    found = dashboard.backlog(db_session, world["admin"], now=now)
    assert found.rows["disclosure"] == {"day": 0, "week": 0, "month": 1, "older": 0, "overdue": 1,
                                        "total": 1}
    assert dashboard.backlog(db_session, world["parks_staff"], now=now).rows == {}


# --- cost ------------------------------------------------------------------------------------------

def _count(client, url):
    from portal.extensions import db

    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    client.get(url)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


@pytest.mark.parametrize("url", ["/en/transparency/dashboard",
                                 "/en/transparency/dashboard?scope=department-parks"])
def test_the_page_reads_in_constant_queries(app, client, db_session, city, world, make_request, url):
    _refresh(app, db_session)
    before = _count(client, url)
    for _ in range(6):
        make_request()
    _refresh(app, db_session)
    assert _count(client, url) == before <= 6


def test_the_beat_schedule_refreshes_the_dashboard(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["refresh-dashboard"]["task"] == "portal.transparency.tasks.refresh_dashboard"
    assert schedule["refresh-dashboard"]["schedule"] <= 600


def test_the_task_stores_a_snapshot(app, db_session, world):
    from portal.transparency.tasks import refresh_dashboard

    refresh_dashboard.run()
    assert db_session.scalar(select(DashboardSnapshot)) is not None


def test_the_demo_city_has_a_dashboard_with_history(app, client, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
    figures = dashboard.latest(db_session, "city")
    assert figures is not None  # the seed took the first snapshot
    answered = [m.disclosure["answered"] for m in figures.months]
    assert sum(1 for n in answered if n) >= 5
    doc = page(client.get("/en/transparency/dashboard?scope=department-roads"))
    assert len(doc.find_all("section", class_="dashboard-chart")) == 7
    reports = page(client.get("/en/transparency/reports")).one("main")
    assert reports.find("a", href=f"/en/transparency/reports/roads/{figures.computed_at.year}") is not None
    from portal.transparency.seed import seed as seed_disclosure

    with app.test_request_context("/"):
        assert seed_disclosure(db_session) == 0  # once


def test_a_poll_before_the_first_snapshot_announces_its_arrival(app, client, db_session, city):
    url = "/en/transparency/dashboard?scope=city&seen="
    pending = client.get(url, headers={"HX-Request": "true"})
    assert pending.status_code == 200 and b"being prepared" in pending.data
    assert parse(pending.data).by_id("dashboard-status") is None
    _refresh(app, db_session)
    arrived = parse(client.get(url, headers={"HX-Request": "true"}).data)
    assert "The figures were updated" in arrived.by_id("dashboard-status").text
    assert len(arrived.find_all("section", class_="dashboard-chart")) == 9


def test_the_home_page_and_the_disclosure_index_link_to_the_dashboard(client, db_session, world):
    for url in ("/en/", "/en/disclosure"):
        links = [a.get("href") for a in page(client.get(url)).one("main").find_all("a")]
        assert "/en/transparency/dashboard" in links, url
    links = [a.get("href") for a in page(client.get("/en/disclosure")).one("main").find_all("a")]
    assert "/en/transparency/reports" in links


def test_a_new_snapshot_replaces_the_dashboard_pages_only(make_app, tmp_path, db_session, world):
    """The snapshot has its own cache topic: the beat task's write every few minutes empties
    the dashboard's cached pages, not the disclosure pages cached under "transparency"."""
    from flask import g

    from portal.core import cache as page_cache

    page_cache.clear_local()
    cached = make_app(PAGE_CACHE=True, REFERENCE_CACHE=True, CACHE_TYPE="FileSystemCache",
                      CACHE_DIR=str(tmp_path / "cache"))
    try:
        with cached.test_request_context("/en/"):
            before = page_cache.versions("transparency", "dashboard")
            dashboard.refresh(db_session)
            g.pop("_cache_versions", None)
            after = page_cache.versions("transparency", "dashboard")
    finally:
        page_cache.clear_local()
    assert after[0] == before[0] and after[1] != before[1]
