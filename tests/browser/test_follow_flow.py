"""Following in a real browser, with JavaScript off and on: a resident follows a neighbour's
proposal from its page choosing a daily summary (a plain form post; with htmx the block swaps
in place and the live region says so), finds it on "What you follow" from the account page,
changes how often, and unfollows it there. axe and the portal's page checks run on each state,
in English and in Arabic (right to left)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible, mark_page, same_page

pytestmark = pytest.mark.browser

TITLE = "河邊步道加裝路燈"  # the demo's accepted proposal, written by another resident


@pytest.fixture
def proposal_id(live_server):
    from sqlalchemy import select

    from portal.deliberation.models import Proposal

    (found,) = live_server.scalars(select(Proposal.id).where(Proposal.title == TITLE))
    return found


def _block(page):
    return page.locator("#follow-block")


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_follow_and_unfollow_a_proposal(login_as, proposal_id, javascript):
    context = login_as(RESIDENT, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto(f"/en/proposals/{proposal_id}")
    block = _block(page)
    if block.get_by_role("button", name="Unfollow").count():  # left over from another run
        block.get_by_role("button", name="Unfollow").click()
    expect(_block(page).get_by_role("button", name="Follow", exact=True)).to_be_visible()
    assert_accessible(page, "en", "a proposal one does not follow", javascript)

    if javascript:
        mark_page(page)
    _block(page).get_by_label("How often to hear about it").select_option("daily")
    _block(page).get_by_role("button", name="Follow", exact=True).click()
    expect(_block(page)).to_contain_text("You follow it")
    done = "You follow it. How often you hear about it is saved."
    if javascript:
        expect(page.locator("#follow-status")).to_have_text(done)
        assert same_page(page)
    else:
        expect(page.locator("main")).to_contain_text(done)
    expect(_block(page).get_by_label("How often to hear about it")).to_have_value("daily")
    assert_accessible(page, "en", "a followed proposal", javascript)

    # What you follow, from the account page
    page.goto("/en/account/settings")
    page.get_by_role("link", name="What you follow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What you follow")
    row = page.locator("li.follow-row", has_text=TITLE)
    expect(row.get_by_role("link", name=TITLE)).to_have_attribute("lang", "zh-Hant")
    assert_accessible(page, "en", "what you follow", javascript)
    row.get_by_label("How often to hear about it").select_option("none")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("How often you hear about it is saved.")
    row = page.locator("li.follow-row", has_text=TITLE)
    expect(row.get_by_label("How often to hear about it")).to_have_value("none")

    page.goto("/ar/account/following")
    assert_accessible(page, "ar", "what you follow, in Arabic", javascript)
    page.goto("/en/account/following")
    page.locator("li.follow-row", has_text=TITLE).get_by_role("button", name="Unfollow").click()
    expect(page.locator("main")).to_contain_text("You no longer follow it.")
    expect(page.locator("li.follow-row", has_text=TITLE)).to_have_count(0)

    page.goto(f"/ar/proposals/{proposal_id}")
    assert_accessible(page, "ar", "a proposal, in Arabic", javascript)
    if javascript:  # unfollow from the page too: the block swaps, the live region says so
        page.goto(f"/en/proposals/{proposal_id}")
        _block(page).get_by_role("button", name="Follow", exact=True).click()
        expect(_block(page).get_by_role("button", name="Unfollow")).to_be_visible()
        mark_page(page)
        _block(page).get_by_role("button", name="Unfollow").click()
        expect(page.locator("#follow-status")).to_have_text("You no longer follow it.")
        expect(_block(page).get_by_role("button", name="Follow", exact=True)).to_be_visible()
        assert same_page(page)
    assert not violations, violations
