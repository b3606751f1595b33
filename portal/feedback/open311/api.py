"""Open311 GeoReport v2 at /open311/v2/ (JSON and XML), with servicerequestupdates.

Every resource takes its format from its suffix, as the specification does:
``services.json`` or ``services.xml``. Errors are the specification's list of ``code`` and
``description`` in the same format, for every failure: bad parameters (400), a missing or
wrong key (403), nothing there (404), a wrong method (405), too much sent (413), too many
calls (429, with ``Retry-After``). ``georeport.py`` explains the choices the specification
leaves open (area, trusted keys, tokens, updates) and holds the bounds of every parameter.

Rate limits (Flask-Limiter, the portal's storage): per client address and, for calls that
carry an ``api_key``, per key as well, each from the configuration; writing (POST) is
limited more strictly than reading (GET).
"""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import Blueprint, current_app, request
from flask_babel import force_locale
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    RequestEntityTooLarge,
)
from werkzeug.exceptions import NotFound as RoutingNotFound

from portal.core.cache import cached_page
from portal.core.errors import NotFound, ServiceError
from portal.core.urls import absolute_url
from portal.extensions import db, limiter
from portal.feedback.open311 import georeport as open311
from portal.feedback.open311.georeport import ApiError, document

bp = Blueprint("open311", __name__)

FMT = "<any(json, xml):fmt>"
PREFIX = "/open311/"


def _locale() -> str:
    try:
        value = request.values.get("locale")
    except RequestEntityTooLarge:  # the answer to a body too large: the query string only
        value = request.args.get("locale")
    return open311.locale_code(value)


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    if fmt in open311.CONTENT_TYPES:
        return fmt
    return "xml" if request.path.endswith(".xml") else "json"


def localized(view):
    """Texts (names, errors) in the language of the ``locale`` parameter."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with force_locale(open311.catalog(_locale())):
            return view(*args, **kwargs)

    return wrapped


MAX_BODY = 1024 * 1024  # a form of parameters, no files: media_url links to a photo


def _bound_body() -> None:
    """No Open311 call sends more than a form of bounded parameters; set before anything
    reads the form (the per-key rate limit reads it first)."""
    if request.max_content_length is None or request.max_content_length > MAX_BODY:
        request.max_content_length = MAX_BODY


def _api_key() -> str | None:
    _bound_body()
    return request.form.get("api_key") or request.args.get("api_key")


# --- rate limits: per client, and per key when a call carries one ---------------------------

def _setting(name: str):
    return lambda: current_app.config[name]


def _key_identity() -> str:
    """The key a call carries, as a digest (the storage never holds a secret)."""
    secret = (_api_key() or "").strip()
    return "open311-key:" + hashlib.sha256(secret.encode()).hexdigest()


def _without_key() -> bool:
    return not (_api_key() or "").strip()


def _client() -> str:
    return "open311-client:" + get_remote_address()


for _limit in (
    limiter.shared_limit(_setting("OPEN311_RATE_LIMIT"), "open311-get", key_func=_client,
                         methods=["GET", "HEAD"]),
    limiter.shared_limit(_setting("OPEN311_POST_RATE_LIMIT"), "open311-post", key_func=_client,
                         methods=["POST"]),
    limiter.shared_limit(_setting("OPEN311_KEY_RATE_LIMIT"), "open311-key-get",
                         key_func=_key_identity, exempt_when=_without_key, methods=["GET", "HEAD"]),
    limiter.shared_limit(_setting("OPEN311_KEY_POST_RATE_LIMIT"), "open311-key-post",
                         key_func=_key_identity, exempt_when=_without_key, methods=["POST"]),
):
    _limit(bp)


@bp.before_request
def bounded_parameters():
    """Every parameter within its rule (``georeport.PARAMETER_RULES``) before a view reads it."""
    _bound_body()
    open311.check_parameters(request.args, request.form, request.view_args)


def _photo_url(code: str, attachment_id: int) -> str:
    """The public page of a request's photo, in the language asked."""
    return absolute_url("feedback.attachment", locale=_locale(), code=code,
                        attachment_id=attachment_id)


# --- the resources -------------------------------------------------------------------------

@bp.get(f"/discovery.{FMT}")
@localized
def discovery(fmt: str):
    base = absolute_url("open311.discovery", fmt="json").rsplit("/", 1)[0]
    return document(fmt, open311.discovery(db.session, base), "discovery")


@bp.get(f"/services.{FMT}")
@cached_page("responsibility")
@localized
def service_list(fmt: str):
    return document(fmt, open311.service_list(db.session, _locale()), "services", "service")


@bp.get(f"/services/<raw:service_code>.{FMT}")
@localized
def service_definition(service_code: str, fmt: str):
    try:
        definition = open311.service_definition(db.session, service_code, _locale())
    except NotFound:
        raise ApiError(404, open311.NO_SERVICE) from None
    return document(fmt, definition, "service_definition")


@bp.get(f"/requests.{FMT}")
@cached_page("feedback", "responsibility")
@localized
def request_list(fmt: str):
    query = open311.parse_request_query(db.session, request.args)
    items = open311.find_requests(db.session, query)
    return document(fmt, open311.request_documents(db.session, items, _locale(), _photo_url),
                    "service_requests", "request")


@bp.post(f"/requests.{FMT}")
@localized
def create_request(fmt: str):
    key = open311.authenticate(db.session, _api_key())
    item = open311.submit(db.session, key, request.form)
    return document(fmt, [open311.submitted_document(item)], "service_requests", "request")


@bp.get(f"/requests/<raw:code>.{FMT}")
@localized
def request_detail(code: str, fmt: str):
    item = open311.public_request_row(db.session, code)
    return document(fmt, open311.request_documents(db.session, [item], _locale(), _photo_url),
                    "service_requests", "request")


@bp.get(f"/tokens/<raw:token>.{FMT}")
@localized
def token(token: str, fmt: str):
    item = open311.by_token(db.session, token)
    return document(fmt, [open311.token_document(item, token)], "service_requests", "request")


@bp.get(f"/servicerequestupdates.{FMT}")
@localized
def update_list(fmt: str):
    query = open311.parse_update_query(request.args)
    return document(fmt, open311.find_updates(db.session, query, _locale()),
                    "service_requests_updates", "request_update")


@bp.post(f"/servicerequestupdates.{FMT}")
@localized
def create_update(fmt: str):
    key = open311.authenticate(db.session, _api_key())
    if key.department_id is None:
        raise ApiError(403, open311.DEPARTMENT_KEY)
    update = open311.parse_update(request.form)
    item = open311.public_request(db.session, update.service_request_id)
    event, _created = open311.push_update(db.session, key, item, update)
    return document(fmt, [{"update_id": str(event.id)}], "service_request_updates", "request_update")


# --- everything else under /open311/: the specification's errors ---------------------------

@bp.before_app_request
def routing_errors():
    """Unknown resources (404) and known ones asked with the wrong method (405) answer in the
    specification's format too. Flask raises these before any view runs, so no handler of
    this blueprint would see them; it does run the app's before-request functions first."""
    exc = request.routing_exception
    if exc is None or not request.path.startswith(PREFIX):
        return None
    if isinstance(exc, MethodNotAllowed):
        return _error(ApiError(405, allow=list(exc.valid_methods or [])))
    if isinstance(exc, RoutingNotFound):
        return _error(ApiError(404))
    return None


def _error(error):
    """The error list in the request's format and language; ``error`` is an ``ApiError`` or a
    function making one (messages written into other text are translated as it runs)."""
    with force_locale(open311.catalog(_locale())):
        return open311.error_response(_format(), error() if callable(error) else error)


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return _error(exc)


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):
    return _error(lambda: open311.api_error(exc))


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    status = exc.code or 500
    allow = list(exc.valid_methods or []) if isinstance(exc, MethodNotAllowed) else None
    if status == 503:  # the database is away for a moment (portal.core.errors_http)
        from portal.core.errors_http import MESSAGES, RETRY_AFTER

        response = _error(ApiError(503, MESSAGES[503][1]))
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    if status >= 500:
        return _error(ApiError(500))
    return _error(ApiError(status, *([] if status in open311.MESSAGES else [open311.MESSAGES[400]]),
                           allow=allow))


@bp.errorhandler(InternalServerError)
def server_error(exc):
    return _error(ApiError(500))
