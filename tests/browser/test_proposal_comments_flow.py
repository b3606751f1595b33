"""Proposal comments in a real browser, with JavaScript off and on: a member of the demo forum
reads the seeded thread on the benches proposal (headings per comment, replies in named lists),
comments (a plain form post; with htmx the discussion swaps in place and the live region says
the comment is published) and replies to a neighbour. axe and the page checks run on each
state, in English and in Arabic (right to left)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible, mark_page, same_page

pytestmark = pytest.mark.browser

TITLE = "Benches along the riverside path"


@pytest.fixture
def proposal_url(live_server):
    from sqlalchemy import select

    from portal.deliberation.models import Proposal

    (proposal_id,) = live_server.scalars(select(Proposal.id).where(Proposal.title == TITLE))
    return f"/proposals/{proposal_id}"


def _publish(page, text: str) -> None:
    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill(text)
    form.get_by_role("button", name="Publish your comment").click()


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_member_comments_and_replies(login_as, proposal_url, javascript):
    context = login_as(RESIDENT, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/proposals?sort=commented")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.url.endswith("/en" + proposal_url)
    thread = page.locator("section.proposal-thread")
    expect(thread.get_by_role("heading", level=2)).to_contain_text("Comments")
    expect(thread.get_by_role("heading", level=3).first).to_be_visible()
    expect(thread.get_by_role("list", name="Replies to", exact=False).first).to_be_visible()
    assert_accessible(page, "en", "the proposal with its thread", javascript)

    text = f"Browser comment on a proposal, JavaScript {'on' if javascript else 'off'}"
    if javascript:
        mark_page(page)
    _publish(page, text)
    expect(page.locator("article", has_text=text)).to_be_visible()
    if javascript:
        expect(page.locator("#proposal-status")).to_have_text("Your comment is published.")
        assert same_page(page)
    else:
        expect(page.locator("main")).to_contain_text("Your comment is published.")
    assert_accessible(page, "en", "the proposal after a comment", javascript)

    # Reply to the Chinese-speaking neighbour's comment: the reply is nested under it.
    neighbour = page.locator("article", has_text="长椅真的很需要").first
    neighbour.get_by_role("link", name="Reply to", exact=False).first.click()
    expect(page.locator("#comment-form")).to_contain_text("You are replying to")
    reply = f"A reply, JavaScript {'on' if javascript else 'off'}"
    _publish(page, reply)
    nested = page.locator("article", has_text="长椅真的很需要").first.locator("article", has_text=reply)
    expect(nested).to_be_visible()
    assert_accessible(page, "en", "the proposal after a reply", javascript)
    assert not violations, violations


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_the_thread_is_accessible_right_to_left(new_context, login_as, proposal_url, signed_in):
    context = login_as(RESIDENT) if signed_in else new_context()
    page = context.new_page()
    page.goto("/ar" + proposal_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("section.proposal-thread article").first).to_be_visible()
    assert_accessible(page, "ar", "the proposal's thread in Arabic", True)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_halls_debate_list_is_accessible(new_context, locale):
    page = new_context().new_page()
    page.goto(f"/{locale}/halls/riverbend-forum/debates")
    expect(page.locator("li.debate-summary").first).to_be_visible()
    assert_accessible(page, locale, "a hall's debate list", True)
