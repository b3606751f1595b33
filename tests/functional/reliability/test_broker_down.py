"""Redis down (the broker, the shared cache and the rate limiter's store): residents still
submit requests and staff still answer, through the real pages; when Redis is back on the
same port, a real worker and the outbox's drain deliver every notification, once.

Decided here (portal/config.py): the rate limiter falls back to counting in each process's
memory while Redis is away (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``), so sign-ins stay
limited and no page fails on its counter; the page cache serves pages uncached."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.models import MailboxMessage, OutboxMessage
from portal.seed import DEMO_PASSWORD
from tests.functional.production import production_environment
from tests.functional.reliability import flows
from tests.functional.reliability.city import seed_city
from tests.functional.reliability.processes import celery_worker
from tests.functional.support import poll

pytestmark = [pytest.mark.postgres_only, pytest.mark.worker, pytest.mark.xdist_group("reliability")]
ANSWER = "We filled the pothole this morning; the road is safe for cyclists again. Thank you."


def _outbox(app) -> dict[int, tuple[str, bool, int]]:
    """Every outbox row: (recipient, sent, copies in the mailbox)."""
    from portal.extensions import db

    with app.app_context():
        copies = dict(db.session.execute(select(MailboxMessage.outbox_id, func.count())
                                         .group_by(MailboxMessage.outbox_id)).all())
        rows = {m.id: (m.recipient, m.sent_at is not None, copies.get(m.id, 0))
                for m in db.session.scalars(select(OutboxMessage))}
        db.session.rollback()
        return rows


def test_residents_and_staff_carry_on_while_redis_is_down(production_app, redis_server,
                                                          production_database, tmp_path):
    app = production_app
    city = seed_city(app)
    before = set(_outbox(app))
    redis_server.stop()

    anonymous = flows.TestClientBrowser(app.test_client())
    for path in ("/en/", "/en/requests/", "/en/proposals"):
        assert anonymous.get(path)[0] == 200, path  # the page cache is down: served uncached
    resident = flows.TestClientBrowser(app.test_client())
    flows.login(resident, "resident@riverbend.example.org", DEMO_PASSWORD)
    codes = [flows.submit_request(resident, city["area_id"], f"Pothole number {i}")
             for i in range(3)]
    staff = flows.TestClientBrowser(app.test_client())
    flows.login(staff, "oldtown@riverbend.example.org", DEMO_PASSWORD)
    for code in codes:
        flows.answer(staff, code, ANSWER)
    assert resident.get(f"/en/requests/{codes[0]}")[0] == 200

    # the limiter still counts, in memory: ten sign-in posts a minute from one address (the
    # resident's and the staff member's among them), then 429
    intruder = flows.TestClientBrowser(app.test_client())
    fields = flows.form_fields(intruder.get("/en/account/login")[2], "/en/account/login")
    wrong = {**fields, "email": "resident@riverbend.example.org", "password": "not the password"}
    statuses = [intruder.post("/en/account/login", wrong)[0] for _ in range(11)]
    assert statuses == [422] * 8 + [429] * 3

    waiting = {oid: row for oid, row in _outbox(app).items() if oid not in before}
    recipients = sorted(r for r, _, _ in waiting.values())
    # a confirmation for each request and the answer's notice, to the resident
    assert recipients.count("resident@riverbend.example.org") >= 6, recipients
    assert not any(sent or copies for _, sent, copies in waiting.values())

    redis_server.start()  # the same port, empty: nothing of the outage's tasks was kept
    env = production_environment(production_database, redis_server.url)
    with celery_worker(env, tmp_path / "worker.log"):
        # one more request now that the broker is back: handed to Celery at once, while the
        # drain (what beat sends every OUTBOX_DRAIN_SECONDS) collects what the outage left
        codes.append(flows.submit_request(resident, city["area_id"], "Pothole after the outage"))
        app.extensions["celery"].send_task("portal.core.tasks.drain_outbox")
        everything = poll(lambda: all(sent for _, sent, _ in _outbox(app).values()), seconds=90)
        assert everything, (tmp_path / "worker.log").read_text()[-3000:]
    rows = _outbox(app)
    assert len(rows) > len(before) + len(waiting)
    assert {oid: copies for oid, (_, _, copies) in rows.items()} == dict.fromkeys(rows, 1)
