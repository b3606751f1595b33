"""axe-core on every page, in every locale, as a visitor, a resident and an administrator.

Two sources of pages, crawled together:

* every same-origin link reachable from ``/<locale>/`` (breadth first, within the locale;
  at most ``MAX_PER_SHAPE`` links to one endpoint with the same query-argument names);
* every GET rule in ``app.url_map``, its arguments filled from ``SAMPLE_VALUES``.

A module that adds a page with a new URL argument must add a sample value for it below (and
create the data it points at in ``conftest._prepare_samples``); until then this test fails.

Besides axe (WCAG 2.0/2.1 A and AA, 2.2 AA, target size included) every page must have one
``<h1>``, ``<html lang dir>`` matching the locale, ``hreflang`` alternates for all seven
locales, and no horizontal scrolling at 320 CSS pixels (WCAG 1.4.10 reflow).
"""

from __future__ import annotations

import importlib
import itertools
from collections import Counter, deque
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import ADMIN, AXE_PATH, LOCALES, RESIDENT, RTL

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    rules: {'target-size': {enabled: true}},
    resultTypes: ['violations'],  // skip the details of passes: same checks, less work
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}"""
PAGE_FACTS = """() => ({
  h1: document.querySelectorAll('h1').length,
  lang: document.documentElement.getAttribute('lang'),
  dir: document.documentElement.getAttribute('dir'),
  hreflang: [...document.querySelectorAll('link[rel~=alternate][hreflang]')].map(l => l.hreflang),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
})"""
NO_HSCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
NARROW = {"width": 320, "height": 800}
MAX_PAGES = 400  # per crawl: more means links generate pages without end
# Links to the same endpoint with the same query-argument names are one template with other
# data (a request, a calendar year, a mail): the crawl follows at most this many of each.
# The URLs built from SAMPLE_VALUES are always visited: they choose the states worth seeing.
MAX_PER_SHAPE = 3


def column(model: str, name: str = "id", limit: int = 1, fallback=None, **where):
    """Sample values from the live database: the first ``limit`` values of ``model.name``
    (``"package.module:Model"``), or ``fallback`` when there are none (a page's 404 state)."""

    def values(live):
        from sqlalchemy import select

        module, _, class_name = model.partition(":")
        cls = getattr(importlib.import_module(module), class_name)
        stmt = select(getattr(cls, name)).filter_by(**where).order_by(cls.id).limit(limit)
        return live.scalars(stmt) or ([fallback] if fallback is not None else [])

    return values


RESPONSIBILITY = "portal.responsibility.models"
FEEDBACK = "portal.feedback.models"
LITERACY = "portal.literacy.models"

# Every URL argument of every GET page: name -> function(live_server) -> values to visit.
# ``"endpoint.name"`` overrides ``"name"`` for one endpoint; ``locale`` is the crawl's locale.
# The data these point at is the demo city plus what tests/browser/conftest.py adds.
SAMPLE_VALUES = {
    "user_id": lambda live: [live.data["resident_id"], live.data["sample_user_id"]],
    "message_id": lambda live: live.data["message_ids"][:1],
    # a zip, not a page: the crawler's own session has none, so the 404 page is what it sees
    "export_id": column("portal.accounts.models:DataExport", fallback=1),
    # a crawler's session caused no mail: the 404 (test_accounts_flow checks the message page)
    "outbox_id": column("portal.core.models:OutboxMessage"),
    # valid confirmation and reset tokens, and a broken one: each page shows its own state
    "token": lambda live: [live.data["confirm_token"], live.data["reset_token"], "not-a-valid-token"],
    # responsibility
    "department_code": column(f"{RESPONSIBILITY}:Department", "code", limit=2),
    "service_code": column(f"{RESPONSIBILITY}:ServiceCategory", "service_code"),
    "department_id": column(f"{RESPONSIBILITY}:Department"),
    "area_id": column(f"{RESPONSIBILITY}:Area"),
    "group_id": column(f"{RESPONSIBILITY}:CategoryGroup"),
    "category_id": column(f"{RESPONSIBILITY}:ServiceCategory"),
    "responsibility_admin.attribute_edit.category_id": column(
        f"{RESPONSIBILITY}:ServiceCategory", service_code="pothole"),
    "attribute_code": lambda live: ["size"],  # the pothole category's question
    "rule_id": column(f"{RESPONSIBILITY}:ResponsibilityRule"),
    "year": lambda live: [date.today().year],
    "day": lambda live: [date.today().isoformat(), "2026-12-25"],
    # feedback: one request per kind of state, its files, reply templates
    "code": lambda live: live.data["request_codes"],
    "attachment_id": column(f"{FEEDBACK}:Attachment", fallback=999999),
    "template_id": column(f"{FEEDBACK}:ReplyTemplate", fallback=999999),
    # deliberation: the demo halls (open, area and invitation)
    "slug": column("portal.deliberation.models:Hall", "slug", limit=3),
    "organizations.organization.slug": column("portal.organizations.models:Organization", "slug",
                                              limit=2, state="verified"),
    "organizations.manage.slug": column("portal.organizations.models:Organization", "slug", limit=2),
    # debates: the demo's open debate (riverbend-forum) and closed one (stone-bridge)
    "debate_id": column("portal.deliberation.models:Debate", limit=2, fallback=999999),
    # the demo proposals: gathering supports, with the department, accepted with progress
    "proposal_id": column("portal.deliberation.models:Proposal", limit=3, fallback=999999),
    # votes: the demo's open poll (live results) and closed one (riverbend-forum)
    "poll_id": column("portal.deliberation.models:Poll", limit=2, fallback=999999),
    # meetings: the demo's upcoming meeting (registrations, agenda) and past one (minutes)
    "meeting_id": column("portal.deliberation.models:Meeting", limit=2, fallback=999999),
    "agenda_id": column("portal.deliberation.models:MeetingAgendaItem", limit=1, fallback=999999),
    # reports: the form for a demo comment nobody reported (the resident's neighbour's, in
    # Chinese); the queue's page of the demo's reported comment and of the hidden one
    "reports.report.kind": lambda live: ["debate_comment"],
    "reports.report.item_id": column("portal.deliberation.models:DebateComment", locale="zh-Hans"),
    "reported_id": column("portal.moderation.models:ReportedItem", limit=2, fallback=999999),
    # disclosure requests: the demo's answered, overdue, awaiting correction and paused ones
    "transparency.detail.code": column("portal.transparency.models:DisclosureRequest", "tracking_code",
                                       limit=4, fallback="D-2026-999999"),
    "transparency.received.code": column("portal.transparency.models:DisclosureRequest", "tracking_code",
                                         fallback="D-2026-999999"),
    # literacy, the learner's pages: the demo course, its first lesson, a text, a practice
    # and a quiz step (the demo's curriculum: text, text, practice, quiz)
    **{f"literacy.{endpoint}.slug": column(LITERACY + ":Course", "slug")
       for endpoint in ("course", "step", "print_lesson", "certificate")},
    "lesson_slug": column(LITERACY + ":Lesson", "slug"),
    # the first course's second lesson: a text, a practice and a quiz step
    "literacy.step.lesson_slug": lambda live: ["use-the-keyboard"],
    "literacy.step.position": lambda live: [1, 4, 5],
    # literacy authoring and classes (admins may edit every course; the demo class is theirs)
    "key": column("portal.literacy.models:LessonFile", "key", fallback="0" * 64),
    "course_id": column("portal.literacy.models:Course", fallback=999999),
    "lesson_id": column("portal.literacy.models:Lesson", fallback=999999),
    "step_id": column("portal.literacy.models:LessonStep", fallback=999999),
    "literacy_admin.new_question.step_id": column("portal.literacy.models:LessonStep", kind="quiz",
                                                  fallback=999999),
    "literacy_admin.question.step_id": column("portal.literacy.models:LessonStep", kind="quiz",
                                              fallback=999999),
    "question_id": column("portal.literacy.models:QuizQuestion", fallback=999999),
    "kind": lambda live: ["text", "practice", "quiz"],
    "class_id": column("portal.literacy.models:LearnerClass", fallback=999999),
    # literacy: the three practice forms
    "practice.form.name": lambda live: ["request", "comment", "disclosure"],
    # open data: a page of every registered dataset, and two of their downloads
    # (one template for every dataset: two of them, one of the tracker's, one of the catalog's)
    "opendata.dataset.key": lambda live: ["requests", "publications"],
    "opendata.download_csv.key": lambda live: ["requests"],
    "opendata.download_json.key": lambda live: ["metrics"],
    # the catalog: the demo's publication with two versions, one in Spanish, the withdrawn one;
    # its versions, the demo PDF, a category's feed
    "publication_id": column("portal.transparency.models:Publication", limit=3, fallback=999999),
    "number": lambda live: [1, 2],
    "file_id": column("portal.transparency.models:PublicationFile", fallback=999999),
    "transparency.catalog_category_feed.code": lambda live: ["budgets"],
}

ROLES = {"anonymous": None, "resident": RESIDENT, "admin": ADMIN}


def page_rules(app):
    """The GET rules the crawl must visit: every page, not assets, APIs or redirects."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        # not pages: JSON health checks and the operators' metrics
        if rule.rule in ("/", "/healthz", "/healthz/web", "/metrics"):
            continue
        if rule.rule.startswith(("/api", "/open311")):
            continue
        if rule.endpoint.startswith("root.") and "path" in rule.arguments:
            continue
        yield rule


def rule_paths(live, locale: str) -> list[str]:
    paths = []
    for rule in page_rules(live.app):
        args = sorted(rule.arguments - {"locale"})
        samples = {a: SAMPLE_VALUES.get(f"{rule.endpoint}.{a}", SAMPLE_VALUES.get(a)) for a in args}
        missing = [a for a, values in samples.items() if values is None]
        if missing:
            pytest.fail(
                f"{rule.rule} ({rule.endpoint}): add a sample value for "
                + ", ".join(missing) + " to SAMPLE_VALUES in tests/browser/test_accessibility.py"
            )
        values_by_arg = {a: list(samples[a](live)) for a in args}
        empty = [a for a, values in values_by_arg.items() if not values]
        if empty:
            pytest.fail(f"{rule.rule}: the sample values for {', '.join(empty)} are empty")
        for combo in itertools.product(*values_by_arg.values()):
            values = dict(zip(args, combo, strict=True))
            if "locale" in rule.arguments:
                values["locale"] = locale
            built = rule.build(values, append_unknown=False)
            assert built is not None, f"cannot build {rule.rule} with {values}"
            paths.append(built[1])
    return paths


def run_axe(page) -> list[dict]:
    """axe on the loaded page. Crawl contexts preload axe with ``add_init_script`` (once per
    context instead of once per page); elsewhere it is added to the page here."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    return page.evaluate(AXE_RUN, AXE_TAGS)


def axe_context(context):
    """Preload axe into every page of a context (its CSP must be bypassed)."""
    context.add_init_script(path=str(AXE_PATH))
    return context


def check_page(page, locale: str, check_reflow: bool = True) -> tuple[list[str], list[str]]:
    """axe and the portal's own page rules on the loaded page: (problems, links)."""
    url = page.url
    problems = []
    for v in run_axe(page):
        targets = "; ".join(f"{n['target']}" for n in v["nodes"][:8])
        more = f" (+{len(v['nodes']) - 8} more)" if len(v["nodes"]) > 8 else ""
        detail = " ".join((v["nodes"][0]["summary"] or "").split())[:240] if v["nodes"] else ""
        problems.append(
            f"{url}: axe {v['id']} [{v['impact']}] {v['help']}: {targets}{more} ({detail})"
        )
    facts = page.evaluate(PAGE_FACTS)
    if facts["h1"] != 1:
        problems.append(f"{url}: {facts['h1']} <h1> elements, want exactly 1")
    want_dir = "rtl" if locale in RTL else "ltr"
    if facts["lang"] != locale or facts["dir"] != want_dir:
        problems.append(
            f"{url}: <html lang={facts['lang']!r} dir={facts['dir']!r}>, want {locale!r} {want_dir!r}"
        )
    missing = [code for code in LOCALES if code not in facts["hreflang"]]
    if missing:
        problems.append(f"{url}: no <link rel=alternate hreflang> for {', '.join(missing)}")
    if check_reflow:
        viewport = page.viewport_size
        page.set_viewport_size(NARROW)
        try:
            if not page.evaluate(NO_HSCROLL):
                width = page.evaluate("document.documentElement.scrollWidth")
                problems.append(f"{url}: scrolls sideways at 320px wide (content {width}px)")
        finally:
            page.set_viewport_size(viewport)
    return problems, facts["links"]


def crawl(page, live, locale: str) -> tuple[list[str], int]:
    prefix = f"/{locale}/"
    samples = rule_paths(live, locale)
    sample_set = set(samples)
    queue = deque(dict.fromkeys([prefix, *samples]))
    seen = set(queue)
    checked: set[str] = set()
    checked_shapes: Counter = Counter()
    problems: list[str] = []
    adapter = live.app.url_map.bind("localhost")

    def local_path(href: str) -> str | None:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != live.origin:
            return None
        if not (parts.path + "/").startswith(prefix) or parts.path.startswith("/static"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def shape(path: str):
        parts = urlsplit(path)
        try:
            endpoint, _args = adapter.match(parts.path, method="GET")
        except Exception:  # a redirect or an error: keep it apart by its path
            endpoint = parts.path
        return endpoint, tuple(sorted(parse_qs(parts.query, keep_blank_values=True)))

    queued_shapes = Counter(shape(path) for path in queue)
    while queue:
        if len(checked) >= MAX_PAGES:
            problems.append(f"the {locale} crawl passed {MAX_PAGES} pages: do links loop?")
            break
        path = queue.popleft()
        try:
            response = page.goto(live.url(path))
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # an export (CSV, ICS, ...): not a page
            raise
        if response is None:
            problems.append(f"{path}: no response")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # files, feeds and exports: not pages
        status = response.status
        # A sample URL may answer 400 or 404 on purpose (a broken token); a link may not.
        if status >= 500 or (status == 404 and path not in sample_set):
            problems.append(f"{path}: HTTP {status} (reached as {page.url})")
        final = local_path(page.url) or page.url
        if final in checked:
            continue
        # The same template again (the login page for every page that needs an account, the
        # 403 page for every page a role may not see) is checked only MAX_PER_SHAPE times;
        # sample URLs that show their own page always are.
        key = ("status", status) if status >= 400 else shape(final)
        own_page = final == path and status < 400
        if not (own_page and path in sample_set) and checked_shapes[key] >= MAX_PER_SHAPE:
            continue
        checked_shapes[key] += 1
        checked.add(final)
        page_problems, links = check_page(page, locale)
        problems.extend(page_problems)
        for href in links:
            target = local_path(href.split("#", 1)[0])
            if target is None or target in seen:
                continue
            seen.add(target)
            if queued_shapes[shape(target)] < MAX_PER_SHAPE:
                queued_shapes[shape(target)] += 1
                queue.append(target)
    return problems, len(checked)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_is_accessible(locale, role, live_server, new_context, login_as):
    email = ROLES[role]
    context = login_as(email, bypass_csp=True) if email else new_context(bypass_csp=True)
    page = axe_context(context).new_page()
    problems, count = crawl(page, live_server, locale)
    assert count >= 8, f"the crawl found only {count} pages"
    assert not problems, (
        f"{len(problems)} accessibility problems on {count} pages ({locale}, {role}):\n"
        + "\n".join(problems)
    )


FAILED_FORMS = {
    "register": ("/account/register", "main form[action$='/account/register'] button[type=submit]"),
    "login": ("/account/login", "main form[action*='/account/login'] button[type=submit]"),
    "gallery": ("/components", "main form[action*='/components'] button[type=submit]"),
}


@pytest.mark.parametrize("form", list(FAILED_FORMS))
@pytest.mark.parametrize("locale", LOCALES)
def test_failed_submission_is_accessible(locale, form, live_server, new_context):
    """Each form sent empty: the error summary, the messages and the fields in error."""
    path, button = FAILED_FORMS[form]
    page = new_context(bypass_csp=True).new_page()
    page.goto(live_server.url(f"/{locale}{path}"))
    with page.expect_navigation():
        page.locator(button).first.click()
    summary = page.locator("main .error-summary[role=alert][data-autofocus]")
    assert summary.count() == 1, page.url
    assert summary.evaluate("el => el === document.activeElement"), "the summary is not focused"
    assert page.locator("main .error-message").count() >= 1, page.url
    problems, _links = check_page(page, locale)
    assert not problems, f"{len(problems)} problems after a failed {form} ({locale}):\n" + "\n".join(
        problems
    )


def test_axe_finds_violations(new_context):
    """The crawl is only as good as its axe: on a broken page it must report the breakage."""
    page = new_context(bypass_csp=True).new_page()
    page.set_content(
        "<!doctype html><html><head><title>Broken</title></head><body>"
        "<main><img src='data:,'><a href='#x'></a><p style='color:#ccc'>Faint text</p></main>"
        "</body></html>"
    )
    found = {v["id"] for v in run_axe(page)}
    assert {"html-has-lang", "image-alt", "link-name", "color-contrast"} <= found, found
