"""Celery: a broker outage loses nothing, and a real worker delivers the outbox."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from portal.core import outbox
from portal.core.models import MailboxMessage, OutboxMessage
from tests.functional.support import poll

GOOD = {"display_name": "Lin Wei", "email": "lin@example.org", "password": "a long enough pw",
        "confirm": "a long enough pw"}


def test_registering_while_the_broker_is_down(make_app, db_session):
    broken = make_app(CELERY_DISPATCH=True,
                      CELERY={"broker_url": "redis://127.0.0.1:1/0", "task_ignore_result": True})
    started = time.monotonic()
    response = broken.test_client().post("/en/account/register", data=GOOD)
    assert response.status_code == 303
    assert time.monotonic() - started < 15  # publishing gives up quickly
    db_session.expire_all()
    message = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == GOOD["email"]))
    assert message is not None and message.sent_at is None
    assert db_session.scalars(select(MailboxMessage)).all() == []
    # later, the beat task's drain delivers it
    with broken.test_request_context("/"):
        assert outbox.drain(db_session) == 1
    mail = db_session.scalar(select(MailboxMessage).where(MailboxMessage.recipient == GOOD["email"]))
    assert mail.outbox_id == message.id


def test_the_task_is_published_with_the_outbox_id(make_app, db_session, monkeypatch):
    from portal.core import tasks

    app = make_app(CELERY_DISPATCH=True)
    sent = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "apply_async",
                        lambda args=None, kwargs=None, **options: sent.append(args))
    assert app.test_client().post("/en/account/register", data=GOOD).status_code == 303
    message = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == GOOD["email"]))
    assert sent == [(message.id,)]


def test_celery_configuration(app):
    celery = app.extensions["celery"]
    conf = celery.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_timeout <= 5
    schedule = conf.beat_schedule
    assert schedule["drain-outbox"]["task"] == "portal.core.tasks.drain_outbox"
    assert "portal.core.tasks.deliver_outbox_message" in celery.tasks
    assert "portal.core.tasks.drain_outbox" in celery.tasks




@pytest.fixture
def worker_start_timeout(monkeypatch):
    """celery's test worker waits for ever for a worker that failed to start: not here."""
    from celery.contrib.testing.worker import TestWorkController

    def ensure_started(self):
        assert self._on_started.wait(60), "the Celery worker did not start"

    monkeypatch.setattr(TestWorkController, "ensure_started", ensure_started)


@pytest.mark.worker
def test_a_real_worker_delivers_the_confirmation_mail(make_app, tmp_path, worker_start_timeout):
    """A worker thread on the embedded (SQLite) broker, against a database that commits."""
    from celery.contrib.testing.worker import start_worker

    from portal.extensions import db

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
    with worker_app.app_context():
        db.create_all()
    celery = worker_app.extensions["celery"]

    def delivered():
        with worker_app.app_context():
            return db.session.scalar(
                select(MailboxMessage).where(MailboxMessage.recipient == GOOD["email"]))

    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        response = worker_app.test_client().post("/en/account/register", data=GOOD)
        assert response.status_code == 303
        mail = poll(delivered)
    assert mail is not None, "the worker did not deliver the message"
    assert "/en/account/confirm/" in mail.body
    with worker_app.app_context():
        message = db.session.get(OutboxMessage, mail.outbox_id)
        assert message.sent_at is not None and message.attempts == 1
