"""Celery tasks of the meetings: each one service call."""

from celery import shared_task

from portal.extensions import db


@shared_task(acks_late=True, ignore_result=True)
def send_meeting_reminders() -> int:
    from portal.deliberation import meetings

    return meetings.send_reminders(db.session)
