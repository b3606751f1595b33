"""A throwaway PostgreSQL cluster for one test run (see docs/testing.md)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root: drop to the postgres user when we are root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/"

    def start(self) -> Cluster:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        subprocess.run(
            _as_postgres([str(PGBIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                          "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True, capture_output=True,
        )
        subprocess.run(
            _as_postgres([
                str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start",
            ]),
            check=True, capture_output=True,
        )
        return self

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                          "-w", "stop"]),
            check=False, capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    import psycopg

    dsn = server_url.replace("postgresql+psycopg://", "postgresql://") + "postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url + name
