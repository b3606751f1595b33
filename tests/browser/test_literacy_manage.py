"""Course authoring and classes in a real browser with JavaScript off: an administrator writes a
short course (details, a lesson, a text step, a quiz with its question), is refused publishing
until the quiz has a question, publishes it, opens a class for it and sees the class page. axe
and the portal's page checks run on each page, in English and in Arabic (right to left)."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser


def _save(page, label="Save"):
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=label, exact=True).click()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_an_author_writes_a_short_course_and_follows_a_class(login_as, locale):
    context = login_as(ADMIN, java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    title = f"Keyboard basics {secrets.token_hex(3)}"
    page.goto(f"/{locale}/learn/manage/new")
    assert_accessible(page, locale, "the new course form", False)
    page.locator("#source_locale-0").check()  # English
    page.fill("#title_en", title)
    page.fill("#summary_en", "The keys that help most.")
    page.locator("#author_department_id").select_option(index=0)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(title)
    assert_accessible(page, locale, "the course page", False)

    page.fill("#title", "Bigger text")
    page.locator("form[action$='/lessons/new'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Bigger text")
    assert_accessible(page, locale, "the lesson page", False)
    lesson_url = page.url

    page.locator("a[href$='/steps/new/text']").click()
    assert_accessible(page, locale, "the text step form", False)
    page.locator("main form button[type=submit]").click()  # nothing typed: refused
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, locale, "the refused text step form", False)
    page.fill("#title", "Zoom in")
    page.fill("#body", "Press Ctrl and + together.")
    page.locator("main form button[type=submit]").click()
    assert page.url == lesson_url

    page.locator("a[href$='/steps/new/quiz']").click()
    page.fill("#title", "Check")
    page.locator("main form button[type=submit]").click()
    quiz_url = page.url
    assert_accessible(page, locale, "the quiz step page", False)

    page.goto(re.sub(r"/lessons/.*$", "", lesson_url))
    page.locator("form[action$='/publish'] button").click()
    expect(page.locator("main")).to_contain_text("«Check»" if locale == "ar" else "Add at least one question")

    page.goto(quiz_url)
    page.locator("a[href$='/questions/new']").click()
    assert_accessible(page, locale, "the question form", False)
    page.fill("#text", "Which keys make text bigger?")
    page.fill("#choice_1", "Ctrl and +")
    page.locator("#correct_1").check()
    page.fill("#choice_2", "Alt and F4")
    page.fill("#explanation", "Ctrl and + zoom in.")
    page.locator("main form button[type=submit]").click()
    page.goto(re.sub(r"/lessons/.*$", "", lesson_url))
    page.locator("form[action$='/publish'] button").click()
    expect(page.locator("form[action$='/unpublish']")).to_have_count(1)

    page.goto(f"/{locale}/learn/classes/new")
    assert_accessible(page, locale, "the new class form", False)
    page.fill("#name", "Tuesday club")
    page.locator("#course_id").select_option(label=title)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".request-code").first).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    assert_accessible(page, locale, "the class page", False)
    page.goto(f"/{locale}/learn/join")
    assert_accessible(page, locale, "the join form", False)
