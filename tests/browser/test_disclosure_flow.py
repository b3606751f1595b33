"""A disclosure request in a real browser with JavaScript off: a resident finds the department
with the responsibility list's lookup, asks (public), reads the acknowledgement with its
deadline; the department's staff answer from the queue; an anonymous reader sees the answer.
axe and the portal's page checks run on each page, and on the new pages in Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser
ROADS = "roads@riverbend.example.org"


def test_ask_and_the_department_answers_without_javascript(login_as, new_context):
    context = login_as(RESIDENT, java_script_enabled=False)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Information disclosure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Information disclosure")
    assert_accessible(page, "en", "the disclosure index", False)
    page.get_by_role("main").get_by_role("link", name="Ask for information").click()
    page.get_by_label("Topic").select_option(label="Pothole or damaged road")
    page.get_by_label("Area").select_option(label="Riverbend")
    page.get_by_role("button", name="Find the department").click()
    expect(page.get_by_role("status")).to_contain_text("Roads and Transport Bureau is in charge")
    assert_accessible(page, "en", "the ask form with a suggestion", False)
    page.get_by_label("The information you ask for").fill("Browser: the 2026 pothole repair contracts.")
    page.get_by_label("Public: anyone may read the request").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request is received")
    expect(page.get_by_role("main")).to_contain_text("The clock started on")
    expect(page.get_by_role("main")).to_contain_text("the answer is due by")
    code = page.locator(".request-code").first.inner_text()
    assert_accessible(page, "en", "the acknowledgement", False)

    staff = login_as(ROADS, java_script_enabled=False).new_page()
    staff.goto("/en/staff/queue")
    staff.get_by_role("link", name=code).first.click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(code)
    assert_accessible(staff, "en", "the request's staff page", False)
    staff.get_by_role("button", name="Send the answer").click()  # nothing chosen: an error
    expect(staff.get_by_role("alert")).to_contain_text("Choose the kind of answer.")
    staff.get_by_label("Published already (give the link)").check()
    staff.get_by_role("textbox", name="Link").fill("https://riverbend.example.org/roads/contracts-2026")
    staff.get_by_role("button", name="Send the answer").click()
    expect(staff.get_by_role("main")).to_contain_text("The answer is sent to the requester.")

    reader = new_context(java_script_enabled=False).new_page()
    reader.goto(f"/en/disclosure/requests/{code}")
    expect(reader.get_by_role("main")).to_contain_text("The information is published already")
    expect(reader.get_by_role("link", name="https://riverbend.example.org/roads/contracts-2026")).to_be_visible()
    assert reader.locator("form[method=post]").count() == 0
    assert_accessible(reader, "en", "the public answered request", False)
    assert not violations, violations


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_the_new_pages_in_arabic(login_as, live_server, javascript):
    from sqlalchemy import select

    from portal.transparency.models import DisclosureRequest

    codes = live_server.scalars(select(DisclosureRequest.tracking_code).where(
        DisclosureRequest.public.is_(True)).order_by(DisclosureRequest.id))
    page = login_as(ROADS, java_script_enabled=javascript).new_page()
    for path in ["/ar/disclosure", "/ar/disclosure/ask", "/ar/disclosure/mine",
                 *(f"/ar/disclosure/requests/{c}" for c in codes[:3])]:
        page.goto(path)
        assert_accessible(page, "ar", path, javascript)
