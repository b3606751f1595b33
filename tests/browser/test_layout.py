"""Layout a user sees: the staff queue's buttons are whole at 1280 px and its rows are cards on
a phone; Tibetan headings are larger than the text under them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ADMIN

pytestmark = pytest.mark.browser

CLIPPED_BUTTONS = """() => {
  const table = document.querySelector('.queue-table');
  const edge = table.getBoundingClientRect();
  const out = [];
  for (const b of document.querySelectorAll('.queue-actions .button')) {
    const r = b.getBoundingClientRect();
    const fits = r.left >= edge.left - 1 && r.right <= edge.right + 1 && b.scrollWidth <= b.clientWidth + 1;
    if (!fits) out.push(b.textContent.trim() + ' ' + JSON.stringify([r.left, r.right, edge.right]));
  }
  return {clipped: out, count: document.querySelectorAll('.queue-actions .button').length,
          scrolls: table.scrollWidth > table.clientWidth + 1};
}"""


@pytest.mark.parametrize("locale", ["en", "ar", "bo"])
def test_no_queue_button_is_clipped_at_1280(live_server, login_as, locale):
    page = login_as(ADMIN, viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"/{locale}/staff/queue/")
    result = page.evaluate(CLIPPED_BUTTONS)
    assert result["count"] > 0
    assert result["clipped"] == [] and not result["scrolls"], result


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_queue_rows_are_cards_on_a_phone(live_server, login_as, locale):
    page = login_as(ADMIN, viewport={"width": 375, "height": 800}).new_page()
    page.goto(f"/{locale}/staff/queue/")
    cards = page.evaluate("""() => {
      const row = document.querySelector('.queue-table tbody tr');
      const head = document.querySelector('.queue-table thead').getBoundingClientRect();
      const cell = row.querySelector('td[data-label]');
      return {display: getComputedStyle(row).display, head: head.height,
              label: getComputedStyle(cell, '::before').content,
              hscroll: document.documentElement.scrollWidth > document.documentElement.clientWidth};
    }""")
    assert cards["display"] == "block" and cards["head"] <= 1, cards
    assert cards["label"] not in ("none", "normal", ""), cards  # each cell names its column
    assert not cards["hscroll"], cards
    result = page.evaluate(CLIPPED_BUTTONS)
    assert result["clipped"] == [], result


@pytest.mark.parametrize("path", ["/bo/", "/bo/accessibility"])
def test_tibetan_headings_are_larger_than_the_text(live_server, page, path):
    page.goto(path)
    sizes = page.evaluate("""() => {
      const px = (sel) => { const el = document.querySelector(sel);
        return el ? parseFloat(getComputedStyle(el).fontSize) : null; };
      const lh = parseFloat(getComputedStyle(document.querySelector('main p')).lineHeight);
      return {h1: px('main h1'), h2: px('main h2'), lead: px('main .lead'), p: px('main p:not(.lead)'),
              body: px('body'), lineHeight: lh};
    }""")
    assert sizes["h1"] >= 1.3 * sizes["lead"], sizes
    assert sizes["h2"] > sizes["p"] and sizes["p"] == sizes["body"], sizes  # no compounding
    assert sizes["lineHeight"] >= 1.8 * sizes["p"], sizes  # room for stacked letters
