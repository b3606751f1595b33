"""Hot spots: the weekly counts and the flag against hand-computed values, the snapshot the task
stores, and the supervisor told once per area, category and week."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from portal.core.models import OutboxMessage
from portal.core.notifications import Notification
from portal.feedback import hotspots, tasks
from portal.feedback.models import HotspotAlert, HotspotSnapshot, Request

NOW = datetime(2026, 3, 12, 12, 0)  # a Thursday: its ISO week starts on Monday 9 March
DAY, WEEK = timedelta(days=1), timedelta(days=7)


# --- the rule, on its own -------------------------------------------------------------------

@pytest.mark.parametrize(("this_week", "previous", "threshold", "flagged"), [
    (3, [0] * 8, 2.0, True),  # calm, then 3: the sd floor of 1 makes the threshold 2
    (2, [0] * 8, 2.0, False),  # above the threshold but under the minimum of 3
    (4, [2] * 8, 4.0, False),  # sd 0 → 1: 2 + 2 = 4, and 4 is not above 4
    (5, [2] * 8, 4.0, True),
    (6, [0, 4] * 4, 6.0, False),  # mean 2, sd 2: threshold 6
    (7, [0, 4] * 4, 6.0, True),
    (12, [10] * 8, 12.0, False),
    (13, [10] * 8, 12.0, True),
    (0, [0] * 8, 2.0, False),
])
def test_the_rule(this_week, previous, threshold, flagged):
    mean, _sd, found_threshold, found_flagged = hotspots.judge(this_week, previous)
    assert mean == pytest.approx(sum(previous) / 8)
    assert found_threshold == pytest.approx(threshold)
    assert found_flagged is flagged


def test_the_standard_deviation_is_the_population_one():
    mean, sd, threshold, _flagged = hotspots.judge(3, [1, 0, 0, 0, 0, 0, 0, 2])
    assert mean == pytest.approx(0.375)
    assert sd == pytest.approx(math.sqrt(5 / 8 - 0.375 ** 2))  # 0.696: floored to 1
    assert threshold == pytest.approx(2.375)


# --- a scene over nine weeks ----------------------------------------------------------------

@pytest.fixture
def scene(app, db_session, factories):
    with app.test_request_context():
        city = factories.area("h-city", en="Town")
        district = factories.area("h-north", parent=city, en="North")
        community = factories.area("h-maple", parent=district, en="Maple", es="Arce")
        other = factories.area("h-oak", parent=district, en="Oak")
        factories.department("dispatch", en="Dispatch")
        roads = factories.department("h-roads", en="Roads")
        supervisor = factories.user(roles=("staff",), departments=(roads,), locale="es")
        roads.supervisor_id = supervisor.id
        db_session.commit()
        potholes = factories.service_category("h-pothole", en="Pothole", es="Bache")
        litter = factories.service_category("h-litter", en="Litter")
        factories.responsibility_rule(potholes, district, roads)

        def make(area, category, ago: timedelta, count=1, state="acknowledged"):
            made = factories.feedback_requests(count, category, area, roads, state=state)
            db_session.execute(update(Request).where(Request.id.in_([r.id for r in made]))
                               .values(created_at=NOW - ago))
            db_session.commit()
            return made

        make(community, potholes, timedelta(hours=1), count=3)  # this week
        make(community, potholes, WEEK)  # exactly seven days back: the week before
        make(community, potholes, 8 * WEEK + timedelta(hours=1), count=2)  # 8th week before
        make(community, potholes, 9 * WEEK + timedelta(hours=1))  # too old: not counted
        make(community, potholes, timedelta(hours=2))  # a visitor who did not confirm
        db_session.execute(update(Request).where(Request.id == db_session.scalar(
            select(func.max(Request.id)))).values(state="unconfirmed", state_type="pending"))
        make(other, litter, 2 * DAY)
        db_session.commit()

        class Scene:
            pass

        s = Scene()
        s.city, s.district, s.community, s.other = city, district, community, other
        s.roads, s.supervisor, s.potholes, s.litter = roads, supervisor, potholes, litter
        s.make = make
        yield s


def test_weekly_counts_by_hand(scene, db_session):
    counts = hotspots.weekly_counts(db_session, NOW)
    s = scene
    assert counts[(s.community.id, s.potholes.id)] == [3, 1, 0, 0, 0, 0, 0, 0, 2]
    # a community's requests count for its district and the city too
    assert counts[(s.district.id, s.potholes.id)] == [3, 1, 0, 0, 0, 0, 0, 0, 2]
    assert counts[(s.city.id, s.potholes.id)] == [3, 1, 0, 0, 0, 0, 0, 0, 2]
    assert counts[(s.other.id, s.litter.id)] == [1, 0, 0, 0, 0, 0, 0, 0, 0]
    # and every area has a row for all categories together
    assert counts[(s.community.id, None)] == [3, 1, 0, 0, 0, 0, 0, 0, 2]
    assert counts[(s.district.id, None)] == [4, 1, 0, 0, 0, 0, 0, 0, 2]
    assert (s.community.id, s.litter.id) not in counts


def test_figures_and_flags_by_hand(scene, db_session):
    s = scene
    figures = {(f.area, f.category): f for f in hotspots.compute(db_session, NOW)}
    maple = figures[(s.community.id, s.potholes.id)]
    assert (maple.this_week, maple.previous) == (3, [1, 0, 0, 0, 0, 0, 0, 2])
    assert maple.mean == pytest.approx(0.375)
    assert maple.threshold == pytest.approx(2.375)
    assert maple.flagged is True
    assert maple.lead == s.roads.id  # the district's rule
    oak = figures[(s.other.id, s.litter.id)]
    assert oak.flagged is False  # one request is never a spike
    assert oak.lead != s.roads.id  # no rule: the dispatcher
    # the district across all categories: 4 > 0.375 + 2 and ≥ 3
    assert figures[(s.district.id, None)].flagged is True
    assert figures[(s.district.id, None)].lead is None
    # flagged rows first
    ordered = hotspots.compute(db_session, NOW)
    assert all(f.flagged for f in ordered[:sum(f.flagged for f in ordered)])


def test_counting_is_one_query_however_many_requests(scene, db_session):
    def queries():
        seen = []
        listener = lambda *a: seen.append(a[2]) if a[2].lstrip().upper().startswith("SELECT") else None  # noqa: E731
        event.listen(db_session.get_bind(), "before_cursor_execute", listener)
        try:
            hotspots.weekly_counts(db_session, NOW)
        finally:
            event.remove(db_session.get_bind(), "before_cursor_execute", listener)
        return len(seen)

    before = queries()
    scene.make(scene.other, scene.litter, 3 * DAY, count=30)
    assert queries() == before == 2  # the areas' parents, and the requests


def test_the_task_stores_a_snapshot_and_keeps_only_the_newest(scene, app, db_session):
    with app.test_request_context():
        assert hotspots.latest(db_session) is None
        hotspots.refresh(db_session, NOW)
        hotspots.refresh(db_session, NOW + timedelta(minutes=15))
    assert db_session.scalar(select(func.count(HotspotSnapshot.id))) == 1
    snapshot = hotspots.latest(db_session)
    assert snapshot.computed_at == NOW + timedelta(minutes=15)
    found = {(f.area, f.category): f for f in snapshot.rows}
    assert found[(scene.community.id, scene.potholes.id)].flagged is True


def test_the_celery_task_calls_the_service(scene, app, db_session, monkeypatch):
    monkeypatch.setattr(hotspots, "utcnow", lambda: NOW)
    with app.test_request_context():
        assert tasks.refresh_hotspots.run() == NOW.isoformat()
    assert hotspots.latest(db_session).computed_at == NOW


def test_a_spike_tells_the_supervisor_once_in_their_language(scene, app, db_session):
    s = scene
    with app.test_request_context():
        hotspots.refresh(db_session, NOW)
        hotspots.refresh(db_session, NOW + timedelta(hours=1))  # the task runs again
        hotspots.refresh(db_session, NOW + 2 * DAY)  # later that same ISO week
    alerts = list(db_session.scalars(select(HotspotAlert)))
    # the community, the district and the city are each flagged for potholes; the rule makes
    # the first two roads' (the city's go to the dispatcher, who has no supervisor here)
    assert sorted(a.area_id for a in alerts) == sorted([s.community.id, s.district.id])
    assert {(a.category_id, a.week.isoformat(), a.supervisor_id, a.count) for a in alerts} == {
        (s.potholes.id, "2026-03-09", s.supervisor.id, 3)}
    notes = list(db_session.scalars(select(Notification).where(
        Notification.user_id == s.supervisor.id, Notification.key == "feedback.hotspot")))
    assert len(notes) == 2
    maple = next(n for n in notes if n.params["area"] in ("Arce",))
    assert maple.params["category"] == "Bache"  # the supervisor reads Spanish
    assert maple.endpoint == "feedback.hotspots"
    assert maple.endpoint_args == {"category": "h-pothole"}
    mails = list(db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == s.supervisor.email)))
    assert len(mails) == 2 and {m.locale for m in mails} == {"es"}
    assert "Arce" in " ".join(m.body for m in mails)


def test_a_new_week_may_tell_again(scene, app, db_session):
    s = scene
    with app.test_request_context():
        hotspots.refresh(db_session, NOW)
        s.make(s.community, s.potholes, timedelta(hours=1), count=3)  # still busy a week on
        db_session.execute(update(Request).where(Request.created_at == NOW - timedelta(hours=1))
                           .values(created_at=NOW + WEEK - timedelta(hours=1)))
        db_session.commit()
        hotspots.refresh(db_session, NOW + WEEK)
    weeks = set(db_session.scalars(select(HotspotAlert.week).where(
        HotspotAlert.area_id == s.community.id)))
    assert {w.isoformat() for w in weeks} == {"2026-03-09", "2026-03-16"}


def test_no_supervisor_no_alert(scene, app, db_session):
    scene.roads.supervisor_id = None
    db_session.commit()
    with app.test_request_context():
        hotspots.refresh(db_session, NOW)
    assert db_session.scalar(select(func.count(HotspotAlert.id))) == 0


# --- the CSV cells ----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Maple", "Maple"), ("", ""), (None, ""), (3, "3"), (2.5, "2.5"),
])
def test_csv_cells_are_never_formulas(value, cell):
    assert hotspots.safe_cell(value) == cell


def test_the_projection_keeps_north_up_and_scales_longitude():
    square = {"type": "Polygon", "coordinates": [[[8.0, 47.0], [8.1, 47.0], [8.1, 47.1],
                                                  [8.0, 47.1], [8.0, 47.0]]]}
    projected = hotspots.project({1: square}, width=100)
    # a degree of longitude is cos(47.05°) of a degree of latitude
    assert projected.height == pytest.approx(100 / math.cos(math.radians(47.05)), abs=0.1)
    (shape,) = projected.shapes
    assert shape.path.startswith(f"M0.0,{projected.height:.1f}")  # south-west: bottom left
    assert "100.0,0.0" in shape.path  # north-east: top right
