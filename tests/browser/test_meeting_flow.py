"""Meetings in a real browser, with JavaScript off and on: a member of the demo forum opens the
upcoming meeting from the hall's page, gives back their place and registers again (a plain form
post; with htmx the registration box swaps in place and the live region says what happened),
and sees the registration code and the online link; a host schedules a meeting, with a refused
submission first. axe and the portal's page checks run on each state, and on every meeting
page in a left-to-right and a right-to-left locale."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, RESIDENT, collect_csp_violations
from tests.browser.test_accessibility import check_page
from tests.browser.test_feedback_flow import assert_accessible, mark_page, same_page

pytestmark = pytest.mark.browser

UPCOMING = "Open evening on next year's budget"


@pytest.fixture
def meetings(live_server):
    from sqlalchemy import select

    from portal.core.models import utcnow
    from portal.deliberation.models import Hall, Meeting, MeetingAgendaItem

    rows = live_server.scalars(
        select(Meeting).join(Hall, Hall.id == Meeting.hall_id).where(Hall.slug == "riverbend-forum")
        .order_by(Meeting.starts_at))
    upcoming = next(m.id for m in rows if m.starts_at > utcnow() and m.title == UPCOMING)
    past = next(m.id for m in rows if m.ends_at < utcnow())
    (item,) = live_server.scalars(select(MeetingAgendaItem.id).where(
        MeetingAgendaItem.meeting_id == upcoming).order_by(MeetingAgendaItem.id).limit(1))
    return {"upcoming": upcoming, "past": past, "item": item,
            "base": "/{locale}/halls/riverbend-forum/meetings"}


def _said(page, javascript: bool, text: str) -> None:
    if javascript:
        expect(page.locator("#meeting-status")).to_contain_text(text)
        assert same_page(page)
    else:
        expect(page.locator("main")).to_contain_text(text)


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_member_gives_back_a_place_and_registers_again(login_as, meetings, javascript):
    context = login_as(RESIDENT, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/halls/riverbend-forum")
    page.get_by_role("link", name=UPCOMING).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UPCOMING)
    assert page.url.endswith(f"/en/halls/riverbend-forum/meetings/{meetings['upcoming']}")
    assert_accessible(page, "en", "the meeting page", javascript)

    box = page.locator("#meeting-registration")
    cancel = box.get_by_role("button", name="Cancel my registration")
    if cancel.count():  # the seed registered the resident; the other run may have too
        if javascript:
            mark_page(page)
        cancel.click()
        _said(page, javascript, "Your registration is cancelled.")
        expect(page.locator("#meeting-registration")).not_to_contain_text("meet.riverbend.example.org")
        assert_accessible(page, "en", "the meeting after cancelling", javascript)

    if javascript:
        mark_page(page)
    page.locator("#meeting-registration").get_by_role("button", name="Register").click()
    _said(page, javascript, "You are registered.")
    box = page.locator("#meeting-registration")
    expect(box).to_contain_text("Registered")
    expect(box.locator(".request-code")).to_have_text(re.compile(r"^M-[0-9A-F]{8}$"))
    expect(box.get_by_role("link", name="https://meet.riverbend.example.org/budget")).to_be_visible()
    assert_accessible(page, "en", "the meeting after registering", javascript)
    assert not violations, violations


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_host_schedules_a_meeting(login_as, javascript):
    from portal.core.models import utcnow

    context = login_as(ADMIN, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/halls/riverbend-forum")
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a meeting")
    title = f"Browser meeting, JavaScript {'on' if javascript else 'off'}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Link to the online meeting").fill("javascript:alert(1)")
    page.get_by_role("button", name="Schedule the meeting").click()
    summary = page.locator(".error-summary")
    if javascript:  # data-autofocus is the portal's script
        expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a date and a time.")
    expect(page.locator("#online_url-error")).to_contain_text("https://")
    expect(page.get_by_label("Title")).to_have_value(title)
    assert_accessible(page, "en", "the refused meeting form", javascript)

    start = (utcnow() + timedelta(days=30)).replace(hour=18, minute=30)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Link to the online meeting").fill("https://meet.example.org/browser")
    page.get_by_label("Places").fill("5")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("The meeting is scheduled.")
    page.get_by_role("link", name="Manage this meeting").click()
    page.get_by_label("Agenda item").fill("Welcome")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator("main")).to_contain_text("The agenda item is added.")
    assert_accessible(page, "en", "the manage page", javascript)
    assert not violations, violations


@pytest.mark.parametrize("locale", ["en", "ar", "ug", "zh-Hans"])
@pytest.mark.parametrize("who", ["anonymous", "host"])
def test_every_meeting_page_is_accessible(locale, who, login_as, new_context, meetings):
    context = login_as(ADMIN, bypass_csp=True) if who == "host" else new_context(bypass_csp=True)
    page = context.new_page()
    base = meetings["base"].format(locale=locale)
    upcoming, past = f"{base}/{meetings['upcoming']}", f"{base}/{meetings['past']}"
    paths = [f"/{locale}/halls/riverbend-forum", upcoming, past]
    if who == "host":
        paths += [f"{base}/new", f"{upcoming}/edit", f"{upcoming}/manage", f"{past}/manage",
                  f"{upcoming}/agenda/{meetings['item']}/edit"]
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        found, _links = check_page(page, locale)
        problems.extend(found)
    assert not problems, "\n".join(problems)
