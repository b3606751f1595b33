"""The page cache, data versions and reference data (portal.core.cache), with two app
instances sharing one file-system backend as two processes (or machines) would; anonymous
pages set no cookie; ETag and conditional GET; compression; fingerprinted static files."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from sqlalchemy import event, select

from portal.core import cache as page_cache
from portal.feedback.models import Request
from portal.seed import DEMO_PASSWORD
from tests.functional.support import page

CACHED = {"PAGE_CACHE": True, "REFERENCE_CACHE": True, "CACHE_TYPE": "FileSystemCache"}


@pytest.fixture
def backend(tmp_path):
    page_cache.clear_local()
    yield {**CACHED, "CACHE_DIR": str(tmp_path / "cache")}
    page_cache.clear_local()


@pytest.fixture
def city(app, db_session):
    """The demo city (departments, areas, categories, users, requests in every state)."""
    from portal.seed import seed

    with app.test_request_context():
        seed(db_session)
    db_session.commit()
    return db_session


@pytest.fixture
def two(make_app, backend):
    """Two portal instances on the same database and the same cache backend."""
    return make_app(**backend), make_app(**backend)


def _user(session, name):
    from portal.core.models import User

    return session.scalar(select(User).where(User.email.startswith(name + "@")))


def _public_request(session) -> Request:
    return session.scalar(select(Request).where(Request.state == "acknowledged").order_by(Request.id))


def _log_in(client, session, name="resident"):
    response = client.post("/en/account/login", data={"email": _user(session, name).email,
                                                      "password": DEMO_PASSWORD})
    assert response.status_code == 303
    return client


class Queries:
    """Counts the SQL statements run while it is active (the cache hit must run none)."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _count(self, *args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def public_urls(session) -> list[str]:
    code = _public_request(session).tracking_code
    return ["/en/", "/ar/", "/en/requests", "/en/requests?q=street", f"/en/requests/{code}",
            "/en/requests/metrics", "/en/responsibility", "/en/departments",
            "/en/responsibility/departments/roads", "/open311/v2/services.json",
            "/open311/v2/requests.json", "/open311/v2/requests.xml"]


# --- no cookie, headers, conditional GET -----------------------------------------------------

def test_anonymous_public_pages_set_no_cookie_and_are_cacheable(city, two):
    first, _ = two
    client = first.test_client()
    for url in public_urls(city):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert response.headers["Cache-Control"] == "public, max-age=60", url
        assert response.headers.get("ETag") and response.headers.get("Last-Modified"), url
        assert "Cookie" in response.headers["Vary"], url
    assert client.get_cookie("portal_session") is None


def test_conditional_get_answers_304(city, two):
    client = two[0].test_client()
    for url in ("/en/requests", "/open311/v2/requests.json"):
        response = client.get(url)
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_cache_hit_runs_no_query(city, two):
    from portal.extensions import db

    client = two[0].test_client()
    url = f"/en/requests/{_public_request(city).tracking_code}"
    first = client.get(url)
    with Queries(db.engine) as queries:
        again = client.get(url)
    assert again.data == first.data
    assert queries.count == 0


def test_signed_in_pages_are_private_and_never_stored(city, two):
    first, second = two
    reader = first.test_client()
    anonymous = reader.get("/en/requests").get_data(as_text=True)
    assert "Log out" not in anonymous
    resident = _log_in(first.test_client(), city)
    mine = resident.get("/en/requests")
    assert set(mine.headers["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert "ETag" not in mine.headers
    assert "Log out" in mine.get_data(as_text=True)  # not the anonymous page from the cache
    # ... and what the resident saw never reaches an anonymous reader, on either instance
    for client in (reader, second.test_client()):
        again = client.get("/en/requests").get_data(as_text=True)
        assert "Log out" not in again and "csrf-token" not in again


def test_a_flash_message_is_never_cached(city, two):
    first, second = two
    first.test_client().get("/en/requests")  # the anonymous copy is in the cache
    resident = _log_in(first.test_client(), city)
    resident.post("/en/account/logout")  # "You are logged out." waits in the session
    shown = resident.get("/en/requests")
    assert "You are logged out." in shown.get_data(as_text=True)
    assert "Log out" not in shown.get_data(as_text=True)
    assert "public" not in shown.headers.get("Cache-Control", "")
    for client in (first.test_client(), second.test_client()):
        assert "You are logged out." not in client.get("/en/requests").get_data(as_text=True)


# --- invalidation across instances ---------------------------------------------------------

def test_a_change_through_a_service_shows_on_every_instance(app, city, two):
    first, second = two
    item = _public_request(city)
    url = f"/en/requests/{item.tracking_code}"
    reader_a, reader_b = first.test_client(), second.test_client()
    before_a, before_b = reader_a.get(url), reader_b.get(url)
    assert before_a.headers["ETag"] == before_b.headers["ETag"]  # one backend, one copy
    assert "Pavement repainted today, the line is back." not in before_a.get_data(as_text=True)
    listing = reader_b.get("/open311/v2/requests.json").get_data(as_text=True)

    # staff answer on the second instance (another process): through the route and service
    staff = _log_in(second.test_client(), city, "admin")
    response = staff.post(f"/en/staff/requests/{item.tracking_code}/answer",
                          data={"answer-text": "Pavement repainted today, the line is back."})
    assert response.status_code == 303

    after = reader_a.get(url)
    assert after.status_code == 200
    assert "Pavement repainted today, the line is back." in after.get_data(as_text=True)
    assert after.headers["ETag"] != before_a.headers["ETag"]
    assert reader_a.get(url, headers={"If-None-Match": before_a.headers["ETag"]}).status_code == 200
    assert reader_b.get("/open311/v2/requests.json").get_data(as_text=True) != listing


def test_a_change_outside_the_topics_keeps_the_cached_page(city, two):
    first, second = two
    reader = first.test_client()
    before = reader.get("/en/responsibility")
    staff = _log_in(second.test_client(), city, "admin")  # a request changes, not the list
    response = staff.post(f"/en/staff/requests/{_public_request(city).tracking_code}/answer",
                          data={"answer-text": "Swept and cleaned this morning."})
    assert response.status_code == 303
    assert reader.get("/en/responsibility").headers["ETag"] == before.headers["ETag"]


def test_a_catalog_edit_changes_the_catalogs_pages_and_not_the_disclosure_requests(city, two):
    from portal.transparency.models import DisclosureRequest, Publication

    first, second = two
    publication = city.scalar(select(Publication).where(Publication.state == "published")
                              .order_by(Publication.id))
    request = city.scalar(select(DisclosureRequest).where(DisclosureRequest.public.is_(True))
                          .order_by(DisclosureRequest.id))
    urls = {"publication": f"/en/publications/{publication.id}", "catalog": "/en/publications",
            "dataset": "/en/open-data/publications", "request": f"/en/disclosure/requests/"
            f"{request.tracking_code}", "requests": "/en/disclosure"}
    reader = first.test_client()
    before = {name: reader.get(url) for name, url in urls.items()}
    assert all(r.status_code == 200 for r in before.values())
    assert "Replaced by a newer plan." not in before["publication"].get_data(as_text=True)

    # a reviewer withdraws it on the other instance: the route only calls the service, which
    # commits; the rows' own topic ("catalog") is what changes
    staff = _log_in(second.test_client(), city, "admin")
    response = staff.post(f"/en/publications/{publication.id}/withdraw",
                          data={"note": "Replaced by a newer plan."})
    assert response.status_code == 303

    from portal.extensions import db

    after = {}
    for name in ("request", "requests"):  # still served from the cache: no query at all
        with Queries(db.engine) as queries:
            after[name] = reader.get(urls[name])
        assert queries.count == 0, name
        assert after[name].data == before[name].data
    for name in ("publication", "catalog", "dataset"):  # new at once
        after[name] = reader.get(urls[name])
        assert after[name].headers["ETag"] != before[name].headers["ETag"], name
    assert "Replaced by a newer plan." in after["publication"].get_data(as_text=True)


def test_the_version_changes_only_after_the_commit(city, two):
    first, _ = two
    with first.test_request_context():
        before = page_cache.versions("feedback")
        item = _public_request(city)
        item.title = "Changed, not committed"
        city.flush()
        from flask import g

        g.pop("_cache_versions", None)
        assert page_cache.versions("feedback") == before
        city.rollback()
        g.pop("_cache_versions", None)
        assert page_cache.versions("feedback") == before
        item = _public_request(city)
        item.title = "Changed and committed"
        city.commit()
        g.pop("_cache_versions", None)
        assert page_cache.versions("feedback") != before


def test_large_text_and_locale_get_their_own_copies(city, two):
    client = two[0].test_client()
    plain = client.get("/en/requests")
    client.set_cookie("portal_large_text", "1")
    large = client.get("/en/requests")
    assert "text-large" in page(large).one("html").get("class", "")
    assert "text-large" not in (page(plain).one("html").get("class") or "")
    client.delete_cookie("portal_large_text")
    assert client.get("/es/requests").data != plain.data


def test_htmx_fragments_are_cached_apart(city, two):
    client = two[0].test_client()
    full = client.get("/en/requests?q=street")
    fragment = client.get("/en/requests?q=street", headers={"HX-Request": "true"})
    assert b"<html" in full.data and b"<html" not in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]
    assert b"<html" in client.get("/en/requests?q=street").data


def test_the_backend_down_serves_pages_uncached(city, make_app, backend):
    down = make_app(**{**backend, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:1/0"})
    client = down.test_client()
    assert client.get("/en/requests").status_code == 200
    staff = _log_in(down.test_client(), city, "admin")
    response = staff.post(f"/en/staff/requests/{_public_request(city).tracking_code}/answer",
                          data={"answer-text": "Still works without the cache."})
    assert response.status_code == 303


# --- reference data --------------------------------------------------------------------------

def test_reference_data_edited_in_one_instance_is_seen_by_another(city, make_app, backend):
    from portal.responsibility import services as responsibility
    from portal.responsibility.models import Department

    # page cache off here: what is measured is the per-process reference data
    first = make_app(**{**backend, "PAGE_CACHE": False})
    second = make_app(**{**backend, "PAGE_CACHE": False})
    reader = second.test_client()
    assert "Street Works Office" not in reader.get("/en/requests").get_data(as_text=True)
    with second.test_request_context():
        from portal.extensions import db

        with Queries(db.engine) as queries:
            responsibility.reference_data(city)
        assert queries.count <= 1  # the version check is a cache get, the data is held
    roads = city.scalar(select(Department).where(Department.code == "roads"))
    names = {**roads.name_i18n, "en": "Street Works Office"}
    admin = _log_in(first.test_client(), city, "admin")
    response = admin.post(f"/en/admin/responsibility/departments/{roads.id}", data={
        "code": roads.code, "level": roads.level, "parent_id": str(roads.parent_id or ""),
        "source_locale": roads.source_locale, "email": roads.email or "", "phone": roads.phone or "",
        "supervisor_email": "", **{f"name_{code}": name for code, name in names.items()}})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    options = page(reader.get("/en/requests")).one("select", id="department")
    assert "Street Works Office" in options.text


# --- compression and static files ----------------------------------------------------------

def test_pages_and_json_are_compressed_with_a_matching_etag(city, two):
    client = two[0].test_client()
    for url in ("/en/requests", "/open311/v2/requests.json"):
        plain = client.get(url)
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == plain.data
        assert "Accept-Encoding" in response.headers["Vary"]
        etag = response.headers["ETag"]
        assert etag != plain.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304
    br = client.get("/en/requests", headers={"Accept-Encoding": "br"})
    assert br.headers["Content-Encoding"] == "br"


def test_a_cached_page_is_compressed_harder_once_and_served_from_memory(city, two, monkeypatch):
    """A cached page's compressed bytes are kept per process (compressed harder than a page
    made for one reader: it is served many times); a warm hit compresses nothing."""
    import brotli

    app = two[0]
    client = app.test_client()
    url = "/open311/v2/requests.json"
    plain = client.get(url).data
    first = client.get(url, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    assert brotli.decompress(first.data) == plain
    assert len(first.data) == len(brotli.compress(plain, quality=app.config["PAGE_CACHE_BR_LEVEL"]))
    assert len(first.data) < len(brotli.compress(plain, quality=4))  # Flask-Compress's own level
    calls = []
    real = brotli.compress
    monkeypatch.setattr(brotli, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = client.get(url, headers={"Accept-Encoding": "br"})
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert calls == []
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gz.data) == plain


def test_a_page_made_for_one_reader_is_compressed_fast(app, client, factories, login):
    """Not cached, so compressed for each response: at COMPRESS_BR_LEVEL (1), a quarter of the
    CPU of Flask-Compress's default for a few more bytes."""
    import brotli

    assert app.config["COMPRESS_BR_LEVEL"] == 1
    login(factories.user())
    response = client.get("/en/account/settings", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    plain = brotli.decompress(response.data)
    assert b"<html" in plain
    assert len(response.data) == len(brotli.compress(plain, quality=1))
    assert len(response.data) != len(brotli.compress(plain, quality=4))


def test_static_files_are_compressed_hard_once(app, client):
    """Pages for one reader are compressed fast (COMPRESS_BR_LEVEL 1); static files, kept by
    browsers for a year, at the cached pages' level, once per process and file version."""
    import brotli

    html = client.get("/en/accessibility").get_data(as_text=True)
    link = re.search(r'src="(/static/vendor/htmx\.min\.js\?v=[0-9a-f]+)"', html).group(1)
    raw = (Path(app.static_folder) / "vendor/htmx.min.js").read_bytes()
    for _ in range(2):
        response = client.get(link, headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br"
        assert brotli.decompress(response.data) == raw
        assert len(response.data) == len(brotli.compress(
            raw, quality=app.config["PAGE_CACHE_BR_LEVEL"]))
        assert len(response.data) < len(brotli.compress(raw, quality=1))
        response.close()
    gz = client.get(link, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gz.data) == raw
    gz.close()


def test_static_files_are_fingerprinted_and_kept_for_a_year(client):
    html = client.get("/en/accessibility").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {link.split("?")[0] for link in links} >= {
        "/static/css/portal.css", "/static/js/portal.js", "/static/vendor/htmx.min.js"}
    for link in links:
        assert re.search(r"\?v=[0-9a-f]{12}$", link), link
        response = client.get(link, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        response.close()
    css = next(link for link in links if "portal.css" in link)
    compressed = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    compressed.close()
    stale = client.get("/static/css/portal.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    stale.close()
