"""Helpers for functional and unit tests: a small HTML tree, pseudo-translations, other apps."""

from __future__ import annotations

import contextlib
import functools
import re
from html.parser import HTMLParser

import pytest
from babel import support

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None = None):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    def __repr__(self) -> str:
        attrs = " ".join(f'{k}="{v}"' for k, v in self.attrs.items())
        return f"<{self.tag} {attrs}>"

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def _matches(self, tag, attrs) -> bool:
        if tag is not None and self.tag != tag:
            return False
        for name, wanted in attrs.items():
            name = name.rstrip("_").replace("_", "-")
            value = self.attrs.get(name)
            if wanted is True:
                if name not in self.attrs:
                    return False
            elif name == "class":
                if wanted not in (value or "").split():
                    return False
            elif value != wanted:
                return False
        return True

    def find_all(self, tag: str | None = None, **attrs) -> list[Node]:
        """Descendants (and self) with ``tag`` and attributes; ``class_`` matches one class,
        ``aria_invalid`` means ``aria-invalid``, ``True`` means "present"."""
        return [n for n in self.iter() if n._matches(tag, attrs)]

    def find(self, tag: str | None = None, **attrs) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, **attrs) -> Node:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def by_id(self, id_: str) -> Node | None:
        return self.find(id=id_)

    @property
    def text(self) -> str:
        parts: list[str] = []

        def walk(node: Node):
            for child in node.children:
                if isinstance(child, Node):
                    walk(child)
                else:
                    parts.append(child)

        walk(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Node:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def page(response) -> Node:
    return parse(response.get_data(as_text=True))


def title(response) -> str:
    return page(response).one("title").text


# --- translations ------------------------------------------------------------------------

class PseudoTranslations(support.Translations):
    """Every message comes back as ``[code] message``: proves a string went through gettext
    in the request's locale, whatever the real catalogs hold today."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def _mark(self, message: str) -> str:
        return f"[{self.code}] {message}" if message else message

    def gettext(self, message):
        return self._mark(message)

    def ngettext(self, singular, plural, n):
        return self._mark(singular if n == 1 else plural)

    def pgettext(self, context, message):
        return self._mark(message)

    def npgettext(self, context, singular, plural, n):
        return self._mark(singular if n == 1 else plural)

    ugettext = gettext
    ungettext = ngettext
    upgettext = pgettext
    unpgettext = npgettext


def install_pseudo_catalogs(monkeypatch) -> None:
    """Serve pseudo-translations for every locale but English (for this test only)."""
    from portal.core.i18n import LOCALES
    from portal.extensions import babel

    cache = {
        (loc.catalog, "messages"): PseudoTranslations(loc.code)
        for loc in LOCALES if loc.code != "en"
    }
    monkeypatch.setattr(babel.domain_instance, "cache", cache)


def translated(app, code: str, message, **variables) -> str:
    """``message`` (a msgid or a lazy string) as the real catalog of ``code`` renders it:
    English while a string is untranslated, the translation once the catalog has it."""
    from flask import g
    from flask_babel import gettext

    with app.test_request_context(f"/{code}/"):
        saved = dict(g.__dict__)
        g.__dict__.clear()
        g.locale = code
        try:
            return gettext(message, **variables) if isinstance(message, str) else str(message)
        finally:
            g.__dict__.clear()
            g.__dict__.update(saved)


# --- fixtures shared by unit and functional tests (imported by their conftest.py) --------

@pytest.fixture
def pseudo_catalogs(monkeypatch):
    install_pseudo_catalogs(monkeypatch)


@pytest.fixture
def make_app(database_url, app):
    """``make_app(**config)`` builds another portal app, by default on the test database.

    Extensions keep some state globally (Flask-Limiter's switch and storage, Celery's current
    and default app): it is put back afterwards, so the session's ``app`` is unaffected.
    """
    from portal import create_app
    from portal.extensions import db
    from tests.conftest import IsolatedClient, make_config

    created = []

    def _make(config=None, **overrides):
        if config is None:
            config = make_config(overrides.pop("database_url", database_url), **overrides)
        new = create_app(config)
        new.test_client_class = IsolatedClient
        created.append(new)
        return new

    with kept_extension_state():
        yield _make
        for other in created:
            with other.app_context():
                db.engine.dispose()


@contextlib.contextmanager
def kept_extension_state():
    """Another app may be built inside: Flask-Limiter's switch and storage and Celery's
    current and default app are put back afterwards."""
    from celery import _state as celery_state

    from portal.extensions import limiter

    saved_limiter = dict(limiter.__dict__)
    saved_current = celery_state.get_current_app()
    saved_default = celery_state.default_app
    try:
        yield
    finally:
        limiter.__dict__.clear()
        limiter.__dict__.update(saved_limiter)
        saved_current.set_current()
        celery_state.set_default_app(saved_default)


def build_url(app, rule, values: dict | None = None, locale: str = "en") -> str:
    """A URL for ``rule``: ``values`` by "endpoint.argument" or by argument name (a value an
    ``any()`` converter does not allow is skipped), else the first ``any()`` choice, 1 for
    numbers and ``x`` for strings."""
    from werkzeug.routing.converters import AnyConverter, NumberConverter

    values = dict(values or {})
    args = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        qualified = f"{rule.endpoint}.{name}"
        if name == "locale":
            args[name] = locale
        elif qualified in values:
            args[name] = values[qualified]
        elif name in values and not (isinstance(converter, AnyConverter)
                                     and values[name] not in converter.items):
            args[name] = values[name]
        else:
            if isinstance(converter, AnyConverter):
                args[name] = sorted(converter.items)[0]
            elif isinstance(converter, NumberConverter):
                args[name] = 1
            else:
                args[name] = "x"
    return app.url_map.bind("localhost").build(rule.endpoint, args, force_external=False)


@functools.cache
def url_map_app():
    """An app built at collection time, only to read its URL map for parametrizing tests."""
    from portal import create_app
    from tests.conftest import make_config

    return create_app(make_config("sqlite://"))


def poll(predicate, seconds: float = 30.0, interval: float = 0.2):
    """Wait for something a background worker does: ``predicate()``'s first truthy value."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class QueryCounter:
    """The SQL statements run while it is open: ``with QueryCounter(db.engine) as counted``."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self)
