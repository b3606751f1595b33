"""The shared layout (templates/base.html) is cheap on every page (docs/performance.md): its
other-language links come from one URL built per page, and its navigation and footer links are
rendered once per locale, page and kind of reader and then kept in memory. What it shows stays
what each reader may see."""

from __future__ import annotations

import contextlib
import re

import pytest
from werkzeug.routing import MapAdapter

from portal.core import i18n
from portal.core.roles import ADMIN, MODERATOR, STAFF
from tests.conftest import csrf_token_from
from tests.functional.moderation.support import clients
from tests.functional.support import parse

CODES = [loc.code for loc in i18n.LOCALES]


@contextlib.contextmanager
def built_urls(monkeypatch):
    """Every URL Flask builds (url_for) while the block runs."""
    seen: list[str] = []
    build = MapAdapter.build

    def counting(self, endpoint, *args, **kwargs):
        seen.append(endpoint)
        return build(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counting)
    yield seen
    monkeypatch.setattr(MapAdapter, "build", build)


@pytest.fixture
def client_for(app, db_session):
    return clients(app)


def test_a_signed_in_page_builds_few_urls_for_its_layout(app, factories, client_for, monkeypatch):
    """"Your requests" builds one URL for its other-language links, one for the switcher's and
    one for the text-size form (before: 45, seven per language link and a dozen in the nav)."""
    client = client_for(factories.user(roles=(ADMIN,)))
    client.get("/en/requests/mine")  # the navigation is rendered once, then kept
    with built_urls(monkeypatch) as seen:
        response = client.get("/en/requests/mine")
    assert response.status_code == 200
    layout = [e for e in seen if e in ("feedback.mine", "core.switch_language", "core.home",
                                       "core.text_size", "admin.index", "accounts.logout")]
    assert len(seen) <= 12, seen
    assert layout.count("feedback.mine") == 1 and layout.count("core.switch_language") == 1, seen


@pytest.mark.parametrize("code", ["en", "ar", "zh-Hans"])
def test_the_language_links_are_the_urls_url_for_builds(app, client, code):
    from flask import url_for

    path = f"/{code}/requests?q=a%20b%2Fc&state=open"
    html = client.get(path).get_data(as_text=True)
    doc = parse(html)
    with app.test_request_context(path):
        expected = {c: url_for("feedback.index", locale=c) + "?q=a%20b%2Fc&state=open" for c in CODES}
        switcher = {c: url_for("core.switch_language", locale=c, next=expected[c]) for c in CODES}
    assert {a.get("hreflang"): a.get("href") for a in doc.find_all("link", rel="alternate")} == expected
    links = {a.get("hreflang"): a.get("href") for a in doc.one("nav", class_="languages").find_all("a")}
    assert links == switcher


def test_the_language_links_under_a_script_root(app, factories, client_for):
    """Mounted below a path (SCRIPT_NAME), every link keeps it."""
    client = client_for(factories.user())
    html = client.get("/es/responsibility", base_url="http://localhost/portal").get_data(as_text=True)
    doc = parse(html)
    hrefs = {a.get("hreflang"): a.get("href") for a in doc.find_all("link", rel="alternate")}
    assert hrefs == {c: f"/portal/{c}/responsibility" for c in CODES}
    assert doc.one("nav", class_="main-nav").find("a").get("href") == "/portal/es/"
    client.get("/es/responsibility")  # the kept navigation is per script root
    plain = parse(client.get("/es/responsibility").get_data(as_text=True))
    assert plain.one("nav", class_="main-nav").find("a").get("href") == "/es/"


def _nav(html: str) -> list[tuple[str, str | None]]:
    doc = parse(html)
    links = doc.one("nav", class_="main-nav").find_all("a") + doc.one("footer").find_all("a")
    return [(a.text, a.get("aria-current")) for a in links]


def test_the_kept_navigation_is_per_reader_locale_and_page(app, factories, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "GALLERY_PUBLIC", False)
    anonymous = client_for(None)
    resident = client_for(factories.user())
    staff = client_for(factories.user(roles=(STAFF,), departments=(factories.department(code="roads"),)))
    moderator = client_for(factories.user(roles=(MODERATOR,)))
    admin = client_for(factories.user(roles=(ADMIN,)))
    for _ in range(2):  # the second time from memory
        names = {who: [name for name, _current in _nav(c.get("/en/responsibility").get_data(as_text=True))]
                 for who, c in [("anonymous", anonymous), ("resident", resident), ("staff", staff),
                                ("moderator", moderator), ("admin", admin)]}
        assert "Log in" in names["anonymous"] and "Your requests" not in names["anonymous"]
        assert "Component gallery" not in names["anonymous"]
        assert "Your requests" in names["resident"] and "Staff queue" not in names["resident"]
        assert "Staff queue" in names["staff"] and "Component gallery" in names["staff"]
        assert "Staff queue" in names["moderator"] and "Component gallery" not in names["moderator"]
        assert "Users" in names["admin"] and "Mailbox" in names["admin"]
        assert "Users" not in names["staff"] and "Mailbox" not in names["staff"]
        current = dict(_nav(resident.get("/en/requests/mine").get_data(as_text=True)))
        assert current["Your requests"] == "page" and current["Who is responsible"] is None
        current = dict(_nav(resident.get("/en/responsibility").get_data(as_text=True)))
        assert current["Who is responsible"] == "page" and current["Your requests"] is None
        arabic = resident.get("/ar/requests/mine").get_data(as_text=True)
        assert 'href="/ar/requests/mine" aria-current="page"' in arabic
        assert "Your requests" not in [name for name, _current in _nav(arabic)]
    monkeypatch.setitem(app.config, "GALLERY_PUBLIC", True)
    accessibility = anonymous.get("/en/accessibility").get_data(as_text=True)
    assert "Component gallery" in [name for name, _current in _nav(accessibility)]


def test_each_session_gets_its_own_csrf_token_in_the_kept_navigation(app, factories, client_for):
    """The logout form carries the session's token (put in after the kept HTML), and logs out."""
    first, second = client_for(factories.user()), client_for(factories.user())
    pages = [c.get("/en/requests/mine").get_data(as_text=True) for c in (first, second, first)]
    tokens = [re.search(r'action="/en/account/logout"[^>]*>\s*<input type="hidden" '
                        r'name="csrf_token" value="([^"]+)"', html)[1] for html in pages]
    assert tokens[0] != tokens[1]
    assert "portal-csrf-slot" not in "".join(pages)
    logout = first.post("/en/account/logout", data={"csrf_token": csrf_token_from(pages[2])})
    assert logout.status_code in (302, 303)
    assert first.get("/en/requests/mine").status_code in (302, 303)  # logged out


def test_lazy_strings_find_the_catalog_once_a_request_and_follow_force_locale(app, monkeypatch):
    from flask import g
    from flask_babel import Domain, force_locale, gettext, lazy_gettext

    looked_up = []
    cache = Domain.get_translations_cache
    monkeypatch.setattr(Domain, "get_translations_cache",
                        lambda self, ctx: looked_up.append(1) or cache(self, ctx))
    label = lazy_gettext("Log in")
    with app.test_request_context("/es/"):
        g.locale = "es"
        spanish = [str(label) for _ in range(20)] + [gettext("Log in") for _ in range(20)]
        assert len(looked_up) == 1
        with force_locale("ar"):
            arabic = str(label)
        assert str(label) == spanish[0]
    assert len(set(spanish)) == 1 and spanish[0] != "Log in" and arabic not in ("Log in", spanish[0])


def test_a_page_s_static_links_resolve_each_file_s_path_once(client, db_session, monkeypatch):
    """Four static files a page: their place is worked out once (``realpath`` is a system
    call per path component); a changed file still gets a new fingerprint (one ``stat``)."""
    import os

    from portal.core import rendering

    rendering._static_path.cache_clear()
    client.get("/en/accessibility")
    resolved: list[str] = []
    realpath = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p: resolved.append(p) or realpath(p))
    html = client.get("/en/accessibility").get_data(as_text=True)
    assert "/static/css/portal.css?v=" in html
    assert resolved == []
    assert rendering._static_path(client.application.static_folder, "../portal/config.py") is None


def test_the_templates_gettext_is_jinjas_and_remembers_each_catalogs_answers(app, monkeypatch):
    """``_()`` in templates gives what Jinja's newstyle gettext gives (Markup, ``%`` formatting
    with escaped variables, ``%%``), follows ``force_locale``, and asks the catalog once a string."""
    from flask import g, render_template_string
    from flask_babel import force_locale, get_translations
    from jinja2 import Environment

    source = ('{{ _("Log in") }}|{{ _("100%% sure") }}|{{ _("Hello %(name)s", name=who) }}|'
              '{{ gettext("Log in") }}|{% trans %}Log in{% endtrans %}')
    plain = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    asked = []
    with app.test_request_context("/es/"):
        g.locale = "es"
        catalog = get_translations()
        monkeypatch.setattr(type(catalog), "ugettext",
                            lambda self, s: asked.append(s) or self.gettext(s), raising=False)
        plain.install_gettext_callables(catalog.ugettext, catalog.ungettext, newstyle=True)
        expected = plain.from_string(source).render(who="<b>")
        asked.clear()
        got = [render_template_string(source, who="<b>") for _ in range(5)]
        assert got == [expected] * 5
        assert "&lt;b&gt;" in expected and "100% sure" in expected and "Log in" not in expected
        assert asked.count("Log in") <= 1  # _(), gettext() and {% trans %}: once in all
        with force_locale("ar"):
            arabic = render_template_string('{{ _("Log in") }}')
        assert arabic not in ("Log in", expected.split("|")[0])
