"""Key pages stay light and talk only to their own origin.

A page's weight is what the browser fetches for it from an empty cache: the HTML and every
asset it loads (CSS, JS, images, fonts, htmx fragments it asks for at once), each counted as
served — the compressed bytes on the wire (``responseBodySize``) — measured in Chromium.
``PAGE_WEIGHT_REPORT=1`` prints the table docs/performance.md records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import ADMIN, log_in

pytestmark = pytest.mark.browser

KB = 1024
HOME_BUDGET = 60 * KB  # the home page, in every locale


@dataclass
class Weight:
    total: int
    by_kind: dict[str, int]
    rows: list[tuple[str, str, str, int]]  # (url, resource type, content-encoding, bytes)

    def breakdown(self) -> str:
        return "\n".join(f"  {size:>7} B  {kind:<10} {enc or '-':<5} {url}"
                         for url, kind, enc, size in sorted(self.rows))


def weigh(context, live_server, path: str) -> Weight:
    page = context.new_page()
    requested: list[str] = []
    responses = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: responses.append(response))
    first = page.goto(path, wait_until="networkidle")
    assert first is not None and first.status == 200, f"{path}: {first and first.status}"

    foreign = [url for url in requested if not url.startswith(live_server.origin + "/")]
    assert not foreign, "requests leaving the origin:\n" + "\n".join(foreign)

    rows = []
    for response in responses:
        if 300 <= response.status < 400:
            continue
        response.finished()
        size = response.request.sizes()["responseBodySize"]
        assert size >= 0, f"{response.url}: no size (served from a cache?)"
        encoding = response.headers.get("content-encoding", "")
        rows.append((response.url.removeprefix(live_server.origin), response.request.resource_type,
                     encoding, size))
    page.close()
    by_kind: dict[str, int] = {}
    for _url, kind, _enc, size in rows:
        by_kind[kind] = by_kind.get(kind, 0) + size
    weight = Weight(sum(by_kind.values()), by_kind, rows)
    html = next(r for r in rows if r[1] == "document")
    assert html[2] in ("br", "gzip"), f"{path}: the page is served uncompressed"
    assert {"document", "stylesheet", "script"} <= set(by_kind), by_kind
    return weight


@pytest.mark.parametrize("path", ["/en/", "/ar/"])
def test_home_page_weight_and_origin(path, live_server, context):
    weight = weigh(context, live_server, path)
    assert weight.total <= HOME_BUDGET, (
        f"{weight.total} B is over the {HOME_BUDGET} B budget:\n{weight.breakdown()}")


@pytest.fixture(scope="module")
def busy_proposal(live_server):
    """A proposal with ``BUSY`` (450) comments, as ``make bench`` loads one; removed afterwards,
    so the other browser tests see the demo city as it was."""
    from sqlalchemy import delete

    from portal.core import search
    from portal.deliberation.models import Proposal, ProposalComment, ProposalEvent
    from portal.extensions import db
    from tests.bench.seed_proposals import BUSY, bulk_proposals

    with live_server.app.app_context():
        busy = bulk_proposals(db.session, 1, BUSY)
        db.session.remove()
    yield busy
    with live_server.app.app_context():
        db.session.execute(delete(ProposalComment).where(ProposalComment.proposal_id == busy))
        db.session.execute(delete(ProposalEvent).where(ProposalEvent.proposal_id == busy))
        search.remove(db.session, "proposal", busy)
        db.session.execute(delete(Proposal).where(Proposal.id == busy))
        db.session.commit()
        db.session.remove()


def _samples(live_server, busy: int) -> dict[str, str]:
    from portal.deliberation.models import Hall, Proposal
    from portal.transparency.models import Publication

    (hall,) = live_server.scalars(select(Proposal.hall_id).group_by(Proposal.hall_id)
                                  .order_by(func.count().desc(), Proposal.hall_id).limit(1))
    assert live_server.scalars(select(Hall.id).where(Hall.id == hall))
    (publication,) = live_server.scalars(select(Publication.id).where(
        Publication.state == "published").order_by(Publication.id).limit(1))
    return {"busy": busy, "hall": hall, "publication": publication,
            "request": live_server.data["request_codes"][0]}


# (label, path with {sample} fields, signed in as, budget in KB: compressed, empty cache)
KEY_PAGES = [
    ("home", "/en/", None, 34),
    ("the tracker's list", "/en/requests", None, 34),
    ("a request", "/en/requests/{request}", None, 34),
    ("the staff queue", "/en/staff/queue/", ADMIN, 38),
    ("a hall's proposal list", "/en/proposals?hall_id={hall}", None, 34),
    ("a busy proposal (450 comments)", "/en/proposals/{busy}", None, 44),
    ("a publication", "/en/publications/{publication}", None, 34),
    ("the dashboard", "/en/transparency/dashboard", None, 38),
    ("a search", "/en/search?q=pothole", None, 34),
    ("a lesson step", "/en/learn/bigger-text-and-keyboard/make-text-bigger/2", None, 34),
]


@pytest.mark.parametrize(("label", "path", "who", "budget"), KEY_PAGES, ids=[p[0] for p in KEY_PAGES])
def test_key_page_weight(label, path, who, budget, live_server, new_context, busy_proposal):
    context = new_context()
    if who:  # signed in, then a context with the session only: an empty cache again
        log_in(context, who).close()
        context = new_context(storage_state=context.storage_state())
    url = path.format(**_samples(live_server, busy_proposal))
    weight = weigh(context, live_server, url)
    if os.environ.get("PAGE_WEIGHT_REPORT"):
        kinds = ", ".join(f"{k} {v / KB:.1f}" for k, v in sorted(weight.by_kind.items()))
        print(f"\n| {label} | `{url}` | {len(weight.rows)} | {weight.total / KB:.1f} | {kinds} | {budget} |")
        print(weight.breakdown())
    assert weight.total <= budget * KB, (
        f"{label}: {weight.total} B is over the {budget} KB budget:\n{weight.breakdown()}")
