"""Load: 200 clients at once for ``RELIABILITY_SECONDS`` (60 in CI) against gunicorn (two
workers, as tests/bench runs it) on PostgreSQL and Redis, mixing reading with signed-in
submissions through the real forms (CSRF included): new requests, comments on proposals,
supports. No error — every answer a 2xx or 3xx — and every submission acknowledged to a client
is in the database exactly once afterwards. The throughput is printed, not asserted.

The rate limiter stays on, as in production: each client is a different resident behind the
reverse proxy (its own ``X-Forwarded-For`` address, ``PROXY_COUNT=1``), so the per-address
limits (ten sign-ins a minute, twenty requests sent an hour) are those of one person; the
residents' accounts are older than a day, so the new-account posting limits do not apply.
A 429 would count as an error."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.functional.production import production_environment
from tests.functional.reliability import flows
from tests.functional.reliability.city import add_residents, open_proposals, seed_city
from tests.functional.reliability.processes import gunicorn

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("reliability")]
CLIENTS = 200
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "60"))
PASSWORD = "load test password"
READ = ("/en/", "/en/requests/", "/en/requests/mine", "/en/proposals", "/ar/requests/")


class Client(threading.Thread):
    def __init__(self, n: int, port: int, email: str, area_id: int, proposals: list[int],
                 deadline: float, start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.browser = flows.HttpBrowser(port, f"10.{n // 250}.{n % 250}.{1 + n % 7}")
        self.n, self.email, self.area_id = n, email, area_id
        self.proposals = proposals
        self.deadline, self.start_together = deadline, start
        self.random = random.Random(n)
        self.requests: list[str] = []
        self.comments: list[tuple[int, int]] = []  # (proposal, comment id)
        self.supported: list[int] = []
        self.errors: list[str] = []
        self.answers = 0

    def _counting(self, browser):
        get, post = browser.get, browser.post

        def counted(method):
            def call(*args):
                answer = method(*args)
                self.answers += 1
                return answer
            return call

        browser.get, browser.post = counted(get), counted(post)

    def run(self) -> None:
        self._counting(self.browser)
        try:
            self.start_together.wait(timeout=120)
            flows.login(self.browser, self.email, PASSWORD)
            while time.monotonic() < self.deadline:
                self.step()
        except Exception as exc:  # every failure is an error of the run, with what it was
            self.errors.append(f"{type(exc).__name__}: {exc}"[:500])
        finally:
            self.browser.close()

    def step(self) -> None:
        roll = self.random.random()
        left = [p for p in self.proposals if p not in self.supported]
        if roll < 0.15:
            code = flows.submit_request(self.browser, self.area_id,
                                        f"Pothole {self.n}-{len(self.requests)}")
            self.requests.append(code)
        elif roll < 0.30:
            proposal = self.random.choice(self.proposals)
            self.comments.append((proposal, flows.comment(
                self.browser, proposal, f"Comment {len(self.comments)} from client {self.n}.")))
        elif roll < 0.40 and left:
            proposal = self.random.choice(left)
            flows.support(self.browser, proposal)
            self.supported.append(proposal)
        else:
            path = self.random.choice(READ)
            status = self.browser.get(path)[0]
            if status != 200:
                raise flows.Refused(f"GET {path}: {status}")


def test_two_hundred_clients_for_a_minute(production_app, production_database, redis_url,
                                         tmp_path):
    from portal.core.models import User
    from portal.deliberation.models import Proposal, ProposalComment, ProposalSupport
    from portal.extensions import db
    from portal.feedback.models import Request

    app = production_app
    city = seed_city(app)
    emails = add_residents(app, CLIENTS, PASSWORD)
    proposals = open_proposals(app)
    assert proposals, "the demo city has no open proposal"
    env = production_environment(production_database, redis_url)
    with gunicorn(env, tmp_path / "gunicorn.log") as port:
        start = threading.Barrier(CLIENTS + 1)
        deadline = time.monotonic() + SECONDS + 5  # the sign-ins first
        clients = [Client(n, port, email, city["area_id"], proposals, deadline, start)
                   for n, email in enumerate(emails)]
        for client in clients:
            client.start()
        start.wait(timeout=120)
        began = time.monotonic()
        for client in clients:
            client.join(timeout=SECONDS + 180)
        elapsed = time.monotonic() - began
    log = (tmp_path / "gunicorn.log").read_text()
    errors = Counter(e for c in clients for e in c.errors)
    answers = sum(c.answers for c in clients)
    codes = [code for c in clients for code in c.requests]
    comments = [(c.email, p, cid) for c in clients for p, cid in c.comments]
    supports = [(c.email, p) for c in clients for p in c.supported]
    print(f"\n{CLIENTS} clients, {elapsed:.0f} s: {answers} answers, {answers / elapsed:.0f}/s; "
          f"{len(codes)} requests, {len(comments)} comments, {len(supports)} supports sent")
    assert not any(c.is_alive() for c in clients), "a client never finished"
    assert not errors, (errors.most_common(5), log[-3000:])
    assert codes and comments and supports

    with app.app_context():
        stored = Counter(db.session.scalars(select(Request.tracking_code).where(
            Request.tracking_code.in_(codes))))
        assert stored == Counter(set(codes)) and len(set(codes)) == len(codes)
        ids = {u.email: u.id for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
        found = {(row.author_id, row.proposal_id, row.id) for row in db.session.scalars(
            select(ProposalComment).where(ProposalComment.id.in_([cid for _, _, cid in comments])))}
        assert found == {(ids[e], p, cid) for e, p, cid in comments}
        pairs = Counter(db.session.execute(select(ProposalSupport.user_id, ProposalSupport.proposal_id)
                                           .where(ProposalSupport.user_id.in_(ids.values()))).all())
        assert pairs == Counter({(ids[e], p): 1 for e, p in supports})
        # the counters moved with every support, concurrent ones too
        counted = dict(db.session.execute(select(ProposalSupport.proposal_id, func.count())
                                          .group_by(ProposalSupport.proposal_id)).all())
        kept = dict(db.session.execute(select(Proposal.id, Proposal.support_count)).all())
        assert {p: kept[p] for p in counted} == counted
        db.session.rollback()
