"""The request tracker, start to end, in a real browser: with and without JavaScript.

1. A resident raises a request through every step of the form (category → details → files
   → review → send), gets a tracking code and finds the request on its public page, routed
   to the department the responsibility rules name. In English, without and with JavaScript,
   and in Arabic (right to left) with JavaScript.
2. The Roads and Transport Bureau acknowledges and answers it on the staff page; the resident
   says it is resolved and how satisfied they are, and the request closes as resolved.

axe (the same tags and rules as test_accessibility.py, plus its page checks: one <h1>,
``<html lang dir>``, hreflang alternates, no sideways scrolling at 320px) runs on every step
of the form, the failed details step, the confirmation, the public page, the staff page and
the resident's page with the respond form. axe is loaded by Playwright's own evaluation, so
the portal's Content-Security-Policy stays enforced, and no page may violate it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE_PATH, RESIDENT, collect_csp_violations
from tests.browser.test_accessibility import check_page, run_axe

pytestmark = pytest.mark.browser

ROADS = "roads@riverbend.example.org"
TIMEOUT = 15_000  # as the contexts' own default (conftest.new_context)
CODE = re.compile(r"R-\d{4}-\d{6}")
AXE_SOURCE = AXE_PATH.read_text(encoding="utf-8") + "\n;undefined"
TIMERS_AS_MICROTASKS = """() => {
  window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
}"""

# Demo data, as seeded (portal/seed.py, portal/feedback/seed.py), in the two locales tested.
SEEDED = {
    "en": {"category": "Pothole or damaged road", "area": "Hillside", "district": "North District",
           "size": "Up to a metre", "department": "Roads and Transport Bureau"},
    "ar": {"category": "حفرة أو طريق متضرر", "area": "مجتمع سفح التل", "district": "الحي الشمالي",
           "size": "حتى متر", "department": "مكتب الطرق والنقل"},
}


# --- helpers -------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _patient_expect():
    """Server and browser share two cores with another worker: let ``expect`` wait as long as
    the contexts' actions do (15 s, not 5 s), for this module only."""
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


def translated(live_server, locale: str, message: str, **variables) -> str:
    """``message`` in ``locale``, as the portal's catalogs say it."""
    from flask import g
    from flask_babel import gettext

    with live_server.app.test_request_context(f"/{locale}/"):
        g.locale = locale
        return gettext(message, **variables)


def assert_accessible(page, locale: str, what: str, javascript: bool) -> None:
    """axe and test_accessibility's page checks on the loaded page.

    With JavaScript disabled a <script> tag does not run and timers never fire, but
    Playwright's own evaluations do: axe is loaded by evaluating its source, and (without
    JavaScript only) its setTimeout calls run as microtasks. The page's own scripts are off,
    so nothing else sees the stand-in."""
    # After a click the URL and the text may be there before the stylesheet: axe would judge
    # an unstyled page (target sizes of 17px). Wait for the whole page first.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if not javascript:
            page.evaluate(TIMERS_AS_MICROTASKS)
        page.evaluate(AXE_SOURCE)
    problems, _links = check_page(page, locale)
    assert not problems, f"{len(problems)} accessibility problems on {what}:\n" + "\n".join(problems)


def mark_page(page) -> None:
    """Remember this document: ``same_page`` tells whether htmx swapped or the page reloaded."""
    page.evaluate("window.__samePage = true")


def same_page(page) -> bool:
    return page.evaluate("window.__samePage === true")


@pytest.fixture
def photo(tmp_path):
    """A small real PNG, drawn with Pillow."""
    from PIL import Image, ImageDraw

    path = tmp_path / "pothole.png"
    image = Image.new("RGB", (64, 48), (90, 90, 90))
    ImageDraw.Draw(image).ellipse((16, 12, 48, 36), fill=(30, 30, 30))
    image.save(path, format="PNG")
    return path


class Wizard:
    """Finds the controls of the request form: by their English labels and names, or (other
    locales) by the inputs' stable ids and names, with the seeded data's own names."""

    def __init__(self, page, locale: str):
        self.page, self.locale = page, locale
        self.en = locale == "en"

    def field(self, label: str, field_id: str, exact: bool = False):
        page = self.page
        return page.get_by_label(label, exact=exact) if self.en else page.locator(f"#{field_id}")

    def button(self, name: str, css: str):
        main = self.page.locator("main")
        return main.get_by_role("button", name=name, exact=True) if self.en else main.locator(css)


def raise_request(page, live_server, locale: str, photo, javascript: bool, axe: bool) -> str:
    """Go through every step of /<locale>/requests/new as the logged-in resident; return the
    tracking code. With ``axe``, every page on the way is checked."""
    w = Wizard(page, locale)
    seeded = SEEDED[locale]
    url = live_server.url

    def check(what: str) -> None:
        if axe:
            assert_accessible(page, locale, what, javascript)

    # The start: what will be asked. A draft left by an earlier run is deleted first.
    page.goto(f"/{locale}/requests/new")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    discard = page.locator(f"main form[action='/{locale}/requests/new/discard'] button")
    if discard.count():
        discard.click()
        expect(page.locator(".banner--success")).to_be_visible()
    check("the start page")
    start = (page.get_by_role("link", name="Start", exact=True) if w.en
             else page.locator(f"main a[href='/{locale}/requests/new/category']"))
    start.click()

    # 1. Category.
    expect(page).to_have_url(url(f"/{locale}/requests/new/category"))
    check("step 1, category")
    category = (page.get_by_label(seeded["category"])
                if w.en else page.locator("input[name=category][value=pothole]"))
    if not w.en:  # the seeded Arabic name labels the same radio
        expect(page.get_by_label(seeded["category"])).to_have_attribute("value", "pothole")
    category.check()
    w.button("Continue", "form.form button[type=submit]").click()

    # 2. Details, first sent without a description: the errors, and nothing typed is lost.
    expect(page).to_have_url(url(f"/{locale}/requests/new/details"))
    expect(page.locator("main")).to_contain_text(seeded["category"])
    check("step 2, details")
    w.field("Where is it?", "location_text").fill("Corner of Hillside Road and Ridge Lane")
    area = w.field("Area", "area", exact=True)
    area.select_option(label=seeded["area"])
    # Hillside is a community of the North District: listed in the district's group.
    expect(area.locator("option:checked")).to_have_count(1)
    assert area.evaluate("s => s.selectedOptions[0].parentElement.label") == seeded["district"]
    size = page.get_by_role("group", name="How big is it?") if w.en else page.locator("#attr_size-field")
    (size.get_by_label(seeded["size"])).check()
    continue_details = w.button("Continue", "form.form button[type=submit]")
    continue_details.click()

    summary = page.locator("main .error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(page).to_have_url(url(f"/{locale}/requests/new/details"))
    message = translated(live_server, locale, "Describe the problem.")
    expect(summary.locator("a[href='#description']")).to_have_text(message)
    error = page.locator("#description-field #description-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    description = w.field("Describe the problem", "description")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_attribute("aria-describedby", "description-hint description-error")
    if javascript:  # portal.js (deferred) moves focus to the summary, to be read out first
        expect(summary).to_be_focused()
    expect(w.field("Where is it?", "location_text")).to_have_value("Corner of Hillside Road and Ridge Lane")
    expect(page.locator("#area option:checked")).to_have_text(seeded["area"])
    expect(size.get_by_label(seeded["size"])).to_be_checked()
    check("step 2 sent without a description")
    description.fill("A pothole about a metre wide has opened at the corner. Cyclists swerve into "
                     "the traffic to avoid it.")
    w.field("Title", "title").fill("Wide pothole at Ridge Lane")
    continue_details.click()

    # 3. Files: add a photo, see it listed, continue.
    expect(page).to_have_url(url(f"/{locale}/requests/new/files"))
    check("step 3, files")
    w.field("Add photos or PDFs", "files").set_input_files(photo)
    w.button("Add the files", "button[name=action][value=upload]").click()
    expect(page.locator("main table.submit-files")).to_contain_text(photo.name)
    expect(page.locator(".banner--success")).to_be_visible()
    check("step 3 with a file added")
    w.button("Continue", "button[name=action][value=continue]").click()

    # 4. Review and send.
    expect(page).to_have_url(url(f"/{locale}/requests/new/review"))
    answers = page.locator("main dl.summary-list")
    for text in (seeded["category"], seeded["area"], seeded["size"], photo.name,
                 "Wide pothole at Ridge Lane"):
        expect(answers).to_contain_text(text)
    check("step 4, review")
    w.button("Send the request", "form[action$='/new/review'] button[type=submit]").click()

    # The confirmation: the tracking code.
    expect(page).to_have_url(re.compile(rf"/{locale}/requests/R-\d{{4}}-\d{{6}}/submitted$"))
    tracking = page.locator("main .tracking-code")
    expect(tracking).to_have_text(CODE)
    code = tracking.inner_text().strip()
    assert CODE.fullmatch(code), code
    expect(page.locator("main")).to_contain_text(seeded["department"])
    check("the confirmation")
    return code


def open_public_page(page, live_server, locale: str, code: str) -> None:
    page.goto(f"/{locale}/requests/{code}")
    expect(page).to_have_url(live_server.url(f"/{locale}/requests/{code}"))
    expect(page.locator("h1 .request-code")).to_have_text(code)


# --- 1. raising a request ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("locale", "javascript"), [("en", False), ("en", True), ("ar", True)],
    ids=["en-no-js", "en-js", "ar-js"],
)
def test_resident_raises_a_request(locale, javascript, live_server, login_as, photo):
    context = login_as(RESIDENT, java_script_enabled=javascript)
    page = context.new_page()
    csp = collect_csp_violations(page)
    code = raise_request(page, live_server, locale, photo, javascript, axe=True)
    assert page.evaluate("typeof window.htmx") == ("object" if javascript else "undefined")

    # The confirmation links to the public page: routed by the demo rule to the roads bureau.
    link = (page.get_by_role("link", name="See the request's public page") if locale == "en"
            else page.locator(f"main a[href='/{locale}/requests/{code}']"))
    link.click()
    expect(page).to_have_url(live_server.url(f"/{locale}/requests/{code}"))
    expect(page.locator("h1 .request-code")).to_have_text(code)
    body = page.locator("#request-body")
    expect(body.locator(".request__status .tag").first).to_have_text(
        translated(live_server, locale, "Sent to the department"))
    department = body.locator("dl.summary-list > div", has=page.locator("dt", has_text=translated(
        live_server, locale, "Responsible department")))
    expect(department.locator("dd")).to_have_text(SEEDED[locale]["department"])
    expect(body.locator("dl.summary-list").first).to_contain_text(SEEDED[locale]["area"])
    expect(body.locator("ul.files")).to_contain_text("pothole.png")
    expect(body.locator("#timeline")).to_contain_text(
        translated(live_server, locale, "Sent to the responsible department"))
    assert_accessible(page, locale, "the request's public page", javascript)
    assert not csp, "Content-Security-Policy violations:\n" + "\n".join(csp)


# --- 2. tracking and closing the loop ------------------------------------------------------

@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_staff_answers_and_resident_closes_the_loop(javascript, live_server, login_as, photo):
    resident = login_as(RESIDENT, java_script_enabled=javascript).new_page()
    csp = collect_csp_violations(resident)
    code = raise_request(resident, live_server, "en", photo, javascript, axe=False)

    # The roads bureau finds it at the top of its queue, newest change first.
    staff = login_as(ROADS, java_script_enabled=javascript).new_page()
    csp += collect_csp_violations(staff)
    staff.goto("/en/staff/queue/")
    assert staff.evaluate("typeof window.htmx") == ("object" if javascript else "undefined")
    expect(staff.locator("h1")).to_have_text("Staff queue")
    staff.get_by_label("Sort by").select_option(label="Last change, newest first")
    staff.locator("main form[role=search]").get_by_role("button", name="Show").click()
    # A new page without JavaScript; with it, htmx swaps the table and pushes the same URL.
    expect(staff).to_have_url(re.compile(r"/en/staff/queue/\?.*sort=updated"))
    staff.locator("#queue-table").get_by_role("link", name=code, exact=True).click()
    expect(staff).to_have_url(live_server.url(f"/en/staff/requests/{code}"))
    work = staff.locator("#staff-work")
    state_row = work.locator("dl.summary-list > div", has=staff.locator("dt", has_text="State"))
    state = state_row.locator("dd .tag").first
    expect(state).to_have_text("Sent to the department")
    expect(work).to_contain_text("Roads and Transport Bureau")
    assert_accessible(staff, "en", "the staff page", javascript)

    # Acknowledge it.
    mark_page(staff)
    acknowledge = staff.locator("#action-acknowledge")
    acknowledge.locator("summary").click()
    acknowledge.get_by_label("Message to the resident").fill("Thank you, an inspector will look at it.")
    acknowledge.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(staff.locator(".banner--success")).to_contain_text("The request is acknowledged.")
    expect(state).to_have_text("Acknowledged")
    assert same_page(staff) == javascript, "htmx should swap the work area in place (only with JS)"

    # Answer it.
    mark_page(staff)
    answer_text = "We filled the pothole and sealed the surface on Tuesday."
    answer = staff.locator("#action-answer")
    answer.locator("summary").click()
    answer.get_by_label("Answer", exact=True).fill(answer_text)
    assert_accessible(staff, "en", "the staff page with the answer form open", javascript)
    answer.get_by_role("button", name="Publish the answer").click()
    expect(staff.locator(".banner--success")).to_contain_text(
        "Your answer is published. The resident is asked whether it is resolved.")
    expect(state).to_have_text("Answered")
    expect(staff.locator("#staff-work ol.timeline")).to_contain_text(answer_text)
    assert same_page(staff) == javascript, "htmx should swap the work area in place (only with JS)"

    # The resident sees the answer and is asked whether it is resolved.
    open_public_page(resident, live_server, "en", code)
    body = resident.locator("#request-body")
    expect(body.locator(".request__status .tag").first).to_have_text("Answered")
    expect(body.locator(".request-answer")).to_contain_text(answer_text)
    actions = resident.locator("#actions")
    expect(actions.get_by_role("heading", name="Tell us whether it is resolved")).to_be_visible()
    assert_accessible(resident, "en", "the resident's page with the respond form", javascript)

    mark_page(resident)
    actions.get_by_role("group", name="Was the problem resolved?").get_by_label(
        "Yes, it is resolved").check()
    actions.get_by_role("group", name="How satisfied are you").get_by_label("4 – Satisfied").check()
    actions.get_by_role("button", name="Send your answers").click()

    # Closed as resolved; the timeline has the department's answer and the resident's verdict.
    body = resident.locator("#request-body")
    expect(resident.locator(".banner--success")).to_contain_text(
        "Thank you. The request is closed as resolved.")
    expect(body.locator(".request__status .tag").first).to_have_text("Closed: resolved")
    assert same_page(resident) == javascript, "htmx should swap the request in place (only with JS)"
    expect(resident).to_have_url(live_server.url(f"/en/requests/{code}"))
    assessment = body.locator("h2:text-is(\"The resident's assessment\") + dl")
    expect(assessment.locator("div", has_text="Resolved").locator("dd")).to_have_text("Yes")
    expect(assessment.locator("div", has_text="Satisfaction").locator("dd")).to_have_text("4 out of 5")
    timeline = body.locator("#timeline")
    answered = timeline.locator("li", has=resident.locator("strong", has_text=re.compile("^Answered$")))
    expect(answered).to_have_count(1)
    expect(answered).to_contain_text(answer_text)
    expect(answered).to_contain_text("Roads and Transport Bureau")
    confirmed = timeline.locator("li", has_text="The resident confirmed it is resolved")
    expect(confirmed).to_contain_text("Satisfaction: 4 out of 5")
    expect(resident.locator("form[action$='/respond']")).to_have_count(0)
    assert_accessible(resident, "en", "the resident's page after closing the request", javascript)

    # The staff page agrees, after a reload.
    staff.reload()
    expect(state).to_have_text("Closed: resolved")
    assert not csp, "Content-Security-Policy violations:\n" + "\n".join(csp)


def test_axe_without_javascript_finds_violations(new_context):
    """The no-JavaScript runs are only as good as their axe: on a broken page in a context
    without JavaScript, it must report the breakage (and not hang on its timers)."""
    page = new_context(java_script_enabled=False).new_page()
    page.set_content(
        "<!doctype html><html><head><title>Broken</title></head><body>"
        "<main><img src='data:,'><a href='#x'></a><p style='color:#ccc'>Faint text</p></main>"
        "</body></html>"
    )
    page.evaluate(TIMERS_AS_MICROTASKS)
    page.evaluate(AXE_SOURCE)
    found = {v["id"] for v in run_axe(page)}
    assert {"html-has-lang", "image-alt", "link-name", "color-contrast"} <= found, found
