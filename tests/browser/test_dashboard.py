"""The governance dashboard in Chromium: axe clean in English and Arabic, readable at 200%
zoom; with JavaScript the figures poll (under the portal's CSP), announce a new snapshot
politely and pause while the tab is hidden; without it the "Refresh figures" link does the
same."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import collect_csp_violations
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser

URL = "/{locale}/transparency/dashboard"


@pytest.fixture
def fast_polling(live_server):
    config = live_server.app.config
    before = config.get("DASHBOARD_POLL_SECONDS")
    config["DASHBOARD_POLL_SECONDS"] = 1
    yield
    if before is None:
        config.pop("DASHBOARD_POLL_SECONDS", None)
    else:
        config["DASHBOARD_POLL_SECONDS"] = before


def _new_snapshot(live_server):
    from portal.extensions import db
    from portal.transparency import dashboard

    with live_server.app.test_request_context("/en/"):
        dashboard.refresh(db.session)
        db.session.remove()


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("scope", ["city", "department-roads"])
def test_the_dashboard_is_accessible(new_context, live_server, locale, scope):
    path = URL.format(locale=locale) + f"?scope={scope}"
    strict = new_context().new_page()
    csp = collect_csp_violations(strict)
    strict.goto(live_server.url(path))
    page = new_context(bypass_csp=True).new_page()  # axe is injected inline
    page.goto(live_server.url(path))
    problems, _links = check_page(page, locale)
    assert problems == []
    assert csp == []
    assert page.locator("svg[role=img]").count() >= 7
    # 200% zoom of a 1280 px window: nothing scrolls sideways, the charts shrink to fit
    page.set_viewport_size({"width": 640, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    box = page.locator("svg[role=img]").first.bounding_box()
    assert 200 < box["width"] <= 640


def _polls(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.headers.get("hx-request") else None)
    return seen


def test_the_figures_poll_announce_a_change_and_pause_when_hidden(context, live_server, fast_polling):
    page = context.new_page()
    csp = collect_csp_violations(page)
    polls = _polls(page)
    page.goto(URL.format(locale="en"))
    deadline = time.monotonic() + 8
    while not polls and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert polls, "the page never polled"
    assert page.locator("#dashboard-status").inner_text().strip() == ""  # nothing changed: silent
    _new_snapshot(live_server)
    page.wait_for_function(
        "() => document.getElementById('dashboard-status').textContent.includes('The figures were updated')",
        timeout=10_000)
    assert page.locator("#dashboard-status").get_attribute("aria-live") == "polite"
    assert page.locator("#dashboard-figures svg[role=img]").count() >= 7
    # hidden: no polling at all
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(300)
    count = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == count
    # visible again: at once, and then on the timer
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(1800)
    assert len(polls) >= count + 2
    assert csp == []


def test_without_javascript_the_refresh_link_reloads_the_figures(nojs_context, live_server):
    page = nojs_context.new_page()
    page.goto(URL.format(locale="en") + "?scope=department-roads")
    before = page.locator("#dashboard-figures p.muted").inner_text()
    _new_snapshot(live_server)
    page.get_by_role("link", name="Refresh figures").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/en/transparency/dashboard?scope=department-roads#dashboard-figures")
    assert page.locator("#dashboard-figures svg[role=img]").count() == 7
    assert page.locator("#dashboard-figures p.muted").inner_text().startswith("Figures as of")
    assert before.startswith("Figures as of")
    # the scope form works without JavaScript too
    page.select_option("#scope", "city")
    page.click("main form.search-form button")
    page.wait_for_load_state()
    assert "scope=city" in page.url
    assert page.locator("#dashboard-figures svg[role=img]").count() == 9


ENDPOINTS = ("transparency.dashboard", "transparency.dashboard_staff", "transparency.reports",
             "transparency.annual_report_page")


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("email", [None, "admin@riverbend.example.org", "roads@riverbend.example.org"])
def test_the_crawl_checks_pass_on_the_dashboard_and_report_pages(live_server, new_context, login_as,
                                                                 locale, email):
    """The whole-site crawl's checks (axe, one h1, lang/dir, hreflang, reflow at 320 px) on
    this module's pages, their URLs built from the crawl's own SAMPLE_VALUES."""
    from tests.browser.test_accessibility import axe_context, rule_paths

    ours = []
    adapter = live_server.app.url_map.bind("localhost")
    for path in rule_paths(live_server, locale):
        endpoint, _args = adapter.match(path.split("?")[0], method="GET")
        if endpoint in ENDPOINTS:
            ours.append(path)
    ours += [f"/{locale}/transparency/dashboard", f"/{locale}/transparency/dashboard/staff"]
    context = login_as(email, bypass_csp=True) if email else new_context(bypass_csp=True)
    page = axe_context(context).new_page()
    problems = []
    for path in dict.fromkeys(ours):
        response = page.goto(live_server.url(path))
        assert response.status < 500, path
        problems += check_page(page, locale)[0]
    assert len(ours) >= 4
    assert problems == []
