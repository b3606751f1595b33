"""Votes in a real browser, with JavaScript off and on: the host of the demo forum creates a
poll (adding an option row with the "add another option" button, a plain form post), a member
votes on it (a plain form post) and sees the live results table; axe and the portal's page
checks run on each state. The poll pages of the demo (open and closed), the editor and its
error state are checked in English and Arabic for each role."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser


def _option(page, n: int):
    return page.get_by_label(re.compile(rf"^Question 1, option {n}\b"))


def _moment(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_host_creates_a_poll_and_a_member_votes(login_as, live_server, javascript):
    title = f"Browser poll, JavaScript {'on' if javascript else 'off'}"
    host = login_as(ADMIN, java_script_enabled=javascript).new_page()
    violations = collect_csp_violations(host)
    host.goto("/en/halls/riverbend-forum")
    host.get_by_role("link", name="Create a poll").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Create a poll")
    assert_accessible(host, "en", "the poll editor", javascript)
    host.get_by_label("Title").fill(title)
    host.get_by_label("Opens", exact=True).fill(_moment(timedelta(minutes=-5)))
    host.get_by_label("Closes", exact=True).fill(_moment(timedelta(days=7)))
    host.get_by_label("Live, while the poll is open").check()
    host.get_by_label("Wording of question 1").fill("Where should the new bench go?")
    for n, text in enumerate(["By the river", "Near the school", "At the market", "In the park"], 1):
        _option(host, n).fill(text)
    host.get_by_role("button", name="Add another option to question 1").click()
    fifth = _option(host, 5)
    expect(fifth).to_be_visible()
    expect(_option(host, 4)).to_have_value("In the park")
    fifth.fill("By the library")
    host.get_by_role("button", name="Save the poll").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    expect(host.locator("main")).to_contain_text("The poll is created.")
    assert_accessible(host, "en", "the new poll, for its host", javascript)
    poll_url = host.url

    member = login_as(RESIDENT, java_script_enabled=javascript).new_page()
    member.goto(poll_url)
    ballot = member.locator("#ballot-form")
    ballot.get_by_label("By the library").check()
    assert_accessible(member, "en", "the ballot", javascript)
    ballot.get_by_role("button", name="Cast your vote").click()
    expect(member.locator("main")).to_contain_text("Your vote is counted.")
    expect(member.locator("#your-vote + p")).to_contain_text("You voted on")
    results = member.get_by_role("table", name="Where should the new bench go?")
    expect(results.get_by_role("row", name="By the library")).to_contain_text("100.0%")
    assert member.locator("#ballot-form").count() == 0
    assert_accessible(member, "en", "the poll after voting", javascript)
    assert not violations, violations


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("who", ["anonymous", "resident", "admin"])
def test_the_poll_pages_are_accessible(locale, who, live_server, new_context, login_as):
    from sqlalchemy import select

    from portal.deliberation.models import Hall, Poll

    ids = live_server.scalars(select(Poll.id).join(Hall, Hall.id == Poll.hall_id)
                              .where(Hall.slug == "riverbend-forum").order_by(Poll.id).limit(2))
    assert len(ids) == 2
    email = {"anonymous": None, "resident": RESIDENT, "admin": ADMIN}[who]
    context = login_as(email) if email else new_context()
    page = context.new_page()
    paths = [f"/{locale}/halls/riverbend-forum"] + [f"/{locale}/halls/riverbend-forum/polls/{i}" for i in ids]
    for path in paths:
        assert page.goto(path).status == 200
        assert_accessible(page, locale, path, True)
    if who == "admin":
        page.goto(f"/{locale}/halls/riverbend-forum/polls/new")
        assert_accessible(page, locale, "the poll editor", True)
        page.locator("main form#poll-form button[type=submit]").last.click()
        expect(page.locator(".error-summary")).to_be_visible()
        assert_accessible(page, locale, "the poll editor with errors", True)
