"""Celery bound to the Flask app: every task runs inside an application context."""

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
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
            "drain-outbox": {
                "task": "portal.core.tasks.drain_outbox",
                "schedule": app.config.get("OUTBOX_DRAIN_SECONDS", 30.0),
            }
        },
    )
    celery.config_from_object(conf)
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
