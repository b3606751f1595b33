"""Open311 GeoReport v2: what the API answers (JSON and XML) and how it reads what clients send.

The routes in ``api.py`` stay thin: they read parameters with the parsers here, call the same
services the pages use (``services.submit``, ``services.answer``…) and serialise the result
with ``document``. Nothing here touches ``request``, ``g`` or ``flash``.

Choices the GeoReport v2 specification leaves open:

- ``service_request_id`` is the tracking code (``R-2026-000042``), the one residents see.
- Names come in the language of the ``locale`` parameter (a BCP 47 tag such as ``zh-Hant``;
  English by default), falling back to the language they were written in.
- POST requests are routed by the responsibility list from an area: the ``area`` parameter
  (an area code such as ``old-market``), or else the point ``lat``/``long``, whose area is the
  one whose boundary holds it (``portal.responsibility.geometry``: the smallest that covers
  it). An area given stands even when the point is elsewhere. A point no boundary holds is a
  400 on ``lat`` ("outside the city"); neither an area nor a point in one is a 400 on ``area``.
- A key issued for a department (``--department CODE``) is trusted: its requests are routed at
  once. Any other key submits as a visitor: ``email`` is required and the request waits until
  the emailed link is followed, so the answer carries a ``token`` instead of an id.
- ``servicerequestupdates`` POST is for department keys only, on requests their department
  leads. ``open`` acknowledges, then starts work, then adds public updates; ``closed``
  answers: the resident still says whether it was resolved, so the loop stays theirs to close.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from email_validator import EmailNotValidError, validate_email
from flask import Response, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from portal.core import datasets
from portal.core.errors import Forbidden, Invalid, NotFound, ServiceError
from portal.core.forms import at_most
from portal.core.i18n import BY_CODE, DEFAULT, localize, normalize_tag
from portal.core.models import utcnow
from portal.core.text import has_control_characters
from portal.feedback import services
from portal.feedback import states as st
from portal.feedback.models import ApiKey, Attachment, Request, RequestEvent
from portal.responsibility.models import Area, Department, ServiceCategory
from portal.responsibility.services import DISPATCH_CODE

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-06-01T00:00:00Z"  # when this interface last changed
MAX_RESULTS = 1000
DEFAULT_SPAN = timedelta(days=90)
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
PRIVATE_KINDS = ("note", "assigned")  # never in a public timeline

MESSAGES = {
    400: _l("The request could not be understood: check its parameters."),
    403: _l("Give a valid api_key: this one is missing, unknown or revoked."),
    404: _l("There is nothing here: discovery.json lists what this interface offers."),
    405: _l("This method is not allowed here: the Allow header lists the ones that are."),
    413: _l("What was sent is larger than this interface accepts."),
    429: _l("Too many requests from this client or key: wait for the time the Retry-After header gives."),
    500: _l("Sorry, there is a problem with the service. Try again later."),
}
NO_SERVICE = _l("There is no service with this service_code.")
NO_REQUEST = _l("There is no public request with this service_request_id.")
NO_TOKEN = _l("There is no request with this token.")
DEPARTMENT_KEY = _l("Only a key issued to the department that leads this request can update it.")
W3C_HINT = _l("Give a date and time in W3C format, for example 2026-05-01T14:30:00Z.")
COORDINATES_HINT = _l("Give lat and long as decimal degrees (WGS84), for example 29.65 and 91.13.")
HELD_NOTICE = _l("The request is held until the person who raised it follows the link we emailed them.")

# Service field names → the parameter a client sent, so errors name what the client knows.
PARAMETERS = {
    "category": "service_code", "location_text": "address_string", "latitude": "lat",
    "longitude": "long", "contact_email": "email", "contact_name": "first_name",
    "contact_phone": "phone", "text": "description",
}


# --- every parameter's bounds, in one table ------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """What one parameter may hold: at most ``max_length`` characters (per item of a
    comma-separated list of at most ``items``), and no control characters (line breaks only
    where the text has several lines)."""

    max_length: int
    items: int = 1
    multiline: bool = False


PARAMETER_RULES: dict[str, Rule] = {
    # every resource
    "api_key": Rule(100),
    "jurisdiction_id": Rule(100),
    "locale": Rule(35),  # a BCP 47 tag
    # GET requests and servicerequestupdates; POST requests and servicerequestupdates
    "service_request_id": Rule(20, items=MAX_RESULTS),  # a tracking code, R-2026-000042
    "service_code": Rule(32, items=100),
    "status": Rule(10, items=10),
    "start_date": Rule(40),
    "end_date": Rule(40),
    "lat": Rule(40),
    "long": Rule(40),
    "address_string": Rule(300),
    "address_id": Rule(64),
    "area": Rule(64),
    "email": Rule(254),
    "device_id": Rule(100),
    "account_id": Rule(100),
    "first_name": Rule(60),
    "last_name": Rule(60),
    "phone": Rule(40),
    "description": Rule(5000, multiline=True),
    "media_url": Rule(500),
    "update_id": Rule(64),
    "updated_datetime": Rule(40),
    # in the path
    "code": Rule(20),  # requests/{service_request_id}
    "token": Rule(64),
    "fmt": Rule(4),
}
ATTRIBUTE_RULE = Rule(1000, multiline=True)  # attribute[code] and attribute[code][]
OTHER_RULE = Rule(1000)  # a parameter the interface does not read: checked, then ignored
PATH_NAMES = {"code": "service_request_id"}  # errors name what the client knows
MAX_NAME = 100  # a parameter's name
CONTROL_CHARACTERS = _l("Remove the control characters: they are not allowed here.")
UNKNOWN_NAME = _l("A parameter's name is too long or holds control characters.")


def rule_for(name: str) -> Rule:
    if name in PARAMETER_RULES:
        return PARAMETER_RULES[name]
    return ATTRIBUTE_RULE if _ATTRIBUTE.fullmatch(name) else OTHER_RULE


def _problem(value: str, rule: Rule):
    """What is wrong with one value under ``rule``, or None."""
    if has_control_characters(value, multiline=rule.multiline):
        return CONTROL_CHARACTERS
    if rule.items > 1:
        parts = value.split(",")
        if len(parts) > rule.items:
            return _l("Give at most %(num)d values, separated by commas.", num=rule.items)
        if any(len(p.strip()) > rule.max_length for p in parts):
            return at_most(rule.max_length)
    elif len(value.strip()) > rule.max_length:
        return at_most(rule.max_length)
    return None


def check_parameters(*sources) -> None:
    """Every parameter of a call (query string, form, path), checked against its rule before
    anything reads it: Invalid names each one out of bounds. ``sources`` are mappings, a
    ``MultiDict`` giving every value of a repeated parameter."""
    errors: dict[str, list] = {}
    for source in sources:
        if not source:
            continue
        items = source.items(multi=True) if hasattr(source, "getlist") else source.items()
        for name, value in items:
            if len(name) > MAX_NAME or has_control_characters(name):
                errors.setdefault("", [UNKNOWN_NAME])
                continue
            problem = _problem(str(value), rule_for(name))
            if problem is not None:
                errors.setdefault(PATH_NAMES.get(name, name), [problem])
    if errors:
        raise Invalid(errors)


# --- errors, as the specification writes them ----------------------------------------------

class ApiError(Exception):
    """An answer of errors: an HTTP status and what went wrong, one description per problem."""

    def __init__(self, status: int, *descriptions, allow: list[str] | None = None) -> None:
        self.status = status
        self.descriptions = list(descriptions) or [MESSAGES.get(status, MESSAGES[500])]
        self.allow = allow
        super().__init__("; ".join(str(d) for d in self.descriptions))


def api_error(exc: ServiceError) -> ApiError:
    """The Open311 error for a service's typed error (Invalid → 400, Forbidden → 403…)."""
    if isinstance(exc, Invalid):
        descriptions = []
        for name, messages in exc.errors.items():
            param = PARAMETERS.get(name, name)
            descriptions.extend(f"{param}: {m}" if param else str(m) for m in messages)
        return ApiError(400, *descriptions)
    if isinstance(exc, Forbidden):
        return ApiError(403)
    if isinstance(exc, NotFound):
        return ApiError(404)
    return ApiError(400)


def error_document(error: ApiError) -> list[dict]:
    return [{"code": error.status, "description": str(d)} for d in error.descriptions]


# --- serialising: one structure, two formats -----------------------------------------------

# In XML a list is an element holding one child per item, named after what it holds.
LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
              "formats": "format"}
# What XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates, U+FFFE and
# U+FFFF) and the C1 controls it discourages: stripped from every text written, so a text
# stored before the parameter rules refused them cannot break the document.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _xml_append(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_append(element, LIST_ITEMS.get(name, "item"), item)
    else:
        element.text = _xml_text(value)


def to_xml(data, root: str, item: str | None = None) -> bytes:
    top = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_append(top, item or "item", entry)
    else:
        for key, value in data.items():
            _xml_append(top, key, value)
    body = ET.tostring(top, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def document(fmt: str, data, root: str, item: str | None = None, status: int = 200) -> Response:
    """A GeoReport answer: ``data`` (a list of dicts or one dict) as JSON or as XML with
    ``root`` holding one ``item`` element per entry."""
    body = to_xml(data, root, item) if fmt == "xml" else to_json(data)
    return Response(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def error_response(fmt: str, error: ApiError) -> Response:
    response = document(fmt, error_document(error), "errors", "error", status=error.status)
    if error.allow:
        response.headers["Allow"] = ", ".join(error.allow)
    return response


# --- reading parameters --------------------------------------------------------------------

_W3C = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?")


def w3c(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as the specification writes it: 2026-05-01T14:30:00Z."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"  # strftime costs four times as much


def parse_datetime(value: str | None, name: str) -> datetime | None:
    """A W3C date or date-time (``2026-05-01``, ``2026-05-01T14:30:00+08:00``) as naive UTC.
    A time without a zone is taken as UTC."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if not _W3C.fullmatch(text):
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError) as exc:
        raise Invalid({name: [W3C_HINT]}) from exc
    return moment


def parse_codes(value: str | None) -> list[str]:
    """A comma-separated parameter (``service_request_id=R-2026-000001,R-2026-000002``)."""
    return [v.strip() for v in (value or "").split(",") if v.strip()][:MAX_RESULTS]


def locale_code(value: str | None) -> str:
    """The portal locale for a ``locale`` parameter; English for anything else."""
    return normalize_tag(value) if value and normalize_tag(value) else DEFAULT


def catalog(code: str) -> str:
    return BY_CODE[code].catalog


def _window(start: datetime | None, end: datetime | None, name: str = "start_date"):
    """The span searched: as given, else at most 90 days (the specification's default)."""
    if start and end and start > end:
        raise Invalid({name: [_l("start_date must be before end_date.")]})
    if start is None and end is None:
        return utcnow() - DEFAULT_SPAN, None
    if start is None:
        return (end - DEFAULT_SPAN if end - datetime.min > DEFAULT_SPAN else datetime.min), end
    if end is None:
        return start, (start + DEFAULT_SPAN if datetime.max - start > DEFAULT_SPAN else datetime.max)
    return start, end


def _text(v: str | None, name: str, limit: int) -> str:
    v = (v or "").strip()
    if len(v) > limit:
        raise Invalid({name: [at_most(limit)]})
    return v


def _web_address(v: str | None, name: str = "media_url") -> str | None:
    v = _text(v, name, 500)
    if v and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", v, re.IGNORECASE):
        raise Invalid({name: [_l("Give a web address that starts with http:// or https://.")]})
    return v or None


# --- services (GET services.json, services/{code}.json) ------------------------------------

def _localized(versions: dict | None, source: str, locale: str) -> str:
    return localize(versions, source, locale).text


def service_list(session: Session, locale: str) -> list[dict]:
    categories = session.scalars(
        select(ServiceCategory).where(ServiceCategory.active.is_(True))
        .order_by(ServiceCategory.group_id, ServiceCategory.service_code)).unique()
    return [{
        "service_code": c.service_code,
        "service_name": _localized(c.name_i18n, c.source_locale, locale),
        "description": _localized(c.description_i18n, c.source_locale, locale),
        "metadata": bool(c.attributes),
        "type": "realtime",
        "keywords": ", ".join(c.keywords.split()),
        "group": _localized(c.group.name_i18n, c.group.source_locale, locale) if c.group else "",
    } for c in categories]


def active_category(session: Session, code: str) -> ServiceCategory:
    category = session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == code))
    if category is None or not category.active:
        raise NotFound()
    return category


DATATYPE_DESCRIPTIONS = {
    "number": _l("Enter a number."),
    "datetime": W3C_HINT,
}


def service_definition(session: Session, code: str, locale: str) -> dict:
    category = active_category(session, code)
    attributes = sorted(category.attributes or [], key=lambda a: (a.get("order", 0), a["code"]))
    return {
        "service_code": category.service_code,
        "attributes": [{
            "variable": True,
            "code": a["code"],
            "datatype": a["datatype"],
            "required": bool(a.get("required")),
            "datatype_description": str(DATATYPE_DESCRIPTIONS.get(a["datatype"], "")),
            "order": int(a.get("order") or position),
            "description": _localized(a.get("description_i18n"), category.source_locale, locale),
            "values": [{"key": str(v["key"]),
                        "name": _localized(v.get("name_i18n"), category.source_locale, locale)}
                       for v in a.get("values", [])],
        } for position, a in enumerate(attributes, start=1)],
    }


# --- discovery -----------------------------------------------------------------------------

def discovery(session: Session, endpoint_url: str) -> dict:
    config = current_app.config
    desk = session.scalar(select(Department).where(Department.code == DISPATCH_CODE))
    contact = config.get("OPEN311_CONTACT") or (
        ", ".join(p for p in (str(desk.name), desk.email, desk.phone) if p) if desk else "")
    email = desk.email if desk and desk.email else ""
    key_service = config.get("OPEN311_KEY_SERVICE") or str(
        _l("The portal's administrators issue API keys: ask %(contact)s.", contact=email or contact))
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint_url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    }


# --- service requests (GET requests.json, requests/{id}.json) ------------------------------

@dataclass
class RequestQuery:
    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] = field(default_factory=list)


def parse_request_query(session: Session, args) -> RequestQuery:
    check_parameters(args)
    errors: dict[str, list] = {}
    query = RequestQuery(ids=parse_codes(args.get("service_request_id")))
    if query.ids:
        return query  # the specification: a list of ids overrides every other parameter
    query.service_codes = parse_codes(args.get("service_code"))
    if query.service_codes:
        known = dict(session.execute(select(ServiceCategory.service_code, ServiceCategory.id)
                                     .where(ServiceCategory.service_code.in_(query.service_codes))).all())
        if set(query.service_codes) - set(known):
            errors["service_code"] = [NO_SERVICE]
        query.category_ids = sorted(known.values())
    query.statuses = [s.lower() for s in parse_codes(args.get("status"))]
    if set(query.statuses) - {"open", "closed"}:
        errors["status"] = [_l("Give open, closed, or both separated by a comma.")]
    start, end = _dates(args, errors)
    if errors:
        raise Invalid(errors)
    query.start, query.end = _window(start, end)
    return query


def _dates(args, errors: dict) -> tuple[datetime | None, datetime | None]:
    """start_date and end_date, each checked; problems go into ``errors``."""
    found = []
    for name in ("start_date", "end_date"):
        try:
            found.append(parse_datetime(args.get(name), name))
        except Invalid as exc:
            errors.update(exc.errors)
            found.append(None)
    return found[0], found[1]


# The columns a request's document prints, and nothing else: no whole entity, no relationship.
# Names come from ``_Names``, once per category or department in an answer.
REQUEST_COLUMNS = (
    Request.id, Request.tracking_code, Request.state, Request.description, Request.created_at,
    Request.updated_at, Request.resolve_due_at, Request.location_text, Request.latitude,
    Request.longitude, Request.media_url, Request.category_id, Request.lead_department_id,
)


def request_statement(query: RequestQuery):
    """The SELECT behind requests.json: public requests only (never those waiting for a
    visitor's confirmation), newest first, at most 1000, within the window (90 days unless
    dates are given).

    Without ids it walks ``ix_request_requested`` (requested date, id, then the status and
    service columns it filters by) backwards from the window's end and stops at 1000 rows.
    The filters are written so that no other index looks better to a planner without
    statistics (SQLite's): statuses as the types left out (an equality on ``state_type``
    would send it to ``ix_request_state_id`` and a sort of every matching request ever), the
    service as ``category_id + 0`` (likewise ``ix_request_category_id``). Either way each
    row's check is on a column the index holds; the window bounds the walk."""
    stmt = select(*REQUEST_COLUMNS)
    if query.ids:
        return (stmt.where(Request.state_type.in_(st.PUBLIC_TYPES),
                           Request.tracking_code.in_([c.strip().upper() for c in query.ids]))
                .order_by(Request.created_at.desc(), Request.id.desc()).limit(MAX_RESULTS))
    wanted = set(st.PUBLIC_TYPES)
    if query.statuses and set(query.statuses) != {"open", "closed"}:
        wanted = {st.CLOSED} if query.statuses == ["closed"] else wanted - {st.CLOSED}
    stmt = stmt.where(Request.state_type.not_in(sorted(ALL_TYPES - wanted)))
    if query.service_codes:
        stmt = stmt.where((Request.category_id + 0).in_(query.category_ids or [-1]))
    if query.start:
        stmt = stmt.where(Request.created_at >= query.start)
    if query.end:
        stmt = stmt.where(Request.created_at <= query.end)
    return stmt.order_by(Request.created_at.desc(), Request.id.desc()).limit(MAX_RESULTS)


ALL_TYPES = {state.type for state in st.STATES.values()}


def find_requests(session: Session, query: RequestQuery) -> list:
    """Rows of ``REQUEST_COLUMNS`` (named like a Request's attributes)."""
    return list(session.execute(request_statement(query)))


def public_request(session: Session, code: str) -> Request:
    try:
        return services.by_code(session, code)
    except NotFound:
        raise ApiError(404, NO_REQUEST) from None


def public_request_row(session: Session, code: str):
    """One public request's row for requests/{id}.json, read as requests.json reads them."""
    rows = find_requests(session, RequestQuery(ids=[code]))
    if not rows:
        raise ApiError(404, NO_REQUEST)
    return rows[0]


# The department's public words: what staff (or the department's system) wrote for the
# resident. Not the resident's own comments (reopening, rating), not internal notes.
DEPARTMENT_ROLE = "staff"


def _status_notes(session: Session, request_ids: list[int]) -> dict[int, str]:
    """The department's latest public text on each request, in one query."""
    if not request_ids:
        return {}
    said = (RequestEvent.request_id.in_(request_ids), RequestEvent.public_text.is_not(None),
            RequestEvent.actor_role == DEPARTMENT_ROLE, RequestEvent.kind.not_in(PRIVATE_KINDS))
    latest = (select(RequestEvent.request_id, func.max(RequestEvent.seq).label("seq"))
              .where(*said).group_by(RequestEvent.request_id).subquery())
    rows = session.execute(
        select(RequestEvent.request_id, RequestEvent.public_text)
        .join(latest, and_(RequestEvent.request_id == latest.c.request_id,
                           RequestEvent.seq == latest.c.seq)))
    return dict(rows.all())


def public_photo_condition():
    """Which of a request's files anyone may see: the resident's own, uploaded with the
    request, and those of replies already sent (``web.public.is_public_attachment``, in SQL)."""
    return and_(Attachment.content_type.startswith("image/"), or_(
        Attachment.event_id.is_not(None), Attachment.created_at <= Request.created_at))


def _photos(session: Session, request_ids: list[int]) -> dict[int, int]:
    """The first public photo of each request (request id → attachment id), in one query."""
    if not request_ids:
        return {}
    rows = session.execute(
        select(Attachment.request_id, func.min(Attachment.id))
        .join(Request, Request.id == Attachment.request_id)
        .where(Attachment.request_id.in_(request_ids), public_photo_condition())
        .group_by(Attachment.request_id))
    return dict(rows.all())


class _Names:
    """Services' and departments' names in one locale: each table read once per answer, each
    name translated once however many rows carry it."""

    def __init__(self, session: Session, locale: str) -> None:
        self.locale = locale
        self._categories = {row.id: row for row in session.execute(select(
            ServiceCategory.id, ServiceCategory.service_code, ServiceCategory.name_i18n,
            ServiceCategory.source_locale))}
        self._departments = {row.id: row for row in session.execute(select(
            Department.id, Department.name_i18n, Department.source_locale))}
        self._translated: dict[tuple[str, int], str] = {}

    def _name(self, kind: str, table: dict, key: int | None) -> str | None:
        if key is None or key not in table:
            return None
        if (kind, key) not in self._translated:
            row = table[key]
            self._translated[kind, key] = _localized(row.name_i18n, row.source_locale, self.locale)
        return self._translated[kind, key]

    def service(self, category_id: int) -> tuple[str | None, str | None]:
        row = self._categories.get(category_id)
        return (row.service_code if row else None,
                self._name("category", self._categories, category_id))

    def department(self, department_id: int | None) -> str | None:
        return self._name("department", self._departments, department_id)


# Each GeoReport field that prints a field of the "requests" dataset
# (``portal.feedback.open_data``): the classification table decides, so a field classed
# internal or personal there is empty here (``datasets.withheld``).
GEOREPORT_SOURCES = {
    "service_request_id": "code", "service_code": "category", "service_name": "category_name",
    "description": "description", "agency_responsible": "department",
    "requested_datetime": "created_at", "updated_datetime": "updated_at",
    "expected_datetime": "resolve_due_at", "address": "address", "address_id": "address_id",
    "lat": "lat", "long": "long",
}


def request_documents(session: Session, requests: list, locale: str,
                      photo_url=None) -> list[dict]:
    """The GeoReport fields of each request (rows of ``REQUEST_COLUMNS``), with nothing
    personal: no name, email or phone, and the numbers of the address masked. ``media_url``
    is the client's own photo link, else ``photo_url(code, attachment_id)`` of the first
    public photo. Rows are unpacked as tuples: 1000 rows' attribute lookups cost more than
    the query."""
    ids = [row[0] for row in requests]
    notes = _status_notes(session, ids)
    photos = _photos(session, ids) if photo_url is not None else {}
    names = _Names(session, locale)
    statuses = {code: st.open311_status(code) for code in st.STATES}
    rows = []
    for (request_id, tracking_code, state, description, created_at, updated_at, resolve_due_at,
         location_text, latitude, longitude, media_url, category_id, lead_department_id) in requests:
        service_code, service_name = names.service(category_id)
        photo = photos.get(request_id)
        rows.append({
            "service_request_id": tracking_code,
            "status": statuses[state],
            "status_notes": notes.get(request_id),
            "service_name": service_name,
            "service_code": service_code,
            "description": description,
            "agency_responsible": names.department(lead_department_id),
            "service_notice": None,
            "requested_datetime": w3c(created_at),
            "updated_datetime": w3c(updated_at),
            "expected_datetime": w3c(resolve_due_at),
            "address": services.mask_numbers(location_text) or None,
            "address_id": None,  # an exact address: personal data in a public export
            "zipcode": None,
            "lat": services.public_coordinate(latitude),
            "long": services.public_coordinate(longitude),
            "media_url": media_url or (photo_url(tracking_code, photo) if photo else None),
        })
    for name in datasets.withheld("requests", GEOREPORT_SOURCES):
        for row in rows:
            row[name] = None
    return rows


# --- POST requests -------------------------------------------------------------------------

def authenticate(session: Session, secret: str | None) -> ApiKey:
    from portal.feedback.open311 import apikeys

    key = apikeys.authenticate(session, secret)
    if key is None:
        raise ApiError(403)
    return key


_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]+)\](\[\])?")


def parse_attributes(category: ServiceCategory, form) -> dict:
    """``attribute[code]=value`` and, for a multivaluelist, ``attribute[code][]=value`` repeated;
    answers to questions the service does not ask are ignored."""
    datatypes = {a["code"]: a["datatype"] for a in category.attributes or []}
    answers: dict = {}
    for key in form:
        match = _ATTRIBUTE.fullmatch(key)
        if not match or match.group(1) not in datatypes:
            continue
        code = match.group(1)
        values = [v.strip() for v in form.getlist(key) if v and v.strip()]
        if datatypes[code] == "multivaluelist":
            answers[code] = [*answers.get(code, []), *values]
        elif datatypes[code] in ("string", "text"):
            if values:
                answers[code] = ", ".join(values)
        elif len(values) == 1:
            answers[code] = values[0]
        elif values:
            answers[code] = values  # more than one value where one is asked: check_answers says so
    return answers


def _finite_numbers(category: ServiceCategory, answers: dict) -> dict[str, list]:
    """A number answer is a real number: not nan, inf or 1e999 (no database stores those in
    JSON alike)."""
    errors: dict[str, list] = {}
    for attribute in category.attributes or []:
        value = answers.get(attribute["code"])
        if attribute["datatype"] != "number" or value in (None, "", []):
            continue
        try:
            finite = math.isfinite(float(value))
        except (TypeError, ValueError):
            continue  # check_answers already says so
        if not finite:
            errors[f"attribute[{attribute['code']}]"] = [DATATYPE_DESCRIPTIONS["number"]]
    return errors


def _coordinates(form) -> tuple[float | None, float | None]:
    lat, long = (form.get(name, "").strip() for name in ("lat", "long"))
    if not lat and not long:
        return None, None
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError:
        raise Invalid({"lat": [COORDINATES_HINT]}) from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):  # nan, inf, 1e999
        raise Invalid({"lat": [COORDINATES_HINT]})
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Invalid({"lat": [_l("These coordinates are not on Earth.")]})
    return latitude, longitude


def parse_submission(session: Session, key: ApiKey, form) -> services.Submission:
    """Read a POST requests form into the ``Submission`` the web form also builds. Every
    problem is reported at once, with the parameter it concerns."""
    check_parameters(form)
    errors: dict[str, list] = {}

    def collect(name, read):
        try:
            return read()
        except Invalid as exc:
            errors.update(exc.errors)
            return None

    code = form.get("service_code", "").strip()
    category = None
    if not code:
        errors["service_code"] = [_l("Give the service_code of one of the services.")]
    else:
        category = session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == code))
        if category is None or not category.active:
            errors["service_code"] = [NO_SERVICE]
            category = None
    latitude, longitude = collect("lat", lambda: _coordinates(form)) or (None, None)
    address = collect("address_string", lambda: _text(form.get("address_string"), "address_string", 300))
    address_id = collect("address_id", lambda: _text(form.get("address_id"), "address_id", 64))
    if latitude is None and not address and not address_id and "lat" not in errors:
        errors["location"] = [_l("Give a location: lat and long, address_string or address_id.")]
    area_code = form.get("area", "").strip()
    area = None  # without one, the service takes the point's area by its boundary
    if area_code:
        area = session.scalar(select(Area).where(Area.code == area_code))
        if area is None:
            errors["area"] = [_l("There is no area with this code.")]
    email = form.get("email", "").strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = [_l("Enter an email address in the right format, like name@example.com.")]
    media_url = collect("media_url", lambda: _web_address(form.get("media_url")))
    description = collect("description", lambda: _text(form.get("description"), "description", 5000))
    name = " ".join(p for p in (form.get("first_name", "").strip(), form.get("last_name", "").strip()) if p)
    answers = {}
    if category is not None:
        answers = parse_attributes(category, form)
        errors.update(services.check_answers(category, answers))
        errors.update(_finite_numbers(category, answers))
    if errors:
        raise Invalid(errors)
    return services.Submission(
        category=category, area=area, title="", description=description or "",
        location_text=address or "", latitude=latitude, longitude=longitude,
        address_id=address_id or None, answers=answers, show_name=False,
        contact_name=name[:120] or None, contact_email=email,
        contact_phone=(form.get("phone", "").strip()[:40] or None),
        locale=locale_code(form.get("locale")), source=f"open311:{key.name}"[:32],
        media_url=media_url,
    )


def actor_for(key: ApiKey, **data) -> services.DepartmentSystem | None:
    """A department's key acts as that department's system; any other key as a visitor."""
    if key.department_id is None:
        return None
    return services.DepartmentSystem(department_id=key.department_id, key_id=key.id,
                                      data=tuple((k, v) for k, v in data.items() if v is not None))


def submit(session: Session, key: ApiKey, form) -> Request:
    sub = parse_submission(session, key, form)
    return services.submit(session, actor_for(key), sub)


def token_for(request: Request) -> str:
    """The token of a request held for its visitor's confirmation: unguessable, and not the
    confirmation secret (that one only travels by email)."""
    secret = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(secret, f"open311-token:{request.id}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{request.id}-{mac}"


_TOKEN = re.compile(r"([0-9]{1,9})-[0-9a-f]{32}")


def by_token(session: Session, token: str) -> Request:
    match = _TOKEN.fullmatch(token)
    request = session.get(Request, int(match.group(1))) if match else None
    if request is None or not hmac.compare_digest(token_for(request), token):
        raise ApiError(404, NO_TOKEN)
    return request


def submitted_document(request: Request) -> dict:
    if request.state_type == st.PENDING:
        return {"token": token_for(request), "service_notice": str(HELD_NOTICE), "account_id": None}
    return {"service_request_id": request.tracking_code, "service_notice": None, "account_id": None}


def token_document(request: Request, token: str) -> dict:
    public = request.state_type != st.PENDING
    return {"service_request_id": request.tracking_code if public else None, "token": token}


# --- servicerequestupdates (the mySociety extension) ---------------------------------------

@dataclass
class UpdateQuery:
    ids: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None


def parse_update_query(args) -> UpdateQuery:
    check_parameters(args)
    errors: dict[str, list] = {}
    query = UpdateQuery(ids=parse_codes(args.get("service_request_id")))
    start, end = _dates(args, errors)
    if errors:
        raise Invalid(errors)
    if query.ids and start is None and end is None:
        return query  # every update of the requests named
    query.start, query.end = _window(start, end)
    return query


def find_updates(session: Session, query: UpdateQuery, locale: str) -> list[dict]:
    """The public timeline events of public requests, oldest first, at most 1000."""
    stmt = (select(RequestEvent, Request.tracking_code)
            .join(Request, Request.id == RequestEvent.request_id)
            .where(Request.state_type.in_(st.PUBLIC_TYPES), RequestEvent.kind.not_in(PRIVATE_KINDS)))
    if query.ids:
        stmt = stmt.where(Request.tracking_code.in_([c.upper() for c in query.ids]))
    if query.start:
        stmt = stmt.where(RequestEvent.created_at >= query.start)
    if query.end:
        stmt = stmt.where(RequestEvent.created_at <= query.end)
    stmt = stmt.order_by(RequestEvent.created_at, RequestEvent.id).limit(MAX_RESULTS)
    return [update_document(event, code) for event, code in session.execute(stmt)]


def update_document(event: RequestEvent, code: str) -> dict:
    data = event.data or {}
    return {
        "update_id": str(event.id),
        "service_request_id": code,
        "status": st.open311_status(event.to_state or event.from_state),
        "updated_datetime": w3c(event.created_at),
        "description": event.public_text or str(st.EVENT_LABELS.get(event.kind, event.kind)),
        "media_url": data.get("media_url"),
    }


@dataclass
class UpdateInput:
    service_request_id: str
    update_id: str
    status: str
    description: str
    updated_at: datetime | None = None
    media_url: str | None = None


def parse_update(form) -> UpdateInput:
    check_parameters(form)
    errors: dict[str, list] = {}
    code = form.get("service_request_id", "").strip()
    if not code:
        errors["service_request_id"] = [_l("Give the service_request_id of the request.")]
    update_id = form.get("update_id", "").strip()
    if not update_id:
        errors["update_id"] = [_l("Give your own id for this update: the same id is recorded once.")]
    elif len(update_id) > 64:
        errors["update_id"] = [at_most(64)]
    status = form.get("status", "").strip().lower()
    if status not in ("open", "closed"):
        errors["status"] = [_l("Give open or closed.")]
    description = form.get("description", "").strip()
    if not description:
        errors["description"] = [_l("Write the update.")]
    updated_at = media_url = None
    try:
        updated_at = parse_datetime(form.get("updated_datetime"), "updated_datetime")
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        media_url = _web_address(form.get("media_url"))
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    return UpdateInput(code, update_id, status, description, updated_at, media_url)


def _recorded(session: Session, request: Request, key: ApiKey, update_id: str) -> RequestEvent | None:
    for event in session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                                 .order_by(RequestEvent.seq)):
        data = event.data or {}
        if data.get("open311_key") == key.id and data.get("update_id") == update_id:
            return event
    return None


def push_update(session: Session, key: ApiKey, request: Request, update: UpdateInput,
                ) -> tuple[RequestEvent, bool]:
    """A department's system reports progress on a request its department leads.

    ``open`` acknowledges a request just routed (or reopened), starts work on an acknowledged
    one, and is otherwise a public update; ``closed`` is the department's answer, which the
    resident then confirms or reopens. An ``update_id`` already recorded for this key is not
    recorded again. Returns the event and whether it is new.
    """
    if key.department_id is None or request.lead_department_id != key.department_id:
        raise ApiError(403, DEPARTMENT_KEY)
    existing = _recorded(session, request, key, update.update_id)
    if existing is not None:
        return existing, False
    actor = actor_for(key, update_id=update.update_id, media_url=update.media_url,
                      updated_datetime=w3c(update.updated_at))
    if update.status == "closed":
        return services.answer(session, actor, request, update.description), True
    if request.state in ("routed", "reopened"):
        return services.acknowledge(session, actor, request, update.description), True
    if request.state == "acknowledged":
        return services.start_work(session, actor, request, update.description), True
    return services.post_update(session, actor, request, update.description), True
