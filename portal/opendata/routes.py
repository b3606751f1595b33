"""The open-data pages: the list of downloads, the data dictionary (generated from the
classification table, ``portal.core.datasets``), a page of each dataset's rows, and the CSV
and JSON downloads.

Downloads are bounded (``OPENDATA_EXPORT_ROWS`` rows a file, default
``services.EXPORT_MAX_ROWS``; the next file's link is in the ``Link`` header and the JSON's
``links.next``), compressed (Flask-Compress), cached for anonymous readers with ``ETag`` and
``Last-Modified``. Names are in the page's language. A download has the public fields, and
the internal ones too for staff (never cached: signed in); never a personal field.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core import datasets as ds
from portal.core.cache import cached_page
from portal.core.errors import Invalid
from portal.core.exports import to_csv
from portal.core.i18n import current
from portal.extensions import db
from portal.opendata import services

bp = Blueprint("opendata", __name__)
PREVIEW_ROWS = 20
ALL_TOPICS = ("feedback", "responsibility", "deliberation", "transparency", "catalog")

CLASS_LABELS = {
    ds.PUBLIC: _l("Public"),
    ds.INTERNAL: _l("Internal"),
    ds.PERSONAL: _l("Personal"),
}
CLASS_HINTS = {
    ds.PUBLIC: _l("Anyone may read it: on pages, in downloads and in the API."),
    ds.INTERNAL: _l("Staff and administrators only."),
    ds.PERSONAL: _l("Never in a download or the API; on a page only for the person it is about "
                    "and the staff handling it."),
}
TYPE_LABELS = {
    "string": _l("Text"), "text": _l("Free text"), "integer": _l("Whole number"),
    "number": _l("Number"), "boolean": _l("Yes or no"), "date": _l("Date"),
    "date-time": _l("Date and time (UTC)"), "url": _l("Web address"),
    "integer-list": _l("List of whole numbers"), "string-list": _l("List of texts"),
}


def _context() -> dict:
    return {"class_labels": CLASS_LABELS, "class_hints": CLASS_HINTS, "type_labels": TYPE_LABELS,
            "datasets": ds.all_datasets(), "export_rows": _export_rows(),
            "api_max": services.API_MAX_LIMIT}


def _export_rows() -> int:
    return current_app.config.get("OPENDATA_EXPORT_ROWS", services.EXPORT_MAX_ROWS)


@bp.get("/open-data")
@cached_page(*ALL_TOPICS)
def index():
    return render_template("opendata/index.html", **_context())


@bp.get("/open-data/dictionary")
@cached_page(*ALL_TOPICS)
def dictionary():
    return render_template("opendata/dictionary.html", **_context())


def _reader() -> ds.Reader:
    return ds.reader_for(current_user)


def _cursor() -> int | None:
    """A page's own ``cursor`` (any other value is the first page: a page never fails)."""
    raw = request.args.get("cursor", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 15:
        return int(raw)
    return None


@bp.get("/open-data/<slug:key>")
@cached_page(*ALL_TOPICS)
def dataset(key: str):
    data = services.dataset(key)
    query = ds.Query(locale=current().code, cursor=_cursor(), limit=PREVIEW_ROWS,
                     filters={f.name: f.default for f in data.filters})
    fields, page = services.preview(db.session, data, query, _reader())
    return render_template("opendata/dataset.html", data=data, fields=fields, page=page,
                           **_context())


def _download_query(data: ds.Dataset):
    try:
        query = services.parse_query(data, request.args, _export_rows(), _export_rows())
    except Invalid as exc:
        return None, exc
    query.locale = current().code  # the page's language, whatever ?locale= says
    return query, None


def _bad_download(exc: Invalid):
    from portal.opendata.api import error_response

    return error_response(400, _l("A parameter is not right: see parameters."), exc.errors)


def _next_link(response, data: ds.Dataset, fmt: str, page: services.Page) -> None:
    if page.next_cursor is not None:
        from flask import url_for

        url = url_for(f"opendata.download_{fmt}", key=data.key, cursor=page.next_cursor,
                      **page.query.filters)
        response.headers["Link"] = f'<{url}>; rel="next"'


def _filename(data: ds.Dataset, fmt: str, query: ds.Query) -> str:
    suffix = f"-{query.cursor}" if query.cursor else ""
    return f"{data.key}{suffix}.{fmt}"


@bp.get("/open-data/<slug:key>.csv", endpoint="download_csv")
@cached_page(*ALL_TOPICS)
def download_csv(key: str):
    data = services.dataset(key)
    query, error = _download_query(data)
    if error:
        return _bad_download(error)
    page = services.read(db.session, data, query, _reader())
    fields = ds.columns(data, _reader(), ds.EXPORT)
    rows = [[_cell(row[f.name]) for f in fields] for row in page.rows]
    response = make_response(to_csv([f.name for f in fields], rows))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(data, "csv", query)}"'
    _next_link(response, data, "csv", page)
    return response


def _cell(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


@bp.get("/open-data/<slug:key>.json", endpoint="download_json")
@cached_page(*ALL_TOPICS)
def download_json(key: str):
    from portal.opendata.api import envelope

    data = services.dataset(key)
    query, error = _download_query(data)
    if error:
        return _bad_download(error)
    page = services.read(db.session, data, query, _reader())
    body = envelope(page, "opendata.download_json", default_limit=_export_rows(), key=key)
    response = jsonify(body)
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(data, "json", query)}"'
    _next_link(response, data, "json", page)
    return response
