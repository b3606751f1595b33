"""``make run-prod`` end to end: scripts/run-prod.sh on an empty folder starts its own PostgreSQL
and Redis, migrates and seeds, runs gunicorn (2 workers), a Celery worker and beat; the stack
answers health checks, pages and a login, logs JSON lines with request ids, counts requests
across both gunicorn workers in /metrics; Ctrl-C stops everything, PostgreSQL and Redis too."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest

from portal.config import ROOT
from portal.seed import DEMO_PASSWORD
from tests.conftest import csrf_token_from
from tests.pg import PGBIN

pytestmark = [pytest.mark.postgres_only, pytest.mark.worker]
TOKEN = "metrics-token-for-the-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _ours(folder: Path) -> list[int]:
    """Processes started for this run: they all inherit its PORTAL_PROD_DIR (honcho puts each
    of its processes in a session of its own, so the script's process group is not enough)."""
    mark = f"PORTAL_PROD_DIR={folder}\0".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with cookies that shows redirects instead of following them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def __call__(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urlencode(data).encode() if data is not None else None
        request = Request(self.base + path, data=body, headers=headers or {})  # noqa: S310 (http)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.headers, answer.read().decode()
        except HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()


def _json_lines(output: str, process: str) -> list[dict]:
    """The JSON log lines honcho printed for ``web.1`` (or ``worker.1``)."""
    found = []
    for line in output.splitlines():
        prefix, _, rest = line.partition(" | ")
        if prefix.split()[-1:] == [process] and rest.startswith("{"):
            found.append(json.loads(rest))
    return found


def _metric(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    selector = re.escape(f"{{{wanted}}}") if labels else ""
    match = re.search(rf"^{name}{selector} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


@pytest.fixture
def run_prod():
    if shutil.which("redis-server") is None or not (PGBIN / "initdb").exists():
        pytest.skip("needs redis-server and PostgreSQL's server binaries")
    folder = Path(tempfile.mkdtemp(prefix="portal-run-prod-"))  # the postgres user must enter it
    ports = {"PORT": _free_port(), "PG_PORT": _free_port(), "REDIS_PORT": _free_port()}
    env = {k: v for k, v in os.environ.items()
           if k not in ("PORTAL_PROFILE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY",
                        "PORTAL_INSTANCE", "PORTAL_BASE_URL")}
    env.update({k: str(v) for k, v in ports.items()})
    env.update({"VENV": str(Path(sys.executable).parent.parent), "PORTAL_PROD_DIR": str(folder),
                "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "TRUST_REQUEST_ID": "1",
                # loopback is refused here, so the test sees both sides of the rule
                "METRICS_ALLOWED_IPS": "192.0.2.0/24", "METRICS_TOKEN": TOKEN,
                # speed only: a throwaway cluster needs no durability
                "PG_OPTIONS": "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"})
    process = subprocess.Popen([str(ROOT / "scripts" / "run-prod.sh")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        yield process, lines, ports, folder
    finally:
        # whatever a failed test left running: the stack, its PostgreSQL and its Redis
        for pid in _ours(folder):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        reader.join(timeout=10)
        if not reader.is_alive():  # closing under a blocked readline would wait for it forever
            process.stdout.close()
        data = folder / "pg" / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--"] * (os.geteuid() == 0)
                           + [str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_run_prod_serves_logs_counts_and_stops_on_ctrl_c(run_prod):
    process, lines, ports, folder = run_prod
    base = f"http://127.0.0.1:{ports['PORT']}"
    browser = Browser(base)
    deadline = time.monotonic() + 120
    health = None
    while True:  # up when the web answers and the worker and beat have both been seen
        assert process.poll() is None, "".join(lines)
        if _listening(ports["PORT"]):
            status, _, body = browser("/healthz")
            health = json.loads(body)
            if status == 200 and health.get("worker") == health.get("beat") == "ok":
                break
        assert time.monotonic() < deadline, f"{health}\n" + "".join(lines)
        time.sleep(0.5)
    output = "".join(lines)
    assert "demo-password-2026" in output and base in output  # the address and demo accounts
    assert (folder / "secret_key").stat().st_mode & 0o077 == 0
    assert browser("/healthz/web")[0] == 200

    # a page, then a login as a demo resident (plain http: SESSION_COOKIE_SECURE=0)
    status, headers, body = browser("/en/", headers={"X-Request-Id": "test-page-1"})
    assert status == 200 and "<main" in body
    assert headers["X-Request-Id"] == "test-page-1"  # trusted (TRUST_REQUEST_ID=1) and echoed
    status, _, body = browser("/en/account/login")
    assert status == 200
    status, headers, _ = browser("/en/account/login", {
        "email": "resident@riverbend.example.org", "password": DEMO_PASSWORD,
        "csrf_token": csrf_token_from(body)}, headers={"X-Request-Id": "bad id with spaces"})
    assert status == 303, "".join(lines)
    login_id = headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", login_id)  # not a token: a new id instead
    assert browser("/en/account/settings")[0] == 200

    # the metrics: refused without the token (loopback is not allowed in this run) ...
    assert browser("/metrics")[0] == 404
    assert browser("/metrics", headers={"Authorization": "Bearer wrong"})[0] == 404
    # ... counted across both gunicorn workers
    sent = 0
    with ThreadPoolExecutor(max_workers=6) as pool:
        while len(list((folder / "metrics").glob("counter_*.db"))) < 2 and sent < 600:
            assert all(s == 200 for s, _, _ in pool.map(lambda _: browser("/healthz/web"), range(30)))
            sent += 30
    assert len(list((folder / "metrics").glob("counter_*.db"))) == 2, "one gunicorn worker served all"
    status, headers, text = browser("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert _metric(text, "portal_http_requests_total", endpoint="root.healthz_web", method="GET",
                   status="200") == sent + 1
    assert _metric(text, "portal_http_requests_total", endpoint="accounts.login", method="POST",
                   status="303") == 1
    assert _metric(text, "portal_http_requests_in_progress") == 1  # this scrape, in either worker
    assert re.search(r"^portal_outbox_backlog \d", text, re.M)
    assert 0 <= _metric(text, "portal_last_seen_seconds", part="beat") < 120
    assert "resident@" not in text

    # Ctrl-C: the whole process group gets SIGINT, as from a terminal
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=60) != 0
    time.sleep(0.5)
    output = "".join(lines)
    assert "PostgreSQL and Redis stopped." in output
    assert not any(_listening(port) for port in ports.values()), output[-3000:]
    assert not (folder / "pg" / "data" / "postmaster.pid").exists()
    assert _ours(folder) == [], output[-3000:]

    # every web line is JSON with a request id; the login's carries the user
    web = _json_lines(output, "web.1")
    requests = [line for line in web if line.get("logger") == "portal.request"]
    assert len(requests) >= sent + 6
    assert all(re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", line["request_id"]) for line in requests)
    assert {"test-page-1", login_id} <= {line["request_id"] for line in requests}
    login = next(line for line in requests if line["request_id"] == login_id)
    assert (login["method"], login["path"], login["status"]) == ("POST", "/en/account/login", 303)
    assert isinstance(login["user_id"], int) and login["duration_ms"] > 0
    page = next(line for line in requests if line["request_id"] == "test-page-1")
    assert page["user_id"] is None and page["path"] == "/en/"
    # the worker logs its tasks with their ids and durations
    tasks = [line for line in _json_lines(output, "worker.1") if line.get("logger") == "portal.task"]
    assert any(line["task"] == "portal.core.tasks.heartbeat" and line["state"] == "SUCCESS"
               and line["task_id"] and line["duration_ms"] >= 0 for line in tasks)
