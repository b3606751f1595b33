"""The site search in Chromium: from any page's header to the results by keyboard alone, with
and without JavaScript; live results with htmx; the page through axe in English and Arabic;
the header at 200% zoom in English, Arabic and Chinese."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_accessibility import axe_context, check_page
from tests.browser.test_keyboard import ACTIVE, NO_HSCROLL, has_focus_indicator

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SITE_SEARCH_SHOTS", "")) if os.environ.get("SITE_SEARCH_SHOTS") else None


def tab_to(page, element_id: str, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active["id"] == element_id:
            return active
    raise AssertionError(f"#{element_id} is not reachable with Tab")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("start", ["/en/requests", "/en/halls", "/en/account/login"])
def test_from_any_page_header_to_a_result_by_keyboard(live_server, new_context, javascript, start):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(start)
    box = tab_to(page, "header-search-q")
    assert has_focus_indicator(box), box
    page.keyboard.type("school")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/en/search?q=school" in page.url
    assert page.locator("#search-results .search-result").count() >= 1
    assert page.locator("#search-results mark").first.inner_text().lower() == "school"
    assert page.locator("#header-search-q").input_value() == "school"
    # on into the results: the first result's link, then follow it
    link = page.locator("#search-results .search-result__title a").first
    href = link.get_attribute("href")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(href)


def test_results_follow_the_typing_and_say_how_many(live_server, page):
    page.goto("/en/search")
    page.locator("#q").focus()
    page.keyboard.type("riverside")
    count = page.locator("#search-results .results__count")
    count.wait_for()
    assert count.get_attribute("role") == "status"
    assert "result" in count.inner_text()
    assert "q=riverside" in page.url  # the address follows, so the page can be shared
    page.select_option("#kind", "proposal")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#search-results .search-result__kind')]"
        ".every(e => e.textContent.trim() === 'Proposal')")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_search_page_passes_axe_with_results_errors_and_none(locale, live_server, new_context):
    page = axe_context(new_context(bypass_csp=True)).new_page()
    problems = []
    for query in ("", "q=school", "q=%D8%B9%D8%B2%D9%8A%D8%B2zzzz", "q=school&from=2026-02-30&kind=x"):
        page.goto(f"/{locale}/search?{query}")
        found, _links = check_page(page, locale)
        problems += found
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", ["en", "ar", "zh-Hans"])
def test_the_header_holds_at_200_percent_zoom(locale, live_server, new_context):
    page = new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2).new_page()
    for path in ("/", "/search?q=school"):
        page.goto(f"/{locale}{path}")
        assert page.evaluate(NO_HSCROLL), f"/{locale}{path} scrolls sideways at 200% zoom"
        form = page.locator("header .header-search").bounding_box()
        field = page.locator("#header-search-q").bounding_box()
        button = page.locator("header .header-search__button").bounding_box()
        assert field["width"] >= 80 and button["width"] >= 44, (field, button)
        assert form["x"] >= 0 and form["x"] + form["width"] <= 640, form
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(f"/{locale}/")
        page.screenshot(path=str(SHOTS / f"header-{locale}-200.png"),
                        clip={"x": 0, "y": 0, "width": 640, "height": 500})
        wide = new_context(viewport={"width": 1280, "height": 800}).new_page()
        wide.goto(f"/{locale}/search?q=school")
        wide.screenshot(path=str(SHOTS / f"search-{locale}.png"))
