"""Keyboard use: the skip link, the header's tab order, visible focus, and 200% zoom."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.conftest import LOCALES, RTL

pytestmark = pytest.mark.browser

ACTIVE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
    href: el.getAttribute('href'), hreflang: el.getAttribute('hreflang'),
    text: (el.textContent || '').trim(),
    outline: style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0
      ? 'none' : style.outlineStyle,
    shadow: style.boxShadow,
    box: {x: box.x, y: box.y, width: box.width, height: box.height},
    onTop: document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === el,
  };
}"""
NO_HSCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(ACTIVE)


def has_focus_indicator(active: dict) -> bool:
    return active["outline"] != "none" or active["shadow"] not in ("none", "")


def test_skip_link_comes_first_and_moves_focus_to_main(live_server, page):
    page.goto("/en/")
    skip = tab(page)
    assert "skip-link" in skip["cls"], skip
    assert skip["href"] == "#main-content"
    viewport = page.viewport_size
    box = skip["box"]
    assert box["width"] > 10 and box["height"] > 10, f"skip link not visible when focused: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert skip["onTop"], "the focused skip link is covered by something else"
    assert has_focus_indicator(skip), skip

    page.keyboard.press("Enter")
    main = page.evaluate(ACTIVE)
    assert (main["tag"], main["id"]) == ("main", "main-content"), main
    # The next Tab continues inside the main content, not back in the header.
    inside = tab(page)
    assert page.evaluate(
        "() => document.getElementById('main-content').contains(document.activeElement)"
    ), inside


MAIN_NAV = """() => [...document.querySelectorAll('nav.main-nav a[href], nav.main-nav button')]
  .map(el => ({tag: el.tagName.toLowerCase(), href: el.getAttribute('href')}))"""


def tab_through_header(page, locale: str) -> tuple[list[dict], list[dict]]:
    """Tab from the top of the page through the header: (what got focus, the main nav)."""
    page.goto(f"/{locale}/")
    nav = page.evaluate(MAIN_NAV)
    order = [tab(page) for _ in range(2 + len(LOCALES) + len(nav))]
    skip, brand, languages, tabbed_nav = order[0], order[1], order[2:9], order[9:]
    assert "skip-link" in skip["cls"], skip
    assert "brand" in brand["cls"] and brand["href"] == f"/{locale}/", brand
    assert [a["hreflang"] for a in languages] == list(LOCALES), languages
    assert [(a["tag"], a["href"]) for a in tabbed_nav] == [(n["tag"], n["href"]) for n in nav]
    missing = [a for a in order if not has_focus_indicator(a)]
    assert not missing, f"focus is not visible on: {missing}"
    # Reading order on screen follows the tab order: row by row, start to end of each row.
    rtl = locale in RTL
    for before, after in itertools.pairwise(tabbed_nav):
        same_row = abs(before["box"]["y"] - after["box"]["y"]) < 4
        if same_row:
            ahead = after["box"]["x"] < before["box"]["x"] if rtl else after["box"]["x"] > before["box"]["x"]
            assert ahead, f"{after['text']!r} is before {before['text']!r} on screen"
        else:
            assert after["box"]["y"] > before["box"]["y"], f"{after['text']!r} is above {before['text']!r}"
    return order, tabbed_nav


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_header_keyboard_order(locale, live_server, page):
    _order, nav = tab_through_header(page, locale)
    hrefs = [a["href"] for a in nav]
    assert hrefs[0] == f"/{locale}/"  # Home first
    assert hrefs[-2:] == [f"/{locale}/account/login", f"/{locale}/account/register"], hrefs


def test_header_keyboard_order_when_logged_in(live_server, login_as):
    page = login_as("admin@riverbend.example.org").new_page()
    _order, nav = tab_through_header(page, "en")
    hrefs = [a["href"] for a in nav]
    assert hrefs[0] == "/en/"
    assert {"/en/admin/users", "/en/admin/audit"} <= set(hrefs), hrefs
    assert hrefs[-2] == "/en/account/settings", hrefs
    assert nav[-1]["tag"] == "button", nav[-1]  # Log out: a form's button, last


@pytest.mark.parametrize("path", ["/en/", "/ar/"])
def test_focus_is_visible_on_links_in_main(live_server, page, path):
    page.goto(path)
    links = page.locator("main a[href]")
    assert links.count() > 0
    for i in range(links.count()):
        links.nth(i).focus()
        active = page.evaluate(ACTIVE)
        assert has_focus_indicator(active), active


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_no_horizontal_scroll_at_200_percent_zoom(locale, live_server, new_context):
    """1280 CSS pixels at 200% zoom: a 640px-wide viewport with twice the pixel density."""
    page = new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2).new_page()
    for path in ("/", "/departments", "/account/login", "/account/register", "/components"):
        page.goto(f"/{locale}{path}")
        assert page.evaluate(NO_HSCROLL), (
            f"/{locale}{path} scrolls sideways at 200% zoom: "
            f"{page.evaluate('document.documentElement.scrollWidth')}px of 640px"
        )
