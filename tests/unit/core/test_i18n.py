"""Locale selection and translatable fields."""

from __future__ import annotations

import pytest
from flask import g
from markupsafe import Markup

from portal.core import i18n


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en", "en"), ("en-US", "en"), ("EN-gb", "en"),
        ("es", "es"), ("es-419", "es"), ("es_MX", "es"),
        ("ar", "ar"), ("ar-EG", "ar"), ("ug", "ug"), ("ug-CN", "ug"), ("bo", "bo"), ("bo-IN", "bo"),
        # Traditional Chinese: by script, or by a region that writes it
        ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-Hant", "zh-Hant"),
        ("zh-Hant-CN", "zh-Hant"), ("zh-hant", "zh-Hant"), ("zh_Hant_TW", "zh-Hant"),
        ("zh-tw", "zh-Hant"),
        # Simplified Chinese: the default for Chinese
        ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-Hans", "zh-Hans"),
        ("zh-Hans-TW", "zh-Hans"), ("zh-Hans-HK", "zh-Hans"),
        # not ours
        ("fr", None), ("de-CH", None), ("*", None), ("", None), ("-", None), ("english", None),
    ],
)
def test_normalize_tag(tag, code):
    assert i18n.normalize_tag(tag) == code


@pytest.mark.parametrize(
    ("accept", "code"),
    [
        ([("fr", 1.0), ("es", 0.8), ("ar", 0.9)], "ar"),  # highest supported quality wins
        ([("es", 0.5), ("zh-TW", 0.7)], "zh-Hant"),
        ([("es", 1.0), ("ar", 1.0)], "es"),  # equal quality: the header's order
        ([("fr", 1.0), ("de", 0.9)], None),
        ([], None),
        ([("*", 1.0)], None),
        ([("fr", 1.0), ("zh-TW", 0.0)], None),  # q=0 means "not acceptable"
        ([("ar", 0.0), ("es", 0.1)], "es"),
    ],
)
def test_negotiate(accept, code):
    assert i18n.negotiate(accept) == code


def test_negotiate_parses_a_real_header(app):
    with app.test_request_context(headers={"Accept-Language": "fr;q=1, ug-CN;q=0.3, bo;q=0.2"}):
        from flask import request

        assert i18n.negotiate(list(request.accept_languages)) == "ug"


class _User:
    is_authenticated = True

    def __init__(self, locale):
        self.locale = locale


@pytest.mark.parametrize(
    ("user", "cookie", "accept", "expected"),
    [
        (_User("ar"), "es", "zh-TW", "ar"),  # saved preference first
        (None, "es", "zh-TW", "es"),  # then the cookie
        (None, None, "zh-TW", "zh-Hant"),  # then Accept-Language
        (None, "xx", "zh-TW", "zh-Hant"),  # an unknown cookie is ignored
        (_User("xx"), None, "ug", "ug"),  # and an unknown saved value
        (None, None, "fr", "en"),  # English last
        (None, None, None, "en"),
    ],
)
def test_preferred_locale_order(app, user, cookie, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    if cookie:
        headers["Cookie"] = f"{i18n.COOKIE}={cookie}"
    with app.test_request_context(headers=headers):
        assert i18n.preferred_locale(user) == expected


def test_locale_converter_only_matches_the_seven_codes(app):
    adapter = app.url_map.bind("")
    for loc in i18n.LOCALES:
        assert adapter.match(f"/{loc.code}/departments")[0] == "responsibility.departments"
    assert adapter.match("/departments")[0] == "root.unprefixed"


@pytest.mark.parametrize("path", ["/en/nope", "/zh-Hant/x/y", "/api/v1/x", "/open311/v2/x"])
def test_unprefixed_converter_leaves_prefixed_paths_alone(app, path):
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        app.url_map.bind("").match(path)


def test_unprefixed_converter_accepts_lookalikes(app):
    adapter = app.url_map.bind("")
    assert adapter.match("/english")[0] == "root.unprefixed"
    assert adapter.match("/esx/y")[0] == "root.unprefixed"


# --- translatable fields -------------------------------------------------------------------

VERSIONS = {"en": "Harbour", "zh-Hans": "港区", "ar": ""}


@pytest.mark.parametrize(
    ("versions", "source", "locale", "text", "lang", "fallback"),
    [
        (VERSIONS, "en", "zh-Hans", "港区", "zh-Hans", False),  # the reader's version
        (VERSIONS, "en", "es", "Harbour", "en", True),  # none: the source language
        (VERSIONS, "en", "ar", "Harbour", "en", True),  # an empty version does not count
        (VERSIONS, "zh-Hans", "es", "港区", "zh-Hans", True),
        (VERSIONS, "en", "en", "Harbour", "en", False),
        ({"zh-Hans": "渔人新村"}, "en", "en", "渔人新村", "zh-Hans", True),  # wrong source: any text
        ({}, "en", "es", "", "es", False),
        (None, "en", "es", "", "es", False),
    ],
)
def test_localize(versions, source, locale, text, lang, fallback):
    value = i18n.localize(versions, source, locale)
    assert (value.text, value.lang, value.is_fallback) == (text, lang, fallback)
    assert str(value) == text


def test_localize_uses_the_page_locale(app):
    with app.test_request_context("/es/"):
        g.locale = "es"
        assert i18n.localize({"en": "A", "es": "B"}).text == "B"


@pytest.mark.parametrize(
    ("page_locale", "expected"),
    [
        ("en", '<span lang="zh-Hans" dir="ltr">港区 &lt;b&gt;</span>'),
        ("zh-Hans", "港区 &lt;b&gt;"),
    ],
)
def test_localized_html_marks_the_language_when_it_differs(app, page_locale, expected):
    with app.test_request_context(f"/{page_locale}/"):
        g.locale = page_locale
        value = i18n.Localized("港区 <b>", "zh-Hans", page_locale != "zh-Hans")
        assert Markup.escape(value) == expected


def test_localized_html_gives_rtl_languages_their_direction(app):
    with app.test_request_context("/en/"):
        g.locale = "en"
        html = Markup.escape(i18n.Localized("مرحبا", "ar", True))
        assert html == '<span lang="ar" dir="rtl">مرحبا</span>'


def test_translated_descriptor_reads_the_column_and_source(app):
    class Thing:
        name = i18n.translated("name_i18n")

        def __init__(self):
            self.name_i18n = {"ug": "دەريا"}
            self.source_locale = "ug"

    assert isinstance(Thing.name, i18n.translated)
    with app.test_request_context("/es/"):
        g.locale = "es"
        value = Thing().name
        assert (value.text, value.lang, value.is_fallback) == ("دەريا", "ug", True)


def test_html_dir_and_current(app):
    with app.test_request_context("/ug/"):
        g.locale = "ug"
        assert i18n.current().code == "ug"
        assert i18n.html_dir() == "rtl"
        g.locale = "bo"
        assert i18n.html_dir() == "ltr"
        g.locale = "nonsense"
        assert i18n.current().code == "en"


def test_select_catalog_maps_url_codes_to_catalog_folders(app):
    with app.test_request_context("/zh-Hant/"):
        g.locale = "zh-Hant"
        assert i18n.select_catalog() == "zh_Hant"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        g.pop("locale", None)
        assert i18n.select_catalog() == "zh_Hans"
        assert g.locale == "zh-Hans"


def test_lazy_strings_outside_a_request_are_english(app):
    from flask_babel import lazy_gettext

    with app.app_context():
        assert str(lazy_gettext("Page not found")) == "Page not found"
