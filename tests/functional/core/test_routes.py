"""Locale URLs, language switching, error pages, health, security headers, text size."""

from __future__ import annotations

import pytest

from portal.core.i18n import LOCALES
from tests.factories import PASSWORD
from tests.functional.support import page, title, translated, url_map_app

CODES = [loc.code for loc in LOCALES]
RTL = {"ar", "ug"}
PAGES = ["/{}/", "/{}/accessibility", "/{}/departments", "/{}/account/login",
         "/{}/account/register", "/{}/account/forgot-password", "/{}/components",
         "/{}/account/check-email"]  # (the mailbox is for administrators now)


# --- / and unprefixed paths ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-Hant", "zh-Hant"),
        ("zh-Hant-CN", "zh-Hant"),
        ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-Hans", "zh-Hans"),
        ("ar-EG", "ar"), ("ug-CN", "ug"), ("bo", "bo"), ("es-MX,es;q=0.9", "es"),
        ("fr-FR", "en"), ("", "en"),
        ("fr;q=1.0, de;q=0.9, es;q=0.3, ar;q=0.5", "ar"),  # q-values, not order
        ("es;q=0.1, zh-TW;q=0.8", "zh-Hant"),
        ("fr, zh-TW;q=0", "en"),  # q=0: not acceptable
    ],
)
def test_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{expected}/"
    assert "Accept-Language" in response.headers["Vary"]


def test_root_prefers_the_cookie_to_accept_language(client):
    client.set_cookie("portal_locale", "ug")
    assert client.get("/", headers={"Accept-Language": "es"}).headers["Location"] == "/ug/"
    client.set_cookie("portal_locale", "nonsense")
    assert client.get("/", headers={"Accept-Language": "es"}).headers["Location"] == "/es/"


def test_switching_language_remembers_it(client):
    response = client.get("/bo/language?next=/bo/departments")
    assert response.status_code == 303
    assert response.headers["Location"] == "/bo/departments"
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("portal_locale="))
    assert cookie.startswith("portal_locale=bo;") and "HttpOnly" in cookie
    assert client.get("/", headers={"Accept-Language": "es"}).headers["Location"] == "/bo/"
    # visiting a page in another language sets no cookie (anonymous pages stay cacheable)
    again = client.get("/es/departments")
    assert "Set-Cookie" not in again.headers
    assert client.get("/", headers={"Accept-Language": "es"}).headers["Location"] == "/bo/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", ""])
def test_switching_language_never_redirects_off_site(client, target):
    response = client.get("/ar/language", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ar/"


def test_root_prefers_the_saved_preference(client, factories, login):
    login(factories.user(locale="zh-Hant"))
    client.set_cookie("portal_locale", "es")
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert response.headers["Location"] == "/zh-Hant/"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/account/login", "/es/account/login"),
        ("/account/login?next=%2Fes%2Fadmin%2Fusers&x=1", "/es/account/login?next=%2Fes%2Fadmin%2Fusers&x=1"),
        ("/departments", "/es/departments"),
        ("/admin/users?q=ana", "/es/admin/users?q=ana"),
        ("/account/logout", "/es/account/logout"),  # exists, for POST
    ],
)
def test_unprefixed_page_redirects_to_its_prefixed_version(client, path, location):
    response = client.get(path, headers={"Accept-Language": "es"})
    assert response.status_code == 302
    assert response.headers["Location"] == location


@pytest.mark.parametrize("path", ["/nope", "/account/nope", "/english", "/en/nope",
                                  "/es/account/nope", "/zh-hans/departments"])
def test_unknown_path_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


# --- every page: lang, dir, alternates, switcher -------------------------------------------

@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_lang_dir_and_alternates(client, code, path):
    url = path.format(code)
    response = client.get(url)
    assert response.status_code == 200, url
    doc = page(response)
    html = doc.one("html")
    assert html.get("lang") == code
    assert html.get("dir") == ("rtl" if code in RTL else "ltr")
    alternates = {link.get("hreflang"): link.get("href")
                  for link in doc.find_all("link", rel="alternate")}
    assert alternates == {c: path.format(c) for c in CODES}
    switcher = doc.one("nav", class_="languages")
    links = {a.get("lang"): a for a in switcher.find_all("a")}
    assert set(links) == set(CODES)
    for c, a in links.items():
        assert switcher_target(a.get("href")) == (f"/{c}/language", path.format(c))
        assert a.get("hreflang") == c
        assert a.get("dir") == ("rtl" if c in RTL else "ltr")
    assert links[code].get("aria-current") == "true"
    assert doc.one("main").get("id") == "main-content"
    assert doc.find("a", href="#main-content") is not None


def switcher_target(href: str) -> tuple[str, str]:
    """The switcher links through /<code>/language?next=<page>, which remembers the choice:
    (that path, the page it leads to)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(href)
    return parts.path, parse_qs(parts.query)["next"][0]


def _locale_only_pages():
    app = url_map_app()
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and set(rule.arguments) == {"locale"})


@pytest.mark.parametrize("rule", _locale_only_pages())
def test_every_page_in_the_url_map_has_lang_dir_and_alternates(client, factories, login, rule):
    """Every GET page whose only argument is the locale, seen by an administrator."""
    login(factories.admin())
    for code in CODES:
        url = rule.replace("<lc:locale>", code)
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        if not response.content_type.startswith("text/html"):
            continue  # a feed or an export
        doc = page(response)
        html = doc.one("html")
        assert (html.get("lang"), html.get("dir")) == (code, "rtl" if code in RTL else "ltr"), url
        hreflangs = {link.get("hreflang") for link in doc.find_all("link", rel="alternate")}
        assert hreflangs >= set(CODES), url
        assert doc.one("main").get("id") == "main-content", url


def test_language_switcher_keeps_the_page_and_query(client):
    doc = page(client.get("/es/account/login?next=/es/admin/users"))
    arabic = doc.one("nav", class_="languages").one("a", lang="ar")
    assert switcher_target(arabic.get("href")) == ("/ar/language", "/ar/account/login?next=/es/admin/users")
    assert arabic.text == "العربية"


def test_page_is_translated(app, client, pseudo_catalogs):
    doc = page(client.get("/ug/account/login"))
    assert doc.one("h1").text == "[ug] Log in"
    assert title(client.get("/ug/account/login")).startswith("[ug] Log in")
    assert page(client.get("/en/account/login")).one("h1").text == "Log in"


def test_untranslated_content_is_marked_with_its_language(client, db_session, factories):
    city = factories.area(code="t-city", en="Testville", zh_Hans="测试市", es="Villaprueba")
    factories.area(code="t-fish", parent=city, source_locale="zh-Hans", zh_Hans="渔人新村")
    doc = page(client.get("/en/departments"))
    marked = doc.one("span", lang="zh-Hans")
    assert marked.text == "渔人新村"
    assert marked.get("dir") == "ltr"
    assert "Testville" in doc.one("main").text
    # in Chinese the same name needs no mark, and the city has its own version
    zh = page(client.get("/zh-Hans/departments"))
    assert zh.find("span", lang="zh-Hans") is None
    assert "渔人新村" in zh.one("main").text and "测试市" in zh.one("main").text
    # in Arabic the city falls back to its English source, marked as English
    ar = page(client.get("/ar/departments"))
    assert ar.one("span", lang="en").text == "Testville"
    assert ar.one("span", lang="en").get("dir") == "ltr"


def test_demo_places_are_named_in_the_readers_language(client, db_session):
    from portal.seed import seed

    with client.application.test_request_context("/en/"):
        seed(db_session)
    doc = page(client.get("/en/departments"))
    assert "Fishers' Village" in doc.one("main").text
    assert "渔人新村" not in doc.one("main").text and doc.find("span", lang="zh-Hans") is None
    assert "漁人新村" in page(client.get("/zh-Hant/departments")).one("main").text


# --- error pages ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["es", "ar", "zh-Hant"])
def test_404_page_is_translated(app, client, code):
    response = client.get(f"/{code}/no-such-page")
    assert response.status_code == 404
    doc = page(response)
    assert doc.one("html").get("lang") == code
    assert doc.one("h1").text == translated(app, code, "Page not found")
    assert response.content_type.startswith("text/html")


def test_404_page_with_pseudo_catalog(client, pseudo_catalogs):
    doc = page(client.get("/es/no-such-page"))
    assert doc.one("h1").text == "[es] Page not found"
    assert "[es] Error code: 404" in doc.one("main").text


def test_unprefixed_404_uses_the_preferred_locale(client, pseudo_catalogs):
    doc = page(client.get("/no-such-page", headers={"Accept-Language": "ar"}))
    assert doc.one("html").get("lang") == "ar"
    assert doc.one("html").get("dir") == "rtl"
    assert doc.one("h1").text == "[ar] Page not found"


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/", "/open311/v2/nothing.json"])
def test_api_404_is_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json
    if path.startswith("/api/"):  # Open311 answers in GeoReport v2's own error format
        assert response.json["error"]["status"] == 404
        assert response.json["error"]["title"] == "Page not found"


def test_405_for_the_wrong_method(client):
    response = client.post("/en/accessibility")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert page(response).one("h1").text == "This action is not allowed here"
    assert client.delete("/en/account/login").status_code == 405
    assert client.put("/healthz").status_code == 405


def test_api_405_and_500_are_json(make_app):
    api_app = make_app(TESTING=False)

    @api_app.get("/api/v1/ping")
    def ping():
        return {"pong": True}

    @api_app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("boom")

    c = api_app.test_client()
    assert c.get("/api/v1/ping").json == {"pong": True}
    response = c.post("/api/v1/ping")
    assert response.status_code == 405
    assert response.is_json and response.json["error"]["status"] == 405
    assert "GET" in response.headers["Allow"]
    response = c.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.is_json and response.json["error"]["status"] == 500


def test_413_for_a_body_too_large(app, client, monkeypatch, pseudo_catalogs):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/es/account/login", data={"email": "a@example.org",
                                                      "password": "x" * 4096})
    assert response.status_code == 413
    assert page(response).one("h1").text == "[es] The file is too large"
    small = client.post("/es/account/login", data={"email": "a@example.org", "password": "x"})
    assert small.status_code == 422


def test_500_page_is_the_translated_error_page(make_app, pseudo_catalogs):
    broken = make_app(TESTING=False)

    @broken.get("/<lc:locale>/boom")
    def boom():
        raise RuntimeError("something broke")

    response = broken.test_client().get("/es/boom")
    assert response.status_code == 500
    doc = page(response)
    assert doc.one("html").get("lang") == "es"
    assert doc.one("h1").text == "[es] Sorry, there is a problem with the portal"
    assert "something broke" not in response.get_data(as_text=True)


def test_403_page_is_translated(client, factories, login, pseudo_catalogs):
    login(factories.user())
    response = client.get("/zh-Hans/admin/users")
    assert response.status_code == 403
    assert page(response).one("h1").text == "[zh-Hans] You do not have access to this page"


# --- health --------------------------------------------------------------------------------

def test_healthz(client, db_session):
    from portal.core import heartbeat

    seen = heartbeat.beat(db_session)
    beat_seen = heartbeat.beat(db_session, heartbeat.BEAT)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "worker": "ok",
                             "worker_seen_at": seen.isoformat() + "Z", "beat": "ok",
                             "beat_seen_at": beat_seen.isoformat() + "Z"}


def test_healthz_at_startup_before_the_first_heartbeat(make_app, db_session):
    response = make_app().test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "worker": "starting",
                             "worker_seen_at": None, "beat": "starting", "beat_seen_at": None}


def test_healthz_when_the_worker_has_not_been_seen(make_app, db_session):
    from datetime import timedelta

    from portal.core import heartbeat
    from portal.core.models import utcnow

    app = make_app(HEALTH_WORKER_MINUTES=3)
    app.extensions["portal_started_at"] = utcnow() - timedelta(hours=1)  # long after startup
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["database"] == "ok" and response.json["worker"] == "not seen"
    assert response.json["beat"] == "not seen"
    heartbeat.beat(db_session, now=utcnow() - timedelta(minutes=4))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["worker_seen_at"] is not None
    heartbeat.beat(db_session, now=utcnow() - timedelta(minutes=2))
    # the worker is up, beat is not: each part is reported and checked on its own
    response = client.get("/healthz")
    assert response.status_code == 503
    assert (response.json["worker"], response.json["beat"]) == ("ok", "not seen")
    # ... and the load balancer's check does not take the web node out for it
    assert client.get("/healthz/web").json == {"status": "ok", "database": "ok"}
    heartbeat.beat(db_session, heartbeat.BEAT, now=utcnow() - timedelta(minutes=1))
    assert client.get("/healthz").status_code == 200


def test_healthz_without_the_worker_check(make_app, db_session):
    from datetime import timedelta

    from portal.core.models import utcnow

    app = make_app(HEALTH_WORKER_MINUTES=0)
    app.extensions["portal_started_at"] = utcnow() - timedelta(hours=1)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_when_the_database_is_unreachable(make_app, tmp_path):
    down = make_app(database_url=f"sqlite:///{tmp_path}/missing/dir/portal.sqlite")
    for path in ("/healthz", "/healthz/web"):
        response = down.test_client().get(path)
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.postgres_only
def test_healthz_when_postgresql_is_unreachable(make_app):
    down = make_app(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = down.test_client().get("/healthz")
    assert response.status_code == 503


def test_error_pages_render_without_a_database(make_app, tmp_path):
    down = make_app(database_url=f"sqlite:///{tmp_path}/missing/dir/portal.sqlite")
    c = down.test_client()
    response = c.get("/en/no-such-page")
    assert response.status_code == 404
    assert page(response).one("h1").text == "Page not found"


# --- security ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/en/", "/en/account/login", "/en/no-such-page", "/healthz"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    directives = dict([*d.strip().split(" ", 1), ""][:2] for d in csp.split(";"))
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # not in the embedded profile


def test_pages_have_no_inline_scripts_or_styles(client):
    html = client.get("/en/account/register").get_data(as_text=True)
    doc = page(client.get("/en/account/register"))
    assert all(s.get("src") for s in doc.find_all("script"))
    assert doc.find("style") is None
    assert " style=" not in html and " onclick=" not in html


def test_session_cookie_is_http_only_and_lax(client, factories):
    user = factories.user()
    response = client.post("/en/account/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("portal_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # embedded profile, plain http


def test_secure_cookies_and_hsts_in_production(make_app, monkeypatch, db_session, factories,
                                               database_url):
    from portal.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example")  # the trusted host
    config = ProductionConfig()
    config.RATELIMIT_ENABLED = False  # no Redis here: the limiter is tested on its own
    config.WTF_CSRF_ENABLED = False
    config.PASSWORD_HASH_CHEAP = True
    config.CELERY_DISPATCH = False
    prod = make_app(config)
    user = factories.user()
    https = {"base_url": "https://portal.example"}
    c = prod.test_client()
    response = c.post("/en/account/login", data={"email": user.email, "password": PASSWORD,
                                                 "remember": "y"}, **https)
    assert response.status_code == 303
    cookies = {v.split("=", 1)[0]: v for v in response.headers.getlist("Set-Cookie")}
    for name in ("portal_session", "remember_token"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name]
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=63072000" in hsts and "includeSubDomains" in hsts
    locale_cookies = [v for v in c.get("/es/language?next=/es/", **https).headers.getlist("Set-Cookie")
                      if v.startswith("portal_locale=")]
    assert locale_cookies and all("Secure" in v for v in locale_cookies)
    # production hides the gallery and the mailbox from the public
    assert prod.test_client().get("/en/components", **https).status_code == 302
    assert prod.test_client().get("/en/admin/mailbox", **https).status_code == 302


def test_https_seen_through_the_reverse_proxy(make_app, db_session):
    proxied = make_app(PROXY_COUNT=1, HSTS=True)
    response = proxied.test_client().get("/en/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    plain = proxied.test_client().get("/en/")
    assert "Strict-Transport-Security" not in plain.headers
    # without a trusted proxy, the header is ignored
    direct = make_app(HSTS=True).test_client().get("/en/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in direct.headers


# --- text size -----------------------------------------------------------------------------

def test_larger_text_for_anonymous_readers(client):
    """A plain link (no form, no session): the page that offers it sets no cookie."""
    first = client.get("/en/departments?x=1")
    assert "Set-Cookie" not in first.headers
    link = page(first).one("a", role="button", aria_pressed=True)
    assert link.get("aria-pressed") == "false"
    response = client.get(link.get("href"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/departments?x=1"
    assert response.headers.getlist("Set-Cookie")[0].startswith("portal_large_text=1;")
    doc = page(client.get("/en/departments"))
    assert "text-large" in doc.one("html").get("class", "").split()
    link = doc.one("a", role="button", aria_pressed=True)
    assert link.get("aria-pressed") == "true"
    client.get(link.get("href"))
    assert page(client.get("/en/")).one("html").get("class") is None
    # the form still works (for a page that was open before)
    client.post("/en/text-size", data={"next": "/en/"})
    assert "text-large" in page(client.get("/en/")).one("html").get("class", "")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x", ""])
def test_larger_text_link_never_redirects_off_site(client, target):
    response = client.get("/es/text-size", query_string={"large": "1", "next": target})
    assert response.headers["Location"] == "/es/"


def test_larger_text_is_saved_on_the_account(client, db_session, factories, login):
    from portal.core.models import User

    user = login(factories.user())
    client.post("/en/text-size", data={"next": "/en/"})
    db_session.expire_all()
    assert db_session.get(User, user.id).large_text is True
    client.delete_cookie("portal_large_text")
    assert "text-large" in page(client.get("/en/")).one("html").get("class", "")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/",
                                    "/\\evil.example/", "/\t/evil.example/", "javascript:x", ""])
def test_text_size_never_redirects_off_site(client, target):
    response = client.post("/es/text-size", data={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/es/"
