"""Logs, metrics and health checks for operators (docs/operations.md, "Logs, metrics, health"):
one JSON line per request with its id, the same id on every line of the request, task lines;
/metrics counted and guarded; ``flask health worker|beat|web``."""

from __future__ import annotations

import json
import logging
import socket
import threading
from datetime import timedelta

import pytest
from celery import signals
from werkzeug.serving import make_server

from portal.core import heartbeat, logs
from portal.core.models import OutboxMessage, utcnow


@pytest.fixture
def json_app(make_app):
    """An app in LOG_FORMAT=json; the process's logging is put back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def _make(**config):
        app = make_app(LOG_FORMAT="json", **config)

        @app.get("/_probe")
        def probe():
            logging.getLogger("portal.probe").warning("inside the request")
            return "ok"

        return app

    yield _make
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    signals.setup_logging.disconnect(dispatch_uid="portal-logs")


def _lines(caplog, name="portal.request"):
    return [r for r in caplog.records if r.name == name]


def test_one_json_line_per_request_with_its_id_and_no_query(json_app, caplog, db_session):
    app = json_app()
    caplog.set_level(logging.INFO)
    response = app.test_client().get("/en/search?q=Alice+Example+12+Main+Street",
                                     headers={"X-Request-Id": "from-the-client"})
    rid = response.headers["X-Request-Id"]
    assert rid != "from-the-client" and len(rid) == 32  # not trusted unless TRUST_REQUEST_ID
    (record,) = _lines(caplog)
    line = json.loads(logs._json_handler().format(record))
    assert line["request_id"] == rid and line["logger"] == "portal.request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/en/search", response.status_code)
    assert line["duration_ms"] > 0 and line["user_id"] is None
    assert "Alice" not in json.dumps(line) and "Main" not in json.dumps(line)


def test_a_trusted_request_id_is_kept_and_on_every_line_of_the_request(json_app, caplog,
                                                                       db_session):
    app = json_app(TRUST_REQUEST_ID=True)
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(logs.RequestIdFilter())  # as the JSON handler has it
    client = app.test_client()
    assert client.get("/_probe", headers={"X-Request-Id": "lb-42.a"}).headers["X-Request-Id"] == "lb-42.a"
    (inside,) = _lines(caplog, "portal.probe")
    assert inside.request_id == "lb-42.a"
    assert _lines(caplog)[-1].request_id == "lb-42.a"
    # a value that is no short token (spaces, newlines, too long) is replaced
    for bad in ("a b", "x" * 65, "id;forged", "é"):
        assert client.get("/_probe", headers={"X-Request-Id": bad}).headers["X-Request-Id"] != bad
    assert logs.REQUEST_ID.get() is None  # nothing left for the next request


def test_the_request_line_names_the_signed_in_user(json_app, caplog, db_session, factories):
    app = json_app()
    user = factories.user()
    client = app.test_client()
    caplog.set_level(logging.INFO)
    response = client.post("/en/account/login", data={"email": user.email,
                                                       "password": "correct horse battery"})
    assert response.status_code == 303
    assert _lines(caplog)[-1].user_id == user.id


def test_text_format_writes_no_request_lines(make_app, caplog, db_session):
    caplog.set_level(logging.INFO)
    response = make_app().test_client().get("/healthz/web")
    assert response.headers["X-Request-Id"]
    assert _lines(caplog) == []


def test_a_task_logs_its_id_and_duration(caplog):
    from portal.core.tasks import heartbeat as task

    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(logs.RequestIdFilter())
    signals.task_prerun.send(sender=task, task_id="task-1", task=task, args=(), kwargs={})
    logging.getLogger("portal.probe").info("inside the task")
    signals.task_postrun.send(sender=task, task_id="task-1", task=task, args=(), kwargs={},
                              retval=None, state="SUCCESS")
    (inside,) = _lines(caplog, "portal.probe")
    assert inside.request_id == "task-1"
    (done,) = _lines(caplog, "portal.task")
    assert (done.task_id, done.task, done.state) == ("task-1", task.name, "SUCCESS")
    assert done.duration_ms >= 0 and logs.REQUEST_ID.get() is None


def _metric(text: str, line_start: str) -> float:
    return next((float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                 if line.startswith(line_start + " ")), 0.0)


def test_metrics_count_requests_and_read_the_outbox(make_app, db_session):
    client = make_app().test_client()
    counter = 'portal_http_requests_total{endpoint="root.healthz_web",method="GET",status="200"}'
    before = _metric(client.get("/metrics").get_data(as_text=True), counter)
    for _ in range(3):
        client.get("/healthz/web")
    client.get("/en/requests/987654321")
    now = utcnow()
    db_session.add_all([OutboxMessage(recipient=f"r{i}@example.org", subject="s", body="b",
                                      locale="en") for i in range(2)])
    db_session.add(OutboxMessage(recipient="f@example.org", subject="s", body="b", locale="en",
                                 failed_at=now))
    heartbeat.beat(db_session, heartbeat.BEAT, now=now - timedelta(seconds=30))
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert _metric(text, counter) == before + 3
    assert _metric(text, "portal_outbox_backlog") == 2
    assert _metric(text, "portal_outbox_failed") == 1
    assert 30 <= _metric(text, 'portal_last_seen_seconds{part="beat"}') < 120
    assert _metric(text, "portal_http_requests_in_progress") >= 1  # the scrape itself
    assert "987654321" not in text and "@example.org" not in text  # route names only


@pytest.mark.parametrize(("remote", "authorization", "allowed_ips", "status"), [
    ("127.0.0.1", "", "127.0.0.1,::1", 200),
    ("203.0.113.9", "", "127.0.0.1,::1", 404),
    ("203.0.113.9", "Bearer s3cret-token", "127.0.0.1,::1", 200),
    ("203.0.113.9", "Bearer wrong", "127.0.0.1,::1", 404),
    ("127.0.0.1", "", "10.0.0.0/8", 404),
    ("10.1.2.3", "", "10.0.0.0/8", 200),
])
def test_metrics_only_for_operators(make_app, db_session, remote, authorization, allowed_ips,
                                    status):
    app = make_app(METRICS_TOKEN="s3cret-token", METRICS_ALLOWED_IPS=allowed_ips)
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": remote},
                                     headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == status
    if status == 404:
        assert "portal_" not in response.get_data(as_text=True)


def test_metrics_without_a_token_refuse_every_bearer(make_app, db_session):
    client = make_app(METRICS_TOKEN="", METRICS_ALLOWED_IPS="").test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_a_malformed_allowed_ip_stops_the_app_at_start(make_app):
    with pytest.raises(RuntimeError, match="METRICS_ALLOWED_IPS"):
        make_app(METRICS_ALLOWED_IPS="127.0.0.1,not-an-address")


def test_flask_health_worker_and_beat(make_app, db_session):
    runner = make_app(HEALTH_WORKER_MINUTES=5).test_cli_runner()
    for part in ("worker", "beat"):
        result = runner.invoke(args=["health", part])
        assert result.exit_code == 1 and f"{part} not seen (last seen never)" in result.output
        heartbeat.beat(db_session, part, now=utcnow() - timedelta(minutes=6))
        assert runner.invoke(args=["health", part]).exit_code == 1
        heartbeat.beat(db_session, part)
        result = runner.invoke(args=["health", part])
        assert result.exit_code == 0 and result.output.startswith(f"{part} ok")
    assert runner.invoke(args=["health", "nonsense"]).exit_code == 2


def test_flask_health_web(make_app, tmp_path):
    from portal.extensions import db

    database = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    app = make_app(database_url=database, PORTAL_BASE_URL="http://portal.example")
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    runner = app.test_cli_runner()
    try:
        url = f"http://127.0.0.1:{server.server_port}/healthz/web"
        result = runner.invoke(args=["health", "web", "--url", url])
        assert result.exit_code == 0, result.output
        missing = runner.invoke(args=["health", "web", "--url", url.replace("/web", "/nope")])
        assert missing.exit_code == 1 and "404" in missing.output
        for other in ("file:///etc/passwd", "ftp://127.0.0.1/"):  # http(s) only
            refused = runner.invoke(args=["health", "web", "--url", other])
            assert refused.exit_code == 2 and "http://" in refused.output, refused.output
    finally:
        server.shutdown()
        thread.join(timeout=10)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    result = runner.invoke(args=["health", "web", "--url", f"http://127.0.0.1:{closed}/healthz/web"])
    assert result.exit_code == 1 and "unhealthy" in result.output


@pytest.mark.worker
@pytest.mark.sqlite_only
def test_a_celery_worker_sends_its_own_heartbeat_without_beat(make_app, tmp_path):
    """``celery worker`` alone (no beat) is seen: its timer sends the heartbeat task through the
    broker at start, and ``flask health worker`` then passes while ``beat`` does not."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from portal.config import ROOT
    from portal.extensions import db

    database = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    app = make_app(database_url=database)
    with app.app_context():
        db.create_all()
    env = {**os.environ, "PORTAL_INSTANCE": str(tmp_path), "DATABASE_URL": database,
           "PYTHONPATH": str(ROOT)}
    env.pop("PORTAL_PROFILE", None)
    bin_dir = Path(sys.executable).parent
    worker = subprocess.Popen(
        [str(bin_dir / "celery"), "-A", "portal.tasks", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        with app.app_context():
            while heartbeat.last_seen(db.session, heartbeat.WORKER) is None:
                db.session.rollback()
                assert worker.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
            assert heartbeat.last_seen(db.session, heartbeat.BEAT) is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["health", "worker"]).exit_code == 0
    assert runner.invoke(args=["health", "beat"]).exit_code == 1
