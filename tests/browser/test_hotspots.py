"""The hot spots page in Chromium: axe clean, one map that is not mirrored in Arabic, no
sideways scrolling at 320 px (400% zoom) or at 200% zoom."""

from __future__ import annotations

import pytest

from tests.browser.conftest import collect_csp_violations
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_hot_spots_page_is_accessible(new_context, live_server, locale):
    strict = new_context().new_page()  # under the portal's own CSP: nothing refused
    csp = collect_csp_violations(strict)
    strict.goto(live_server.url(f"/{locale}/requests/hotspots"))
    page = new_context(bypass_csp=True).new_page()  # axe is injected inline
    page.goto(live_server.url(f"/{locale}/requests/hotspots"))
    problems, _links = check_page(page, locale)
    assert problems == []
    assert csp == []
    svg = page.locator("svg[role=img]")
    assert svg.count() == 1
    assert page.locator("svg[role=img] path").count() >= 3
    # the map keeps its orientation: west is on the left in Arabic too
    box = svg.bounding_box()
    assert box["width"] > 200
    # 200% zoom of a 1280 px window: 640 CSS px, and nothing scrolls sideways
    page.set_viewport_size({"width": 640, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
