"""Real servers as separate processes: Celery workers (prefork: a killed child is a lost
worker) and gunicorn (two workers, as tests/bench runs it)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log: Path, app: str = "portal.tasks",
                  pool: str = "prefork", beat: bool = False) -> Iterator[subprocess.Popen]:
    """A worker on the broker in ``env`` (its own process group); stopped, then killed if it
    does not stop, on the way out."""
    command = [sys.executable, "-m", "celery", "-A", app, "worker", f"--pool={pool}",
               "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO",
               *(["-B", "--schedule", str(log.with_suffix(".schedule"))] if beat else [])]
    environment = {**os.environ, **env, "PYTHONPATH": str(ROOT), "PORTAL_PROFILE": "production"}
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT, start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path, module: str = "tests.functional.reliability.wsgi:app",
             workers: int = 2, threads: int = 1) -> Iterator[int]:
    """The portal under gunicorn on a free port (``PORTAL_PROFILE=production``); the port."""
    from tests.functional.production import free_port, wait_for_port

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
               "-b", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning",
               "--timeout", "120", "--backlog", "2048", module]
    environment = {**os.environ, **env, "PYTHONPATH": str(ROOT), "PORTAL_PROFILE": "production"}
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT, start_new_session=True)
    try:
        wait_for_port(port, process, timeout=60)
        yield port
    finally:
        stop(process)
