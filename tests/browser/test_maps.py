"""The maps in a real browser: the submission form's map picker and the public map of requests.

* With JavaScript, the details step's map places the point by keyboard (focus the map, arrow
  keys, Enter): the latitude and longitude fields are filled, the area select is preselected
  from ``/api/v1/areas/at.json`` and the live region says both; axe is clean, in English and
  Arabic (right to left), and the Content-Security-Policy (enforced) is never violated.
* Without JavaScript the details step shows no map (no empty box) and submits as before.
* The public map draws markers (focusable, named), Tab leaves the map (no trap), a marker's
  popup links to its request; axe clean in English and Arabic. Without JavaScript it says so
  and links to the list.

Screenshots (``MAP_SCREENSHOTS=/some/folder``) of both maps in en and ar, for a human look.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOCALES, collect_csp_violations
from tests.browser.test_feedback_flow import TIMEOUT, assert_accessible, translated

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("MAP_SCREENSHOTS")
FOCUS = """() => {
  const el = document.activeElement;
  return {inMap: !!el.closest('#requests-map'), marker: el.classList.contains('leaflet-marker-icon'),
          name: el.getAttribute('alt') || el.textContent};
}"""


@pytest.fixture(autouse=True)
def _patient_expect():
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def open_details(page, locale: str) -> None:
    """The form's second step, as a visitor who chose the pothole category."""
    page.goto(f"/{locale}/requests/new/category")
    page.locator("input[name=category][value=pothole]").check()
    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url(f"/{locale}/requests/new/details")


def area_at(live_server, lat: float, lon: float) -> int | None:
    from portal.extensions import db
    from portal.responsibility import geometry

    with live_server.app.app_context():
        found = geometry.locator(db.session).areas_at(lat, lon)
        return found[0].area_id if found else None


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_marker_is_placed_by_keyboard_and_fills_the_fields_and_the_area(locale, live_server, context):
    page = context.new_page()
    violations = collect_csp_violations(page)
    open_details(page, locale)
    picker = page.locator("#map-picker")
    expect(picker).to_be_visible()
    expect(page.locator("#map-picker-map .leaflet-overlay-pane path").first).to_be_attached()
    assert page.locator("#latitude").input_value() == ""
    # Keyboard only: Tab to the map from the button before it, arrows, Enter.
    page.locator("#map-use-location").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "map-picker-map"
    focus_ring = page.locator("#map-picker-map").evaluate("el => getComputedStyle(el).outlineStyle")
    assert focus_ring == "solid"
    for key in ["ArrowDown"] * 4 + ["ArrowLeft"] * 6:
        page.keyboard.press(key)
    expect(page.locator("#map-picker-map .leaflet-marker-icon")).to_have_count(1)
    assert page.locator("#latitude").input_value() == ""  # moving is not choosing
    page.keyboard.press("Enter")
    expect(page.locator("#latitude")).not_to_have_value("")
    lat = float(page.locator("#latitude").input_value())
    lon = float(page.locator("#longitude").input_value())
    assert 47.0 < lat < 47.06 and 8.0 < lon < 8.09, (lat, lon)
    area_id = area_at(live_server, lat, lon)
    assert area_id is not None
    expect(page.locator("#area")).to_have_value(str(area_id))
    name = page.locator(f"#area option[value='{area_id}']").inner_text().strip()
    status = page.locator("#map-picker-status")
    expect(status).to_contain_text(name)
    expect(status).to_contain_text(f"{lat:.6f}")
    # still the map after Enter: focus stayed, and Tab goes on to the next field
    assert page.evaluate("document.activeElement.id") == "map-picker-map"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "map-picker-map"
    assert_accessible(page, locale, f"the details step with its map ({locale})", javascript=True)
    shot(page, f"form-map-{locale}")
    assert not violations, violations


def test_a_click_places_the_point_and_outside_the_city_says_so(live_server, context):
    page = context.new_page()
    open_details(page, "en")
    expect(page.locator("#map-picker-map .leaflet-overlay-pane path").first).to_be_attached()
    page.locator("#map-picker-map").scroll_into_view_if_needed()
    box = page.locator("#map-picker-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    expect(page.locator("#latitude")).not_to_have_value("")
    expect(page.locator("#map-picker-status")).to_contain_text("Area:")
    # a typed point outside the city, then Enter on the map: the message, the select kept
    page.locator("#latitude").fill("47.1")
    page.locator("#longitude").fill("8.2")
    page.locator("#longitude").dispatch_event("change")
    chosen = page.locator("#area").input_value()
    page.locator("#map-picker-map").focus()
    page.keyboard.press("Enter")
    outside = "This point is outside the city's areas. Choose the area from the list."
    expect(page.locator("#map-picker-status")).to_contain_text(translated(live_server, "en", outside))
    assert page.locator("#area").input_value() == chosen


def test_use_my_location_when_refused_says_so(live_server, new_context):
    context = new_context()  # no geolocation permission granted: the browser refuses
    page = context.new_page()
    open_details(page, "en")
    expect(page.locator("#map-picker")).to_be_visible()
    page.locator("#map-use-location").click()
    expect(page.locator("#map-picker-status")).to_contain_text("Your location was not shared")
    allowed = new_context(geolocation={"latitude": 47.0475, "longitude": 8.0700},
                          permissions=["geolocation"])
    page = allowed.new_page()
    open_details(page, "en")
    expect(page.locator("#map-picker")).to_be_visible()
    page.locator("#map-use-location").click()
    expect(page.locator("#latitude")).to_have_value("47.047500")
    # inside Hillside's hole: the North District, not Hillside
    expect(page.locator("#area")).to_have_value(str(area_at(live_server, 47.0475, 8.07)))


def test_without_javascript_the_form_has_no_map_and_submits(live_server, nojs_context):
    page = nojs_context.new_page()
    open_details(page, "en")
    expect(page.locator("#map-picker")).to_be_hidden()
    assert page.locator("#map-picker-map").bounding_box() is None  # no empty box
    expect(page.locator("#latitude")).to_be_visible()
    page.locator("#description").fill("A deep pothole by the bus stop; cyclists swerve around it.")
    page.locator("#location_text").fill("Bus stop on Market Street")
    page.locator("#area").select_option(label="Market Square")
    page.locator("#latitude").fill("47.0150")
    page.locator("#longitude").fill("8.0150")
    page.locator("input[name=attr_size]").first.check()
    page.locator("#contact_email").fill("no.script@example.org")
    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url("/en/requests/new/files")
    assert_accessible(page, "en", "the files step after the details without JavaScript", javascript=False)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_public_map_shows_markers_that_lead_to_their_requests(locale, live_server, context):
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto(f"/{locale}/requests/map")
    expect(page.locator("#requests-map-view")).to_be_visible()
    expect(page.locator("#requests-map-fallback")).to_be_hidden()
    markers = page.locator("#requests-map .leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    expect(page.locator("#requests-map-status")).not_to_be_empty()
    # the list link comes before the map in the page (and in the Tab order)
    list_link = page.locator(f"main a[href='/{locale}/requests']").first
    assert list_link.evaluate(
        "(a) => !!(a.compareDocumentPosition(document.getElementById('requests-map')) & 4)")
    # Tab into the map, through its markers, and out again: no trap
    page.locator("#requests-map").focus()
    inside, left = [], False
    for _ in range(60):
        page.keyboard.press("Tab")
        where = page.evaluate(FOCUS)
        if not where["inMap"]:
            left = True
            break
        if where["marker"]:
            inside.append(where["name"])
    assert inside, "no marker took the focus"
    assert left, "Tab never left the map"
    # a single marker's popup links to its request
    single = page.locator("#requests-map .leaflet-marker-icon:not(.marker-cluster)").first
    expect(single).to_be_visible()
    single.focus()
    page.keyboard.press("Enter")
    link = page.locator("#requests-map .leaflet-popup-content a")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith(f"/{locale}/requests/R-")
    # Leaflet fades a popup in: axe must see it opaque, not its colours half-way through
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#requests-map .leaflet-popup')).opacity === '1'")
    assert_accessible(page, locale, f"the map of requests with a popup ({locale})", javascript=True)
    shot(page, f"requests-map-{locale}")
    page.goto(href)
    expect(page.locator("h1")).to_be_visible()
    assert not violations, violations


def test_the_public_map_without_javascript_points_to_the_list(live_server, nojs_context):
    page = nojs_context.new_page()
    page.goto("/en/requests/map?state=open")
    expect(page.locator("#requests-map-view")).to_be_hidden()
    fallback = page.locator("#requests-map-fallback")
    expect(fallback).to_be_visible()
    fallback.locator("a").click()
    expect(page).to_have_url("/en/requests?state=open")


def test_the_map_pages_are_in_the_accessibility_crawl(live_server):
    """test_accessibility crawls every GET rule: the map page is one (its data is not HTML)."""
    from tests.browser.test_accessibility import rule_paths

    for locale in ("en", "ar"):
        paths = rule_paths(live_server, locale)
        assert f"/{locale}/requests/map" in paths


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_maps_fit_at_200_percent_zoom(locale, live_server, new_context):
    page = new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2).new_page()
    no_hscroll = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    page.goto(f"/{locale}/requests/map")
    expect(page.locator("#requests-map .leaflet-marker-icon").first).to_be_attached()
    assert page.evaluate(no_hscroll), f"/{locale}/requests/map scrolls sideways at 200%"
    open_details(page, locale)
    expect(page.locator("#map-picker")).to_be_visible()
    box = page.locator("#map-picker-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 200, box
    assert page.evaluate(no_hscroll), f"/{locale}/requests/new/details scrolls sideways at 200%"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_map_of_requests_is_accessible_in_every_locale(locale, live_server, context):
    """axe on the drawn map (markers, labels, controls) with the CSP enforced."""
    page = context.new_page()
    violations = collect_csp_violations(page)
    page.goto(f"/{locale}/requests/map")
    expect(page.locator("#requests-map .leaflet-marker-icon").first).to_be_visible()
    expect(page.locator("#requests-map .map-area-label").first).to_be_visible()
    assert_accessible(page, locale, f"the map of requests ({locale})", javascript=True)
    assert not violations, violations


def test_crowded_markers_are_grouped_and_a_group_zooms_in_by_keyboard(live_server, context):
    page = context.new_page()
    page.goto("/en/requests/map")
    expect(page.locator("#requests-map .leaflet-marker-icon").first).to_be_visible()
    page.locator("#requests-map").focus()
    for _ in range(4):  # Leaflet's keyboard: minus zooms out, to the minimum zoom
        page.keyboard.press("-")
        page.wait_for_timeout(400)
    group = page.locator("#requests-map .marker-cluster").first
    expect(group).to_be_visible()
    expect(group).to_contain_text("Requests here:")
    assert group.get_attribute("role") == "button" and group.get_attribute("tabindex") == "0"
    assert_accessible(page, "en", "the map of requests with groups", javascript=True)
    before = page.locator("#requests-map .marker-cluster").count()
    group.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    singles = page.locator("#requests-map .leaflet-marker-icon:not(.marker-cluster)").count()
    assert page.locator("#requests-map .marker-cluster").count() < before or singles > 0
