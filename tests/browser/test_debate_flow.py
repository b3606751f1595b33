"""A debate in a real browser, with JavaScript off and on: a member of the demo forum reads
the seeded debate, comments with a stance (a plain form post; with htmx the discussion swaps
in place and the live region says the comment is published) and endorses another member's
comment (aria-pressed). axe and the portal's page checks run on each state."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible, mark_page, same_page

pytestmark = pytest.mark.browser


@pytest.fixture
def debate_url(live_server):
    from sqlalchemy import select

    from portal.deliberation.models import Debate, Hall

    (debate_id,) = live_server.scalars(
        select(Debate.id).join(Hall, Hall.id == Debate.hall_id)
        .where(Hall.slug == "riverbend-forum", Debate.state == "open"))
    return f"/en/halls/riverbend-forum/debates/{debate_id}"


def _comment(page, text: str, stance: str) -> None:
    form = page.locator("#comment-form")
    form.get_by_label(stance, exact=True).check()
    form.get_by_label("Your comment").fill(text)
    form.get_by_role("button", name="Publish your comment").click()


def _endorse_button(page):
    """The endorse button of the neighbour's comment (its replies' buttons come after it)."""
    theirs = page.locator("article", has_text="周日我要开车").first
    return theirs.get_by_role("button", name="Endorse").first


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_member_comments_and_endorses(login_as, debate_url, javascript):
    context = login_as(RESIDENT, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/halls/riverbend-forum")
    page.get_by_role("link", name="Should the riverside road close to cars on Sundays?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Should the riverside road close to cars on Sundays?")
    assert page.url.endswith(debate_url)
    assert_accessible(page, "en", "the debate page", javascript)

    text = f"Browser comment, JavaScript {'on' if javascript else 'off'}"
    if javascript:
        mark_page(page)
    _comment(page, text, "Against")
    expect(page.locator("article", has_text=text)).to_be_visible()
    if javascript:
        expect(page.locator("#debate-status")).to_have_text("Your comment is published.")
        assert same_page(page)
    else:
        expect(page.locator("main")).to_contain_text("Your comment is published.")
    heading = page.locator("article", has_text=text).get_by_role("heading").first
    expect(heading).to_contain_text("Against")
    assert_accessible(page, "en", "the debate after a comment", javascript)

    # Endorse the Chinese-speaking neighbour's comment, then take it back.
    button = _endorse_button(page)
    before = button.get_attribute("aria-pressed")
    button.click()
    button = _endorse_button(page)
    expect(button).to_have_attribute("aria-pressed", "false" if before == "true" else "true")
    assert_accessible(page, "en", "the debate after endorsing", javascript)
    button.click()
    button = _endorse_button(page)
    expect(button).to_have_attribute("aria-pressed", before)
    assert not violations, violations
