"""A newcomer's first visit, start to end, in a real browser: with and without JavaScript.

register → read the mail through the "open your message" link → confirm → log in → change language and
text size → log out. The portal's Content-Security-Policy stays enforced throughout.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import collect_csp_violations

pytestmark = pytest.mark.browser

PASSWORD = "river bend lantern 42"


def main_nav(page):
    return page.locator("nav.main-nav")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_newcomer_registers_confirms_and_sets_preferences(javascript, live_server, request):
    email = f"newcomer-{uuid.uuid4().hex[:10]}@example.org"
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    csp = collect_csp_violations(page)

    # Register, starting from the home page as a newcomer would.
    page.goto("/en/")
    # The page's own scripts (htmx) ran, or did not: the mode this run is about.
    assert page.evaluate("typeof window.htmx") == ("object" if javascript else "undefined")
    main_nav(page).get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(live_server.url("/en/account/register"))
    page.get_by_label("Display name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(live_server.url("/en/account/check-email"))
    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text(email)

    # No real mail here: the page links to the one message this browser caused (the
    # mailbox itself is for administrators).
    assert live_server.drain_outbox() >= 1
    page.get_by_role("link", name="Open your message").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url("/en/account/mail/")) + r"\d+$"))
    expect(page.locator(".summary-list")).to_contain_text(email)
    page.locator(".mail-body a[href*='/account/confirm/']").click()

    # Confirmed: the portal asks the newcomer to log in.
    expect(page).to_have_url(live_server.url("/en/account/login"))
    expect(page.locator(".banner--success")).to_contain_text(email)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url("/en/"))
    expect(page.locator(".banner--success")).to_contain_text("You are logged in.")

    # Settings: Spanish and larger text.
    main_nav(page).get_by_role("link", name="Your account").click()
    expect(page).to_have_url(live_server.url("/en/account/settings"))
    expect(page.locator(".summary-list")).to_contain_text(email)
    expect(page.locator(".summary-list .tag--success")).to_be_visible()  # "Confirmed"
    page.get_by_label("Español").check()
    page.get_by_label("Use larger text").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page).to_have_url(live_server.url("/es/account/settings"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("html")).to_have_class("text-large")
    expect(page.locator(".banner--success")).to_be_visible()
    expect(page.get_by_label("Español")).to_be_checked()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24

    # Log out with the header's button (a POST form, so it works without JavaScript).
    page.locator("form[action$='/account/logout'] button").click()
    expect(page).to_have_url(live_server.url("/es/"))
    expect(page.locator(".banner--success")).to_be_visible()
    expect(page.locator("form[action$='/account/logout']")).to_have_count(0)
    expect(main_nav(page).locator("a[href='/es/account/login']")).to_have_count(1)
    assert not csp, "Content-Security-Policy violations:\n" + "\n".join(csp)


def test_registration_checks_a_field_when_focus_leaves_it(live_server, context):
    """htmx: a wrong email shows its error beside the field, without a page load."""
    page = context.new_page()
    csp = collect_csp_violations(page)
    page.goto("/en/account/register")
    page.evaluate("window.__samePage = true")
    page.locator("#email").click()
    page.keyboard.type("not-an-email")
    with page.expect_response(lambda r: "/account/register/check" in r.url) as checked:
        page.keyboard.press("Tab")
    response = checked.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    error = page.locator("#email-field #email-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Enter an email address in the right format")
    email = page.locator("#email")
    expect(email).to_have_value("not-an-email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", "email-hint email-error")
    assert page.evaluate("window.__samePage === true"), "the page was reloaded"
    assert page.url == live_server.url("/en/account/register")
    # Focus went on to the next field and stays there after the swap.
    assert page.evaluate("document.activeElement.id") == "password"
    # Nothing else on the page was touched: the summary appears only on a real submit.
    expect(page.locator(".error-summary")).to_have_count(0)
    assert not csp, "Content-Security-Policy violations:\n" + "\n".join(csp)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_link_to_your_message_and_the_message_are_accessible(locale, live_server,
                                                                new_context):
    """After registering: the "open your message" link, then the message, through axe."""
    from tests.browser.test_accessibility import check_page

    email = f"axe-{uuid.uuid4().hex[:10]}@example.org"
    page = new_context(bypass_csp=True).new_page()
    page.goto(live_server.url(f"/{locale}/account/register"))
    page.locator("#display_name").fill("Axe Newcomer")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url(f"/{locale}/account/check-email"))
    link = page.locator("main a[href*='/account/mail/']")
    expect(link).to_have_count(1)
    problems, _links = check_page(page, locale)
    with page.expect_navigation():
        link.click()
    expect(page.locator(".summary-list")).to_contain_text(email)
    more, _links = check_page(page, locale)
    problems += more
    assert not problems, "\n".join(problems)
