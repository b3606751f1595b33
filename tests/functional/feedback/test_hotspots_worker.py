"""A real Celery worker runs ``refresh_hotspots``: the snapshot is stored, and the supervisor's
mail goes through the outbox once, however often the task runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.core.models import MailboxMessage, utcnow
from portal.feedback.models import HotspotAlert, HotspotSnapshot, Request
from tests.functional.core.test_celery import worker_start_timeout  # noqa: F401 (fixture)
from tests.functional.support import poll


@pytest.mark.worker
def test_a_real_worker_computes_the_snapshot_and_mails_the_supervisor_once(
        make_app, tmp_path, worker_start_timeout):  # noqa: F811
    from celery.contrib.testing.worker import start_worker

    from portal.extensions import db
    from portal.feedback import tasks
    from tests.factories import Factories

    worker_app = make_app(
        database_url=f"sqlite:///{tmp_path / 'portal.sqlite'}",
        CELERY_DISPATCH=True,
        CELERY={
            "broker_url": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
            "result_backend": f"db+sqlite:///{tmp_path / 'results.sqlite'}",
            "task_ignore_result": True,
            "broker_connection_retry_on_startup": True,
        },
    )
    with worker_app.app_context(), worker_app.test_request_context():
        db.create_all()
        f = Factories(db.session)
        town = f.area("w-town", en="Town")
        east = f.area("w-east", parent=town, en="East")
        f.department("dispatch", en="Dispatch")
        roads = f.department("w-roads", en="Roads")
        boss = f.user(roles=("staff",), departments=(roads,), email="boss@example.org")
        roads.supervisor_id = boss.id
        db.session.commit()
        potholes = f.service_category("w-pothole", en="Pothole")
        f.responsibility_rule(potholes, east, roads)
        made = f.feedback_requests(4, potholes, east, roads)
        db.session.execute(update(Request).where(Request.id.in_([r.id for r in made]))
                           .values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        db.session.remove()
    celery = worker_app.extensions["celery"]

    def count(model):
        with worker_app.app_context():
            found = db.session.scalar(select(func.count(model.id)))
            db.session.remove()
            return found

    def mails():
        with worker_app.app_context():
            found = db.session.scalar(select(func.count(MailboxMessage.id)).where(
                MailboxMessage.recipient == "boss@example.org"))
            db.session.remove()
            return found

    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        with worker_app.app_context():
            tasks.refresh_hotspots.delay()
        assert poll(lambda: count(HotspotSnapshot)) == 1
        assert poll(mails) == 1
        with worker_app.app_context():
            first = db.session.scalar(select(HotspotSnapshot.computed_at))
            db.session.remove()
            tasks.refresh_hotspots.delay()  # again: a new snapshot, no second mail

        def newer():
            with worker_app.app_context():
                at = db.session.scalar(select(HotspotSnapshot.computed_at))
                db.session.remove()
                return at != first and at

        assert poll(newer)
    assert count(HotspotAlert) == 1
    assert mails() == 1
    assert count(HotspotSnapshot) == 1
