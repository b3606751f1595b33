"""A worker killed in the middle of a delivery: the task runs again, and its effect (one
message in the mailbox) happens once.

Real parts: redis-server, PostgreSQL, Celery workers as processes with the prefork pool. The
mail backend at the edge of the world (``blocking_worker.py``) writes the message, then holds
the delivery's transaction open until the test kills the process holding it. ``acks_late``
and ``task_reject_on_worker_lost`` put the task back; the outbox row, locked ``FOR UPDATE SKIP
LOCKED`` and marked sent in the same transaction as the mailbox row, makes the second run
the only one that counts."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from portal.core import outbox
from portal.core.models import MailboxMessage, OutboxMessage
from tests.functional.production import production_environment
from tests.functional.reliability.processes import celery_worker, stop
from tests.functional.support import poll

pytestmark = [pytest.mark.postgres_only, pytest.mark.worker, pytest.mark.xdist_group("reliability")]
WORKER_APP = "tests.functional.reliability.blocking_worker"


def _queue_message(app, recipient: str) -> int:
    """An outbox row committed as a service commits one: the task is published after commit."""
    from portal.extensions import db

    with app.test_request_context("/"):
        message = OutboxMessage(kind="email", recipient=recipient, subject="Your request",
                                body="It is received.", locale="en")
        db.session.add(message)
        db.session.commit()
        return message.id


def _delivered(app, outbox_id: int) -> tuple[int, bool]:
    from portal.extensions import db

    with app.app_context():
        copies = db.session.scalar(select(func.count(MailboxMessage.id)).where(
            MailboxMessage.outbox_id == outbox_id))
        sent = db.session.get(OutboxMessage, outbox_id).sent_at is not None
        db.session.rollback()
        return copies, sent


def _holder(hold_dir, outbox_id: int) -> int | None:
    marker = hold_dir / f"holding-{outbox_id}"
    return int(marker.read_text()) if marker.exists() and marker.read_text() else None


@pytest.fixture
def worker_env(production_database, redis_url, tmp_path):
    hold = tmp_path / "hold"
    hold.mkdir()
    env = production_environment(production_database, redis_url)
    env.update(MAIL_BACKEND="blocking", RELIABILITY_HOLD_DIR=str(hold),
               RELIABILITY_VISIBILITY_TIMEOUT="3")
    return env, hold


def test_a_killed_pool_process_delivers_once(production_app, worker_env, tmp_path):
    env, hold = worker_env
    with celery_worker(env, tmp_path / "worker.log", app=WORKER_APP) as worker:
        oid = _queue_message(production_app, "killed-child@example.org")
        child = poll(lambda: _holder(hold, oid), seconds=60)
        assert child, (tmp_path / "worker.log").read_text()[-3000:]
        assert child != worker.pid  # a pool process, not the worker's main process
        assert _delivered(production_app, oid) == (0, False)  # written, not committed
        os.kill(child, signal.SIGKILL)
        assert poll(lambda: _delivered(production_app, oid)[1], seconds=60), \
            (tmp_path / "worker.log").read_text()[-3000:]
        assert worker.poll() is None  # the worker itself lives on, with a new pool process
    log = (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in log
    assert _delivered(production_app, oid) == (1, True)
    with production_app.test_request_context("/"):  # a third run, e.g. the drain: nothing more
        from portal.extensions import db

        assert outbox.deliver(db.session, oid) is True
    assert _delivered(production_app, oid) == (1, True)


def test_a_killed_worker_is_replaced_and_the_task_runs_once(production_app, worker_env, tmp_path):
    env, hold = worker_env
    with celery_worker(env, tmp_path / "first.log", app=WORKER_APP) as first:
        oid = _queue_message(production_app, "killed-worker@example.org")
        assert poll(lambda: _holder(hold, oid), seconds=60), \
            (tmp_path / "first.log").read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as a machine that dies
        first.wait(timeout=10)
        stop(first)
    assert _delivered(production_app, oid) == (0, False)  # PostgreSQL rolled the delivery back
    with celery_worker(env, tmp_path / "second.log", app=WORKER_APP):
        # the task was never acknowledged: it comes back once the visibility timeout is over
        assert poll(lambda: _delivered(production_app, oid)[1], seconds=60), \
            (tmp_path / "second.log").read_text()[-3000:]
    assert _delivered(production_app, oid) == (1, True)
