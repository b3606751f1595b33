"""Celery tasks of the feedback module: each one service call."""

from celery import shared_task

from portal.extensions import db
from portal.feedback import services


@shared_task(acks_late=True, ignore_result=True)
def check_deadlines() -> dict:
    return services.check_deadlines(db.session)


@shared_task(acks_late=True, ignore_result=True)
def discard_stale_drafts() -> int:
    from portal.feedback.web import drafts

    return drafts.discard_stale(db.session)


@shared_task(acks_late=True, ignore_result=True)
def refresh_metrics() -> str:
    from portal.feedback import metrics

    return metrics.refresh(db.session).isoformat()


@shared_task(acks_late=True, ignore_result=True)
def refresh_hotspots() -> str:
    from portal.feedback import hotspots

    return hotspots.refresh(db.session).isoformat()
