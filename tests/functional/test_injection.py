"""Hostile text in every form of the site: no 500, and the answer never carries it unescaped.

The forms are found, not listed: every GET page of the URL map that the role may open in the
seeded city (``test_authorization_matrix``'s world) is fetched, and each ``<form>`` on it is
filled with what hypothesis draws — script tags, attribute breakers, SQL metacharacters, NUL
and other control characters, right-to-left overrides, very long strings, huge numbers — in
every text field at once, then sent as the form would send it (GET query or POST body).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.functional.support import build_url, parse
from tests.functional.test_authorization_matrix import EXPECTED, ROLES, rolled_back

SCRIPT = '<script>alert("xss")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HOSTILE = [
    SCRIPT, ATTRIBUTE, "' OR '1'='1' --", "1; DROP TABLE user_account; --", "a\x00b",
    "\x07\x1b[31m\x7f", "\u202egnp.exe", "x" * 20_000, "99999999999999999999999999",
    "-1", "%00", "{{7*7}}", "${7*7}", "javascript:alert(1)", "../../etc/passwd",
]
UNESCAPED = ("<script>alert(", "<img src=x onerror")
TEXT_INPUTS = {"text", "email", "search", "url", "tel", "number", "password", "date", "time",
               "datetime-local", None}
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                    st.builds("".join, st.lists(st.sampled_from(HOSTILE), max_size=3)))


def forms_on(html: str, page_url: str) -> list[tuple[str, str, dict, list[str]]]:
    """(method, action, fixed fields, text fields) of each form on a page."""
    found = []
    for form in parse(html).find_all("form"):
        action = form.get("action") or page_url
        if not action.startswith("/"):
            continue
        fixed: dict[str, str] = {}
        texts: list[str] = []
        for field in form.iter():
            name = field.get("name")
            if not name or field.tag not in ("input", "textarea", "select"):
                continue
            kind = field.get("type")
            if field.tag == "textarea" or (field.tag == "input" and kind in TEXT_INPUTS):
                texts.append(name)
            elif field.tag == "select":
                option = field.find("option")
                fixed[name] = (option.get("value") or "") if option is not None else ""
            elif kind in ("hidden", "submit") or field.get("checked") is not None:
                fixed[name] = field.get("value") or ""
        if texts:
            found.append(((form.get("method") or "get").upper(), action, fixed, texts))
    return found


def discover(world, role: str) -> list[tuple[str, str, dict, list[str]]]:
    city, _cookies, values = world
    seen, forms = set(), []
    index = list(ROLES).index(role)
    for rule in city.url_map.iter_rules():
        answers = EXPECTED.get((rule.endpoint, "GET"), "")
        if not answers or answers[index] != "O" or rule.endpoint in ("static", "root.unprefixed"):
            continue
        url = build_url(city, rule, values)
        with rolled_back(city):
            response = client_for(world, role).get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for method, action, fixed, texts in forms_on(response.get_data(as_text=True), url):
            key = (method, action.partition("?")[0], tuple(sorted(texts)))
            if key not in seen:
                seen.add(key)
                forms.append((method, action, fixed, texts))
    return forms


def client_for(world, role: str):
    city, cookies, _values = world
    client = city.test_client()
    if role in cookies:
        client.set_cookie(city.config["SESSION_COOKIE_NAME"], cookies[role])
    return client


def send(world, role, method, action, data):
    city = world[0]
    with rolled_back(city):
        client = client_for(world, role)
        if method == "POST":
            return client.post(action, data=data)
        return client.get(action, query_string=data)


def _check(world, role, form):
    method, action, fixed, texts = form

    @settings(max_examples=4, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(hostile, min_size=len(texts), max_size=len(texts)))
    @example([SCRIPT + ATTRIBUTE] * len(texts))
    def post_hostile(payloads):
        response = send(world, role, method, action, {**fixed, **dict(zip(texts, payloads,
                                                                            strict=True))})
        body = response.get_data(as_text=True)
        assert response.status_code < 500, (method, action, payloads, body[:300])
        for raw in UNESCAPED:
            assert raw not in body, (method, action, raw)

    post_hostile()


# role -> (at least this many forms, forms that must be among them)
CRAWLS = {
    "resident": (20, {"/en/disclosure/ask", "/en/account/settings/password",
                      "/en/proposals/1/comments"}),
    "staff": (20, {"/en/staff/requests/R-2026-000001/note", "/en/publications/new"}),
    "administrator": (60, {"/en/admin/users", "/en/admin/responsibility/areas/new"}),
}


@pytest.mark.parametrize("role", CRAWLS)
def test_hostile_text_in_every_form_the_role_sees(seeded_city, role):
    forms = discover(seeded_city, role)
    least, wanted = CRAWLS[role]
    actions = {action.partition("?")[0] for _m, action, _f, _t in forms}
    assert len(forms) >= least and wanted <= actions, sorted(actions)
    for form in forms:
        _check(seeded_city, role, form)
