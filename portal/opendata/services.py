"""Open data: reading a registered dataset a page at a time, with its parameters checked.

The rules of every download and API answer live here (the routes only turn them into HTTP):
which parameters a dataset takes, their bounds, and the masking of each row by the reader
(``portal.core.datasets``). No request, ``g`` or ``flash``: the parameters come in as a mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.core import datasets as ds
from portal.core.errors import Invalid, NotFound
from portal.core.i18n import BY_CODE, DEFAULT, normalize_tag
from portal.core.text import has_control_characters

API_MAX_LIMIT = 100  # rows of one API page
API_DEFAULT_LIMIT = 50
EXPORT_MAX_ROWS = 5000  # rows of one download file; ``cursor`` gives the next file
MAX_VALUE = 40  # characters of any parameter's value
MAX_CURSOR = 2**53 - 1  # JSON-safe integers only
COMMON = ("limit", "cursor", "locale")


@dataclass
class Page:
    dataset: ds.Dataset
    query: ds.Query
    rows: list[dict]
    next_cursor: int | None


def dataset(key: str) -> ds.Dataset:
    found = ds.get(key)
    if found is None:
        raise NotFound(_l("There is no such dataset."))
    return found


def _integer(name: str, raw: str, low: int, high: int, errors: dict) -> int | None:
    if not raw.isascii() or not raw.isdigit():
        errors[name] = [_l("Give a whole number from %(low)s to %(high)s.", low=low, high=high)]
        return None
    value = int(raw)
    if not low <= value <= high:
        errors[name] = [_l("Give a whole number from %(low)s to %(high)s.", low=low, high=high)]
        return None
    return value


def parse_query(data: ds.Dataset, args, max_limit: int, default_limit: int,
                allow: tuple[str, ...] = ()) -> ds.Query:
    """The query of ``args`` (a multi-dict of the URL's parameters) for ``data``: Invalid names
    each parameter that is unknown, repeated, too long, holds control characters or is out of
    its bounds. ``allow`` are names a route reads itself (none of the dataset's)."""
    errors: dict[str, list] = {}
    filters = {f.name: f for f in data.filters}
    known = set(COMMON) | set(filters) | set(allow)
    values: dict[str, str] = {}
    for name in args:
        shown = name if len(name) <= MAX_VALUE and not has_control_characters(name) else "parameter"
        if shown != name or name not in known:
            errors.setdefault(shown, []).append(
                _l("Unknown parameter. This one takes: %(names)s.", names=", ".join(sorted(known))))
            continue
        items = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        if len(items) != 1:
            errors[name] = [_l("Give this parameter once.")]
            continue
        value = items[0]
        if len(value) > MAX_VALUE or has_control_characters(value):
            errors[name] = [_l("At most %(count)s characters, and no control characters.",
                               count=MAX_VALUE)]
            continue
        values[name] = value.strip()
    query = ds.Query(limit=default_limit)
    if values.get("limit"):
        query.limit = _integer("limit", values["limit"], 1, max_limit, errors) or default_limit
    if values.get("cursor"):
        query.cursor = _integer("cursor", values["cursor"], 0, MAX_CURSOR, errors)
    if "locale" in values:
        code = normalize_tag(values["locale"]) if values["locale"] else None
        if code is None:
            errors["locale"] = [_l("Give one of these languages: %(codes)s.", codes=", ".join(BY_CODE))]
        query.locale = code or DEFAULT
    for name, spec in filters.items():
        value = values.get(name) or spec.default
        if value not in spec.choices:
            errors[name] = [_l("Give one of: %(choices)s.", choices=", ".join(spec.choices))]
        query.filters[name] = value
    if errors:
        raise Invalid(errors)
    return query


def read(session, data: ds.Dataset, query: ds.Query, reader: ds.Reader = ds.ANONYMOUS) -> Page:
    """One page of ``data``'s rows, masked for ``reader`` as a download or API answer (never
    a personal field)."""
    rows, next_cursor = data.rows(session, query)
    return Page(data, query, [ds.mask(data, row, reader, ds.EXPORT) for row in rows], next_cursor)


def preview(session, data: ds.Dataset, query: ds.Query, reader: ds.Reader) -> tuple[list, Page]:
    """The fields a page prints for ``reader`` and one page of rows masked for them."""
    rows, next_cursor = data.rows(session, query)
    fields = ds.columns(data, reader, ds.PAGE)
    return fields, Page(data, query, [ds.mask(data, row, reader, ds.PAGE) for row in rows], next_cursor)
