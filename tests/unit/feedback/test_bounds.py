# ruff: noqa: F811 (the fixture loop comes from test_loop)
"""Safety fixes of the tracker's services: removing one's details takes the position too."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from portal.feedback import services
from portal.feedback.models import RequestEvent
from tests.unit.feedback.test_loop import loop, submit  # noqa: F401


def test_removing_my_details_clears_the_exact_position(loop, db_session):
    resident = loop.users["resident"]
    item = submit(loop, resident, latitude=47.0402, longitude=8.0551, address_id="addr-0042")
    services.withdraw(db_session, resident, item, "Fixed by a neighbour")
    services.remove_personal_data(db_session, resident, item)
    db_session.expire_all()
    assert (item.latitude, item.longitude, item.address_id) == (None, None, None)
    assert item.personal_data_removed_at is not None


# --- the public verification: internal events sealed with a secret salt --------------------

def _events(session, item):
    return list(session.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                .order_by(RequestEvent.seq)))


def _handled(loop, db_session):
    resident, roads = loop.users["resident"], loop.users["roads"]
    item = submit(loop, resident)
    services.acknowledge(db_session, roads, item, "We will look at it.")
    services.assign(db_session, roads, item, roads)
    services.note(db_session, roads, item, "Crew B, Tuesday")
    services.start_work(db_session, roads, item, "Crew on the way.")
    return item


def test_new_events_are_sealed_with_a_secret_salt_and_verify(loop, db_session):
    item = _handled(loop, db_session)
    events = _events(db_session, item)
    assert {e.hash_version for e in events} == {services.HASH_VERSION}
    assert all(e.salt and len(e.salt) == 32 for e in events)
    assert len({e.salt for e in events}) == len(events)
    assert services.verify(db_session, item).ok


def test_anyone_can_recompute_a_public_event_from_what_is_published(loop, db_session):
    item = _handled(loop, db_session)
    previous = None
    for event in _events(db_session, item):
        published = services.public_canonical(event)
        if services.is_internal(event):
            assert published is None
        else:
            assert hashlib.sha256(published.encode()).hexdigest() == event.hash
            record = json.loads(published)
            assert record["prev"] == (previous or "")
            assert len(record["minute"]) == 16  # 2026-03-01T08:15: no seconds
            assert event.salt not in published and str(event.created_at.microsecond) not in published
        previous = event.hash


def test_an_internal_event_cannot_be_recovered_by_guessing(loop, db_session):
    item = _handled(loop, db_session)
    assigned = next(e for e in _events(db_session, item) if e.kind == "assigned")
    assert assigned.data["assignee"] == loop.users["roads"].id
    # Everything but the salt is known or guessable (the staff id, the exact time): without
    # the salt, the guess does not give the published hash.
    guess = RequestEvent(**{c: getattr(assigned, c) for c in (
        "request_id", "seq", "created_at", "actor_id", "actor_role", "kind", "from_state",
        "to_state", "public_text", "internal_note", "data", "prev_hash", "hash_version")})
    assert services.event_hash(guess) != assigned.hash
    guess.salt = assigned.salt
    assert services.event_hash(guess) == assigned.hash


def test_changing_an_internal_event_breaks_the_chain(loop, db_session):
    item = _handled(loop, db_session)
    assigned = next(e for e in _events(db_session, item) if e.kind == "assigned")
    assigned.data = {"assignee": loop.users["resident"].id}
    db_session.flush()
    result = services.verify(db_session, item)
    assert not result.ok and result.broken_at == assigned.seq


def test_chains_from_before_version_2_still_verify_and_can_grow(loop, db_session, factories):
    (item,) = factories.feedback_requests(1, loop.categories["pothole"], loop.areas["north-hill"],
                                          loop.departments["roads"], resident=loop.users["resident"])
    old = _events(db_session, item)
    assert {e.hash_version for e in old} == {1} and all(e.salt is None for e in old)
    assert services.verify(db_session, item).ok
    services.record(db_session, item, None, "reminded")
    db_session.flush()
    events = _events(db_session, item)
    assert [e.hash_version for e in events] == [1] * len(old) + [2]
    assert services.verify(db_session, item).ok
