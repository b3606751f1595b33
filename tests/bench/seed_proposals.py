"""Bulk-load the halls' proposals and their comments for ``make bench``.

``bulk_proposals(session, 10_000, 200_000)`` spreads proposals over the demo halls (written by
the demo accounts, in a few states, with their history and a search document each) and
comments over them; one proposal, the "busy" one whose id it returns, gets ``BUSY`` comments
(a third top-level, a third replies, a third replies to replies). Rows go in batches through
SQLAlchemy Core, as ``seed_requests`` does, with the counters the services would keep.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.core import search
from portal.core.models import User, utcnow
from portal.deliberation.models import Hall, Proposal, ProposalComment, ProposalEvent

BUSY = 450
WORDS = ["bench", "river", "path", "light", "market", "tree", "bus", "stop", "school", "park",
         "crossing", "library", "fountain", "bike", "lane", "长椅", "河边", "路灯", "公园", "市场"]
STATES = ["published"] * 6 + ["evaluation", "accepted", "rejected", "withdrawn"]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def bulk_proposals(session: Session, n: int, n_comments: int, batch: int = 5000,
                   seed: int = 11) -> int:
    """Load ``n`` proposals and ``n_comments`` comments; returns the busy proposal's id."""
    rng = random.Random(seed)
    halls = list(session.scalars(select(Hall).order_by(Hall.id)))
    users = [u.id for u in session.scalars(select(User).order_by(User.id))]
    now = utcnow()
    first = (session.scalar(select(Proposal.id).order_by(Proposal.id.desc()).limit(1)) or 0) + 1
    ids = list(range(first, first + n))
    busy = ids[len(ids) // 2]
    # How many comments each proposal gets: BUSY for the busy one, the rest spread at random.
    counts = dict.fromkeys(ids, 0)
    counts[busy] = BUSY
    for _ in range(max(n_comments - BUSY, 0)):
        counts[rng.choice(ids)] += 1
    counts[busy] = BUSY
    for offset in range(0, n, batch):
        rows, events, documents = [], [], []
        for i in ids[offset:offset + batch]:
            hall = halls[0] if i == busy else rng.choice(halls)  # the busy one: the city forum
            created = now - timedelta(minutes=rng.randint(10, 500_000))
            title = _words(rng, 5)[:150]
            body = _words(rng, 40)
            state = "published" if i == busy else rng.choice(STATES)
            rows.append(dict(
                id=i, hall_id=hall.id, author_id=rng.choice(users), area_id=hall.area_id,
                category_id=None, title=title, body=body, body_html=f"<p>{body}</p>",
                source_locale="en", state=state, published=True,
                support_count=rng.randint(0, 40), comment_count=counts[i], department_id=None,
                withdraw_reason="Done elsewhere." if state == "withdrawn" else "",
                answer_note="", answered_at=None, progress=30 if state == "accepted" else 0,
                created_at=created, published_at=created))
            events += [dict(proposal_id=i, kind=k, state=state, actor_id=None, note="", data={},
                            created_at=created) for k in ("created", "published")]
            documents.append(search.Document(i, title=title, body=body,
                                             public=True))
        session.execute(insert(Proposal), rows)
        session.execute(insert(ProposalEvent), events)
        search.bulk_index(session, "proposal", documents, replace=False)
        session.commit()
    _comments(session, rng, counts, users, now, batch)
    return busy


def _comments(session: Session, rng: random.Random, counts: dict[int, int], users: list[int],
              now, batch: int) -> None:
    next_id = (session.scalar(select(ProposalComment.id).order_by(ProposalComment.id.desc())
                              .limit(1)) or 0) + 1
    rows: list[dict] = []
    for proposal_id, count in counts.items():
        level: dict[int, list[int]] = {1: [], 2: []}
        for k in range(count):
            # a third top-level, a third replies, a third replies to replies (where possible)
            depth = 1 + k % 3 if k >= 3 else 1
            parent = None
            if depth == 3 and level[2]:
                parent = rng.choice(level[2][-20:])
            elif depth >= 2 and level[1]:
                parent, depth = rng.choice(level[1][-20:]), 2
            else:
                depth = 1
            rows.append(dict(id=next_id, proposal_id=proposal_id, parent_id=parent, depth=depth,
                             author_id=rng.choice(users), body=_words(rng, 25), locale="en",
                             created_at=now - timedelta(minutes=count - k), hidden=False,
                             hidden_reason=""))
            if depth < 3:
                level[depth].append(next_id)
            next_id += 1
            if len(rows) >= batch:
                session.execute(insert(ProposalComment), rows)
                rows = []
    if rows:
        session.execute(insert(ProposalComment), rows)
    session.commit()
