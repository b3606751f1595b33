"""Celery tasks of the votes: each one service call."""

from celery import shared_task

from portal.extensions import db


@shared_task(acks_late=True, ignore_result=True)
def settle_polls() -> int:
    """Open and close the polls whose moment has come, with their timeline entries."""
    from portal.deliberation import polls

    return polls.settle_due(db.session)
