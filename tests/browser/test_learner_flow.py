"""A learner in a real browser, JavaScript off and on: the demo course from the list to its
certificate, each state checked with axe (English and Arabic); the lesson pages' targets are at
least 44×44 CSS px, a step does not scroll sideways at 320 CSS px (400% zoom), and a step page
with its images stays under 200 KB."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESIDENT
from tests.browser.test_feedback_flow import assert_accessible

pytestmark = pytest.mark.browser

COURSE = "/{locale}/learn/bigger-text-and-keyboard"
STEP = COURSE + "/use-the-keyboard/{n}"  # text steps, a practice step (4), the quiz (5)
SMALL_TARGETS = """() => [...document.querySelectorAll(
    '.lesson a, .lesson button, .lesson input, .lesson select')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 44 || r.height < 44)
  .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


# One demo learner each, so that each run starts the course afresh on the shared server.
LEARNERS = {False: (RESIDENT, "Rami Resident"), True: ("resident.zh@riverbend.example.org", "陳美玲")}


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_learner_takes_the_demo_course_to_its_certificate(login_as, new_context, javascript):
    email, name = LEARNERS[javascript]
    learner = login_as(email, java_script_enabled=javascript).new_page()
    learner.goto("/en/learn/")
    assert_accessible(learner, "en", "the course list", javascript)
    learner.get_by_role("link", name="Bigger text and the keyboard").click()
    assert_accessible(learner, "en", "the course page", javascript)
    learner.locator("main").get_by_role("link", name="Start").click()
    expect(learner.locator(".step-count")).to_contain_text("Step 1 of 3")
    assert_accessible(learner, "en", "a text step", javascript)
    for _ in range(3):  # the first lesson's three steps
        learner.get_by_role("button", name="Mark as done and continue").click()
    expect(learner.locator(".step-count")).to_contain_text("Step 1 of 5")
    for _ in range(4):  # the second lesson's texts and its practice step
        learner.get_by_role("button", name="Mark as done and continue").click()
    expect(learner.locator(".step-count")).to_contain_text("Step 5 of 5")

    def question(n):
        return learner.locator(".quiz-question").nth(n)

    question(0).get_by_label("Hold down Shift and press Tab", exact=True).check()
    question(0).get_by_role("button", name="Check my answer").click()
    expect(question(0)).to_contain_text("Not quite.")
    assert_accessible(learner, "en", "a wrong answer", javascript)
    question(0).get_by_label("Hold down Ctrl and press +", exact=True).check()
    question(0).get_by_role("button", name="Try again").click()
    expect(question(0)).to_contain_text("Right.")
    question(1).get_by_label("Shift and Tab", exact=True).check()
    question(1).get_by_role("button", name="Check my answer").click()
    expect(question(1)).to_contain_text("Right.")
    question(2).get_by_label("The thick outline shows where you are on the page", exact=True).check()
    question(2).get_by_label("Enter uses a link or a button", exact=True).check()
    question(2).get_by_role("button", name="Check my answer").click()
    expect(question(2)).to_contain_text("Right.")
    question(3).get_by_label("It jumps over the menus to the page itself", exact=True).check()
    question(3).get_by_role("button", name="Check my answer").click()
    expect(question(3)).to_contain_text("Right.")
    learner.goto(COURSE.format(locale="en") + "/certificate")
    learner.get_by_role("button", name="Make my certificate").click()
    expect(learner.locator(".certificate")).to_contain_text(name)
    assert_accessible(learner, "en", "the certificate", javascript)
    code = re.search(r"\b[A-HJ-NP-Z2-9]{10}\b", learner.locator(".certificate dl").inner_text()).group(0)

    anonymous = new_context(java_script_enabled=javascript).new_page()
    anonymous.goto("/ar/learn/verify")
    anonymous.locator("input[name=code]").fill(code)
    anonymous.locator("main button[type=submit]").click()
    expect(anonymous.locator("main [role=status]")).to_contain_text(name)
    assert_accessible(anonymous, "ar", "a verified certificate", javascript)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_anonymous_steps_are_accessible_with_big_targets(new_context, locale):
    reader = new_context().new_page()
    for n in (1, 3, 4):
        reader.goto(STEP.format(locale=locale, n=n))
        assert_accessible(reader, locale, f"step {n}", True)
        small = reader.evaluate(SMALL_TARGETS)
        assert not small, "targets under 44×44 px:\n" + "\n".join(small)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_step_reflows_at_400_percent_zoom(new_context, locale):
    reader = new_context(viewport={"width": 320, "height": 640}).new_page()
    for path in (STEP.format(locale=locale, n=4), COURSE.format(locale=locale),
                 f"/{locale}/learn/"):
        reader.goto(path)
        wide = reader.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 320, f"{path} scrolls sideways: {wide}px"


def test_a_step_with_its_images_stays_under_200_kb(new_context, live_server):
    reader = new_context().new_page()
    responses = []
    reader.on("response", lambda response: responses.append(response))
    reader.goto(STEP.format(locale="en", n=1), wait_until="networkidle")
    total = sum(len(r.body()) for r in responses
                if r.url.startswith(live_server.origin) and not 300 <= r.status < 400)
    assert total < 200 * 1024, total


@pytest.mark.parametrize("role", ["anonymous", "resident"])
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_learning_pages_pass_the_crawls_checks(live_server, new_context, login_as, locale, role):
    """test_accessibility's page checks on every learning page the crawl's samples build, and
    the states it would reach only through a form (a filtered list, a checked code)."""
    from tests.browser.test_accessibility import axe_context, check_page, rule_paths

    context = login_as(RESIDENT, bypass_csp=True) if role == "resident" \
        else new_context(bypass_csp=True)
    reader = axe_context(context).new_page()
    paths = [p for p in rule_paths(live_server, locale) if p.startswith(f"/{locale}/learn/")]
    paths += [f"/{locale}/learn/?level=beginner&competence=1.1", f"/{locale}/learn/?level=expert",
              f"/{locale}/learn/verify?code=ABCDEFGHJK", f"/{locale}/learn/verify?code=%00"]
    assert len(paths) >= 9, paths
    problems = []
    for path in paths:
        response = reader.goto(path)
        assert response is not None and response.status < 500, path
        problems += check_page(reader, locale)[0]
    assert not problems, "\n".join(problems)
