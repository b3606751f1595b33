"""Celery tasks of the core: each takes ids and makes one service call."""

from celery import shared_task

from portal.core import notifications, outbox
from portal.extensions import db


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30, ignore_result=True)
def deliver_outbox_message(self, outbox_id: int) -> bool:
    return outbox.deliver(db.session, outbox_id)


@shared_task(acks_late=True, ignore_result=True)
def drain_outbox() -> int:
    return outbox.drain(db.session)


@shared_task(acks_late=True, ignore_result=True)
def send_digests() -> int:
    return notifications.send_digests(db.session)


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Beat sends it every minute and the worker runs it: /healthz reads the time it wrote."""
    from portal.core import heartbeat as hb

    return hb.beat(db.session).isoformat()
