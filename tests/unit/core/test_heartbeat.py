"""The worker's heartbeat: one row, updated in place; ok, starting (grace) or not seen."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.core import heartbeat

NOON = datetime(2026, 12, 1, 12, 0)
FIVE = timedelta(minutes=5)


def test_beat_keeps_one_row(db_session):
    heartbeat.beat(db_session, now=NOON)
    heartbeat.beat(db_session, now=NOON + timedelta(minutes=1))
    assert db_session.scalar(select(func.count()).select_from(heartbeat.Heartbeat)) == 1
    assert heartbeat.last_seen(db_session) == NOON + timedelta(minutes=1)


def test_classify():
    started = NOON - timedelta(hours=1)
    assert heartbeat.classify(NOON - timedelta(minutes=4), started, FIVE, NOON).state == "ok"
    stale = heartbeat.classify(NOON - timedelta(minutes=6), started, FIVE, NOON)
    assert stale.state == "not seen" and not stale.healthy
    assert heartbeat.classify(None, started, FIVE, NOON).state == "not seen"
    # a web process that has just started gives the worker time for its first heartbeat
    assert heartbeat.classify(None, NOON - timedelta(minutes=1), FIVE, NOON).state == "starting"
    assert heartbeat.classify(None, NOON - timedelta(minutes=1), FIVE, NOON).healthy


def test_the_task_writes_the_heartbeat(app, db_session):
    from portal.core import tasks

    with app.test_request_context():
        tasks.heartbeat.run()
    assert heartbeat.last_seen(db_session) is not None


def test_beat_schedules_it_every_minute(app):
    schedule = app.extensions["celery"].conf.beat_schedule["heartbeat"]
    assert schedule["task"] == "portal.core.tasks.heartbeat"
    assert schedule["schedule"] == 60.0
