"""Metrics computed from the events: each rate and median, exactly, for requests taken
through the real services on a controlled clock."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from portal.feedback import metrics, services

MONDAY = datetime(2026, 3, 2, 9, 0)  # ack due Monday 17:00 (8 h); answer due 16 March 17:00


class Clock:
    def __init__(self, now):
        self.now = now

    def at(self, moment):
        self.now = moment
        return self


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(MONDAY)
    monkeypatch.setattr("portal.feedback.services.utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def scene(app, db_session, factories, clock):
    """Two departments, each the lead for one area; an administrator answers for both."""
    with app.test_request_context():
        root = factories.area("m-city", en="Town")
        east = factories.area("m-east", parent=root, en="East")
        west = factories.area("m-west", parent=root, zh_Hans="西区")
        factories.department("dispatch", en="Dispatch")
        roads = factories.department("m-roads", en="Roads")
        parks = factories.department("m-parks", en="Parks")
        category = factories.service_category("m-pothole", ack_hours=8, resolve_days=10)
        factories.responsibility_rule(category, east, roads)
        factories.responsibility_rule(category, west, parks)
        resident = factories.user()
        staff = factories.admin()

        class Scene:
            pass

        scene = Scene()
        scene.__dict__.update(locals())

        def submit(area, **kw):
            clock.at(MONDAY)
            return services.submit(db_session, kw.pop("actor", resident), services.Submission(
                category=category, area=area, title="Hole", description="A deep hole in the road.",
                location_text="Main Street", **kw))

        scene.submit = submit
        yield scene


def build(scene, clock, db_session):
    """R1 (east): acknowledged in 2 h, answered on time, confirmed resolved (5) after 3 days.
    R2 (east): acknowledged late (28 h), answered late, reopened (2), answered again on time,
    confirmed resolved (4) after 22 days.
    R3 (west): answered in 4 h (its first response), never confirmed: closed without it.
    R4 (west): no response at all.
    A visitor's request never confirmed by email is not counted."""
    s, staff, resident = scene, scene.staff, scene.resident
    r1, r2, r3, _r4 = (s.submit(s.east), s.submit(s.east), s.submit(s.west), s.submit(s.west))
    s.submit(s.west, actor=None, contact_email="visitor@example.org")

    services.acknowledge(db_session, staff, clock.at(MONDAY + timedelta(hours=2)) and r1)
    services.answer(db_session, staff, clock.at(datetime(2026, 3, 4, 9)) and r1, "Filled and sealed.")
    services.respond(db_session, resident, clock.at(datetime(2026, 3, 5, 9)) and r1, True, 5)

    services.acknowledge(db_session, staff, clock.at(datetime(2026, 3, 3, 13)) and r2)
    services.answer(db_session, staff, clock.at(datetime(2026, 3, 20, 9)) and r2, "Patched for now.")
    services.respond(db_session, resident, clock.at(datetime(2026, 3, 21, 9)) and r2, False, 2)
    services.answer(db_session, staff, clock.at(datetime(2026, 3, 23, 9)) and r2, "Resurfaced properly.")
    services.respond(db_session, resident, clock.at(datetime(2026, 3, 24, 9)) and r2, True, 4)

    services.answer(db_session, staff, clock.at(MONDAY + timedelta(hours=4)) and r3, "Done, see photo.")
    services.check_deadlines(db_session, datetime(2026, 4, 30, 9))
    db_session.refresh(r3)
    assert r3.state == "closed_unconfirmed"
    return r1, r2, r3


def test_overall_figures(app, db_session, scene, clock):
    with app.test_request_context():
        build(scene, clock, db_session)
    total, _groups = metrics.compute(db_session)
    assert total.requests == 4
    assert (total.responded, total.responded_on_time) == (3, 2)
    assert total.response_rate == pytest.approx(2 / 3)
    assert sorted(total.response_hours) == pytest.approx([2.0, 4.0, 28.0])
    assert total.median_response_hours == pytest.approx(4.0)
    assert (total.answers, total.answers_on_time) == (4, 3)
    assert total.on_time_rate == pytest.approx(0.75)
    assert sorted(total.ratings) == [2, 4, 5]
    assert total.satisfaction_rate == pytest.approx(2 / 3)
    assert (total.resolved, total.closed_after_answer) == (2, 3)
    assert total.resolution_rate == pytest.approx(2 / 3)
    assert sorted(total.resolution_days) == pytest.approx([3.0, 22.0])
    assert total.median_resolution_days == pytest.approx(12.5)


def test_figures_per_department_area_category_and_month(app, db_session, scene, clock):
    with app.test_request_context():
        build(scene, clock, db_session)
    _total, by_department = metrics.compute(db_session, "department")
    roads, parks = by_department[scene.roads.id], by_department[scene.parks.id]
    assert set(by_department) == {scene.roads.id, scene.parks.id}
    assert (roads.requests, roads.response_rate, roads.resolution_rate) == (2, 0.5, 1.0)
    assert roads.median_response_hours == pytest.approx(15.0)  # 2 h and 28 h
    assert roads.on_time_rate == pytest.approx(2 / 3)
    assert parks.requests == 2 and parks.response_rate == 1.0
    assert parks.resolution_rate == 0.0  # closed without confirmation counts against
    assert parks.satisfaction_rate is None and parks.median_resolution_days is None
    _total, by_area = metrics.compute(db_session, "area")
    assert {k: f.requests for k, f in by_area.items()} == {scene.east.id: 2, scene.west.id: 2}
    _total, by_category = metrics.compute(db_session, "category")
    assert list(by_category) == [scene.category.id]
    _total, by_month = metrics.compute(db_session, "month")
    assert list(by_month) == ["2026-03"]
    with pytest.raises(ValueError):
        metrics.compute(db_session, "colour")


def test_no_requests_no_rates(db_session):
    total, groups = metrics.compute(db_session)
    assert total.requests == 0 and groups == {}
    assert total.response_rate is None and total.resolution_rate is None
    assert total.satisfaction_rate is None and total.on_time_rate is None
    assert total.median_response_hours is None and total.median_resolution_days is None


def test_the_metrics_page_loads_names_in_one_query_per_dimension(app, db_session, scene, clock):
    from portal.feedback.web.metrics import rows

    with app.test_request_context():
        build(scene, clock, db_session)
    _total, groups = metrics.compute(db_session, "department")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context("/en/"):
            found = rows(db_session, "department", groups)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert [str(r.label) for r in found] == ["Parks", "Roads"]  # equal counts: by name
    assert [r.figures.requests for r in found] == [2, 2]
