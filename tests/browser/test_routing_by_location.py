"""Routing by location in a real browser without JavaScript: coordinates and no area on the
details step → the page again with the point's area preselected and the line saying why,
axe clean (English, and Arabic right to left), and the request routed by the boundary."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT
from tests.browser.test_feedback_flow import TIMEOUT, assert_accessible, translated

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _patient_expect():
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_area_is_preselected_from_the_point_without_javascript(locale, live_server, login_as):
    page = login_as(RESIDENT, java_script_enabled=False).new_page()
    page.goto(f"/{locale}/requests/new")
    discard = page.locator(f"main form[action='/{locale}/requests/new/discard'] button")
    if discard.count():
        discard.click()
    page.goto(f"/{locale}/requests/new/category")
    page.locator("input[name=category][value=pothole]").check()
    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url(live_server.url(f"/{locale}/requests/new/details"))
    page.locator("#description").fill("A deep pothole by the stone bridge; cyclists swerve around it.")
    page.locator("#location_text").fill("By the stone bridge")
    page.locator("#latitude").fill("47.01")
    page.locator("#longitude").fill("8.03")
    page.locator("#attr_size-field input[value=small]").check()
    page.locator("main form.form button[type=submit]").click()

    expect(page).to_have_url(live_server.url(f"/{locale}/requests/new/details"))
    line = page.locator("#area-preselected")
    name = translated(live_server, locale, "Preselected from your point: %(area)s. Change it if it is wrong.",
                      area="§").split("§")[0]
    expect(line).to_contain_text(name)
    selected = page.locator("#area option:checked")
    expect(selected).to_have_count(1)
    assert "area-preselected" in page.locator("#area").get_attribute("aria-describedby")
    expect(page.locator("main .error-summary")).to_have_count(0)
    expect(page.locator("#latitude")).to_have_value("47.01")
    assert_accessible(page, locale, "the details step with the area preselected", False)

    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url(live_server.url(f"/{locale}/requests/new/files"))
