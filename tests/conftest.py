"""Fixtures for every test: the app, a database per test (rolled back), clients and roles.

``pytest`` runs on SQLite; ``pytest --db=postgresql`` starts one throwaway PostgreSQL cluster
for the whole run (in the xdist controller) and gives every worker a database of its own.
"""

from __future__ import annotations

import os
import re

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import Session

from tests.pg import Cluster, create_database

PG_ENV = "PORTAL_TEST_PG_SERVER"


def pytest_addoption(parser):
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite",
                     help="database to run the suite on")


def pytest_configure(config):
    is_controller = not hasattr(config, "workerinput")
    if config.getoption("--db") == "postgresql" and is_controller and not os.environ.get(PG_ENV):
        cluster = Cluster().start()
        os.environ[PG_ENV] = cluster.url  # workers inherit it
        config._portal_pg = cluster


def pytest_unconfigure(config):
    cluster = getattr(config, "_portal_pg", None)
    if cluster is not None:
        cluster.stop()
        os.environ.pop(PG_ENV, None)


def pytest_collection_modifyitems(config, items):
    on_pg = config.getoption("--db") == "postgresql"
    for item in items:
        if on_pg and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite only"))
        if not on_pg and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="needs --db=postgresql"))


@pytest.fixture(scope="session")
def db_kind(pytestconfig) -> str:
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def worker_id_str() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(db_kind, worker_id_str, tmp_path_factory) -> str:
    if db_kind == "postgresql":
        return create_database(os.environ[PG_ENV], f"portal_test_{worker_id_str}")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite'}"


def make_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_CHEAP": True,
        "CELERY_DISPATCH": False,
        "METRICS_SNAPSHOTS": False,  # exact figures on every page view; snapshots tested apart
        "SERVER_NAME": None,
        # Links in mail and API documents are built on it (never on the request's Host).
        "PORTAL_BASE_URL": "http://localhost",
        "CELERY": {"broker_url": "memory://", "task_ignore_result": True},
        # Off by default: tests roll back what they wrote, which no version bump sees.
        # tests/functional/core/test_cache.py turns them on.
        "PAGE_CACHE": False,
        "REFERENCE_CACHE": False,
        "CACHE_TYPE": "SimpleCache",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ.setdefault("PORTAL_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    from portal import create_app
    from portal.extensions import db

    app = create_app(make_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    ``db_session`` keeps an app context pushed for the whole test, and Flask reuses it for
    requests; without this, the locale, Flask-Babel's cache and Flask-Login's user would leak
    from one request (or redirect hop) into the next. What the test wrote is committed first,
    and what a request left uncommitted is rolled back after it, like the end of a request.
    """

    def run_wsgi_app(self, environ, buffered=False):
        from flask import g, has_app_context
        from flask.globals import app_ctx

        from portal.extensions import db

        if not has_app_context():
            return super().run_wsgi_app(environ, buffered=buffered)
        if db.session().in_transaction():
            db.session.commit()
        if app_ctx.app is not self.application:
            return super().run_wsgi_app(environ, buffered=buffered)
        saved = dict(g.__dict__)
        g.__dict__.clear()
        try:
            return super().run_wsgi_app(environ, buffered=buffered)
        finally:
            db.session.rollback()
            g.__dict__.clear()
            g.__dict__.update(saved)


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the app's engine and ignores ``bind``: use the
    test's connection instead, so that rolling it back really undoes the test."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture
def db_session(app):
    """Every test runs inside one transaction that is rolled back afterwards; what the code
    under test commits becomes a SAVEPOINT release inside it."""
    from portal.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": BoundSession}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def factories(db_session):
    from tests.factories import Factories

    return Factories(db_session)


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in through the real login form."""

    def _login(user, password="correct horse battery"):
        response = client.post(
            "/en/account/login", data={"email": user.email, "password": password}
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture(params=["resident", "organization_member", "staff", "moderator", "administrator"])
def any_role(request):
    return request.param


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def in_transaction(session: Session) -> bool:
    return session.in_transaction()


@pytest.fixture(autouse=True)
def _rate_limits_off_unless_asked():
    """Flask-Limiter keeps its switch on its one global extension object: an app built with
    limits on (a production app in a module's fixture, in this worker process) would leave
    them on for every later test here, which then meets 429s. Each test starts with them off;
    a test that wants them builds its app (``make_app(RATELIMIT_ENABLED=True)``) after this."""
    from portal.extensions import limiter

    limiter.enabled = False
    yield
