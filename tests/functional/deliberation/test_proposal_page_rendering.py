"""A signed-in proposal page's cost (docs/performance.md): the reader's hall membership looked
up once, forms made only where shown, and the unchanged forms (amendment, comment, support)
rendered once per locale and then kept (portal.core.rendering.kept_fragment) with each reader's
CSRF token and each proposal's URLs put in; a refused form is shown as posted."""

from __future__ import annotations

import re

import pytest

from tests.functional.deliberation import test_proposal_comments as base
from tests.functional.feedback.test_staff_page_rendering import macro_calls
from tests.functional.moderation.support import clients
from tests.functional.support import QueryCounter, page

world = base.world  # the halls' comment tests' world: a hall, its members, a proposal
_proposal = base._proposal


@pytest.fixture
def client_for(app, db_session):
    return clients(app)


def _forms(html: str) -> dict[str, str]:
    found = re.findall(r'<form method="post"(?: id="[^"]+")? action="([^"]+)"[^>]*>\s*<input[^>]*'
                       r'name="[a-z]*-?csrf_token"[^>]*value="([^"]+)"', html)
    return {action: token for action, token in found if "/proposals/" in action}


def test_a_member_s_page_looks_the_membership_up_once(client, world, login, app, monkeypatch):
    from portal.extensions import db

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    login(world["ben"])  # a member, not the author: may amend, support and comment
    client.get(world["url"])
    with QueryCounter(db.engine) as counter:
        html = client.get(world["url"]).get_data(as_text=True)
    assert 'id="comment-form"' in html and "/amendments" in html and "/support" in html
    lookups = [s for s in counter.statements if re.search(r"(FROM|JOIN) hall_member\b", s)]
    assert len(lookups) == 1, lookups
    assert not any("FROM proposal_milestone" in s for s in counter.statements)  # not accepted
    assert len(counter.statements) <= 12, counter.statements  # with SAVEPOINT: 15 before


def test_the_forms_are_kept_and_get_each_readers_token_and_url(world, client_for, app, monkeypatch,
                                                               db_session):
    second = _proposal(db_session, world["ann"], world["hall"], "A second one")
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    ben, host = client_for(world["ben"]), client_for(world["host"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ben.get(world["url"])
    with macro_calls(monkeypatch) as seen:
        html = ben.get(f"/en/proposals/{second.id}").get_data(as_text=True)
    assert "textarea" not in seen, seen  # the amendment and comment forms came from memory
    forms = _forms(html)
    assert {f"/en/proposals/{second.id}/amendments", f"/en/proposals/{second.id}/support",
            f"/en/proposals/{second.id}/comments"} <= set(forms)
    assert not any(f"/proposals/{world['proposal'].id}/" in action for action in forms)
    assert f'hx-post="/en/proposals/{second.id}/comments"' in html
    own = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
    assert set(forms.values()) == {own}
    assert "\x02" not in html and "\x03" not in html
    other = host.get(f"/en/proposals/{second.id}").get_data(as_text=True)  # staff, a member
    token = re.search(r'name="csrf-token" content="([^"]+)"', other)[1]
    assert set(_forms(other).values()) == {token} != {own}
    response = ben.post(f"/en/proposals/{second.id}/support", data={"csrf_token": own})
    assert response.status_code == 303
    shown = ben.get(f"/en/proposals/{second.id}").get_data(as_text=True)
    assert f"/en/proposals/{second.id}/unsupport" in _forms(shown)


def _amendment(response, url):
    form = page(response).one("form", action=url + "/amendments")
    return form.parent


def test_a_refused_form_is_shown_as_posted_then_the_kept_one_again(world, client_for, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    ben, url = client_for(world["ben"]), world["url"]
    ben.get(url)
    refused = ben.post(url + "/amendments", data={"body": "\x01 kept text"})
    assert refused.status_code == 422
    details = _amendment(refused, url)
    assert details.tag == "details" and "open" in details.attrs
    assert details.find(class_="error-message") and "kept text" in details.text
    again = _amendment(ben.get(url), url)
    assert "open" not in again.attrs and not again.find(class_="error-message")
    assert "kept text" not in again.text
    refused = ben.post(url + "/comments", data={"comment-body": "\x01 my comment"})
    assert refused.status_code == 422
    form = page(refused).one("form", id="comment-form")
    assert form.find(class_="error-message") and "my comment" in form.text
    form = page(ben.get(url)).one("form", id="comment-form")
    assert not form.find(class_="error-message") and "my comment" not in form.text


@pytest.fixture
def kept(app, monkeypatch):
    """The page cache on (kept fragments), with nothing kept from another test."""
    from portal.core import cache as page_cache

    page_cache.clear_local()
    monkeypatch.setitem(app.config, "PAGE_CACHE", True)
    yield
    page_cache.clear_local()


def test_the_history_and_meeting_decisions_are_kept_per_proposal_until_a_change(
        world, client_for, kept, db_session):
    from portal.deliberation import meetings
    from portal.deliberation.models import ProposalEvent
    from portal.extensions import db
    from tests.functional.deliberation.test_meetings import _data, _start_now

    ben, url = client_for(world["ben"]), world["url"]
    ben.get(url)
    with QueryCounter(db.engine) as counter:
        html = ben.get(url).get_data(as_text=True)
    assert "Proposal published" in html
    assert not any("FROM proposal_event" in s or "FROM meeting_decision" in s for s in counter.statements)
    assert len(counter.statements) <= 10, counter.statements  # 12 when nothing is kept
    # a new event and a meeting's decision replace what was kept, for every reader
    db_session.add(ProposalEvent(proposal_id=world["proposal"].id, kind="edited", state="published",
                                 actor_id=world["ann"].id, note="", data={}))
    db_session.commit()
    assert "Proposal edited by the author" in ben.get(url).get_data(as_text=True)
    meeting = meetings.schedule(db_session, world["host"], world["hall"], _data())
    _start_now(db_session, meeting)
    meetings.add_decision(db_session, world["host"], world["hall"], meeting, "Three benches.",
                          world["proposal"].id, "en")
    for reader in (ben, client_for(world["outsider"])):
        block = page(reader.get(url)).by_id("meeting-decisions-heading").parent
        assert "Budget evening" in block.text and "Three benches." in block.text
    other = _proposal(db_session, world["ann"], world["hall"], "Another one")
    shown = page(ben.get(f"/en/proposals/{other.id}"))  # each proposal its own
    assert shown.by_id("meeting-decisions-heading") is None and "Three benches." not in shown.text
    assert "Proposal edited by the author" not in shown.text


def _follow_forms(html: str) -> dict[str, str]:
    found = re.findall(r'<form method="post" action="([^"]+)"[^>]*>\s*<input[^>]*'
                       r'name="[a-z]*-?csrf_token"[^>]*value="([^"]+)"', html)
    return {action: token for action, token in found if "/follow/" in action}


def test_the_follow_block_is_kept_and_gets_each_readers_state_token_and_url(
        world, client_for, app, monkeypatch, db_session):
    from portal.deliberation import follows

    second = _proposal(db_session, world["ann"], world["hall"], "A second one")
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    ben, host = client_for(world["ben"]), client_for(world["host"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ben.get(world["url"])
    with macro_calls(monkeypatch) as seen:
        html = ben.get(f"/en/proposals/{second.id}").get_data(as_text=True)
    assert "select" not in seen, seen  # the follow form came from memory
    own = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
    assert _follow_forms(html) == {f"/en/follow/proposal/{second.id}": own}
    assert f'hx-post="/en/follow/proposal/{second.id}"' in html
    assert "\x02" not in html and "\x03" not in html
    other = host.get(f"/en/proposals/{second.id}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', other)[1]
    assert _follow_forms(other) == {f"/en/follow/proposal/{second.id}": token} != {own}
    # following changes what the block shows (and only for the one who follows)
    follows.follow(db_session, world["ben"], "proposal", second.id, "daily")
    db_session.commit()
    shown = ben.get(f"/en/proposals/{second.id}").get_data(as_text=True)
    now = re.search(r'name="csrf-token" content="([^"]+)"', shown)[1]  # signed anew each page
    assert _follow_forms(shown) == {f"/en/follow/proposal/{second.id}": now,
                                    f"/en/follow/proposal/{second.id}/unfollow": now}
    assert 'value="daily" selected' in shown or 'selected value="daily"' in shown
    assert "/unfollow" not in host.get(f"/en/proposals/{second.id}").get_data(as_text=True)
    assert "/unfollow" not in ben.get(world["url"]).get_data(as_text=True)


_READER_TABLES = re.compile(r"(FROM|JOIN) (hall_member|proposal_support|follow|posting_block)\b")


def test_the_readers_own_facts_are_one_statement_and_shown(world, client_for, kept, db_session):
    """Membership, support, follow and posting block: one statement for a member and for an
    outsider (four before), and each says on the page what it should."""
    from portal.deliberation import follows
    from portal.deliberation import proposals as services
    from portal.extensions import db
    from portal.moderation.models import PostingBlock

    url = world["url"]
    for who in ("ben", "outsider"):
        reader = client_for(world[who])
        reader.get(url)
        with QueryCounter(db.engine) as counter:
            assert reader.get(url).status_code == 200
        facts = [s for s in counter.statements if _READER_TABLES.search(s)]
        assert len(facts) == 1, facts
        # 11 before (with SAVEPOINT and its rollback, the author with roles); 7 now
        assert len(counter.statements) <= 7, "\n".join(s[:100] for s in counter.statements)
    ben = client_for(world["ben"])
    html = ben.get(url).get_data(as_text=True)
    assert 'id="comment-form"' in html and "You support this proposal." not in html
    assert f"/follow/proposal/{world['proposal'].id}/unfollow" not in html
    services.support(db_session, world["ben"], world["proposal"])
    follows.follow(db_session, world["ben"], "proposal", world["proposal"].id, "daily")
    db_session.add(PostingBlock(user_id=world["ben"].id, reason="spam", blocked_by_id=world["host"].id))
    db_session.commit()
    html = ben.get(url).get_data(as_text=True)
    assert "You support this proposal." in html
    assert f"/follow/proposal/{world['proposal'].id}/unfollow" in html
    assert 'id="comment-form"' not in html  # blocked from posting
    outsider = client_for(world["outsider"]).get(url).get_data(as_text=True)
    assert "You support this proposal." not in outsider and 'id="comment-form"' not in outsider
