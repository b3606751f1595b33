"""``make run``'s Procfile under honcho: when the worker dies (even of SIGKILL), everything
stops with a message saying so, instead of the web serving and beat queueing on silently."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from portal.config import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.sqlite_only]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def test_a_killed_worker_stops_make_run_with_a_message(make_app, tmp_path):
    from portal.extensions import db

    database = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    with make_app(database_url=database).app_context():
        db.create_all()
    env = {**os.environ, "VENV": str(Path(sys.executable).parent.parent), "PORT": str(_free_port()),
           "PORTAL_INSTANCE": str(tmp_path), "DATABASE_URL": database, "PYTHONPATH": str(ROOT),
           "PYTHONUNBUFFERED": "1"}
    env.pop("PORTAL_PROFILE", None)
    honcho = subprocess.Popen(
        [str(Path(sys.executable).parent / "honcho"), "start", "-f", "Procfile.dev"], cwd=ROOT,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(honcho.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not any("ready." in line for line in lines):  # the worker is consuming
            assert honcho.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "the worker did not start:\n" + "".join(lines)
            time.sleep(0.2)
        shells = {line.split()[-1].strip("()pid=") for line in lines
                  if "worker.1 started" in line}
        assert len(shells) == 1, "".join(lines)
        worker = _children(int(shells.pop()))
        assert worker, "".join(lines)
        os.kill(worker[0], signal.SIGKILL)
        assert honcho.wait(timeout=30) != 0
        reader.join(timeout=10)
        output = "".join(lines)
        assert "make run: the Celery worker stopped" in output
        assert "web.1 stopped" in output and "beat.1 stopped" in output
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait(timeout=10)
        honcho.stdout.close()
