"""Structured logs: one line per request and per Celery task, each with an id that every other
line written meanwhile carries too.

``LOG_FORMAT=json`` (the production profile's default) writes JSON lines (python-json-logger)
to stderr; ``text`` keeps Python's plain format. A request's id is its ``X-Request-Id`` when
``TRUST_REQUEST_ID`` says the proxy in front sets it (and it is a short token), otherwise a new
one; the response echoes it. A task's id is its Celery task id. The request line holds the
path only: a query string may carry personal data (a search, an address).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar

from celery import signals
from flask import Flask, g, request

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HEADER = "X-Request-Id"
request_log = logging.getLogger("portal.request")
task_log = logging.getLogger("portal.task")


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or task's) id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test's capture, a replaced stream)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _json_handler() -> logging.Handler:
    from pythonjsonlogger.json import JsonFormatter

    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter(  # "time": ISO 8601 in UTC
        "%(levelname)s %(name)s %(message)s", timestamp="time",
        rename_fields={"levelname": "level", "name": "logger"}))
    handler.addFilter(RequestIdFilter())
    handler._portal_json = True  # type: ignore[attr-defined]
    return handler


def configure(app: Flask) -> None:
    """Logging for this process; idempotent (tests build many apps)."""
    root = logging.getLogger()
    if app.config.get("LOG_FORMAT") == "json":
        if not any(getattr(h, "_portal_json", False) for h in root.handlers):
            for handler in [h for h in root.handlers if type(h) is logging.StreamHandler]:
                root.removeHandler(handler)
            root.addHandler(_json_handler())
        root.setLevel(logging.INFO)
        # Celery leaves logging alone when someone answers setup_logging: its own lines
        # (a task's failure, "ready.") then go through the JSON handler too.
        signals.setup_logging.connect(_keep_logging, weak=False, dispatch_uid="portal-logs")
    else:
        logging.basicConfig(level=logging.INFO)
    _init_requests(app)


def _keep_logging(**kwargs) -> None:
    return None


def request_id() -> str:
    given = request.headers.get(HEADER, "")
    from flask import current_app

    if current_app.config.get("TRUST_REQUEST_ID") and SAFE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def _init_requests(app: Flask) -> None:
    json_lines = app.config.get("LOG_FORMAT") == "json"

    @app.before_request
    def start():
        g.request_id = request_id()
        g.request_started = time.perf_counter()
        REQUEST_ID.set(g.request_id)

    @app.after_request
    def finish(response):
        rid = g.get("request_id")
        if rid is None:  # a response made before ``start`` ran
            return response
        response.headers[HEADER] = rid
        if json_lines:
            user = g.get("_login_user")  # only when the request loaded it: no query for the log
            request_log.info("request", extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
                "endpoint": request.endpoint,
                "user_id": getattr(user, "id", None) if getattr(user, "is_authenticated", False)
                else None})
        return response

    @app.teardown_request
    def forget(exc):
        REQUEST_ID.set(None)


_task_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_start(task_id=None, **kwargs) -> None:
    REQUEST_ID.set(task_id)
    _task_started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_end(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _task_started.pop(task_id, None)
    if started is not None:
        name = getattr(task, "name", None)
        duration = round((time.perf_counter() - started) * 1000, 2)
        task_log.info("task %s %s in %s ms", name, state, duration, extra={
            "task_id": task_id, "task": name, "state": state, "duration_ms": duration})
    REQUEST_ID.set(None)
