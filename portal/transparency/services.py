"""Disclosure requests: a signed-in resident asks a department for government information.

Rules, in one place (the time limits are settings: ``rules.limits()``):
- the requester describes the information, may say why, chooses how to receive it and
  whether the request and its answer may be public (private unless they say so); the
  department is theirs to choose, helped by the responsibility list;
- the clock starts on receipt: the answer is due ``answer_days`` working days later (the
  calendar in ``portal.core.calendar``: weekends and holidays skipped, working weekends
  counted);
- within ``correction_days`` working days of receipt the department may ask, once, for a
  correction; the clock stops, and starts again from zero when the requester replies;
- it may extend the time once, by at most ``extension_days`` working days, with a reason;
- it may pause to consult a third party; the working days paused are not counted;
- it answers with one of the kinds of answer (``rules.ANSWER_TYPES``), each with what it
  needs; a refusal names its legal ground from the configured list;
- a request past its deadline is flagged in the staff queue and the dispatch centre (and
  the department's supervisor) are told, once per deadline.
Every step is a ``DisclosureEvent``; public pages name nobody: "the requester".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.core import notifications, search, site_search
from portal.core.calendar import Calendar
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import CONTROL_MESSAGE, MAX_INT, at_most
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, MODERATOR, STAFF
from portal.core.text import has_control_characters
from portal.responsibility.models import Area, Department, ServiceCategory
from portal.transparency import rules
from portal.transparency.models import DisclosureEvent, DisclosureRequest

DESCRIPTION_MAX, PURPOSE_MAX, NOTE_MAX, LINK_MAX, NAME_MAX = 5000, 1000, 5000, 500, 200
PER_PAGE = 20
MODULE = "disclosure"

for _key, _text in {
    "disclosure.received": _l("Your disclosure request %(code)s was received: the answer is due by "
                              "%(due)s."),
    "disclosure.for_department": _l("A disclosure request %(code)s is waiting for your department."),
    "disclosure.correction_requested": _l("The department asks you to correct your disclosure "
                                          "request %(code)s."),
    "disclosure.corrected": _l("The requester corrected the disclosure request %(code)s: the clock "
                               "started again."),
    "disclosure.extended": _l("The time to answer your disclosure request %(code)s was extended."),
    "disclosure.paused": _l("The department consults a third party about your disclosure request "
                            "%(code)s: the clock stopped."),
    "disclosure.resumed": _l("The clock of your disclosure request %(code)s runs again."),
    "disclosure.answered": _l("Your disclosure request %(code)s is answered."),
    "disclosure.overdue": _l("The disclosure request %(code)s is overdue."),
}.items():
    notifications.register_message(_key, _text)


# --- who may do what ---------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_requester(request: DisclosureRequest, user) -> bool:
    return _signed_in(user) and user.id == request.requester_id


def can_handle(session: Session, request: DisclosureRequest, user) -> bool:
    """The addressed department's staff, and administrators."""
    if not _signed_in(user):
        return False
    if user.has_role(ADMIN):
        return True
    from portal.moderation.services import staff_department_ids

    return user.has_role(STAFF) and request.department_id in staff_department_ids(session, user)


def can_see(session: Session, request: DisclosureRequest, user) -> bool:
    """Public requests: everybody. Private ones: the requester, the department's staff and
    administrators, and moderators (the staff queue shows them every row; they read, they do
    not handle)."""
    if request.public or is_requester(request, user):
        return True
    return can_handle(session, request, user) or (_signed_in(user) and user.has_role(MODERATOR))


def _require_handler(session: Session, request: DisclosureRequest, user) -> None:
    if not can_handle(session, request, user):
        raise Forbidden()


def _require_state(request: DisclosureRequest, *states: str) -> None:
    if request.state not in states:
        raise Invalid(_l("This cannot be done now: the request is “%(state)s”.",
                         state=rules.STATES[request.state].label))


# --- tracking codes and reading ----------------------------------------------------------------

def tracking_code(request: DisclosureRequest) -> str:
    return f"D-{request.created_at.year}-{request.id:06d}"


_CODE = re.compile(r"D-?(\d{4})-?(\d{1,9})")


def read_code(text: str | None) -> str | None:
    """``d-2026-42`` or ``D 2026 000042`` → ``D-2026-000042``; None when it is not a code."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _CODE.fullmatch(compact) if len(compact) <= 24 else None
    return f"D-{match.group(1)}-{int(match.group(2)):06d}" if match else None


def by_code(session: Session, code: str, user=None) -> DisclosureRequest:
    """The request ``user`` may see, or NotFound (a private request is not there for others)."""
    code = read_code(code)
    request = code and session.scalar(
        select(DisclosureRequest).options(joinedload(DisclosureRequest.department))
        .where(DisclosureRequest.tracking_code == code))
    if not request or not can_see(session, request, user):
        raise NotFound()
    return request


def timeline(session: Session, request: DisclosureRequest) -> list[DisclosureEvent]:
    return list(session.scalars(select(DisclosureEvent).where(DisclosureEvent.request_id == request.id)
                                .order_by(DisclosureEvent.id)))


def for_requester(session: Session, user: User, before: int | None = None, after: int | None = None):
    from portal.core.pagination import keyset

    stmt = (select(DisclosureRequest).options(joinedload(DisclosureRequest.department))
            .where(DisclosureRequest.requester_id == user.id))
    return keyset(session, stmt, DisclosureRequest.id, before=before, after=after, per_page=PER_PAGE)


def public_requests(session: Session, before: int | None = None, after: int | None = None, q: str = ""):
    """Public requests, newest first; ``q``: only those whose text has these words."""
    from portal.core.pagination import keyset

    stmt = (select(DisclosureRequest).options(joinedload(DisclosureRequest.department))
            .where(DisclosureRequest.public.is_(True)))
    if q and q.strip():
        ids = [h.ref_id for h in search.search(session, SEARCH_KIND, q)]
        stmt = stmt.where(DisclosureRequest.id.in_(ids or [-1]))
    return keyset(session, stmt, DisclosureRequest.id, before=before, after=after, per_page=PER_PAGE)


# --- search: public requests and their answers (kind 8) --------------------------------------

SEARCH_KIND = "disclosure"


def search_document(request: DisclosureRequest) -> search.Document:
    """What the public may read: the request's text and its answer's texts; never who asked,
    their purpose or their correction."""
    answer = request.answer or {}
    body = " ".join(answer.get(k) or "" for k in ("provided", "withheld", "holder", "note"))
    return search.Document(request.id, title=request.description[:300], body=body,
                           extra=request.tracking_code or "", locale=request.source_locale,
                           public=request.public)


def index_request(session: Session, request: DisclosureRequest) -> None:
    search.bulk_index(session, SEARCH_KIND, [search_document(request)])


def _documents(session: Session):
    for request in session.scalars(select(DisclosureRequest)):
        yield search_document(request)


search.register(SEARCH_KIND, 8, _documents)


# The public disclosure requests (kind 8, indexed by the requests' service): only those their
# requester made public; their documents hold no name, purpose or correction.
def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    stmt = select(DisclosureRequest.id, DisclosureRequest.created_at).where(
        DisclosureRequest.id.in_(ids), DisclosureRequest.public.is_(True))
    stmt = scope.apply(stmt, DisclosureRequest.area_id, DisclosureRequest.created_at)
    return dict(session.execute(stmt).all())


def _site_rows(session: Session, ids) -> dict:
    stmt = select(DisclosureRequest).options(joinedload(DisclosureRequest.department)).where(
        DisclosureRequest.id.in_(ids), DisclosureRequest.public.is_(True))
    return {r.id: site_search.Row(r.description[:200], r.description, r.source_locale, "transparency.detail",
                                  {"code": r.tracking_code}, str(r.department.name), r.created_at)
            for r in session.scalars(stmt)}


site_search.register(site_search.Source("disclosure", _l("Disclosure request"), _site_visible, _site_rows,
                                        55))



# --- choosing the department: the responsibility list's lookup --------------------------------

@dataclass
class Suggestion:
    department: Department
    category: ServiceCategory
    area: Area
    by_rule: bool  # False: no rule, the dispatch centre answers


def suggest_department(session: Session, category_id, area_id) -> Suggestion:
    """Which department the responsibility list names for a topic in an area."""
    from portal.responsibility.services import route

    errors: dict[str, list] = {}
    category = _row(session, ServiceCategory, category_id)
    area = _row(session, Area, area_id)
    if category is None or not category.active:
        errors["category_id"] = [_l("Choose a topic from the list.")]
    if area is None:
        errors["area_id"] = [_l("Choose an area from the list.")]
    if errors:
        raise Invalid(errors)
    try:
        routing = route(session, category, area)
    except NotFound:  # no rule and no dispatch centre
        raise Invalid({"category_id": [_l("The responsibility list names no department for this "
                                          "yet: choose one below.")]}) from None
    return Suggestion(routing.lead, category, area, routing.rule is not None)


def _row(session: Session, model, row_id):
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id <= MAX_INT:
        return None
    return session.get(model, row_id)


def departments(session: Session) -> list[Department]:
    from portal.responsibility.services import department_tree

    return [d for d, _depth in department_tree(session)]


# --- deadlines ---------------------------------------------------------------------------------

def _recount(session: Session, request: DisclosureRequest) -> None:
    """The due moment from the facts: the clock's start, the days allowed, the one extension,
    the working days paused. The explanation keeps the calendar's steps and each part."""
    explanation = dict(request.deadline_explanation or {})
    base = int(explanation.get("base") or rules.limits().answer_days)
    total = base + request.extension_days + request.paused_days
    deadline = Calendar(session).add_working_days(request.clock_started_at, total)
    request.due_at = deadline.due
    explanation.update(base=base, extension=request.extension_days, paused=request.paused_days,
                       count=deadline.explanation)
    request.deadline_explanation = explanation
    if request.overdue and request.due_at > utcnow():
        request.overdue = False
        request.escalated_at = None


def _start_clock(session: Session, request: DisclosureRequest, start: datetime) -> None:
    limits = rules.limits()
    request.clock_started_at = start
    request.paused_days = 0
    request.deadline_explanation = {**(request.deadline_explanation or {}), "base": limits.answer_days,
                                    "started": start.isoformat(timespec="minutes")}
    request.correction_due_at = Calendar(session).add_working_days(start, limits.correction_days).due
    _recount(session, request)


# --- events, queue, notifications --------------------------------------------------------------

def _role(session: Session, request: DisclosureRequest, actor) -> str:
    if actor is None:
        return "portal"
    return "requester" if is_requester(request, actor) else "staff"


def _event(session: Session, request: DisclosureRequest, kind: str, actor, note: str = "",
           **data) -> DisclosureEvent:
    event = DisclosureEvent(request_id=request.id, kind=kind, state=request.state,
                            role=_role(session, request, actor), actor_id=getattr(actor, "id", None),
                            note=note, data=data, created_at=utcnow())
    session.add(event)
    return event


def _tell_requester(session: Session, request: DisclosureRequest, key: str, **params) -> None:
    requester = session.get(User, request.requester_id)
    notifications.notify(session, [requester], key, {"code": request.tracking_code, **params},
                         "transparency.detail", {"code": request.tracking_code})


def _tell_department(session: Session, request: DisclosureRequest, key: str, actor=None) -> None:
    from portal.moderation.services import department_staff

    staff = [u for u in department_staff(session, [request.department_id]) if u != actor]
    if staff:
        notifications.notify(session, staff, key, {"code": request.tracking_code},
                             "transparency.detail", {"code": request.tracking_code})


def sync_queue(session: Session, request: DisclosureRequest) -> None:
    from portal.moderation import services as queue

    queue.upsert(session, MODULE, request.id, title=request.description[:200],
                 lang=request.source_locale, reference=request.tracking_code, state=request.state,
                 department_id=request.department_id, category_id=request.category_id,
                 area_id=request.area_id,
                 due_at=request.due_at if request.state == "received" else None,
                 overdue=request.overdue, priority=False, done=request.state == "answered")


def register_queue() -> None:
    from flask import url_for

    from portal.moderation import services as queue

    queue.register_module(MODULE, queue.Module(
        link=lambda item: url_for("transparency.detail", code=item.reference),
        link_pattern=lambda: url_for("transparency.detail", code="CODE").replace("CODE", "{reference}"),
        states={code: queue.StateInfo(s.label, s.tag) for code, s in rules.STATES.items()},
    ))


# --- checks of free text -----------------------------------------------------------------------

def _text(errors: dict, name: str, value: str | None, limit: int, required_message=None,
          multiline: bool = True) -> str:
    value = (value or "").strip()
    if not value and required_message is not None:
        errors[name] = [required_message]
    elif has_control_characters(value, multiline=multiline):
        errors[name] = [CONTROL_MESSAGE]
    elif len(value) > limit:
        errors[name] = [at_most(limit)]
    return value


def _link(errors: dict, name: str, value: str | None, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            errors[name] = [_l("Enter the link, starting with https://.")]
        return ""
    if len(value) > LINK_MAX or has_control_characters(value) or " " in value:
        errors[name] = [_l("Enter a link of at most %(num)d characters, starting with https://.",
                           num=LINK_MAX)]
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        errors[name] = [_l("Enter a full link, starting with https://.")]
    return value


# --- asking ------------------------------------------------------------------------------------

@dataclass
class AskData:
    description: str
    purpose: str
    delivery: str
    public: bool
    department_id: int | None
    source_locale: str
    category_id: int | None = None
    area_id: int | None = None


def ask(session: Session, actor: User, data: AskData, now: datetime | None = None) -> DisclosureRequest:
    from portal.responsibility.services import check_source

    if not _signed_in(actor):
        raise Forbidden()
    errors: dict[str, list] = {}
    description = _text(errors, "description", data.description, DESCRIPTION_MAX,
                        _l("Describe the information you ask for."))
    purpose = _text(errors, "purpose", data.purpose, PURPOSE_MAX)
    if data.delivery not in rules.DELIVERY:
        errors["delivery"] = [_l("Choose how you want to receive the information.")]
    department = _row(session, Department, data.department_id)
    if department is None:
        errors["department_id"] = [_l("Choose the department you ask.")]
    check_source(errors, data.source_locale)
    if errors:
        raise Invalid(errors)
    category = _row(session, ServiceCategory, data.category_id)
    area = _row(session, Area, data.area_id)
    now = now or utcnow()
    request = DisclosureRequest(
        requester_id=actor.id, department_id=department.id, description=description,
        purpose=purpose, delivery=data.delivery, public=bool(data.public),
        source_locale=data.source_locale, state="received", created_at=now,
        category_id=category.id if category else None, area_id=area.id if area else None)
    session.add(request)
    session.flush()
    request.tracking_code = tracking_code(request)
    _start_clock(session, request, now)
    _event(session, request, "received", actor, due=request.due_at.isoformat(timespec="minutes"))
    sync_queue(session, request)
    index_request(session, request)
    _tell_requester(session, request, "disclosure.received", due=request.due_at.date().isoformat())
    _tell_department(session, request, "disclosure.for_department", actor)
    session.commit()
    return request


# --- the correction ----------------------------------------------------------------------------

def ask_correction(session: Session, actor: User, request: DisclosureRequest, missing: str,
                   now: datetime | None = None) -> DisclosureEvent:
    _require_handler(session, request, actor)
    _require_state(request, "received")
    now = now or utcnow()
    errors: dict[str, list] = {}
    missing = _text(errors, "missing", missing, NOTE_MAX, _l("Say what is missing or unclear."))
    if request.corrected:
        errors["missing"] = [_l("A correction can be asked for only once, and it was.")]
    elif request.correction_due_at and now > request.correction_due_at:
        errors["missing"] = [_l("A correction had to be asked for within %(num)d working days of "
                                "receipt (by %(day)s); answer the request as it is.",
                                num=rules.limits().correction_days,
                                day=request.correction_due_at.date().isoformat())]
    if errors:
        raise Invalid(errors)
    request.state = "awaiting_correction"
    request.corrected = True
    request.due_at = None
    event = _event(session, request, "correction_requested", actor, note=missing)
    sync_queue(session, request)
    _tell_requester(session, request, "disclosure.correction_requested")
    session.commit()
    return event


def send_correction(session: Session, actor: User, request: DisclosureRequest, text: str,
                    now: datetime | None = None) -> DisclosureEvent:
    """The requester replies: received again, and the clock starts again from this moment."""
    if not is_requester(request, actor):
        raise Forbidden()
    _require_state(request, "awaiting_correction")
    errors: dict[str, list] = {}
    text = _text(errors, "text", text, DESCRIPTION_MAX, _l("Write your correction."))
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    request.state = "received"
    _start_clock(session, request, now)
    request.deadline_explanation = {**request.deadline_explanation, "restarted": True}
    event = _event(session, request, "corrected", actor, note=text,
                   due=request.due_at.isoformat(timespec="minutes"))
    sync_queue(session, request)
    _tell_department(session, request, "disclosure.corrected", actor)
    session.commit()
    return event


# --- extension and pauses ----------------------------------------------------------------------

def extend(session: Session, actor: User, request: DisclosureRequest, days, reason: str) -> DisclosureEvent:
    _require_handler(session, request, actor)
    _require_state(request, "received", "consulting")
    most = rules.limits().extension_days
    errors: dict[str, list] = {}
    if request.extension_days:
        errors["days"] = [_l("The time to answer can be extended only once, and it was.")]
    elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= most:
        errors["days"] = [_l("Enter a whole number of working days from 1 to %(num)d.", num=most)]
    reason = _text(errors, "reason", reason, NOTE_MAX, _l("Give the reason for the extension."))
    if errors:
        raise Invalid(errors)
    request.extension_days = days
    request.extension_reason = reason
    if request.state == "received":
        _recount(session, request)
    else:
        request.deadline_explanation = {**request.deadline_explanation, "extension": days}
    event = _event(session, request, "extended", actor, note=reason, working_days=days)
    sync_queue(session, request)
    _tell_requester(session, request, "disclosure.extended")
    session.commit()
    return event


def pause(session: Session, actor: User, request: DisclosureRequest, third_party: str,
          now: datetime | None = None) -> DisclosureEvent:
    _require_handler(session, request, actor)
    _require_state(request, "received")
    errors: dict[str, list] = {}
    third_party = _text(errors, "third_party", third_party, NAME_MAX,
                        _l("Say whom you consult (a company, a person's role, another office)."),
                        multiline=False)
    if errors:
        raise Invalid(errors)
    request.state = "consulting"
    request.paused_at = now or utcnow()
    request.due_at = None
    event = _event(session, request, "paused", actor, note=third_party)
    sync_queue(session, request)
    _tell_requester(session, request, "disclosure.paused")
    session.commit()
    return event


def _end_pause(session: Session, request: DisclosureRequest, now: datetime) -> int:
    days = Calendar(session).working_days_between(request.paused_at.date(), now.date())
    explanation = dict(request.deadline_explanation or {})
    explanation["pauses"] = [*explanation.get("pauses", []), {
        "from": request.paused_at.isoformat(timespec="minutes"),
        "to": now.isoformat(timespec="minutes"), "working_days": days}]
    request.deadline_explanation = explanation
    request.paused_days += days
    request.paused_at = None
    request.state = "received"
    _recount(session, request)
    return days


def resume(session: Session, actor: User, request: DisclosureRequest,
           now: datetime | None = None) -> DisclosureEvent:
    _require_handler(session, request, actor)
    _require_state(request, "consulting")
    days = _end_pause(session, request, now or utcnow())
    event = _event(session, request, "resumed", actor, working_days=days,
                   due=request.due_at.isoformat(timespec="minutes"))
    sync_queue(session, request)
    _tell_requester(session, request, "disclosure.resumed")
    session.commit()
    return event


# --- the answer --------------------------------------------------------------------------------

@dataclass
class AnswerData:
    answer_type: str
    link: str = ""
    provided: str = ""
    withheld: str = ""
    ground: str = ""
    holder: str = ""
    earlier_code: str = ""
    note: str = ""


def _answer_values(session: Session, request: DisclosureRequest, data: AnswerData) -> dict:
    limits = rules.limits()
    kind = data.answer_type
    if kind not in limits.answer_types:
        raise Invalid({"answer_type": [_l("Choose the kind of answer.")]})
    needed = rules.REQUIRED[kind]
    errors: dict[str, list] = {}
    values: dict = {"note": _text(errors, "note", data.note, NOTE_MAX)}
    if kind in ("published", "provided", "partly"):
        values["link"] = _link(errors, "link", data.link, "link" in needed)
    if kind == "partly":
        values["provided"] = _text(errors, "provided", data.provided, NOTE_MAX,
                                   _l("Say what information is provided."))
        values["withheld"] = _text(errors, "withheld", data.withheld, NOTE_MAX,
                                   _l("Say what is withheld, and why."))
    if kind in ("partly", "refused"):
        if data.ground not in limits.grounds:
            errors["ground"] = [_l("Choose the legal ground.")]
        else:
            values["ground"] = data.ground
    if kind == "not_held":
        values["holder"] = _text(errors, "holder", data.holder, NAME_MAX,
                                 _l("Name who holds the information."), multiline=False)
    if kind == "repeated":
        code = read_code(data.earlier_code)
        earlier = code and session.scalar(select(DisclosureRequest).where(
            DisclosureRequest.tracking_code == code))
        if not earlier or earlier.id == request.id or earlier.requester_id != request.requester_id \
                or earlier.state != "answered":
            errors["earlier_code"] = [_l("Enter the code of an earlier, answered request by the same "
                                         "requester, like D-2026-000042.")]
        else:
            values["earlier_code"] = earlier.tracking_code
    if errors:
        raise Invalid(errors)
    return values


def answer(session: Session, actor: User, request: DisclosureRequest, data: AnswerData,
           now: datetime | None = None) -> DisclosureEvent:
    _require_handler(session, request, actor)
    _require_state(request, "received", "consulting")
    values = _answer_values(session, request, data)
    now = now or utcnow()
    if request.state == "consulting":
        _end_pause(session, request, now)
    values["on_time"] = request.due_at is None or now <= request.due_at
    request.state = "answered"
    request.answer_type = data.answer_type
    request.answer = values
    request.answered_at = now
    event = _event(session, request, "answered", actor, answer_type=data.answer_type)
    sync_queue(session, request)
    index_request(session, request)
    _tell_requester(session, request, "disclosure.answered")
    session.commit()
    return event


# --- the portal's clock: overdue requests ------------------------------------------------------

def check_deadlines(session: Session, now: datetime | None = None) -> int:
    """Flag running requests past their deadline and tell the dispatch centre and the
    department's supervisor, once per deadline (an extension clears the flag)."""
    from portal.moderation.services import department_staff
    from portal.responsibility.services import dispatcher

    now = now or utcnow()
    late = list(session.scalars(
        select(DisclosureRequest).options(joinedload(DisclosureRequest.department))
        .where(DisclosureRequest.state == "received", DisclosureRequest.due_at < now,
               DisclosureRequest.escalated_at.is_(None))))
    if not late:
        return 0
    try:
        dispatch_staff = department_staff(session, [dispatcher(session).id])
    except NotFound:
        dispatch_staff = []
    for request in late:
        request.overdue = True
        request.escalated_at = now
        _event(session, request, "overdue", None)
        sync_queue(session, request)
        supervisor_id = request.department.supervisor_id
        people = [*dispatch_staff, *([session.get(User, supervisor_id)] if supervisor_id else [])]
        notifications.notify(session, people, "disclosure.overdue", {"code": request.tracking_code},
                             "transparency.detail", {"code": request.tracking_code})
    session.commit()
    return len(late)
