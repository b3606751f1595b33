"""Reports in a real browser, with JavaScript off and on: a member of the demo forum reports a
comment through the report form page (a plain form post either way); a moderator opens the
demo's reported comment from the staff queue and hides it, with a reason; anonymous readers then
see the placeholder. axe and the portal's page checks run on each page, in English and Arabic
(right to left) for the report form and the queue's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser

MODERATOR = "moderator@riverbend.example.org"
SPAM = "Cheap watches and phones"


@pytest.fixture
def debate_url(live_server):
    from sqlalchemy import select

    from portal.deliberation.models import Debate, Hall

    (debate_id,) = live_server.scalars(
        select(Debate.id).join(Hall, Hall.id == Debate.hall_id)
        .where(Hall.slug == "riverbend-forum", Debate.state == "open"))
    return f"/en/halls/riverbend-forum/debates/{debate_id}"


# JavaScript off: the admin's comment; on: the Chinese-speaking neighbour's.
COMMENTS = {False: "The hosts will ask the clinic", True: "周日我要开车"}


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_member_reports_a_comment(login_as, debate_url, javascript):
    context = login_as(RESIDENT, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto(debate_url)
    comment = page.locator("article", has_text=COMMENTS[javascript]).last  # the innermost
    comment.get_by_role("link", name=re.compile(r"^Report the comment by ")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report content")
    assert_accessible(page, "en", "the report form", javascript)
    page.get_by_role("button", name="Send the report").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("Choose why you report it.")
    assert_accessible(page, "en", "the report form with an error", javascript)
    page.get_by_label("Off topic for this hall").check()
    page.get_by_label("Anything moderators should know").fill("Not about the road.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("main")).to_contain_text("Thank you: your report is sent to the moderators.")
    assert "/debates/" in page.url
    # Once only: the form says so the second time.
    page.goto(page.url.split("#")[0])
    comment = page.locator("article", has_text=COMMENTS[javascript]).last  # the innermost
    comment.get_by_role("link", name=re.compile(r"^Report the comment by ")).first.click()
    expect(page.locator("main")).to_contain_text("You have already reported this.")
    assert not violations, violations


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_moderator_hides_a_reported_comment_from_the_queue(login_as, new_context, live_server,
                                                             debate_url, javascript):
    context = login_as(MODERATOR, java_script_enabled=javascript)
    page = context.new_page()
    violations = collect_csp_violations(page)
    # With the rows that are done: the first run hides it, the second finds it again.
    page.goto("/en/staff/queue/?done=y")
    page.locator("tr", has_text=SPAM).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reported comment R-")
    assert_accessible(page, "en", "the queue's page of a reported comment", javascript)
    page.get_by_role("button", name="Save the decision").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_label("Hide it", exact=True).check()
    page.get_by_label("Reason", exact=True).select_option("spam")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("main")).to_contain_text("The content is hidden; its author is told why.")
    assert_accessible(page, "en", "the queue's page after hiding", javascript)

    reader = new_context(java_script_enabled=javascript).new_page()
    reader.goto(debate_url)
    expect(reader.locator("main")).to_contain_text("This comment was hidden by a moderator.")
    expect(reader.locator("main")).not_to_contain_text(SPAM)
    assert not violations, violations


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_report_pages_are_accessible(login_as, live_server, locale):
    from sqlalchemy import select

    from portal.deliberation.models import DebateComment
    from portal.moderation.models import ReportedItem

    comment_id = live_server.scalars(select(DebateComment.id).where(
        DebateComment.locale == "zh-Hans").order_by(DebateComment.id).limit(1))[0]
    reported = live_server.scalars(select(ReportedItem.id).order_by(ReportedItem.id))
    admin = login_as("admin@riverbend.example.org").new_page()
    for path in [f"/{locale}/report/debate_comment/{comment_id}",
                 *[f"/{locale}/staff/queue/reports/{r}" for r in reported]]:
        response = admin.goto(path)
        assert response.status == 200, path
        assert_accessible(admin, locale, path, True)
