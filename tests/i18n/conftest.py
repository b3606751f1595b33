"""Catalog fixtures: the .pot, every .po, and .mo files compiled from the current .po files.

``make translations`` compiles the catalogs once at setup; these tests compile them again so
that a page rendered here always shows what the ``.po`` files say now, not a stale ``.mo``.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"

# Catalog folder -> (URL code, plural forms the language needs)
CATALOGS = {
    "zh_Hans": ("zh-Hans", 1),
    "zh_Hant": ("zh-Hant", 1),
    "es": ("es", 3),
    "ar": ("ar", 6),
    "bo": ("bo", 1),
    "ug": ("ug", 2),
}


def po_path(catalog: str) -> Path:
    return TRANSLATIONS / catalog / "LC_MESSAGES" / "messages.po"


def load_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="session")
def pot() -> Catalog:
    return load_po(POT)


@pytest.fixture(scope="session")
def catalogs() -> dict[str, Catalog]:
    return {name: load_po(po_path(name), locale=name) for name in CATALOGS}


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step, so parallel workers never read half a file."""
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@pytest.fixture(scope="session")
def compiled_catalogs(app) -> None:
    """Compile every .po into its .mo (what ``pybabel compile -d translations`` does), then
    drop Flask-Babel's cache of loaded translations so the app reads the fresh files."""
    for name in CATALOGS:
        catalog = load_po(po_path(name), locale=name)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        _write_atomically(po_path(name).with_suffix(".mo"), buf.getvalue())

    from portal.extensions import babel

    with app.app_context():
        babel.domain_instance.cache.clear()
