"""Celery tasks of the transparency module: each one service call."""

from celery import shared_task

from portal.extensions import db
from portal.transparency import services


@shared_task(acks_late=True, ignore_result=True)
def check_deadlines() -> int:
    return services.check_deadlines(db.session)


@shared_task(acks_late=True, ignore_result=True)
def refresh_dashboard() -> str:
    from portal.transparency import dashboard

    return dashboard.refresh(db.session).isoformat()
