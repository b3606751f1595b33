"""Scale-out: two web instances and two Celery workers of the production profile against one
PostgreSQL database and one Redis, behind nginx (round-robin). Whatever one instance changes,
the other sees on its next request: sessions, logging out, roles (the held user), cached
pages, rate limits, CSRF tokens; a mail is delivered once though two workers run.

Each check goes directly to instance A or B, and through the balancer (which alternates).
Every instance is one gunicorn worker, so "B" is one process with its own memory.
"""

from __future__ import annotations

import logging.config
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import farm
from tests.conftest import PG_ENV, csrf_token_from
from tests.functional.support import poll

pytestmark = [pytest.mark.postgres_only, pytest.mark.worker]

HOST = "portal.example"
BASE_URL = f"https://{HOST}"
DEMO_PASSWORD = "demo-password-2026"
ADMIN, RESIDENT = "admin@riverbend.example.org", "resident@riverbend.example.org"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


@dataclass
class Answer:
    status: int
    headers: object
    text: str


@dataclass
class Browser:
    """One browser: its cookies (Secure ones too: TLS ends before the instances), its
    User-Agent (Flask-Login's strong protection ties a session to it)."""

    agent: str = "scale-test/1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, base: str, path: str, data: dict | None = None, direct: bool = True) -> Answer:
        headers = {"Host": HOST, "User-Agent": self.agent, "Referer": f"{BASE_URL}/en/"}
        if direct:  # straight to an instance: say what the balancer would (PROXY_COUNT=1)
            headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310
        try:
            with OPENER.open(req, timeout=60) as response:
                answer = Answer(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.headers, exc.read().decode())
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            gone = "max-age=0" in cookie.lower() or "01 jan 1970" in cookie.lower()
            if value and not gone:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer

    def get(self, base, path, **kw) -> Answer:
        return self.request(base, path, **kw)

    def post(self, base, path, data, **kw) -> Answer:
        return self.request(base, path, data, **kw)

    def log_in(self, base: str, email: str, direct: bool = True) -> None:
        token = csrf_token_from(self.get(base, "/en/account/login", direct=direct).text)
        answer = self.post(base, "/en/account/login", {"email": email, "password": DEMO_PASSWORD,
                                                       "csrf_token": token}, direct=direct)
        assert answer.status == 303, answer.text[:500]


def signed_in(answer: Answer) -> bool:
    return answer.status == 200 and "/account/logout" in answer.text


@dataclass
class Farm:
    a: str
    b: str
    balancer: str
    redis_url: str
    app: object
    departments: dict[str, int]
    users: dict[str, int]

    def each(self):
        """(name, base, direct): A and B directly, then the balancer."""
        return [("A", self.a, True), ("B", self.b, True), ("balancer", self.balancer, False)]


@pytest.fixture(scope="module")
def farm_of_two(worker_id_str):
    if farm.nginx_binary() is None:
        pytest.skip("nginx is not installed (Debian: nginx-light)")
    import flask_migrate

    from portal import create_app
    from portal.config import ProductionConfig
    from portal.core.models import User
    from portal.extensions import db
    from portal.responsibility.models import Department
    from portal.seed import seed
    from tests.functional.support import kept_extension_state
    from tests.pg import create_database

    folder = Path(tempfile.mkdtemp(prefix="portal-scale-"))
    database_url = create_database(os.environ[PG_ENV], f"portal_scale_{worker_id_str}")
    # kept_extension_state: the production app built here would leave Flask-Limiter switched
    # on (with this Redis, then its in-memory fallback) for every later test in this worker
    with farm.redis_server(folder) as redis_url, pytest.MonkeyPatch.context() as mp, \
            kept_extension_state():
        env = {"PORTAL_PROFILE": "production", "SECRET_KEY": "scale-test-secret",
               "DATABASE_URL": database_url, "REDIS_URL": redis_url, "MAIL_BACKEND": "mailbox",
               "PORTAL_BASE_URL": BASE_URL, "TRUSTED_HOSTS": HOST, "PROXY_COUNT": "1",
               "PORTAL_INSTANCE": str(folder / "instance")}
        for name, value in env.items():
            mp.setenv(name, value)
        # alembic's env.py calls fileConfig(), which would switch off the loggers made so far
        mp.setattr(logging.config, "fileConfig", lambda *a, **k: None)
        app = create_app(ProductionConfig())
        with app.app_context():
            flask_migrate.upgrade()
            with app.test_request_context("/en/", base_url=BASE_URL):
                seed(db.session)
                db.session.commit()
            users = {u.email: u.id for u in db.session.scalars(select(User))}
            departments = {d.code: d.id for d in db.session.scalars(select(Department))}
            db.session.remove()
        with (farm.gunicorn("portal:create_app()", env, folder, "web-a") as (a, _),
              farm.gunicorn("portal:create_app()", env, folder, "web-b") as (b, _),
              farm.celery_worker(env, folder, "worker-1"),
              farm.celery_worker(env, folder, "worker-2"),
              farm.nginx([a, b], proto="https") as balancer):
            celery = app.extensions["celery"]
            replies = poll(lambda: (r if len(r := celery.control.ping(timeout=1)) == 2 else None),
                           seconds=60)
            assert replies and len(replies) == 2, f"two workers should answer: {replies}"
            yield Farm(a, b, balancer, redis_url, app, departments, users)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_limits(farm_of_two):
    """Every test starts with no rate-limit counters (they are shared by design)."""
    import redis

    client = redis.Redis.from_url(farm_of_two.redis_url)
    for key in client.scan_iter("LIMITS*"):
        client.delete(key)
    client.close()


def test_the_balancer_alternates_between_the_instances(farm_of_two):
    browser = Browser()
    answered = [browser.get(farm_of_two.balancer, "/healthz", direct=False) for _ in range(4)]
    assert [a.status for a in answered] == [200] * 4
    ports = {a.headers["X-Upstream"] for a in answered}
    assert ports == {farm_of_two.a.removeprefix("http://"), farm_of_two.b.removeprefix("http://")}


def test_a_session_made_on_a_is_valid_on_b_and_a_logout_on_b_ends_it_on_a(farm_of_two):
    f = farm_of_two
    browser = Browser()
    browser.log_in(f.a, RESIDENT)
    for name, base, direct in f.each():
        assert signed_in(browser.get(base, "/en/account/settings", direct=direct)), name
    # the logout form's CSRF token comes from A, B accepts it (one SECRET_KEY, nothing per process)
    token = csrf_token_from(browser.get(f.a, "/en/account/settings").text)
    assert browser.post(f.b, "/en/account/logout", {"csrf_token": token}).status == 303
    # a copy of the old cookie no longer works anywhere, at once
    for name, base, direct in f.each():
        answer = Browser(cookies=dict(browser.cookies)).get(base, "/en/account/settings", direct=direct)
        assert answer.status == 302 and "/account/login" in answer.headers["Location"], name


def test_a_session_copied_before_a_logout_is_refused_by_the_instance_that_held_it(farm_of_two):
    f = farm_of_two
    browser = Browser()
    browser.log_in(f.balancer, RESIDENT, direct=False)
    kept = dict(browser.cookies)
    for _ in range(3):  # B holds the user in its memory now
        assert signed_in(Browser(cookies=dict(kept)).get(f.b, "/en/account/settings"))
    token = csrf_token_from(browser.get(f.a, "/en/account/settings").text)
    assert browser.post(f.a, "/en/account/logout", {"csrf_token": token}).status == 303
    assert Browser(cookies=dict(kept)).get(f.b, "/en/account/settings").status == 302


def test_a_role_granted_through_a_takes_effect_on_b_at_once(farm_of_two):
    f = farm_of_two
    resident = Browser(agent="resident/1")
    resident.log_in(f.b, RESIDENT)
    for _ in range(2):  # held by B under the current "accounts" version
        assert resident.get(f.b, "/en/staff/queue/").status == 403
    admin = Browser(agent="admin/1")
    admin.log_in(f.a, ADMIN)
    path = f"/en/admin/users/{f.users[RESIDENT]}"
    token = csrf_token_from(admin.get(f.a, path).text)
    answer = admin.post(f.a, path, {"csrf_token": token, "roles": ["staff"],
                                    "departments": [str(f.departments["roads"])]})
    assert answer.status == 303, answer.text[:1000]
    assert resident.get(f.b, "/en/staff/queue/").status == 200
    assert resident.get(f.balancer, "/en/staff/queue/", direct=False).status == 200
    # and taken away again through B: A refuses at once
    token = csrf_token_from(admin.get(f.b, path).text)
    assert admin.post(f.b, path, {"csrf_token": token}).status == 303
    assert resident.get(f.a, "/en/staff/queue/").status == 403


def test_a_page_cached_on_b_shows_a_request_made_through_a_at_once(farm_of_two):
    from portal.extensions import db
    from portal.feedback.open311 import apikeys
    from portal.responsibility.models import Department

    f = farm_of_two
    with f.app.app_context():
        _key, secret = apikeys.create(db.session, None, "Scale test",
                                      db.session.get(Department, f.departments["roads"]))
        db.session.commit()
        db.session.remove()
    reader = Browser()
    first = reader.get(f.b, "/en/requests")
    again = reader.get(f.b, "/en/requests")
    assert first.status == again.status == 200 and "Set-Cookie" not in first.headers
    assert again.headers["ETag"] == first.headers["ETag"], "B should serve its cached page"
    answer = reader.post(f.a, "/open311/v2/requests.json", {
        "api_key": secret, "service_code": "litter", "address_string": "Market Square",
        "description": "Scale-out check: bins overflowing.", "area": "old-market",
        "email": "scale@example.org"})
    assert answer.status == 200, answer.text
    code = re.search(r'"service_request_id":\s*"([^"]+)"', answer.text).group(1)
    for name, base, direct in f.each():
        page = reader.get(base, "/en/requests", direct=direct)
        assert page.status == 200 and code in page.text, name
        assert page.headers["ETag"] != first.headers["ETag"], name


def test_a_rate_limit_is_counted_across_both_instances(farm_of_two):
    f = farm_of_two
    browser = Browser()
    token = csrf_token_from(browser.get(f.a, "/en/account/login").text)
    wrong = {"email": "nobody@example.org", "password": "wrong password", "csrf_token": token}
    # AUTH_RATE_LIMIT: 10 per minute per address; 4 via A, 3 via B, 3 via the balancer
    for base, direct, times in ((f.a, True, 4), (f.b, True, 3), (f.balancer, False, 3)):
        for _ in range(times):
            assert browser.post(base, "/en/account/login", wrong, direct=direct).status == 422
    for name, base, direct in f.each():
        answer = browser.post(base, "/en/account/login", wrong, direct=direct)
        assert answer.status == 429 and "Too many attempts" in answer.text, name


def test_a_mail_queued_by_a_is_delivered_once_though_two_workers_run(farm_of_two):
    import redis

    from portal.core import outbox
    from portal.core.models import MailboxMessage, OutboxMessage
    from portal.core.tasks import deliver_outbox_message, drain_outbox
    from portal.extensions import db

    f = farm_of_two
    browser = Browser()
    token = csrf_token_from(browser.get(f.a, "/en/account/register").text)
    email = "scale.newcomer@example.org"
    answer = browser.post(f.a, "/en/account/register", {
        "display_name": "Scale Newcomer", "email": email, "password": "a long enough pw",
        "confirm": "a long enough pw", "csrf_token": token})
    assert answer.status == 303, answer.text[:1000]

    def count(model):
        with f.app.app_context():
            found = db.session.scalar(select(func.count()).select_from(model)
                                      .where(model.recipient == email))
            db.session.remove()
            return found

    with f.app.app_context():
        oid = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == email))
        db.session.remove()
    assert count(OutboxMessage) == 1
    # The same message handed to both workers again and again, drains beside them, and the
    # beat's drain called here directly: still one mail.
    for _ in range(3):
        deliver_outbox_message.delay(oid)
        drain_outbox.delay()
    with f.app.app_context(), f.app.test_request_context("/", base_url=BASE_URL):
        outbox.drain(db.session)
        db.session.remove()
    queues = redis.Redis.from_url(f.redis_url)
    try:
        assert poll(lambda: queues.llen("celery") == 0 and queues.hlen("unacked") == 0, seconds=60)
    finally:
        queues.close()
    assert poll(lambda: count(MailboxMessage) >= 1, seconds=30)
    assert count(MailboxMessage) == 1
    with f.app.app_context():
        mail = db.session.scalar(select(MailboxMessage).where(MailboxMessage.recipient == email))
        sent = db.session.get(OutboxMessage, oid)
        assert mail.outbox_id == oid and sent.sent_at is not None and sent.attempts == 1
        assert f"{BASE_URL}/en/account/confirm/" in mail.body  # from PORTAL_BASE_URL
        db.session.remove()


def test_no_instance_answers_for_another_host(farm_of_two):
    for _name, base, _direct in farm_of_two.each():
        req = urllib.request.Request(base + "/en/", headers={"Host": "evil.example"})  # noqa: S310
        try:
            status = OPENER.open(req, timeout=30).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == 400

