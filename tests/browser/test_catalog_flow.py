"""The disclosure catalog in a real browser with JavaScript off: a department's staff member
writes a draft and sends it for review, the administrator publishes it (four eyes), an
anonymous reader finds it by category and by words and reads it. axe and the portal's page
checks run on each page; the catalog's public pages (the demo's publications, their
versions, the guide) are checked in English and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, collect_csp_violations
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser
ROADS = "roads@riverbend.example.org"


def test_staff_publish_and_the_public_browses_without_javascript(login_as, new_context):
    staff = login_as(ROADS, java_script_enabled=False).new_page()
    violations = collect_csp_violations(staff)
    staff.goto("/en/publications/mine")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Publications of my department")
    assert_accessible(staff, "en", "publications of my department", False)
    staff.get_by_role("link", name="Write a new publication").click()
    staff.get_by_role("button", name="Save the draft").click()  # nothing filled: errors
    expect(staff.get_by_role("alert")).to_contain_text("Enter the title.")
    assert_accessible(staff, "en", "the publication form with errors", False)
    staff.get_by_label("Category").select_option(label="Procurement")
    staff.get_by_label("Title", exact=True).fill("Browser: bus shelter contracts 2026")
    staff.get_by_label("Summary").fill("The contracts for the new bus shelters on the ring road.")
    staff.get_by_label("Date it was made").fill("2026-02-01")
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.get_by_role("main")).to_contain_text("The draft is saved.")
    assert_accessible(staff, "en", "the management page", False)
    staff.get_by_role("button", name="Send for review").click()
    expect(staff.get_by_role("main")).to_contain_text("The author cannot publish their own version.")
    url = staff.url

    admin = login_as(ADMIN, java_script_enabled=False).new_page()
    admin.goto(url)
    admin.get_by_role("button", name="Publish this version").click()
    expect(admin.get_by_role("main")).to_contain_text("Published.")

    reader = new_context(java_script_enabled=False).new_page()
    reader.goto("/en/publications")
    assert_accessible(reader, "en", "the catalog index", False)
    reader.get_by_label("Category").select_option(label="Procurement")
    reader.get_by_role("button", name="Show publications").click()
    reader.get_by_role("link", name="Browser: bus shelter contracts 2026").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Browser: bus shelter contracts 2026")
    expect(reader.get_by_role("main")).to_contain_text("Version 1 of 1")
    assert reader.locator("form[method=post]").count() == 0
    assert_accessible(reader, "en", "the publication page", False)
    reader.goto("/en/publications")
    reader.get_by_label("Words").fill("shelter")
    reader.get_by_role("button", name="Show publications").click()
    expect(reader.get_by_role("link", name="Browser: bus shelter contracts 2026")).to_be_visible()
    assert not violations, violations


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_catalog_pages_are_accessible(locale, live_server, new_context):
    from sqlalchemy import select

    from portal.transparency.models import Publication

    ids = live_server.scalars(select(Publication.id).order_by(Publication.id).limit(3))
    page = new_context().new_page()
    paths = [f"/{locale}/publications", f"/{locale}/publications/guide",
             f"/{locale}/publications?category=plans", f"/{locale}/publications?q=plan",
             *(f"/{locale}/publications/{i}" for i in ids), f"/{locale}/publications/{ids[0]}/versions/1"]
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page, locale, path, True)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_staff_pages_are_accessible(locale, login_as, live_server):
    from sqlalchemy import select

    from portal.transparency.models import Publication

    [first] = live_server.scalars(select(Publication.id).order_by(Publication.id).limit(1))
    page = login_as(ROADS).new_page()
    for path in (f"/{locale}/publications/mine", f"/{locale}/publications/new",
                 f"/{locale}/publications/{first}/manage", f"/{locale}/publications/{first}/edit"):
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page, locale, path, True)
