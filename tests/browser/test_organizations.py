"""Organizations in a real browser: a resident registers one with JavaScript off (an error
first, then sent); the dispatcher finds it in the queue and verifies it; a reader finds it in
the directory by kind of service and opens its page. axe and the portal's page checks on each
page, and the directory's pages in Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser
DISPATCHER = "dispatcher@riverbend.example.org"


def test_register_verify_and_find_without_javascript(login_as, new_context):
    context = login_as(RESIDENT, java_script_enabled=False)
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto("/en/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find help: social organizations")
    assert_accessible(page, "en", "the directory", False)
    page.get_by_role("main").get_by_role("link", name="Register your organization").click()
    page.get_by_label("Name of the organization").fill("Browser Legal Help")
    page.get_by_role("button", name="Register").click()  # nothing else given: errors
    expect(page.get_by_role("alert")).to_contain_text("Say what the organization does.")
    assert_accessible(page, "en", "the registration form with errors", False)
    page.get_by_label("What it does").fill("Free legal advice on tenancy, in plain language.")
    page.get_by_label("Legal aid").check()
    page.get_by_label("Harbour District").check()
    page.get_by_label("Email address").fill("help@browserlegal.example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("main")).to_contain_text("waits for verification")
    assert_accessible(page, "en", "the organization's own page", False)

    staff = login_as(DISPATCHER, java_script_enabled=False).new_page()
    staff.goto("/en/staff/queue")
    staff.get_by_role("link", name="browser-legal-help").first.click()
    assert_accessible(staff, "en", "the verification page", False)
    staff.get_by_role("button", name="Verify the organization").click()
    expect(staff.get_by_role("main")).to_contain_text("The organization is verified.")

    reader = new_context(java_script_enabled=False).new_page()
    reader.goto("/en/organizations")
    reader.get_by_label("Kind of service").select_option(label="Legal aid")
    reader.get_by_role("main").get_by_role("button", name="Search").click()
    reader.get_by_role("link", name="Browser Legal Help").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Browser Legal Help")
    assert reader.locator("form[method=post]").count() == 0
    assert_accessible(reader, "en", "an organization's page", False)
    assert not violations, violations


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_the_directory_in_arabic(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    for path in ["/ar/organizations", "/ar/organizations?kind=digital_skills",
                 "/ar/organizations/digital-bridges", "/ar/organizations/silver-years"]:
        page.goto(path)
        assert_accessible(page, "ar", path, javascript)
