"""The page cache, data versions and reference data: what makes anonymous pages cheap.

* **Versions per topic.** A topic is the domain package of a model ("feedback",
  "responsibility", ...). Every commit that wrote a row of a topic's models gives that topic a
  new random version in the shared cache backend (a file-system cache in ``instance/`` in the
  embedded profile, Redis in production), so every process and machine sees it. The session
  notices the writes itself (flushes and bulk ``update``/``delete``), so no service can forget
  to invalidate; ``touch(session, topic)`` marks a topic by hand for changes the ORM cannot see.
  Versions change only *after* the commit: a reader never stores old data under a new version.
* **The page cache.** ``@cached_page("feedback", "responsibility")`` on a public GET view keys
  the rendered page by URL, locale, display preferences, htmx and the versions of its topics
  (one ``get_many``). Only requests without a session or remember-me cookie use it, so nothing
  rendered for a signed-in person (or carrying a flash message or a CSRF token) is ever stored
  or served to another reader; a response that sets a cookie is never stored. Anonymous
  responses carry ``ETag`` and ``Last-Modified`` (conditional GET → 304) and
  ``Cache-Control: public, max-age=60``; pages for signed-in people ``private, no-store``.
* **Reference data** (``reference(name, loader)``) is loaded once per process and reloaded
  when the "responsibility" version changes, checked once per request.
* **Held values** (``held(topic, key, load)``): one reader's own value (the signed-in user with
  their roles) kept in this process under its topic's version for at most
  ``PAGE_CACHE_TIMEOUT`` seconds, never shown to anybody else.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, has_app_context, make_response, request
from sqlalchemy import event

from portal.extensions import cache

VERSION_PREFIX = "v:"
PAGE_PREFIX = "page:"
log = logging.getLogger(__name__)

# Topics some cached page, reference data or held value depends on: only these are bumped.
# "accounts" (users, their sessions and roles: ``core.models``) is watched in every process,
# web or worker, so that a signed-in user held by ``held`` is replaced whoever changes it.
ACCOUNTS_TOPIC = "accounts"
WATCHED: set[str] = {"responsibility", ACCOUNTS_TOPIC}


class Unavailable(Exception):
    """The cache backend did not answer: serve uncached, never fail the request."""


# --- topics and their versions --------------------------------------------------------------

def topic_of(cls: type) -> str | None:
    """A model's topic: the domain package it lives in (portal.feedback.models → feedback), or
    the model's own ``__cache_topic__``; None for rows no cached page shows (a learner's
    progress), so writing them never empties a public page's cache."""
    if "__cache_topic__" in vars(cls):
        return cls.__cache_topic__
    parts = getattr(cls, "__module__", "").split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "portal" else None


def _enabled() -> bool:
    return has_app_context() and (
        current_app.config.get("PAGE_CACHE") or current_app.config.get("REFERENCE_CACHE"))


def versions(*topics: str) -> tuple[str, ...]:
    """The current version of each topic: one round trip to the backend, memoized per request."""
    memo = g.setdefault("_cache_versions", {})
    wanted = [t for t in topics if t not in memo]
    if wanted:
        keys = [VERSION_PREFIX + t for t in wanted]
        try:
            found = cache.get_many(*keys)
            for topic, key, value in zip(wanted, keys, found, strict=True):
                if value is None:  # never set, or evicted: start one nobody has used yet
                    cache.add(key, secrets.token_hex(8), timeout=0)
                    value = cache.get(key)
                if value is None:
                    raise Unavailable(topic)
                memo[topic] = value
        except Unavailable:
            raise
        except Exception as exc:
            log.warning("cache backend unavailable: %s", exc)
            raise Unavailable(str(exc)) from exc
    return tuple(memo[t] for t in topics)


def bump(*topics: str) -> None:
    """New versions for these topics, seen by every process that shares the backend."""
    if topics:
        try:
            cache.set_many({VERSION_PREFIX + t: secrets.token_hex(8) for t in topics}, timeout=0)
        except Exception:  # pages then live at most PAGE_CACHE_TIMEOUT: say so loudly
            log.exception("could not bump cache versions %s", topics)
        if has_app_context():
            memo = g.get("_cache_versions")
            if memo:
                for t in topics:
                    memo.pop(t, None)


def touch(session, *topics: str) -> None:
    """Mark topics as changed by this session's transaction: bumped after it commits."""
    session.info.setdefault("cache_topics", set()).update(topics)


def _collect(session, flush_context, instances=None):
    topics = {topic_of(type(o)) for o in (*session.new, *session.dirty, *session.deleted)}
    topics.discard(None)
    if topics:
        touch(session, *topics)


def _bulk(orm_execute_state):
    """An UPDATE, DELETE or INSERT statement run through the session: its models' topics, or
    for a plain table (an association table written by Core) the ``cache_topic`` in its
    ``info``."""
    if orm_execute_state.is_update or orm_execute_state.is_delete or orm_execute_state.is_insert:
        topics = {topic_of(m.class_) for m in orm_execute_state.all_mappers}
        table = getattr(orm_execute_state.statement, "table", None)
        if table is not None and not topics:
            topics.add(getattr(table, "info", {}).get("cache_topic"))
        topics.discard(None)
        if topics:
            touch(orm_execute_state.session, *topics)


def _after_commit(session):
    topics = session.info.pop("cache_topics", None)
    if topics and _enabled():
        bump(*sorted(topics & WATCHED))


def _after_rollback(session):
    session.info.pop("cache_topics", None)


def install_session_hooks(session_class) -> None:
    """Listen on the session class once, however many apps are created (tests make many)."""
    if event.contains(session_class, "after_commit", _after_commit):
        return
    event.listen(session_class, "before_flush", _collect)
    event.listen(session_class, "do_orm_execute", _bulk)
    event.listen(session_class, "after_commit", _after_commit)
    event.listen(session_class, "after_rollback", _after_rollback)


# --- a small in-process layer in front of the shared backend --------------------------------

class _Local:
    """Entries keyed by something that already contains the versions, so never stale."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            item = self.data.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self.data[key]
                return None
            self.data.move_to_end(key)
            return item[1]

    def set(self, key: str, value, timeout: float) -> None:
        with self.lock:
            self.data[key] = (time.monotonic() + timeout, value)
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


_local = _Local()


class CompressedPages:
    """Flask-Compress's cache: a page's compressed bytes, kept only for cached pages (whose
    key holds the data versions); every other response is compressed afresh.

    A cached page is compressed once per process and served many times, so it is compressed
    harder than a page made for one reader (``PAGE_CACHE_BR_LEVEL``, ``PAGE_CACHE_GZIP_LEVEL``:
    Open311's 643 KB ``requests.json`` is 47 KB at brotli 9 instead of 63 KB at Flask-Compress's
    4): fewer bytes for every reader, for about a tenth of a second once a minute."""

    def get(self, key: str) -> bytes | None:
        if key.endswith(";None"):
            return None
        found = _local.get("z:" + key)
        if found is None:
            algorithm, _, page_key = key.partition(";")
            entry = _local.get(page_key)
            if entry is not None and algorithm in ("br", "gzip"):
                found = _compress_harder(entry[0], algorithm)
                self.set(key, found)
        return found

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";None"):
            _local.set("z:" + key, value, current_app.config["PAGE_CACHE_TIMEOUT"])


def _compress_harder(body: bytes, algorithm: str) -> bytes:
    config = current_app.config
    if algorithm == "br":
        import brotli

        return brotli.compress(body, quality=config["PAGE_CACHE_BR_LEVEL"])
    import gzip

    return gzip.compress(body, config["PAGE_CACHE_GZIP_LEVEL"])


def _static_compressed_harder(response, filename: str) -> None:
    """A static file as Flask-Compress compressed it (as it streamed, at ``COMPRESS_BR_LEVEL``,
    which is low for pages made for one reader) replaced by the file compressed at the cached
    pages' level, once per process and file version: browsers keep it for a year."""
    algorithm = response.headers.get("Content-Encoding")
    if response.status_code != 200 or algorithm not in ("br", "gzip"):
        return
    from werkzeug.security import safe_join

    path = safe_join(current_app.static_folder, filename)
    try:
        stat = os.stat(path) if path else None
    except OSError:
        stat = None
    if stat is None:
        return
    key = f"static:{algorithm}:{path}:{stat.st_mtime_ns}:{stat.st_size}"
    body = _static.get(key)
    if body is None:
        with open(path, "rb") as file:
            body = _compress_harder(file.read(), algorithm)
        _static[key] = body
    if hasattr(response.response, "close"):
        response.response.close()  # Flask-Compress's stream, never read
    response.set_data(body)


_static: dict[str, bytes] = {}  # a few dozen files at most, each a few KB compressed


def compress_key(req) -> str | None:
    return g.get("page_cache_key")


# --- the page cache -------------------------------------------------------------------------

def anonymous_request() -> bool:
    """No session and no remember-me cookie: nobody is signed in, no flash message waits."""
    config = current_app.config
    return not (request.cookies.get(config["SESSION_COOKIE_NAME"])
                or request.cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token")))


def _page_key(topics: tuple[str, ...]) -> str:
    from portal.core.rendering import LARGE_TEXT_COOKIE

    parts = [
        ",".join(versions(*topics)), str(g.get("locale") or ""),
        "L" if request.cookies.get(LARGE_TEXT_COOKIE) == "1" else "-",
        "H" if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
        else "-",
        request.host, request.full_path,
    ]
    return PAGE_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _public(response, last_modified: datetime):
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PAGE_CACHE_MAX_AGE"]
    response.vary.update(("Cookie", "HX-Request"))
    response.last_modified = last_modified
    return response.make_conditional(request)


def cached_page(*topics: str):
    """Cache a public GET view for anonymous readers; see the module's docstring."""

    def decorator(view: Callable):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method not in ("GET", "HEAD") or not anonymous_request():
                return view(*args, **kwargs)
            config = current_app.config
            if not config.get("PAGE_CACHE"):
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or "Set-Cookie" in response.headers:
                    return response
                response.add_etag()
                return _public(response, datetime.now(UTC).replace(microsecond=0))
            try:
                key = _page_key(topics)
                entry = _local.get(key) or cache.get(key)
            except Exception as exc:  # the backend is down: serve the page uncached
                log.warning("page cache unavailable: %s", exc)
                return view(*args, **kwargs)
            if entry is None:
                response = make_response(view(*args, **kwargs))
                if (response.status_code != 200 or response.is_streamed
                        or "Set-Cookie" in response.headers):
                    return response
                body = response.get_data()
                headers = [(k, v) for k, v in response.headers.items()
                           if k.lower() not in ("content-length", "set-cookie")]
                entry = (body, response.status_code, headers,
                         hashlib.sha256(body).hexdigest()[:32], time.time())
                try:
                    cache.set(key, entry, timeout=config["PAGE_CACHE_TIMEOUT"])
                except Exception as exc:
                    log.warning("page cache unavailable: %s", exc)
            _local.set(key, entry, config["PAGE_CACHE_TIMEOUT"])
            body, status, headers, etag, stamp = entry
            response = current_app.response_class(body, status=status, headers=headers)
            response.set_etag(etag)
            g.page_cache_key = key
            return _public(response, datetime.fromtimestamp(int(stamp), UTC))

        wrapped.cached_topics = topics
        WATCHED.update(topics)
        return wrapped

    return decorator


def cached_fragment(topics: tuple[str, ...], key: str, render: Callable[[], Any]):
    """A piece of a page that is the same for every reader of one kind (a proposal's thread,
    with or without reply links, in one locale): kept in this process under ``key`` and the
    versions of ``topics``, so a write to them replaces it. Pages for signed-in people use it
    for their public parts only: ``key`` must name everything the piece depends on, and a piece
    holds nothing of one person (no form, no token, no "you")."""
    if not current_app.config.get("PAGE_CACHE"):
        return render()
    return _kept(_local, "frag:", topics, key, render)


def _kept(store: _Local, prefix: str, topics: tuple[str, ...], key: str, load: Callable[[], Any]):
    """``load()``'s result kept in ``store`` under ``key`` and the current versions of
    ``topics`` (read *before* ``load`` runs, so a value loaded just before a write commits is
    kept under the old version and never reused), for at most ``PAGE_CACHE_TIMEOUT`` seconds;
    a None result is not kept; with the backend down, ``load()`` runs every time."""
    try:
        full = prefix + hashlib.sha256("\n".join((*versions(*topics), key)).encode()).hexdigest()
    except Unavailable:
        return load()
    found = store.get(full)
    if found is None:
        found = load()
        if found is not None:
            store.set(full, found, current_app.config["PAGE_CACHE_TIMEOUT"])
    return found


# --- reference data -------------------------------------------------------------------------

_reference: dict[str, tuple[str, Any]] = {}
_reference_lock = threading.Lock()
REFERENCE_TOPIC = "responsibility"


def reference(name: str, loader: Callable[[], Any]):
    """``loader()``'s result, kept for this process until an edit bumps the reference version.

    The loader must return plain values (no ORM objects bound to a session)."""
    if not current_app.config.get("REFERENCE_CACHE"):
        return loader()
    try:
        (version,) = versions(REFERENCE_TOPIC)
    except Unavailable:
        return loader()
    key = f"{current_app.config.get('SQLALCHEMY_DATABASE_URI')}|{name}"
    held = _reference.get(key)
    if held is not None and held[0] == version:
        return held[1]
    value = loader()
    with _reference_lock:
        _reference[key] = (version, value)
    return value


_held = _Local(size=4096)


def held(topic: str | tuple[str, ...], key: str, load: Callable[[], Any]):
    """``load()``'s result, kept in this process under ``key`` and the current version of
    ``topic`` (or of each of several) for at most ``PAGE_CACHE_TIMEOUT`` seconds (a bound
    should a bump ever fail): a write to the topic's tables in any process gives it a new
    version, so the next request loads afresh (``_kept``, as pieces of pages are kept). With
    caching off (tests), ``load()`` runs every time.

    ``key`` must name everything the value depends on; the value must be safe to share
    between requests and threads (plain values, or ORM objects never added to a session)."""
    if not _enabled():
        return load()
    topics = (topic,) if isinstance(topic, str) else topic
    return _kept(_held, "held:", topics, f"{current_app.config.get('SQLALCHEMY_DATABASE_URI')}|{key}",
                 load)


def clear_local() -> None:
    """Forget what this process holds (tests)."""
    _local.clear()
    _reference.clear()
    _held.clear()


# --- the app ---------------------------------------------------------------------------------

STATIC_MAX_AGE = 365 * 24 * 3600


def init_cache(app: Flask) -> None:
    from flask_sqlalchemy.session import Session as FlaskSession

    instance = app.instance_path
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("REFERENCE_CACHE", True)
    app.config.setdefault("PAGE_CACHE_TIMEOUT", 60)
    app.config.setdefault("PAGE_CACHE_MAX_AGE", 60)
    app.config.setdefault("PAGE_CACHE_BR_LEVEL", 9)  # cached pages: see CompressedPages
    app.config.setdefault("PAGE_CACHE_GZIP_LEVEL", 9)
    app.config.setdefault("CACHE_TYPE", "FileSystemCache")
    app.config.setdefault("CACHE_DIR", f"{instance}/cache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 300)
    app.config.setdefault("CACHE_KEY_PREFIX", "portal:")
    app.config.setdefault("CACHE_THRESHOLD", 5000)
    cache.init_app(app)
    install_session_hooks(FlaskSession)

    @app.after_request
    def cache_headers(response):
        if request.endpoint == "static":
            from portal.core.rendering import static_fingerprint

            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args.get("v") == static_fingerprint(filename):
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
            _static_compressed_harder(response, filename)
        elif "_login_user" in g and g._login_user.is_authenticated:
            response.cache_control.public = False
            response.cache_control.max_age = None
            response.cache_control.private = True
            response.cache_control.no_store = True
        return response
