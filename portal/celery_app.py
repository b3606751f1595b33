"""Celery bound to the Flask app: every task runs inside an application context."""

import logging
import threading

from celery import Celery, Task, signals
from celery.schedules import crontab
from flask import Flask

log = logging.getLogger(__name__)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # A request context with the portal's public address, so tasks can build links;
            # on SQLite every transaction takes the write lock first (portal.core.sqlite).
            from portal.core.sqlite import immediate

            with app.test_request_context(base_url=app.config["PORTAL_BASE_URL"]), immediate():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    conf = dict(app.config.get("CELERY", {}))
    conf.setdefault("task_serializer", "json")
    conf.setdefault("accept_content", ["json"])
    conf.setdefault("task_acks_late", True)
    conf.setdefault("task_reject_on_worker_lost", True)
    conf.setdefault("worker_prefetch_multiplier", 1)
    # A request must never hang on a broker outage: publish fails fast and the outbox row
    # waits for the drain task instead.
    conf.setdefault("broker_connection_timeout", 2)
    conf.setdefault("task_publish_retry_policy", {"max_retries": 1, "interval_start": 0,
                                                  "interval_step": 0.2, "interval_max": 0.5})
    conf.setdefault(
        "beat_schedule",
        {
            "heartbeat": {
                "task": "portal.core.tasks.heartbeat",
                "schedule": app.config.get("HEARTBEAT_SECONDS", 60.0),
                "options": {"expires": 60},
            },
            "drain-outbox": {
                "task": "portal.core.tasks.drain_outbox",
                "schedule": app.config.get("OUTBOX_DRAIN_SECONDS", 30.0),
            },
            "check-deadlines": {
                "task": "portal.feedback.tasks.check_deadlines",
                "schedule": app.config.get("DEADLINE_CHECK_SECONDS", 300.0),
            },
            "check-disclosure-deadlines": {
                "task": "portal.transparency.tasks.check_deadlines",
                "schedule": app.config.get("DISCLOSURE_CHECK_SECONDS", 900.0),
            },
            "refresh-metrics": {
                "task": "portal.feedback.tasks.refresh_metrics",
                "schedule": app.config.get("METRICS_REFRESH_SECONDS", 600.0),
            },
            "refresh-dashboard": {
                "task": "portal.transparency.tasks.refresh_dashboard",
                "schedule": app.config.get("DASHBOARD_REFRESH_SECONDS", 300.0),
            },
            "refresh-hotspots": {
                "task": "portal.feedback.tasks.refresh_hotspots",
                "schedule": app.config.get("HOTSPOTS_REFRESH_SECONDS", 900.0),
            },
            "settle-polls": {
                "task": "portal.deliberation.poll_tasks.settle_polls",
                "schedule": app.config.get("POLL_CLOCK_SECONDS", 60.0),
            },
            "discard-stale-drafts": {
                "task": "portal.feedback.tasks.discard_stale_drafts",
                "schedule": crontab(hour=3, minute=30),
            },
            "send-meeting-reminders": {
                "task": "portal.deliberation.meeting_tasks.send_meeting_reminders",
                "schedule": app.config.get("MEETING_REMINDER_SECONDS", 900.0),
            },
            "build-data-exports": {  # the ones a lost task left, and expired ones deleted
                "task": "portal.accounts.tasks.build_pending_exports",
                "schedule": app.config.get("DATA_EXPORT_SWEEP_SECONDS", 600.0),
            },
            "send-digests": {
                "task": "portal.core.tasks.send_digests",
                "schedule": crontab(hour=7, minute=0),
            },
        },
    )
    celery.config_from_object(conf)
    celery.set_default()
    celery.flask_app = app  # for the heartbeats below
    app.extensions["celery"] = celery
    return celery


# Heartbeats of the processes themselves (portal.core.heartbeat), on timers: each Celery
# worker sends the ``heartbeat`` task every HEARTBEAT_SECONDS (it proves that tasks go through
# the broker even when beat is down), and beat writes its own row. The signals are sent by
# ``celery worker`` and ``celery beat`` only, not by the in-process workers of the tests.
_stop = threading.Event()


def _seconds(flask_app: Flask) -> float:
    return float(flask_app.config.get("HEARTBEAT_SECONDS", 60.0))


@signals.worker_ready.connect
def _worker_heartbeat(sender=None, **kwargs) -> None:
    flask_app = getattr(sender.app, "flask_app", None)
    if flask_app is None:
        return
    from portal.core import heartbeat
    from portal.core.tasks import heartbeat as heartbeat_task

    seconds = _seconds(flask_app)
    heartbeat.every(seconds, lambda: heartbeat_task.apply_async(expires=seconds), _stop, log)


@signals.worker_shutdown.connect
def _stop_heartbeats(**kwargs) -> None:
    _stop.set()


@signals.beat_init.connect
def _beat_heartbeat(sender=None, **kwargs) -> None:
    flask_app = getattr(sender.app, "flask_app", None)
    if flask_app is None:
        return
    from portal.core import heartbeat
    from portal.core.sqlite import immediate
    from portal.extensions import db

    def beat_row():
        with flask_app.app_context(), immediate():
            try:
                heartbeat.beat(db.session, heartbeat.BEAT)
            finally:
                db.session.remove()

    heartbeat.every(_seconds(flask_app), beat_row, _stop, log)
