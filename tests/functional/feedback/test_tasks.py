"""The feedback module's Celery tasks, run by a real worker on the embedded broker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.functional.core.test_celery import worker_start_timeout  # noqa: F401 (fixture)
from tests.functional.support import poll


@pytest.mark.worker
def test_a_real_worker_escalates_a_missed_deadline(make_app, tmp_path, worker_start_timeout):  # noqa: F811
    from celery.contrib.testing.worker import start_worker

    from portal.extensions import db
    from portal.feedback import services
    from portal.feedback.models import Request, RequestEvent
    from portal.feedback.tasks import check_deadlines
    from portal.moderation.models import QueueItem
    from portal.seed import seed

    app = make_app(
        database_url=f"sqlite:///{tmp_path / 'portal.sqlite'}",
        CELERY={
            "broker_url": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
            "result_backend": f"db+sqlite:///{tmp_path / 'results.sqlite'}",
            "task_ignore_result": True,
            "broker_connection_retry_on_startup": True,
        },
    )
    with app.app_context():
        db.create_all()
        with app.test_request_context():
            seed(db.session)
        # A request nobody acknowledged in time.
        item = db.session.scalar(select(Request).where(Request.state == "routed"))
        item.ack_due_at = services.utcnow() - timedelta(hours=2)
        db.session.commit()
        item_id = item.id

    def escalated():
        with app.app_context():
            return db.session.scalar(select(RequestEvent).where(
                RequestEvent.request_id == item_id, RequestEvent.kind == "escalated"))

    with start_worker(app.extensions["celery"], pool="solo", perform_ping_check=False,
                      shutdown_timeout=20):
        check_deadlines.delay()
        event = poll(escalated)
    assert event is not None, "the worker did not run the deadline check"
    assert event.data["missed"] == "acknowledge" and event.data["level"] == 1
    with app.app_context():
        item = db.session.get(Request, item_id)
        assert item.overdue and item.escalation_level == 1
        assert db.session.scalar(select(QueueItem.overdue).where(QueueItem.item_id == item_id))
        assert services.verify(db.session, item).ok
