"""Open311 GeoReport v2 at /open311/v2/ (JSON and XML), with servicerequestupdates.

Every resource takes its format from its suffix, as the specification does:
``services.json`` or ``services.xml``. Errors are the specification's list of ``code`` and
``description`` in the same format, for every failure: bad parameters (400), a missing or
wrong key (403), nothing there (404), a wrong method (405). ``georeport.py``
explains the choices the specification leaves open (area, trusted keys, tokens, updates).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, request, url_for
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.exceptions import NotFound as RoutingNotFound

from portal.core.cache import cached_page
from portal.core.errors import NotFound, ServiceError
from portal.extensions import db
from portal.feedback.open311 import georeport as open311
from portal.feedback.open311.georeport import ApiError, document

bp = Blueprint("open311", __name__)

FMT = "<any(json, xml):fmt>"
PREFIX = "/open311/"


def _locale() -> str:
    return open311.locale_code(request.values.get("locale"))


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


def _api_key() -> str | None:
    return request.form.get("api_key") or request.args.get("api_key")


# --- the resources -------------------------------------------------------------------------

@bp.get(f"/discovery.{FMT}")
@localized
def discovery(fmt: str):
    base = url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0]
    return document(fmt, open311.discovery(db.session, base), "discovery")


@bp.get(f"/services.{FMT}")
@cached_page("responsibility")
@localized
def service_list(fmt: str):
    return document(fmt, open311.service_list(db.session, _locale()), "services", "service")


@bp.get(f"/services/<service_code>.{FMT}")
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
    return document(fmt, open311.request_documents(db.session, items, _locale()),
                    "service_requests", "request")


@bp.post(f"/requests.{FMT}")
@localized
def create_request(fmt: str):
    key = open311.authenticate(db.session, _api_key())
    item = open311.submit(db.session, key, request.form)
    return document(fmt, [open311.submitted_document(item)], "service_requests", "request")


@bp.get(f"/requests/<code>.{FMT}")
@localized
def request_detail(code: str, fmt: str):
    item = open311.public_request(db.session, code)
    return document(fmt, open311.request_documents(db.session, [item], _locale()),
                    "service_requests", "request")


@bp.get(f"/tokens/<token>.{FMT}")
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
    if status >= 500:
        return _error(ApiError(500))
    return _error(ApiError(status, *([] if status in open311.MESSAGES else [open311.MESSAGES[400]]),
                           allow=allow))


@bp.errorhandler(InternalServerError)
def server_error(exc):
    return _error(ApiError(500))
