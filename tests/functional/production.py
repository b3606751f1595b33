"""The production profile's real parts for tests: a redis-server that can be stopped and
started again on its port, and a production app on the suite's PostgreSQL (fixtures shared by
tests/functional/core/test_production.py and tests/functional/reliability/)."""

from __future__ import annotations

import logging.config
import os
import shutil
import socket
import subprocess
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline or (process is not None and process.poll() is not None):
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.05)


class RedisServer:
    """A redis-server on a port of its own; ``stop()`` and ``start()`` again on the same port
    (an outage, then the recovery), with nothing saved in between."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


def production_environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {"SECRET_KEY": "production-test-secret", "DATABASE_URL": database_url,
            "REDIS_URL": redis_url, "MAIL_BACKEND": "mailbox",
            "PORTAL_BASE_URL": "https://portal.example"}  # the trusted host


@pytest.fixture
def production_database(worker_id_str):
    from tests.conftest import PG_ENV
    from tests.pg import create_database

    return create_database(os.environ[PG_ENV], f"portal_prod_{worker_id_str}")


def build_production_app(make_app, monkeypatch, database_url: str, redis_url: str):
    """The production profile on ``database_url``, migrated."""
    import flask_migrate

    from portal.config import ProductionConfig

    for name, value in production_environment(database_url, redis_url).items():
        monkeypatch.setenv(name, value)
    config = ProductionConfig()
    config.PASSWORD_HASH_CHEAP = True  # speed only: hashing is not what this test is about
    app = make_app(config)
    monkeypatch.setattr(logging.config, "fileConfig", lambda *a, **k: None)
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture
def production_app(make_app, redis_url, production_database, monkeypatch):
    return build_production_app(make_app, monkeypatch, production_database, redis_url)
