"""The practice forms in a real browser: raising a practice request with JavaScript off (errors,
then "Well done", nothing created), a practice comment with JavaScript on, and axe with the
portal's page checks on every practice page, empty and with errors, in English and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser
BACK = "/en/learn/raise-and-follow-a-request/raise-a-request/4"


def _requests(live) -> int:
    from portal.feedback.models import Request

    return live.scalars(select(func.count()).select_from(Request))[0]


def test_a_practice_request_without_javascript(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    violations = collect_csp_violations(page)
    before = _requests(live_server)
    page.goto(f"/en/learn/practice/request?back={BACK}")
    expect(page.get_by_role("note")).to_contain_text("Practice form — nothing you type here is sent")
    assert_accessible(page, "en", "the practice request", False)
    page.get_by_role("button", name="Check my practice request").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the category that fits best.")
    assert_accessible(page, "en", "the practice request with errors", False)
    page.get_by_label("Pothole or damaged road").check()
    page.get_by_label("Describe the problem").fill("A deep hole in the road by the bakery.")
    page.get_by_label("Where is it?").fill("Outside the bakery")
    page.get_by_label("Area", exact=True).select_option(index=1)
    page.get_by_label("Email address").fill("practice@example.org")
    page.get_by_role("button", name="Check my practice request").click()
    expect(page.get_by_role("status")).to_contain_text("Well done — this was practice. Nothing was sent.")
    expect(page.get_by_role("main")).to_contain_text("This is an example code: no request was made.")
    assert page.get_by_role("link", name="Back to the lesson").first.get_attribute("href") == BACK
    assert_accessible(page, "en", "the practice request done", False)
    assert _requests(live_server) == before
    assert not violations, violations


def test_a_practice_comment_with_javascript(live_server, new_context):
    page = new_context().new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/learn/practice/comment")
    page.get_by_role("button", name="Publish your comment").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your comment.")
    page.get_by_label("Your comment").fill("Yes: my mother needs a place to rest.")
    page.get_by_role("button", name="Publish your comment").click()
    expect(page.get_by_role("status")).to_contain_text("Nothing was sent.")
    expect(page.locator(".user-text")).to_have_text("Yes: my mother needs a place to rest.")
    assert page.get_by_role("link", name="Back to the lesson").first.get_attribute("href") == "/en/learn/"
    assert_accessible(page, "en", "the practice comment done", True)
    assert not violations, violations


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("name", ["request", "comment", "disclosure"])
def test_every_practice_page_is_accessible(live_server, new_context, locale, name):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/{locale}/learn/practice/{name}?back=/{locale}/learn/c/l/1")
    assert_accessible(page, locale, f"the {name} practice", False)
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, locale, f"the {name} practice with errors", False)
