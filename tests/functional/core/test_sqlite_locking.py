"""The embedded profile under load: a live server on a file SQLite database while a worker
writes in a loop. Every submission waits its turn instead of failing with "database is
locked" (docs/decisions/0002-sqlite-immediate-transactions.md)."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from portal.core import sqlite
from portal.core.models import User

pytestmark = pytest.mark.sqlite_only


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(origin: str, path: str, data: dict) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(urllib.request.Request(origin + path, data=body), timeout=60) as response:  # noqa: S310 (our live server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _get(origin: str, path: str) -> int:
    try:
        with urllib.request.urlopen(origin + path, timeout=60) as response:  # noqa: S310 (our live server)
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _registration(n: int) -> dict:
    return {"display_name": f"Resident {n}", "email": f"resident{n}@example.org",
            "password": "a long enough pw", "confirm": "a long enough pw"}


@pytest.fixture
def embedded(make_app, tmp_path):
    """A live threaded server and a worker thread that drains the outbox and refreshes the
    metrics snapshot in a loop, all on one SQLite file, as under ``make run``."""
    from werkzeug.serving import make_server

    from portal.core import outbox
    from portal.extensions import db
    from portal.feedback import metrics

    app = make_app(database_url=f"sqlite:///{tmp_path / 'portal.sqlite'}")
    with app.app_context():
        db.create_all()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    stop = threading.Event()
    worker_errors: list[BaseException] = []
    rounds = [0]

    def work():
        while not stop.is_set():
            try:
                with app.test_request_context(base_url=app.config["PORTAL_BASE_URL"]):
                    outbox.drain(db.session)
                    metrics.refresh(db.session)
                    db.session.remove()
                rounds[0] += 1
            except BaseException as exc:
                worker_errors.append(exc)
                return

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}", worker_errors, rounds
    finally:
        stop.set()
        worker.join(timeout=30)
        server.shutdown()
        serving.join(timeout=10)
        server.server_close()


def test_submissions_wait_for_the_worker_instead_of_failing(embedded):
    app, origin, worker_errors, rounds = embedded
    sequential = [_post(origin, "/en/account/register", _registration(n)) for n in range(40)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        concurrent = list(pool.map(lambda n: _post(origin, "/en/account/register", _registration(n)),
                                   range(100, 120)))
        pages = list(pool.map(lambda _: _get(origin, "/en/requests/metrics"), range(10)))
    assert sequential == [303] * 40
    assert concurrent == [303] * 20
    assert pages == [200] * 10
    assert worker_errors == []
    assert rounds[0] > 0, "the worker never wrote"
    from portal.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 60


@pytest.fixture
def begins(make_app, tmp_path):
    """An app on its own SQLite file, and the BEGIN statements its engine sends."""
    from portal.extensions import db

    app = make_app(database_url=f"sqlite:///{tmp_path / 'portal.sqlite'}")
    sent: list[str] = []
    with app.app_context():
        db.create_all()
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: sent.append(statement)
                     if statement.startswith("BEGIN") else None)
    return app, sent


def test_reads_defer_and_writes_take_the_lock_first(begins):
    app, sent = begins
    client = app.test_client()
    assert client.get("/en/").status_code == 200  # reads the city overview
    assert sent and set(sent) == {"BEGIN DEFERRED"}
    sent.clear()
    assert client.post("/en/account/register", data=_registration(1)).status_code == 303
    assert sent and set(sent) == {"BEGIN IMMEDIATE"}
    sent.clear()
    # outside a request (Celery tasks, CLI commands): immediate, unless reading on purpose
    from portal.extensions import db

    with app.app_context():
        db.session.scalar(select(User.id).limit(1))
        db.session.rollback()
        with sqlite.deferred():
            db.session.scalar(select(User.id).limit(1))
            db.session.rollback()
    assert sent == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]
    assert sqlite.begin_mode() == "IMMEDIATE"


def test_a_get_that_writes_and_finds_its_snapshot_stale_runs_again_with_the_lock(begins):
    """A deferred read that then writes after another connection committed gets SQLITE_BUSY
    at once: a GET (idempotent) is dispatched once more, opening with BEGIN IMMEDIATE."""
    app, _sent = begins
    from portal.extensions import db

    attempts = []

    @app.get("/test-writes-on-get")
    def writes_on_get():
        attempts.append(sqlite.begin_mode())
        db.session.scalar(select(func.count()).select_from(User))  # the snapshot
        if len(attempts) == 1:
            other = db.engine.connect()  # another connection commits meanwhile
            with sqlite.immediate(), other.begin():
                other.exec_driver_sql("UPDATE user_account SET large_text = NOT large_text")
            other.close()
        db.session.add(User(email=f"get{len(attempts)}@example.org", display_name="Get",
                            password_hash="x"))
        db.session.commit()
        return "ok"

    with app.app_context():
        db.session.add(User(email="first@example.org", display_name="First", password_hash="x"))
        db.session.commit()
    response = app.test_client().get("/test-writes-on-get")
    assert response.status_code == 200
    assert attempts == ["DEFERRED", "IMMEDIATE"]
