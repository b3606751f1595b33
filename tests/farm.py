"""Processes for the scale-out test and bench: redis-server, gunicorn, Celery and an nginx in
front, each started on a free loopback port, logging to a temporary folder, and stopped (and
waited for) when the block ends. Nothing here is daemonized: every process is a child of the
caller, so a failing test leaves nothing running.

nginx runs unprivileged: its configuration, pid file, logs and temporary folders live in a
folder of its own (``-p``), in the foreground (``daemon off``); it balances round-robin over
the instances it is given and names the one that answered in ``X-Upstream``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream portal {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # TLS ends at the balancer in production ($scheme there); this loopback
            # listener stands in for it.
            proxy_set_header X-Forwarded-Proto {proto};
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str, log: Path | None = None,
                  seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not listen on {port}") from None
            time.sleep(0.05)


@contextlib.contextmanager
def child(args: list[str], name: str, folder: Path, env: dict | None = None,
          port: int | None = None):
    """Run ``args`` with stdout and stderr in ``folder/<name>.log``; wait for ``port``; on
    leaving, terminate it and wait (kill after 20 s)."""
    log = folder / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)})
    try:
        if port is not None:
            wait_for_port(port, process, name, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def redis_server(folder: Path):
    """A throwaway redis-server (no persistence); yields its URL."""
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    with child([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                "--appendonly", "no"], "redis", folder, port=port):
        yield f"redis://127.0.0.1:{port}/0"


def answers(base: str, process: subprocess.Popen, name: str, seconds: float = 120) -> None:
    """Wait for an HTTP answer, whatever its status: gunicorn's master listens before its
    workers have imported the app, and a balancer would queue requests on it meanwhile."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=30).close()  # noqa: S310 (loopback)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} does not answer on {base}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def gunicorn(app: str, env: dict, folder: Path, name: str, workers: int = 1):
    """``gunicorn -w workers app`` on a free port, answering; yields (base URL, master pid)."""
    port = free_port()
    with child([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                "--no-control-socket", "--log-level", "warning", "--timeout", "120", app],
               name, folder, env, port) as process:
        base = f"http://127.0.0.1:{port}"
        answers(base, process, name)
        yield base, process.pid


@contextlib.contextmanager
def celery_worker(env: dict, folder: Path, name: str):
    with child([sys.executable, "-m", "celery", "-A", "portal.tasks", "worker", "--pool=solo",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel=WARNING", "-n", f"{name}@%h"], name, folder, env) as process:
        yield process


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@contextlib.contextmanager
def nginx(upstreams: list[str], proto: str = "$scheme"):
    """nginx on a free loopback port, round-robin over ``upstreams`` (``http://host:port``);
    yields its base URL."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian: nginx-light)")
    # Its own folder, readable by the worker user nginx drops to when started as root.
    prefix = Path(tempfile.mkdtemp(prefix="portal-nginx-"))
    prefix.chmod(0o755)
    port = free_port()
    servers = "\n".join(f"        server {u.removeprefix('http://')} max_fails=0;" for u in upstreams)
    (prefix / "nginx.conf").write_text(
        NGINX_CONF.format(prefix=prefix, servers=servers, port=port, proto=proto))
    try:
        with child([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                    "-e", str(prefix / "error.log")], "nginx", prefix, port=port):
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
