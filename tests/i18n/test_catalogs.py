"""The translation catalogs: current, complete, consistent, compilable, and used.

Fails when ``translations/messages.pot`` no longer matches the source (run
``flask --app portal translate update``), when a catalog misses a string, leaves one empty or
fuzzy, changes a placeholder, or does not compile, and when a locale does not render.
docs/glossary.md holds the words every catalog uses.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest
from babel.messages.mofile import write_mo
from markupsafe import escape

from portal.cli import EXTRACT  # the same extraction as ``flask translate update``
from tests.i18n.conftest import CATALOGS, ROOT, load_po

# Python %-format placeholders: %(name)s, %d, %.1f ... and the literal %%.
PLACEHOLDER = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def key(message):
    """A message's identity: its msgid, or (msgid, msgid_plural)."""
    return message.id if isinstance(message.id, str) else tuple(message.id)


def keys(catalog) -> set:
    return {key(m) for m in catalog if m.id}


def placeholders(text: str) -> Counter:
    return Counter((m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text))


def forms(message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, (tuple, list)) else [string]


def show(k) -> str:
    return repr(k if isinstance(k, str) else k[0])[:90]


def listing(items) -> str:
    return ", ".join(sorted(map(show, items))[:20])


# --- the template ----------------------------------------------------------------------------

def test_pot_is_current(tmp_path, pot):
    fresh_path = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", *EXTRACT,
         "-o", str(fresh_path), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    fresh = load_po(fresh_path)
    new, gone = keys(fresh) - keys(pot), keys(pot) - keys(fresh)
    if new or gone:
        pytest.fail(
            "translations/messages.pot is stale: run `flask --app portal translate update` "
            f"and translate the new entries.\n  new in the source: {listing(new)}"
            f"\n  gone from the source: {listing(gone)}"
        )


# --- every catalog ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_header(name, catalogs):
    catalog = catalogs[name]
    _code, nplurals = CATALOGS[name]
    headers = dict(catalog.mime_headers)
    assert headers.get("Language") == name
    assert "Plural-Forms" in headers
    assert catalog.num_plurals == nplurals, f"{name}: Plural-Forms says {catalog.num_plurals}"
    assert not catalog.fuzzy, f"{name}: the catalog header is marked fuzzy"


@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_has_every_message_of_the_pot(name, catalogs, pot):
    catalog = catalogs[name]
    missing, extra = keys(pot) - keys(catalog), keys(catalog) - keys(pot)
    if missing:
        pytest.fail(f"{name} lacks {len(missing)} messages of the .pot: {listing(missing)}")
    if extra:
        pytest.fail(f"{name} has {len(extra)} messages the .pot no longer has: {listing(extra)}")


@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_is_fully_translated(name, catalogs):
    catalog = catalogs[name]
    empty, fuzzy, wrong_forms = [], [], []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            fuzzy.append(key(message))
        texts = forms(message)
        if message.pluralizable and len(texts) != catalog.num_plurals:
            wrong_forms.append(key(message))
        if not all(t and t.strip() for t in texts):
            empty.append(key(message))
    if fuzzy:
        pytest.fail(f"{name}: fuzzy entries: {listing(fuzzy)}")
    if wrong_forms:
        pytest.fail(f"{name}: plural entries without {catalog.num_plurals} forms: "
                    f"{listing(wrong_forms)}")
    if empty:
        pytest.fail(f"{name}: {len(empty)} untranslated entries: {listing(empty)}")


@pytest.mark.parametrize("name", CATALOGS)
def test_placeholders_match(name, catalogs):
    """Every translation (every plural form) keeps exactly the source's placeholders, and
    writes a literal per cent sign as %% wherever the source does (Jinja and Python format
    every string, so a lone % breaks the page)."""
    problems = []
    for message in catalogs[name]:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            expected = placeholders(plural)
            if +(placeholders(singular) - expected):
                problems.append(f"{show(singular)}: the singular has placeholders the plural lacks")
        else:
            expected = placeholders(message.id)
        for index, text in enumerate(forms(message)):
            if text and placeholders(text) != expected:
                problems.append(f"{show(key(message))}[{index}]: {text!r}")
    if problems:
        pytest.fail(f"{name}: placeholders differ from the source:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_compiles(name, catalogs):
    catalog = catalogs[name]
    errors = [f"{show(key(m))}: {e}" for m, errs in catalog.check() for e in errs]
    if errors:
        pytest.fail(f"{name}: " + "; ".join(errors))
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    assert len(buf.getvalue()) > 28  # more than an empty .mo header


# --- every locale renders --------------------------------------------------------------------

LOCALE_CODES = ["en"] + [code for code, _n in CATALOGS.values()]
CATALOG_OF = {code: name for name, (code, _n) in CATALOGS.items()}


@pytest.mark.parametrize("code", LOCALE_CODES)
def test_locale_renders(code, client, catalogs, compiled_catalogs):
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tag = re.search(r"<html\b[^>]*>", html)
    assert tag, "no <html> tag"
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag.group(0)))
    assert attributes.get("lang") == code
    assert (attributes.get("dir") == "rtl") == (code in ("ar", "ug")), tag.group(0)
    if code != "en":
        skip = catalogs[CATALOG_OF[code]].get("Skip to main content")
        assert skip is not None and skip.string
        assert str(escape(skip.string)) in html, f"{code}: the skip link is not translated"


# --- where Babel's CLDR data is thin, the catalogs take over (docs/glossary.md) -------------

def _in_locale(app, code, call):
    from flask import g

    with app.test_request_context(f"/{code}/"):
        g.locale = code
        return call()


@pytest.mark.parametrize(("delta", "msgid", "number"), [
    (timedelta(days=3), "%(num)d day ago", 3),
    (timedelta(minutes=5), "%(num)d minute ago", 5),
])
def test_tibetan_relative_times_come_from_the_catalog(
        app, catalogs, compiled_catalogs, delta, msgid, number):
    from portal.core.i18n import time_ago

    now = datetime(2026, 3, 27, 12, 0, 0)
    text = _in_locale(app, "bo", lambda: time_ago(now - delta, now))
    assert text == catalogs["bo"].get(msgid).string[0] % {"num": number}
    assert not re.search(r"[A-Za-z]", text), f"Latin letters in Tibetan: {text!r}"


def test_uyghur_lists_have_no_english_and(app, compiled_catalogs):
    from portal.core.i18n import format_list

    text = str(_in_locale(app, "ug", lambda: format_list(["A", "B", "C"])))
    assert "and" not in text
    assert "ۋە" in text
