"""``/metrics`` for operators, in Prometheus' text format (prometheus-client).

Requests are counted by endpoint (the route's name, never its values), method and status, with
their durations and how many are open now. Under gunicorn every worker writes its figures to
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode; ``portal/gunicorn_conf.py``
forgets a dead worker's open requests), and a scrape adds them up, whichever worker answers.
What the database knows (the outbox's backlog and failures, how long ago the worker and beat
were seen) is read at each scrape, so every process gives the same answer.

Only from ``METRICS_ALLOWED_IPS`` (loopback by default) or with ``Authorization: Bearer
<METRICS_TOKEN>``; anybody else gets the plain 404 of a page that does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

# Metrics of this process, on a registry of their own (never the default one: it would also
# collect them outside multiprocess mode, twice).
PROCESS = CollectorRegistry(auto_describe=True)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by endpoint, method and status",
                   ["endpoint", "method", "status"], registry=PROCESS)
DURATION = Histogram("portal_http_request_duration_seconds", "Time to answer a request, by endpoint",
                     ["endpoint"], registry=PROCESS)
OPEN = Gauge("portal_http_requests_in_progress", "Requests being answered now", registry=PROCESS,
             multiprocess_mode="livesum")

bp = Blueprint("monitoring", __name__)


def networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``METRICS_ALLOWED_IPS``: comma-separated addresses or networks (``10.0.0.0/8``)."""
    try:
        return [ipaddress.ip_network(part.strip(), strict=False)
                for part in value.split(",") if part.strip()]
    except ValueError as error:
        raise RuntimeError(f"METRICS_ALLOWED_IPS: {error}") from None


def allowed(remote_addr: str | None, authorization: str, allowed_networks, token: str) -> bool:
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in allowed_networks)


class DatabaseGauges:
    """Figures the database holds, read at scrape time."""

    def collect(self):
        from sqlalchemy import func, select

        from portal.core import heartbeat
        from portal.core.models import OutboxMessage, utcnow
        from portal.extensions import db

        outbox = OutboxMessage
        backlog = db.session.scalar(select(func.count()).select_from(outbox).where(
            outbox.sent_at.is_(None), outbox.failed_at.is_(None)))
        failed = db.session.scalar(select(func.count()).select_from(outbox).where(
            outbox.failed_at.is_not(None)))
        yield GaugeMetricFamily("portal_outbox_backlog", "Messages waiting to be sent", value=backlog)
        yield GaugeMetricFamily("portal_outbox_failed", "Messages given up on (failed_at set)",
                                value=failed)
        now = utcnow()
        seen = GaugeMetricFamily("portal_last_seen_seconds",
                                 "Seconds since the part's last heartbeat (NaN: never seen)",
                                 labels=["part"])
        for part in (heartbeat.WORKER, heartbeat.BEAT):
            at = heartbeat.last_seen(db.session, part)
            seen.add_metric([part], (now - at).total_seconds() if at else float("nan"))
        yield seen
        db.session.rollback()


def exposition() -> bytes:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        requests = CollectorRegistry()
        MultiProcessCollector(requests, path=directory)
    else:
        requests = PROCESS
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseGauges())
    return generate_latest(requests) + generate_latest(database)


@bp.get("/metrics")
def metrics():
    config = current_app.config
    if not allowed(request.remote_addr, request.headers.get("Authorization", ""),
                   current_app.extensions["metrics_networks"], config.get("METRICS_TOKEN", "")):
        abort(404)
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.extensions["metrics_networks"] = networks(app.config.get("METRICS_ALLOWED_IPS", ""))
    app.register_blueprint(bp)

    @app.before_request
    def start():
        g.metrics_started = time.perf_counter()
        OPEN.inc()

    @app.after_request
    def count(response):
        started = g.get("metrics_started")
        if started is not None:
            endpoint = request.url_rule.endpoint if request.url_rule else "none"
            method = request.method if request.method in METHODS else "other"
            REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
            DURATION.labels(endpoint).observe(time.perf_counter() - started)
        return response

    @app.teardown_request
    def close(exc):
        if g.pop("metrics_started", None) is not None:
            OPEN.dec()
