"""SQLite for the embedded profile: every writer waits its turn, readers never wait.

SQLite allows one writer at a time. In WAL mode, a transaction opened with a plain (deferred)
``BEGIN`` reads from a snapshot; when it later writes and another connection has committed
since that snapshot, SQLite answers ``SQLITE_BUSY`` at once, without using the busy timeout
("database is locked"). So a transaction that may write opens with ``BEGIN IMMEDIATE``, which
takes the write lock first and waits for it (up to ``SQLITE_BUSY_TIMEOUT`` seconds) — the
design Django 5.1 calls ``transaction_mode="IMMEDIATE"``.

- requests with an unsafe method (POST, PUT, PATCH, DELETE), Celery tasks, CLI commands and
  anything else outside a request: ``BEGIN IMMEDIATE``;
- GET, HEAD and OPTIONS requests: ``BEGIN DEFERRED``, so anonymous pages render side by side
  without holding the write lock. A GET that does write (a confirmation link) and finds its
  snapshot stale is run again, once, with ``BEGIN IMMEDIATE``: GET is idempotent by HTTP's rules;
- code that reads a lot before a short write (the metrics snapshot) reads inside
  ``with deferred():`` and ends that transaction before writing.

See docs/decisions/0002-sqlite-immediate-transactions.md. PostgreSQL is unaffected: the
``begin`` listener is installed on SQLite engines only, and ``deferred()`` is then a no-op.
"""

from __future__ import annotations

import sqlite3
import weakref
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_BUSY_TIMEOUT = 30.0  # seconds a writer waits for the lock before giving up

_installed: weakref.WeakSet[Engine] = weakref.WeakSet()
_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")


def begin_mode() -> str:
    """How the next transaction on this thread opens: "IMMEDIATE" or "DEFERRED"."""
    return _begin_mode.get()


@contextmanager
def _mode(mode: str):
    token = _begin_mode.set(mode)
    try:
        yield
    finally:
        _begin_mode.reset(token)


def deferred():
    """Transactions opened inside read without taking the write lock (a plain ``BEGIN``)."""
    return _mode("DEFERRED")


def immediate():
    """Transactions opened inside take the write lock first, waiting for it."""
    return _mode("IMMEDIATE")


def is_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and "database is locked" in str(orig)


class _Listeners:
    def __init__(self, busy_timeout: float) -> None:
        self.busy_timeout_ms = int(busy_timeout * 1000)

    def connect(self, dbapi_connection, connection_record):
        """Enforce foreign keys, WAL, the busy timeout; let SQLAlchemy own BEGIN (SAVEPOINTs)."""
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            cursor.close()

    @staticmethod
    def begin(conn):
        conn.exec_driver_sql(f"BEGIN {begin_mode()}")


def init_engine(engine: Engine, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
    """Only the portal's own engine: Celery's SQLite broker manages its transactions itself."""
    if engine.dialect.name != "sqlite" or engine in _installed:
        return
    listeners = _Listeners(busy_timeout)
    _installed.add(engine)
    event.listen(engine, "connect", listeners.connect)
    event.listen(engine, "begin", listeners.begin)


def init_app(app: Flask, engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    init_engine(engine, float(app.config.get("SQLITE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT)))

    @app.before_request
    def _read_mode_for_safe_methods():
        if request.method in SAFE_METHODS:
            g._sqlite_mode_token = _begin_mode.set("DEFERRED")

    @app.teardown_request
    def _reset_mode(exc=None):
        token = g.pop("_sqlite_mode_token", None)
        if token is not None:
            try:
                _begin_mode.reset(token)
            except ValueError:  # torn down in another context (a streamed response)
                _begin_mode.set("IMMEDIATE")

    dispatch = app.dispatch_request

    def dispatch_request():
        try:
            return dispatch()
        except OperationalError as exc:
            if request.method not in SAFE_METHODS or begin_mode() != "DEFERRED" or not is_busy(exc):
                raise
            from portal.extensions import db

            db.session.rollback()
            with immediate():
                return dispatch()

    app.dispatch_request = dispatch_request
