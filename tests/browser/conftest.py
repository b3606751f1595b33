"""Browser tests: real Chromium (Debian's, not Playwright's download) against a live server.

Every xdist worker starts one live server on its own SQLite file, seeded with the demo city,
with real CSRF-protected forms and mail kept in the portal's mailbox. These tests never use
``db_session``: the server runs in other threads and commits for real.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
LOCALES = ("en", "zh-Hans", "zh-Hant", "es", "ar", "bo", "ug")
RTL = {"ar", "ug"}
DEMO_PASSWORD = "demo-password-2026"
RESIDENT = "resident@riverbend.example.org"
ADMIN = "admin@riverbend.example.org"
VIEWPORT = {"width": 1280, "height": 800}

# The session-setup account whose mail fills the mailbox and whose tokens the crawl visits.
SAMPLE_EMAIL = "sample.newcomer@example.org"
SAMPLE_PASSWORD = "sample password 2026"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ is a browser test, whatever its module says."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


class _ErrorRecorder:
    """WSGI middleware: remembers every exception a request raised, so a test can fail on it
    even when the browser only saw a generic 500 page."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.errors: list[str] = []

    def __call__(self, environ, start_response):
        try:
            return self.wsgi_app(environ, start_response)
        except Exception as exc:
            self.errors.append(f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}: {exc!r}")
            raise


@dataclass
class LiveServer:
    app: object
    origin: str
    recorder: _ErrorRecorder
    data: dict = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.origin + path

    def scalars(self, stmt) -> list:
        """Run a query on the live server's database (for sample values)."""
        from portal.extensions import db

        with self.app.app_context():
            return list(db.session.scalars(stmt))

    def drain_outbox(self) -> int:
        """Deliver queued mail into the mailbox, as the Celery worker would."""
        from portal.core.outbox import drain
        from portal.extensions import db

        with self.app.app_context():
            return drain(db.session)


def _prepare_samples(app, origin: str) -> dict:
    """Demo data plus what the crawl needs to fill URL arguments: mailbox messages and tokens."""
    from sqlalchemy import select

    from portal.accounts import services as accounts
    from portal.core.models import MailboxMessage, User
    from portal.core.outbox import drain
    from portal.extensions import db
    from portal.responsibility.models import Department
    from portal.seed import seed

    # Inside a request to the live server, so links in seeded mail point at it.
    with app.test_request_context("/en/", base_url=origin):
        db.create_all()
        seed(db.session)
        user = accounts.register(db.session, SAMPLE_EMAIL, SAMPLE_PASSWORD, "Sam Sample", "en")
        accounts.request_password_reset(db.session, SAMPLE_EMAIL)
        drain(db.session)
        users = {u.email: u.id for u in db.session.scalars(select(User))}
        # Something in the audit log, so the crawl sees its table (staff role + a department).
        admin = db.session.get(User, users[ADMIN])
        user = db.session.get(User, user.id)
        department = db.session.scalars(select(Department).order_by(Department.id)).first()
        accounts.set_roles(db.session, admin, user, {"staff"}, {department.id}, "127.0.0.1")
        # The hot spots page reads what the beat task computed: compute it once here.
        from portal.feedback import hotspots

        hotspots.refresh(db.session)
        data = {
            "resident_id": users[RESIDENT],
            "admin_id": users[ADMIN],
            "sample_user_id": user.id,
            "message_ids": list(db.session.scalars(select(MailboxMessage.id).order_by(MailboxMessage.id))),
            "request_codes": _request_codes(db.session),
            "confirm_token": accounts._serializer("confirm").dumps({"id": user.id, "email": user.email}),
            "reset_token": accounts._serializer("reset").dumps(
                {"id": user.id, "h": user.password_hash[-16:]}
            ),
        }
        db.session.remove()
    return data


def _request_codes(session) -> list[str]:
    """One public request of each kind of state (open, paused, answered, closed...)."""
    from sqlalchemy import select

    from portal.feedback.models import Request

    codes = {}
    rows = session.execute(
        select(Request.state_type, Request.tracking_code)
        .where(Request.tracking_code.is_not(None), Request.state_type != "pending")
        .order_by(Request.id)
    )
    for state_type, code in rows:
        codes.setdefault(state_type, code)
    return list(codes.values())


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    os.environ.setdefault("PORTAL_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.extensions import db

    database = tmp_path_factory.mktemp("browser-db") / "portal.sqlite"
    app = create_app(make_config(
        f"sqlite:///{database}",
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        MAIL_BACKEND="mailbox",
        GALLERY_PUBLIC=True,
    ))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    recorder = _ErrorRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, app, threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    app.config["PORTAL_BASE_URL"] = origin  # links in mail lead back to this server
    data = _prepare_samples(app, origin)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, origin=origin, recorder=recorder, data=data)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail a browser test if the live server raised while serving it."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live = request.getfixturevalue("live_server")
    before = len(live.recorder.errors)
    yield
    errors = live.recorder.errors[before:]
    assert not errors, "the live server raised:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """``new_context(**options)``: a fresh browser context, closed after the test.

    Contexts that run axe need ``bypass_csp=True`` (axe is injected as an inline script);
    every other context keeps the portal's Content-Security-Policy enforced."""
    contexts = []

    def _new(**options):
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("base_url", live_server.origin)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    """A fresh context with JavaScript enabled and the CSP enforced."""
    return new_context()


@pytest.fixture
def nojs_context(new_context):
    """A fresh context with JavaScript disabled."""
    return new_context(java_script_enabled=False)


@pytest.fixture
def page(context):
    return context.new_page()


def log_in(context, email: str, password: str = DEMO_PASSWORD, locale: str = "en"):
    """Log a context in through the real login form; returns the page it used."""
    page = context.new_page()
    page.goto(f"/{locale}/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("form[action$='/account/logout']").count() == 1, (
        f"logging in as {email} failed: {page.url}"
    )
    return page


@pytest.fixture
def login_as(new_context):
    """``login_as(email, **context_options)``: a new context logged in as a demo account."""

    def _login(email: str, password: str = DEMO_PASSWORD, **options):
        context = new_context(**options)
        log_in(context, email, password).close()
        return context

    return _login


def collect_csp_violations(page) -> list[str]:
    """Record Content-Security-Policy violations the page reports from now on."""
    violations: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations
