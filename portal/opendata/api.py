"""The read-only JSON API at /api/v1/: one resource per registered dataset
(``portal.core.datasets``), and the OpenAPI document that describes them all.

- Every answer is the same envelope: ``data`` (the rows, public fields only), ``meta``
  (dataset, locale, limit, cursor, next_cursor, count) and ``links`` (self, next, the
  dictionary, the OpenAPI document), all absolute on ``PORTAL_BASE_URL``.
- Paging: ``limit`` (1 to ``services.API_MAX_LIMIT``, default 50) and ``cursor`` (the
  ``next_cursor`` of the page before); no counts of the whole set.
- Errors are JSON, ``{"error": {"status", "title", "message", "parameters"}}`` (the portal's
  JSON errors, with ``parameters``): 400 for a bad
  parameter (unknown, repeated, too long, control characters, out of bounds), 404, 405, 429
  (with ``Retry-After``); never a 500 for anything a client sends.
- Everybody reads the same: the API is anonymous and read-only, so a staff session gets the
  public fields too (internal fields are on the staff pages and in a staff member's downloads).
  Hence also ``Access-Control-Allow-Origin: *`` on GET: the data is public, the answer never
  depends on cookies, and no credentials are allowed across origins.
- Anonymous answers are cached with the datasets' topics (``cached_page``): ``ETag``,
  ``Last-Modified`` and 304 on a conditional GET. Rate limited per client address
  (``OPENDATA_RATE_LIMIT``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.exceptions import NotFound as RoutingNotFound

from portal.core import datasets as ds
from portal.core.cache import cached_page
from portal.core.errors import Invalid, NotFound
from portal.core.i18n import BY_CODE, DEFAULT, normalize_tag
from portal.core.urls import absolute_url
from portal.extensions import db, limiter
from portal.opendata import services

NAME = "opendata_api"
PREFIX = "/api/v1/"


def _client() -> str:
    return "opendata-client:" + get_remote_address()


def _locale() -> str:
    value = request.args.get("locale", "")
    return (normalize_tag(value) if value and len(value) <= 35 else None) or DEFAULT


def _catalog() -> str:
    return BY_CODE[_locale()].catalog


def error_response(status: int, message, parameters: dict | None = None):
    from portal.core.errors_http import MESSAGES

    with force_locale(_catalog()):
        title = MESSAGES.get(status, MESSAGES[400])[0]
        body = {"status": status, "title": str(title), "message": str(message)}
        if parameters:
            body["parameters"] = {k: [str(m) for m in v] for k, v in parameters.items()}
        response = jsonify({"error": body})
    response.status_code = status
    return response


def envelope(page: services.Page, endpoint: str, default_limit: int = services.API_DEFAULT_LIMIT,
             **values) -> dict:
    query = page.query

    def link(cursor):
        args = {**values, **query.filters, "locale": query.locale}
        if query.limit != default_limit:
            args["limit"] = query.limit
        if cursor:
            args["cursor"] = cursor
        return absolute_url(endpoint, **args)

    return {
        "data": page.rows,
        "meta": {"dataset": page.dataset.key, "locale": query.locale, "limit": query.limit,
                 "cursor": query.cursor, "next_cursor": page.next_cursor, "count": len(page.rows),
                 **({"filters": query.filters} if query.filters else {})},
        "links": {"self": link(query.cursor),
                  "next": link(page.next_cursor) if page.next_cursor is not None else None,
                  "dictionary": absolute_url("opendata.dictionary", locale=query.locale,
                                             _anchor=f"dataset-{page.dataset.key}"),
                  "openapi": absolute_url("opendata_api.openapi")},
    }


def _view(key: str):
    def view():
        data = services.dataset(key)
        query = services.parse_query(data, request.args, services.API_MAX_LIMIT,
                                     services.API_DEFAULT_LIMIT)
        with force_locale(BY_CODE[query.locale].catalog):
            page = services.read(db.session, data, query)  # public fields, whoever reads
            return jsonify(envelope(page, f"opendata_api.{key}"))

    view.__name__ = f"dataset_{key.replace('-', '_')}"
    return view


_limited: set[str] = set()


def register_routes(app) -> None:
    """The blueprint, made for this app: one resource per dataset registered so far
    (``portal.opendata.init_app`` runs after every other domain's)."""
    bp = Blueprint(NAME, __name__)
    if NAME not in _limited:  # the limiter keeps limits by blueprint name, for every app
        _limited.add(NAME)
        limiter.shared_limit(lambda: current_app.config["OPENDATA_RATE_LIMIT"], "opendata-api",
                             key_func=_client, methods=["GET", "HEAD"])(bp)
    for data in ds.all_datasets():
        if data.api:
            bp.add_url_rule(f"/{data.key}", endpoint=data.key,
                            view_func=cached_page(*data.topics)(_view(data.key)), methods=["GET"])
    bp.add_url_rule("/openapi.json", endpoint="openapi", view_func=openapi, methods=["GET"])
    bp.after_request(cors)
    bp.before_app_request(routing_errors)
    bp.register_error_handler(Invalid, invalid)
    bp.register_error_handler(NotFound, not_found)
    bp.register_error_handler(InternalServerError, server_error)
    bp.register_error_handler(HTTPException, http_error)
    app.register_blueprint(bp, url_prefix="/api/v1")


@cached_page("responsibility")
def openapi():
    from portal.opendata.openapi import document

    with force_locale(_catalog()):  # descriptions in ?locale= (English by default)
        return jsonify(document())


def cors(response):
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def routing_errors():
    """Unknown resources under /api/v1/ and wrong methods answer JSON too (Flask raises these
    before any view runs, so no handler of this blueprint would see them)."""
    exc = request.routing_exception
    if exc is None or not request.path.startswith(PREFIX):
        return None
    if isinstance(exc, MethodNotAllowed):
        response = error_response(405, _l("This resource is read-only: use GET."))
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ["GET"]))
        return response
    if isinstance(exc, RoutingNotFound):
        return error_response(404, _l("There is no such resource. The list is at /api/v1/openapi.json."))
    return None


def invalid(exc: Invalid):
    return error_response(400, _l("A parameter is not right: see parameters."), exc.errors)


def not_found(exc: NotFound):
    return error_response(404, exc)


def http_error(exc: HTTPException):
    status = exc.code or 500
    if status == 429:
        return error_response(429, _l("Too many requests from this address: wait for the time "
                                      "the Retry-After header gives."))
    if status == 503:  # the database is away for a moment (portal.core.errors_http)
        from portal.core.errors_http import MESSAGES, RETRY_AFTER

        response = error_response(503, MESSAGES[503][1])
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    if status >= 500:
        return server_error(exc)
    return error_response(status, exc.description or exc.name)


def server_error(exc):
    return error_response(500, _l("Sorry, there is a problem with the service. Try again later."))
