"""What every template can use: the locale, its direction, other-language links, helpers."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import Flask, current_app, g, request, session, url_for
from flask_babel import Domain, format_decimal, get_locale, get_translations
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

from portal.core import i18n
from portal.core.roles import LABELS as ROLE_LABELS

LARGE_TEXT_COOKIE = "portal_large_text"


def alternate_urls() -> list[tuple[i18n.PortalLocale, str]]:
    """This page in every locale (same endpoint and arguments), for the switcher and hreflang.
    Worked out once a request (the layout asks twice), from one ``url_for``: the other
    locales' URLs differ only in their first path segment."""
    memo = g.get("_portal_alternates")
    if memo is None:
        memo = g._portal_alternates = _alternate_urls()
    return memo


def _alternate_urls() -> list[tuple[i18n.PortalLocale, str]]:
    if (request.url_rule is None or request.endpoint is None or not request.url_rule.arguments
            or "locale" not in request.url_rule.arguments):
        return _in_every_locale("core.home", {})
    query = request.query_string.decode()
    return [(loc, f"{url}?{query}" if query else url)
            for loc, url in _in_every_locale(request.endpoint, dict(request.view_args or {}))]


def _in_every_locale(endpoint: str, args: dict) -> list[tuple[i18n.PortalLocale, str]]:
    """``url_for(endpoint, **args, locale=code)`` for every locale: built once for the first
    locale, the others by replacing its code where it leads the path (else built each)."""
    first, *others = i18n.LOCALES
    url = url_for(endpoint, **{**args, "locale": first.code})
    prefix = f"{request.script_root}/{first.code}"
    if url != prefix and not url.startswith((prefix + "/", prefix + "?")):
        return [(first, url)] + [(loc, url_for(endpoint, **{**args, "locale": loc.code}))
                                 for loc in others]
    rest = url[len(prefix):]
    return [(first, url)] + [(loc, f"{request.script_root}/{loc.code}{rest}") for loc in others]


def language_links() -> list[tuple[i18n.PortalLocale, str]]:
    """The switcher's links: ``/<code>/language?next=<this page in that language>``, the same
    URLs ``url_for("core.switch_language", locale=code, next=url)`` builds, one ``url_for``."""
    switches = dict(_in_every_locale("core.switch_language", {}))
    return [(loc, f"{switches[loc]}?{urlencode([('next', url)], safe=_QUERY_SAFE)}")
            for loc, url in alternate_urls()]


_QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug's (werkzeug.urls._urlencode), so the URLs are the same


# What may change a layout part: the locale and page (computed below), and these reader flags.
_CSRF_SLOT = "portal-csrf-slot-2f4e"  # no real token looks like this; escaping leaves it alone
_LAYOUT_PARTS = "portal_layout_parts"
_LAYOUT_PARTS_MAX = 4096  # 7 locales × the endpoints × a few kinds of reader, with room


def layout_part(name: str) -> Markup:
    """A static part of the layout (``templates/core/_<name>.html``: the main navigation, the
    footer's links), rendered once per locale, page endpoint and kind of reader and then kept
    in this process's memory: a dozen ``url_for`` and ``_()`` on every page otherwise. It may
    use only the variables passed here, which are its cache key; the CSRF token, the one part
    that differs per session, is put in on the way out."""
    get_locale()  # selects the locale (and sets g.locale) where the URL has none, e.g. a 404
    user = current_user
    signed_in = bool(user.is_authenticated)
    context = {
        "endpoint": request.endpoint or "",
        "authenticated": signed_in,
        "staff": signed_in and user.has_role("staff"),
        "staff_or_moderator": signed_in and user.has_role("staff", "moderator", "organization_member"),
        "administrator": signed_in and user.has_role("administrator"),
        "gallery_public": bool(current_app.config.get("GALLERY_PUBLIC")),
    }
    key = (name, i18n.current().code, request.script_root, *context.values())
    parts = current_app.extensions.setdefault(_LAYOUT_PARTS, {})
    html = parts.get(key)
    if html is None:
        if len(parts) >= _LAYOUT_PARTS_MAX:
            parts.clear()
        html = current_app.jinja_env.get_template(f"core/_{name}.html").render(
            csrf_slot=_CSRF_SLOT, **context).rstrip()
        parts[key] = html
    if _CSRF_SLOT in html:
        html = html.replace(_CSRF_SLOT, generate_csrf())
    return Markup(html)  # noqa: S704 (rendered by an autoescaping template)


@dataclass
class CompiledRow:
    """One row for ``compiled_rows``: what its template's conditions and loops depend on
    (``shape``: hashable values; ``actions`` a tuple of labels) and what it writes out
    (``values``: text, escaped on the way in as the template would escape it)."""

    shape: dict
    values: dict = field(default_factory=dict)
    actions: list = field(default_factory=list)  # one value (a URL) per label in shape["actions"]


_SLOT = re.compile("\x02([A-Za-z0-9_]+)\x03")  # control characters never in user text (core.text)
_COMPILED = "portal_compiled_rows"


def compiled_rows(template: str, rows: list[CompiledRow], **context) -> Markup:
    """Many rows of one template, each written by filling a compiled copy: the template is
    rendered once per shape (in this process, per locale) with a marker in place of each value,
    and a row is then its shape's pieces joined with its own values. The same HTML as rendering
    the template for every row, at a fraction of the cost (a staff queue has 25 rows of some
    35 outputs each). ``context`` is the same for every row and may depend only on the locale
    (translated labels); the template sees ``row`` with the shape's names and the values'."""
    cache = current_app.extensions.setdefault(_COMPILED, {})
    locale = i18n.current().code
    out = []
    for row in rows:
        key = (template, locale, tuple(row.shape.items()))
        pieces = cache.get(key)
        if pieces is None:
            if len(cache) >= _LAYOUT_PARTS_MAX:
                cache.clear()
            markers = {name: Markup(f"\x02{name}\x03") for name in row.values}  # noqa: S704
            actions = [(label, Markup(f"\x02action_{i}\x03"))  # noqa: S704
                       for i, label in enumerate(row.shape.get("actions", ()))]
            sample = SimpleNamespace(**row.shape, **markers)
            sample.actions = actions
            html = current_app.jinja_env.get_template(template).render(row=sample, **context)
            pieces = cache[key] = _SLOT.split(html)
        filled = pieces[:]
        for i in range(1, len(filled), 2):
            name = filled[i]
            if name.startswith("action_") and name not in row.values:
                filled[i] = str(escape(row.actions[int(name[7:])]))
            else:
                filled[i] = str(escape(row.values[name]))
        out.append("".join(filled))
    return Markup("".join(out))  # noqa: S704 (the template's own escaping, value by value)


_KEPT = "portal_kept_fragments"


def kept_fragment(key: tuple | None, caller, **slots) -> Markup:
    """``{% call kept_fragment(key, url=url) %}…{% endcall %}``: the block rendered once per
    key and locale in this process, then reused with each slot's value put in (a CSRF token,
    a URL with the record's code: whatever differs between readers of the same key). ``key``
    must name everything else the block shows; where the block's input differs (a form bound
    to what was posted, with its errors) the template renders it plainly instead."""
    if key is None:
        return Markup(caller())  # noqa: S704 (rendered by an autoescaping template)
    cache = current_app.extensions.setdefault(_KEPT, {})
    full_key = (i18n.current().code, request.script_root, key)
    pieces = cache.get(full_key)
    values = {name: str(escape(value)) for name, value in slots.items()}
    if pieces is None:
        html = str(caller())
        for name, value in values.items():
            if value:
                html = html.replace(value, f"\x02{name}\x03")
        if len(cache) >= _LAYOUT_PARTS_MAX:
            cache.clear()
        pieces = cache[full_key] = _SLOT.split(html)
    filled = pieces[:]
    for i in range(1, len(filled), 2):
        filled[i] = values[filled[i]]
    return Markup("".join(filled))  # noqa: S704 (rendered by an autoescaping template)


def form_key(name: str, form) -> tuple:
    """What a form shows (for ``kept_fragment``): each field's value, choices and errors."""
    parts: list = [name, form._prefix, bool(form.meta.csrf)]  # with or without its token field
    for f in form:
        if f.type == "CSRFTokenField":
            continue
        choices = (tuple((str(c.value), str(c.label), bool(c.selected)) for c in f.iter_choices())
                   if hasattr(f, "iter_choices") else ())
        parts.append((f.name, repr(f.data), choices, tuple(str(e) for e in f.errors)))
    return tuple(parts)


def large_text_enabled() -> bool:
    if current_user.is_authenticated:
        return bool(current_user.large_text)
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


@lru_cache(maxsize=256)
def _static_path(folder: str, filename: str) -> str | None:
    """Where a static file is, or None outside the folder: worked out once per name (a
    ``realpath`` is a system call per path component, and every page asks for four files)."""
    path = os.path.realpath(os.path.join(folder, filename))
    return path if path.startswith(os.path.realpath(folder) + os.sep) else None


def static_fingerprint(filename: str) -> str | None:
    """A static file's content hash (recomputed only when the file changes), or None."""
    folder = current_app.static_folder
    if not folder or not filename:
        return None
    path = _static_path(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _fingerprint(path, stat.st_mtime_ns, stat.st_size)


def static_url(filename: str) -> str:
    """A static file's URL with its content hash: cached by browsers for a year, and a new
    URL whenever the file changes."""
    version = static_fingerprint(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def csrf_meta_token() -> str | None:
    """The CSRF token for htmx's meta tag, only where a session exists already (signed in,
    or a page with a form started one): an anonymous page must not start a session."""
    if current_user.is_authenticated or "csrf_token" in session:
        return generate_csrf()
    return None


def _translations():
    """The request's catalog for the templates' ``_()``, found once per locale and request:
    flask_babel's own lookup on every call (three context lookups, a ``Locale`` to ``str``) was
    the largest single cost of a signed-in page (50 to 70 calls each). Checked against the
    request's locale object, so ``force_locale`` (mail in the recipient's language) still
    switches catalogs."""
    try:
        ctx = g._flask_babel
        memo = ctx.portal_translations
        if memo[0] is ctx.babel_locale:
            return memo[1]
    except (AttributeError, RuntimeError):  # not looked up yet, or outside any context
        pass
    translations = get_translations()
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is not None:
        ctx.portal_translations = (locale, translations)
    return translations


_GETTEXT_MEMO_MAX = 8192


@pass_context
def _template_gettext(__context, __string: str, **variables):
    """The templates' ``_()`` and ``gettext()``: Jinja's newstyle gettext (the translation,
    made ``Markup`` under autoescaping, always formatted with ``%``) with each catalog's
    answers remembered, so a string shown on every page (or every row) is translated and
    formatted once per catalog and process instead of on each call (40 to 70 a page)."""
    translations = _translations()
    if not __context.eval_ctx.autoescape:
        return translations.ugettext(__string) % variables
    if variables:
        return Markup(translations.ugettext(__string)) % variables  # noqa: S704 (a catalog's text)
    memo = translations.__dict__.get("_portal_gettext")
    if memo is None:
        memo = translations.__dict__.setdefault("_portal_gettext", {})
    found = memo.get(__string)
    if found is None:
        found = Markup(translations.ugettext(__string)) % {}  # noqa: S704 (a catalog's text)
        if len(memo) < _GETTEXT_MEMO_MAX:  # templates pass literals: a few hundred strings
            memo[__string] = found
    return found


class _RequestDomain(Domain):
    """Flask-Babel's domain with the request's catalog found once (as ``_translations``): lazy
    strings (form labels, choices, messages) and Python's ``gettext`` otherwise look the
    catalog up again on every ``str()``, 50 to 90 times a staff page."""

    def get_translations(self):
        try:
            ctx = g._flask_babel
            memo = ctx.portal_translations
            if memo[0] is ctx.babel_locale:
                return memo[1]
        except (AttributeError, RuntimeError):
            pass
        translations = super().get_translations()
        ctx = g.get("_flask_babel") if g else None
        locale = getattr(ctx, "babel_locale", None)
        if locale is not None:
            ctx.portal_translations = (locale, translations)
        return translations


def init_rendering(app: Flask) -> None:
    from portal.extensions import babel

    # Flask-Babel's default domain (a cached property of the one Babel object) is ours: made
    # once, so that every app in the process shares its catalog cache, as Flask-Babel's own.
    if not isinstance(babel.__dict__.get("domain_instance"), _RequestDomain):
        babel.__dict__["domain_instance"] = _RequestDomain(domain=app.extensions["babel"].default_domain)
    # After babel.init_app: the same callables as flask_babel's, over the memoized catalog.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def portal_context():
        locale = i18n.current()
        return {
            "page_locale": locale,
            "locales": i18n.LOCALES,
            "text_dir": "rtl" if locale.rtl else "ltr",
            "alternate_urls": alternate_urls,
            "language_links": language_links,
            "layout_part": layout_part,
            "compiled_rows": compiled_rows,
            "kept_fragment": kept_fragment,
            "form_key": form_key,
            "large_text": large_text_enabled(),
            "csrf_token": generate_csrf,
            "csrf_meta_token": csrf_meta_token,
            "static_url": static_url,
            "role_labels": ROLE_LABELS,
            "profile": app.config["PROFILE"],
        }

    # One format per locale for every page (``portal.core.i18n.DATE_PATTERNS``): ``fmt`` is
    # accepted for the templates' sake, and only ``date("full")`` differs (it adds the weekday).
    app.jinja_env.filters["date"] = lambda value, fmt="medium": i18n.format_day(value, fmt == "full")
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": i18n.format_moment(value)
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.globals["localize"] = i18n.localize
    app.jinja_env.filters["join_list"] = i18n.format_list
    # ``names | map("extract", labels)``: each name looked up in a mapping (as in Ansible)
    app.jinja_env.filters["extract"] = lambda key, mapping: mapping[key]
    app.jinja_env.filters["ago"] = i18n.time_ago
    app.jinja_env.globals["field_attrs"] = field_attrs


def field_attrs(field, css_class: str, extra: dict | None = None) -> dict:
    """HTML attributes for a form control: hint and error ids, aria-invalid, no native
    ``required`` (our own translated messages explain what is wrong, not the browser's)."""
    attrs = {"class": css_class + (" input--error" if field.errors else ""), "required": False}
    described = []
    if field.description:
        described.append(f"{field.id}-hint")
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.flags.required:
        attrs["aria-required"] = "true"
    attrs.update(extra or {})
    return attrs
