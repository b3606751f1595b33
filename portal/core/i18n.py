"""Locales: the seven the portal speaks, how a request picks one, and translatable fields.

URL codes (``zh-Hans``) are BCP 47 tags used in paths, ``lang`` attributes and ``hreflang``;
catalog codes (``zh_Hans``) are the gettext folder names under ``translations/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import g, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter, PathConverter


@dataclass(frozen=True)
class PortalLocale:
    code: str  # URL code and BCP 47 tag
    catalog: str  # gettext catalog folder
    native_name: str
    rtl: bool = False


LOCALES: tuple[PortalLocale, ...] = (
    PortalLocale("en", "en", "English"),
    PortalLocale("zh-Hans", "zh_Hans", "简体中文"),
    PortalLocale("zh-Hant", "zh_Hant", "繁體中文"),
    PortalLocale("es", "es", "Español"),
    PortalLocale("ar", "ar", "العربية", rtl=True),
    PortalLocale("bo", "bo", "བོད་ཡིག"),
    PortalLocale("ug", "ug", "ئۇيغۇرچە", rtl=True),
)
BY_CODE = {loc.code: loc for loc in LOCALES}
BY_CATALOG = {loc.catalog: loc for loc in LOCALES}
DEFAULT = "en"
COOKIE = "portal_locale"


class LocaleConverter(BaseConverter):
    """Matches only the seven URL codes, so ``/xx/…`` falls through to the redirect."""

    regex = "(?:" + "|".join(loc.code for loc in LOCALES) + ")"


class UnprefixedPathConverter(PathConverter):
    """A path that does not start with a locale code, ``api``, ``open311`` or ``static``.

    The redirect to the prefixed page must not match ``/en/…`` itself: it would shadow the
    real pages' ``405 Method Not Allowed`` and turn unknown pages into redirects.
    """

    regex = (
        "(?!(?:" + "|".join([loc.code for loc in LOCALES] + ["api", "open311", "static"])
        + ")(?:/|$))[^/].*?"
    )


def normalize_tag(tag: str) -> str | None:
    """Map one language tag (``zh-TW``, ``zh-Hant-CN``, ``ar-EG``) to a URL code, or None."""
    parts = [p for p in tag.replace("_", "-").split("-") if p]
    if not parts or parts[0] == "*":
        return None
    language = parts[0].lower()
    if language == "zh":
        scripts = [p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()]
        if scripts:
            return "zh-Hant" if scripts[0] == "Hant" else "zh-Hans"
        regions = [p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()]
        if regions:
            try:
                script = Locale.parse(f"zh_{regions[0]}").script
            except (UnknownLocaleError, ValueError):
                script = None
            return "zh-Hant" if script == "Hant" else "zh-Hans"
        return "zh-Hans"
    for loc in LOCALES:
        if loc.code == language:
            return loc.code
    return None


def negotiate(accept_language: list[tuple[str, float]]) -> str | None:
    """The first supported locale in Accept-Language order (highest quality first).

    A quality of 0 means "not acceptable": such tags are never chosen.
    """
    for tag, quality in sorted(accept_language, key=lambda tq: -tq[1]):
        if quality <= 0:
            continue
        code = normalize_tag(tag)
        if code:
            return code
    return None


def preferred_locale(user=None) -> str:
    """Saved preference, then cookie, then Accept-Language, then English."""
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in BY_CODE:
        return user.locale
    cookie = request.cookies.get(COOKIE)
    if cookie in BY_CODE:
        return cookie
    return negotiate(list(request.accept_languages)) or DEFAULT


def current() -> PortalLocale:
    return BY_CODE.get(g.get("locale", DEFAULT), BY_CODE[DEFAULT])


def select_catalog() -> str:
    """Flask-Babel's locale selector: the locale in the URL, else the negotiated one
    (English outside a request: a shell, a command, a task without a request context)."""
    code = g.get("locale")
    if code is None and not has_request_context():
        return BY_CODE[DEFAULT].catalog
    if code is None:
        from flask_login import current_user

        code = preferred_locale(current_user)
        g.locale = code
    return BY_CODE[code].catalog


# --- translatable fields -------------------------------------------------------------------

@dataclass(frozen=True)
class Localized:
    """A translatable value resolved for the reader: the text and the language it is in."""

    text: str
    lang: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> Markup:
        """Rendered with a ``lang`` attribute when it is not in the page's language.

        Markup, not a plain ``str``: ``Markup.format`` escapes what ``__html__`` returns
        unless it is Markup, so a plain string would be escaped twice (``&amp;lt;``)."""
        if self.lang != current().code:
            return Markup('<span lang="{}" dir="{}">{}</span>').format(
                self.lang, "rtl" if BY_CODE[self.lang].rtl else "ltr", self.text)
        return escape(self.text)


def localize(versions: dict[str, str] | None, source: str = DEFAULT, locale: str | None = None):
    """Pick the reader's version of a translatable field, falling back to the source.

    ``versions`` maps URL codes to text; ``source`` names the language it was written in.
    """
    versions = versions or {}
    code = locale or current().code
    if versions.get(code):
        return Localized(versions[code], code, False)
    if versions.get(source):
        return Localized(versions[source], source, code != source)
    for other, text in versions.items():
        if text:
            return Localized(text, other, True)
    return Localized("", code, False)


def html_dir() -> str:
    return "rtl" if current().rtl else "ltr"


def babel_locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT)


class translated:
    """A model attribute that resolves a translatable JSON column for the reader.

    ``name = translated("name_i18n")`` reads ``obj.name_i18n`` (URL code → text) and
    ``obj.source_locale``.
    """

    def __init__(self, column: str) -> None:
        self.column = column

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return localize(getattr(obj, self.column), getattr(obj, "source_locale", DEFAULT))


# --- where Babel's CLDR data is thin, the catalogs supply the strings ----------------------

# Babel's Uyghur list pattern uses the English "and"; its Tibetan relative times are digits
# and abbreviations ("-3 min"). For these locales the portal's own catalogs take over.
CATALOG_LISTS = {"ug"}
CATALOG_RELATIVE_TIMES = {"bo"}


def format_list(items) -> Markup:
    """"A, B and C" in the reader's language. Items keep their own markup (a translatable
    value in another language keeps its ``lang``); plain strings are escaped."""
    from babel.lists import format_list as babel_format_list
    from flask_babel import gettext

    parts = [str(escape(i)) for i in items]
    if not parts:
        return Markup("")
    if current().code not in CATALOG_LISTS or len(parts) < 2:
        return Markup(babel_format_list(parts, locale=babel_locale()))  # noqa: S704 - parts escaped
    head = gettext(", ").join(parts[:-1])
    return Markup(gettext("%(items)s and %(last)s", items=head, last=parts[-1]))  # noqa: S704


def time_ago(moment, now=None) -> str:
    """"3 minutes ago" in the reader's language (``moment`` and ``now`` naive UTC)."""
    from datetime import UTC, datetime

    from babel.dates import format_timedelta
    from flask_babel import ngettext

    now = now or datetime.now(UTC).replace(tzinfo=None)
    delta = moment - now
    if current().code not in CATALOG_RELATIVE_TIMES:
        return format_timedelta(delta, add_direction=True, locale=babel_locale())
    seconds = int(-delta.total_seconds())
    if seconds < 60:
        return ngettext("%(num)d second ago", "%(num)d seconds ago", max(seconds, 0))
    if seconds < 3600:
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", seconds // 60)
    if seconds < 86400:
        return ngettext("%(num)d hour ago", "%(num)d hours ago", seconds // 3600)
    if seconds < 30 * 86400:
        return ngettext("%(num)d day ago", "%(num)d days ago", seconds // 86400)
    if seconds < 365 * 86400:
        return ngettext("%(num)d month ago", "%(num)d months ago", seconds // (30 * 86400))
    return ngettext("%(num)d year ago", "%(num)d years ago", seconds // (365 * 86400))


# --- dates and times: one unambiguous format per locale ------------------------------------

# CLDR's "short" dates are ambiguous (3/4/26 is 3 April in Spain) and lack the century, its
# "medium" times carry seconds, and its Tibetan medium date mixes Tibetan and Western digits.
# So every page shows a day as the month's name, the day and the full year, and a moment as
# that day and the time to the minute, in these patterns (checked for each locale in tests).
DATE_PATTERNS = {
    "en": "MMM d, y",                          # Mar 4, 2026
    "zh-Hans": "y年M月d日",                    # 2026年3月4日
    "zh-Hant": "y年M月d日",
    "es": "d MMM y",                           # 4 mar 2026
    "ar": "d MMMM y",                          # 4 مارس 2026
    "bo": "སྤྱི་ལོ་y MMMMའི་ཚེས་d",            # སྤྱི་ལོ་2026 ཟླ་བ་གསུམ་པའི་ཚེས་4
    "ug": "d-MMMM، y",                         # 4-مارت، 2026
}
TIME_PATTERNS = {
    "en": "h:mm\u202fa", "zh-Hans": "HH:mm", "zh-Hant": "Bh:mm", "es": "H:mm",
    "ar": "h:mm a", "bo": "HH:mm", "ug": "HH:mm",
}
DATETIME_JOIN = {
    "en": "{date}, {time}", "zh-Hans": "{date} {time}", "zh-Hant": "{date} {time}",
    "es": "{date}, {time}", "ar": "{date}، {time}", "bo": "{date} {time}", "ug": "{date}، {time}",
}


def format_day(value, weekday: bool = False) -> str:
    """A date (or the date of a datetime, in the portal's time zone) with the full year;
    ``weekday`` adds the day of the week (CLDR's full pattern: deadlines in working days)."""
    from flask_babel import format_date
    from flask_babel import format_datetime as babel_format_datetime

    if value is None or value == "":
        return ""
    pattern = babel_locale().date_formats["full"].pattern if weekday else DATE_PATTERNS[current().code]
    if hasattr(value, "hour"):  # a datetime: its day in the portal's time zone
        return babel_format_datetime(value, pattern)
    return format_date(value, pattern)


def format_moment(value) -> str:
    """A moment: the day with the full year and the time to the minute."""
    from flask_babel import get_timezone

    if value is None or value == "":
        return ""
    code = current().code
    return _moment(value, MOMENT_PATTERNS[code], get_locale(), get_timezone())


MOMENT_PATTERNS = {code: DATETIME_JOIN[code].format(date=DATE_PATTERNS[code], time=TIME_PATTERNS[code])
                   for code in DATETIME_JOIN}


@lru_cache(maxsize=4096)
def _moment(value, pattern: str, locale: Locale | None, tzinfo) -> str:
    """What flask_babel's ``format_datetime(value, pattern)`` gives, remembered: a staff queue
    shows the same 25 deadlines on every visit, and Babel takes a tenth of a millisecond each."""
    from babel import dates

    return dates.format_datetime(value, pattern, tzinfo=tzinfo, locale=locale)
