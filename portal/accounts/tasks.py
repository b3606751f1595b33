"""Celery tasks of the accounts: each takes ids and makes one service call."""

from celery import shared_task

from portal.accounts import privacy
from portal.extensions import db


@shared_task(acks_late=True, max_retries=3, default_retry_delay=30, ignore_result=True)
def build_data_export(export_id: int) -> bool:
    return privacy.build_export(db.session, export_id)


@shared_task(acks_late=True, ignore_result=True)
def build_pending_exports() -> int:
    return privacy.build_pending(db.session)
