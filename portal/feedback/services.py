"""The closed loop: submit → route → acknowledge → answer → the resident confirms or reopens.

Every function here is one thing a resident, a staff member or the portal itself does. Each
writes an event (chained by hashes), updates the staff queue and notifies the people who
follow the request, and commits before any side effect leaves the portal.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from portal.core import notifications, outbox, search, site_search
from portal.core.calendar import Calendar
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import CONTROL_MESSAGE
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, MODERATOR
from portal.core.text import has_control_characters, shorten
from portal.core.urls import absolute_url
from portal.feedback import states as st
from portal.feedback.models import Attachment, Follower, Request, RequestEvent
from portal.feedback.staff.queue import sync_queue
from portal.moderation import services as queue
from portal.responsibility import geometry
from portal.responsibility.models import Area, Department, ServiceCategory
from portal.responsibility.services import area_ids_within, dispatcher, route

notifications.register_message(
    "feedback.changed", _l("Your request %(code)s: %(event)s"))
notifications.register_message(
    "feedback.followed_changed", _l("A request you follow, %(code)s: %(event)s"))
notifications.register_message(
    "feedback.for_department", _l("Request %(code)s for your department: %(event)s"))
notifications.register_message(
    "feedback.escalated", _l("Request %(code)s missed its deadline and was escalated to you"))
for _kind, _label in st.EVENT_LABELS.items():
    notifications.register_message(f"feedback.event.{_kind}", _label)


# --- data the forms and the API hand in ----------------------------------------------------

@dataclass
class Submission:
    category: ServiceCategory
    area: Area | None  # None: the point's area by its boundary (``place``), if it is in one
    title: str
    description: str
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    address_id: str | None = None
    answers: dict | None = None
    show_name: bool = False
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    locale: str = "en"
    draft_key: str | None = None  # attachments uploaded with the draft
    source: str = "web"
    media_url: str | None = None  # Open311: a photo the client already published


@dataclass(frozen=True)
class DepartmentSystem:
    """A department's own back-office system, acting through its Open311 key.

    It stands in for a staff member of that department: ``handles`` lets it act on the
    requests its department leads, and its events are recorded as the staff's, without a
    person (no id, name or email), carrying ``data`` (the key, the client's update id).
    """

    department_id: int
    key_id: int
    data: tuple = ()  # (name, value) pairs added to every event it records
    id = None
    display_name = None
    email = None
    is_authenticated = True

    def has_role(self, *roles: str) -> bool:
        return False

    def event_data(self) -> dict:
        return {"open311_key": self.key_id, **dict(self.data)}


# --- the timeline: events chained by hashes ------------------------------------------------
# Version 2 (every new event): the hash covers the event's public record (below) and a seal:
# the SHA-256 of what is not public (exact time, who, internal note, data) with a random salt
# kept secret with the event. Anyone can recompute a public event's hash from its published
# record; an internal event's hash is published alone, and its salt makes it impossible to
# recover what it says (or which staff member it assigned) by guessing.

HASH_VERSION = 2
INTERNAL_KINDS = ("note", "assigned")  # not on the public timeline


def _json(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def is_internal(event: RequestEvent) -> bool:
    return event.kind in INTERNAL_KINDS


def seal(event: RequestEvent) -> str:
    """The salted SHA-256 of the event's private part (version 2)."""
    return hashlib.sha256(_json({
        "salt": event.salt or "", "created_at": event.created_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id, "internal": event.internal_note or "", "data": event.data or {},
    })).hexdigest()


def public_record(event: RequestEvent) -> dict:
    """What a version-2 hash covers, as published for a public event: its time to the minute,
    what happened, what it said publicly, the previous hash and the seal of the rest."""
    return {
        "v": 2, "request": event.request_id, "seq": event.seq,
        "minute": event.created_at.isoformat(timespec="minutes"), "kind": event.kind,
        "role": event.actor_role, "from": event.from_state, "to": event.to_state,
        "public": event.public_text or "", "prev": event.prev_hash or "", "seal": seal(event),
    }


def public_canonical(event: RequestEvent) -> str | None:
    """The exact text whose SHA-256 is a public version-2 event's hash; None otherwise."""
    if event.hash_version != HASH_VERSION or is_internal(event):
        return None
    return _json(public_record(event)).decode()


def _canonical(event: RequestEvent) -> bytes:
    body = {
        "request_id": event.request_id, "seq": event.seq,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id, "kind": event.kind, "from": event.from_state,
        "to": event.to_state, "public": event.public_text or "", "internal": event.internal_note or "",
        "data": event.data or {}, "prev": event.prev_hash or "",
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: RequestEvent) -> str:
    if event.hash_version == HASH_VERSION:
        return hashlib.sha256(_json(public_record(event))).hexdigest()
    return hashlib.sha256(_canonical(event)).hexdigest()  # version 1


def _actor_role(actor: User | None, request: Request) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, DepartmentSystem):
        return "staff"
    if request.resident_id == actor.id:
        return "resident"
    if actor.has_role(MODERATOR, ADMIN) or queue.acts_for_parties(actor):
        return "staff"
    return "resident"


def acting_department(session: Session, actor: User | None, request: Request) -> Department | None:
    """The department under which a staff member acts on ``request``: the lead if they work
    there, else the first co-handling department they work in, else the dispatch centre for
    its staff; moderators and administrators outside these act for the lead. None for
    residents and the portal itself."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if isinstance(actor, DepartmentSystem):
        return session.get(Department, actor.department_id)
    if _actor_role(actor, request) != "staff":
        return None
    mine = queue.staff_department_ids(session, actor) if queue.acts_for_parties(actor) else set()
    for department_id in [request.lead_department_id, *(request.co_department_ids or [])]:
        if department_id in mine:
            return session.get(Department, department_id)
    if mine and queue.is_dispatcher(session, actor, mine):
        return dispatcher(session)
    return session.get(Department, request.lead_department_id) if request.lead_department_id else None


def record(
    session: Session, request: Request, actor: User | None, kind: str, to_state: str | None = None,
    public_text: str | None = None, internal_note: str | None = None, **data,
) -> RequestEvent:
    """Write one event and move the request to ``to_state`` (if given). A staff member's
    event names the department they acted under (``acting_department``, its code), unless the
    caller worked it out before changing the departments."""
    if isinstance(actor, DepartmentSystem):
        data = {**actor.event_data(), **data}
    if "acting_department" not in data:
        department = acting_department(session, actor, request)
        if department is not None:
            data["acting_department"] = department.code
    last_seq = session.scalar(
        select(func.max(RequestEvent.seq)).where(RequestEvent.request_id == request.id)) or 0
    event = RequestEvent(
        request_id=request.id, seq=last_seq + 1, created_at=utcnow(),
        actor_id=actor.id if actor else None, actor_role=_actor_role(actor, request), kind=kind,
        from_state=request.state, to_state=to_state or request.state,
        public_text=public_text or None, internal_note=internal_note or None, data=data,
        prev_hash=request.last_event_hash, hash_version=HASH_VERSION, salt=secrets.token_hex(16),
    )
    event.hash = event_hash(event)
    session.add(event)
    request.last_event_hash = event.hash
    if to_state:
        request.state = to_state
        request.state_type = st.STATES[to_state].type
    request.updated_at = event.created_at
    return event


@dataclass
class Verification:
    ok: bool
    events: int
    broken_at: int | None = None  # seq of the first event that does not match


def verify(session: Session, request: Request) -> Verification:
    """Recompute the chain: every event's hash, and each one's link to the one before."""
    events = list(session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(RequestEvent.seq)))
    previous = None
    for event in events:
        if event.prev_hash != previous or event_hash(event) != event.hash:
            return Verification(False, len(events), event.seq)
        previous = event.hash
    if previous != request.last_event_hash:
        return Verification(False, len(events), len(events))
    return Verification(True, len(events))


# --- who may do what -----------------------------------------------------------------------

def handles(session: Session, user: User | None, request: Request) -> bool:
    """Staff of the lead or a co-handling department, the dispatcher for requests back with
    the dispatch centre, moderators and administrators."""
    if user is None or not user.is_authenticated:
        return False
    if isinstance(user, DepartmentSystem):
        return request.lead_department_id == user.department_id
    if user.has_role(MODERATOR, ADMIN):
        return True
    if not queue.acts_for_parties(user):
        return False
    departments = queue.staff_department_ids(session, user)
    if request.lead_department_id in departments or departments & set(request.co_department_ids or []):
        return True
    return queue.is_dispatcher(session, user, departments) and (
        request.lead_department_id is None or request.state == "returned")


def may_reassign(session: Session, user: User | None) -> bool:
    """Sending a request to another department is for the dispatcher, moderators and
    administrators."""
    if user is None or not user.is_authenticated:
        return False
    return user.has_role(MODERATOR, ADMIN) or queue.is_dispatcher(session, user)


def _require_handler(session, user, request):
    if not handles(session, user, request):
        raise Forbidden()


def _require_state(request: Request, *allowed: str):
    if request.state not in allowed:
        raise Invalid(_l("This cannot be done while the request is “%(state)s”.",
                         state=st.STATES[request.state].label))


def _require_resident(user: User | None, request: Request):
    if user is None or not user.is_authenticated or request.resident_id != user.id:
        raise Forbidden()


# --- deadlines -----------------------------------------------------------------------------

def _set_deadlines(session: Session, request: Request, start: datetime) -> None:
    calendar = Calendar(session)
    ack = calendar.add_working_hours(start, request.category.ack_hours)
    resolve = calendar.add_working_days(start, request.category.resolve_days)
    request.ack_due_at = ack.due
    request.resolve_due_at = resolve.due
    request.deadline_explanation = {"acknowledge": ack.explanation, "resolve": resolve.explanation,
                                    "changes": []}


def _explain(request: Request, change: dict) -> None:
    explanation = dict(request.deadline_explanation or {})
    explanation["changes"] = [*explanation.get("changes", []), change]
    request.deadline_explanation = explanation


# --- side effects: queue and notifications -------------------------------------------------

def _notify(session: Session, request: Request, event: RequestEvent, actor: User | None) -> None:
    """Every public change reaches the resident and every follower (not the one who made it)."""
    if request.state_type == st.PENDING:
        return
    params = {"code": request.tracking_code, "event": {"key": f"feedback.event.{event.kind}"}}
    args = {"code": request.tracking_code}
    resident = request.resident if request.resident and request.resident != actor else None
    if resident:
        notifications.notify(session, [resident], "feedback.changed", params,
                             "feedback.detail", args)
    followers = list(session.scalars(
        select(User).join(Follower, Follower.user_id == User.id)
        .where(Follower.request_id == request.id)))
    others = [u for u in followers if u != actor and u != request.resident]
    if others:
        notifications.notify(session, others, "feedback.followed_changed", params,
                             "feedback.detail", args)
    if request.resident is None and request.contact_email and request.personal_data_removed_at is None:
        # A visitor without an account hears by mail, in the language they wrote in.
        with outbox.use_locale(request.source_locale):
            link = absolute_url("feedback.detail", code=request.tracking_code,
                                locale=request.source_locale)
            outbox.enqueue_email(
                session, request.contact_email, "notification", request.source_locale,
                user=None, message=notifications.text(notifications.Notification(
                    key="feedback.changed", params=params)), link=link)


# What the departments handling a request hear about: it reaching them, and the resident's
# side of the loop (answers, added information, reopening).
HANDLER_EVENTS = frozenset({"routed", "reassigned", "returned", "reopened", "info_provided",
                            "info_added", "withdrawn"})


def _notify_handlers(session: Session, request: Request, event: RequestEvent,
                     actor: User | None) -> None:
    """The staff of the lead department and of every co-handling department alike (not the
    one who made the change), linked to the request's staff page."""
    departments = [request.lead_department_id, *(request.co_department_ids or [])]
    staff = [u for u in queue.department_staff(session, departments) if u != actor]
    if staff:
        notifications.notify(
            session, staff, "feedback.for_department",
            {"code": request.tracking_code, "event": {"key": f"feedback.event.{event.kind}"}},
            "feedback_staff.detail", {"code": request.tracking_code})


def _changed(session: Session, request: Request, event: RequestEvent, actor: User | None,
             public: bool = True) -> None:
    sync_queue(session, request)
    index_request(session, request)
    if public:
        _notify(session, request, event, actor)
    if event.kind in HANDLER_EVENTS:
        _notify_handlers(session, request, event, actor)
    session.commit()


# --- submitting ----------------------------------------------------------------------------

def _clean(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


def _control_errors(sub: Submission) -> dict[str, list]:
    """Text no column can keep (a NUL fails the statement on PostgreSQL): refused beside its
    field, from a form, a kept draft or an API alike."""
    texts = {"title": (sub.title, False), "description": (sub.description, True),
             "location_text": (sub.location_text, False), "address_id": (sub.address_id, False),
             "contact_name": (sub.contact_name, False), "contact_email": (sub.contact_email, False),
             "contact_phone": (sub.contact_phone, False), "media_url": (sub.media_url, False)}
    errors = {name: [CONTROL_MESSAGE] for name, (value, multiline) in texts.items()
              if isinstance(value, str) and has_control_characters(value, multiline=multiline)}
    for code, value in (sub.answers or {}).items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and has_control_characters(v, multiline=True) for v in values):
            errors[f"attribute[{code}]"] = [CONTROL_MESSAGE]
    return errors


# --- where it is: the area the resident chose, or the one the point is in ------------------

POINT_OUTSIDE = _l("This point is outside the city. Check the latitude and longitude, or leave "
                   "them empty and choose the area.")
NO_AREA = _l("Give the area, or a point (latitude and longitude) inside the city.")


@dataclass(frozen=True)
class Placement:
    """Which area a submission goes to, and how it was found: ``by`` is ``"boundary"`` when it
    is the area whose boundary holds the point (``geometry.area_at``, the point rule stated
    there), ``"chosen"`` when the resident's own choice stands (no point, or a point in another
    area: they may correct it). ``point_area`` is where the point is, if a boundary holds it;
    ``outside`` says the city has boundaries and none holds the point."""

    area: Area | None
    by: str
    point_area: Area | None = None
    outside: bool = False


def locate(session: Session, latitude: float | None, longitude: float | None) -> Area | None:
    """The area whose boundary holds the point (smallest first, see ``geometry``), or None:
    no point, a point off the Earth, or one no boundary holds."""
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also NaN
        return None
    return geometry.area_at(session, latitude, longitude)


def place(session: Session, area: Area | None, latitude: float | None,
          longitude: float | None) -> Placement:
    """The area a request goes to: the one chosen stands; without one, the point's."""
    found = locate(session, latitude, longitude)
    outside = (found is None and latitude is not None and longitude is not None
               and geometry.locator(session).covered())
    if area is None:
        return Placement(found, "boundary" if found else "", found, outside)
    return Placement(area, "boundary" if found is not None and found.id == area.id else "chosen",
                     found, outside)


def _validate(session: Session, sub: Submission) -> Placement:
    """Every problem at once (``Invalid``), or where the request goes."""
    errors: dict[str, list] = _control_errors(sub)
    if not sub.category.active:
        errors["category"] = [_l("This category no longer takes requests.")]
    if len(sub.description.strip()) < 10:
        errors["description"] = [_l("Describe the problem in at least 10 characters.")]
    if not sub.location_text.strip() and sub.latitude is None and not sub.address_id:
        errors["location_text"] = [_l("Say where it is: an address or a description of the place.")]
    if (sub.latitude is None) != (sub.longitude is None):
        errors["latitude"] = [_l("Give both latitude and longitude, or neither.")]
    elif sub.latitude is not None and not (-90 <= sub.latitude <= 90 and -180 <= sub.longitude <= 180):
        errors["latitude"] = [_l("These coordinates are not on Earth.")]
    placement = place(session, sub.area, sub.latitude, sub.longitude)
    if placement.outside and "latitude" not in errors:
        errors["latitude"] = [POINT_OUTSIDE]
    if placement.area is None:
        errors["area"] = [NO_AREA]
    answer_errors = check_answers(sub.category, sub.answers or {})
    errors.update(answer_errors)
    if errors:
        raise Invalid(errors)
    return placement


TITLE_FROM_DESCRIPTION = 80


def title_of(sub: Submission) -> str:
    """The title as it will be saved: the one given, or the description's start, cut at a
    word (a syllable in Tibetan, a character in Chinese) with an ellipsis."""
    return _clean(sub.title, 140) or shorten(sub.description, TITLE_FROM_DESCRIPTION, sub.locale)


def validate_submission(session: Session, sub: Submission) -> None:
    """Raise ``Invalid`` as ``submit`` would, saving nothing: a form in steps checks early."""
    _validate(session, sub)


def check_answers(category: ServiceCategory, answers: dict) -> dict[str, list]:
    """Validate answers to a category's extra questions (Open311 attributes)."""
    errors: dict[str, list] = {}
    for attribute in category.attributes or []:
        code = attribute["code"]
        value = answers.get(code)
        empty = value in (None, "", [])
        if attribute.get("required") and empty:
            errors[f"attribute[{code}]"] = [_l("Answer this question.")]
            continue
        if empty:
            continue
        keys = {str(v["key"]) for v in attribute.get("values", [])}
        if attribute["datatype"] == "singlevaluelist" and str(value) not in keys:
            errors[f"attribute[{code}]"] = [_l("Choose one of the listed answers.")]
        elif attribute["datatype"] == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not set(map(str, values)) <= keys:
                errors[f"attribute[{code}]"] = [_l("Choose from the listed answers.")]
        elif attribute["datatype"] == "number":
            try:
                float(value)
            except (TypeError, ValueError):
                errors[f"attribute[{code}]"] = [_l("Enter a number.")]
        elif attribute["datatype"] == "datetime":
            try:
                datetime.fromisoformat(str(value))
            except ValueError:
                errors[f"attribute[{code}]"] = [_l("Enter a date and time.")]
    return errors


def tracking_code(request: Request) -> str:
    return f"R-{request.created_at.year}-{request.id:06d}"


def submit(session: Session, actor: User | None, sub: Submission) -> Request:
    """Accept a request. Signed-in residents' requests are routed at once; a visitor's wait
    until the emailed link is followed."""
    area = _validate(session, sub).area
    visitor = actor is None or not actor.is_authenticated
    if visitor and not sub.contact_email:
        raise Invalid({"contact_email": [_l("Enter your email address so we can confirm the request.")]})
    request = Request(
        category=sub.category, area=area, title=title_of(sub),
        description=_clean(sub.description, 5000), source_locale=sub.locale,
        location_text=_clean(sub.location_text, 300), latitude=sub.latitude, longitude=sub.longitude,
        address_id=sub.address_id, media_url=sub.media_url or None, answers=sub.answers or {},
        resident_id=None if visitor else actor.id,
        contact_name=_clean(sub.contact_name, 120) or (None if visitor else actor.display_name),
        contact_email=(sub.contact_email or None) if visitor else (sub.contact_email or actor.email),
        contact_phone=_clean(sub.contact_phone, 40) or None, show_name=sub.show_name,
        state="unconfirmed", state_type=st.PENDING, source=sub.source, created_at=utcnow(),
    )
    session.add(request)
    session.flush()
    request.tracking_code = tracking_code(request)
    if sub.draft_key:
        session.execute(update(Attachment).where(Attachment.draft_key == sub.draft_key,
                                                 Attachment.request_id.is_(None))
                        .values(request_id=request.id, draft_key=None))
    record(session, request, None if visitor else actor, "submitted", "unconfirmed")
    if visitor:
        request.visitor_token = secrets.token_urlsafe(24)
        link = absolute_url("feedback.confirm_visitor", token=request.visitor_token,
                            locale=sub.locale)
        outbox.enqueue_email(session, request.contact_email, "confirm_request", sub.locale,
                             request=request, link=link)
        index_request(session, request)
        session.commit()
        return request
    _activate(session, request, actor)
    return request


def confirm_visitor(session: Session, token: str) -> Request:
    request = session.scalar(select(Request).where(Request.visitor_token == token))
    if request is None:
        raise NotFound()
    if request.state == "unconfirmed":
        record(session, request, None, "confirmed")
        _activate(session, request, None)
    return request


def _activate(session: Session, request: Request, actor: User | None) -> None:
    # How the area was found, worked out again now (the boundaries in force when it is routed)
    placement = place(session, request.area, request.latitude, request.longitude)
    routing = route(session, request.category, request.area, area_by=placement.by or "chosen",
                    point_area=placement.point_area)
    request.lead_department_id = routing.lead.id
    request.co_department_ids = [d.id for d in routing.co]
    request.routing_rule_id = routing.rule.id if routing.rule else None
    _set_deadlines(session, request, utcnow())
    event = record(session, request, None, "routed", "routed", department=routing.lead.code,
                   co=[d.code for d in routing.co], ack_due=request.ack_due_at.isoformat(),
                   resolve_due=request.resolve_due_at.isoformat(), **routing.reason())
    confirm_message(session, request)
    _changed(session, request, event, actor, public=False)


def confirm_message(session: Session, request: Request) -> None:
    """The confirmation message with the tracking code, in the resident's language."""
    if request.contact_email:
        link = absolute_url("feedback.detail", code=request.tracking_code,
                            locale=request.source_locale)
        outbox.enqueue_email(session, request.contact_email, "request_received",
                             request.source_locale, request=request, link=link)


# --- staff actions -------------------------------------------------------------------------

def acknowledge(session: Session, actor: User, request: Request, text: str = "") -> RequestEvent:
    _require_handler(session, actor, request)
    _require_state(request, "routed", "reopened", "returned")
    if request.acknowledged_at is None:
        request.acknowledged_at = utcnow()
    event = record(session, request, actor, "acknowledged", "acknowledged", public_text=text,
                   on_time=bool(request.ack_due_at and request.acknowledged_at <= request.ack_due_at))
    _changed(session, request, event, actor)
    return event


def start_work(session: Session, actor: User, request: Request, text: str = "") -> RequestEvent:
    _require_handler(session, actor, request)
    _require_state(request, "routed", "acknowledged", "reopened")
    if request.acknowledged_at is None:
        request.acknowledged_at = utcnow()
    event = record(session, request, actor, "started", "in_progress", public_text=text)
    _changed(session, request, event, actor)
    return event


def ask_for_information(session: Session, actor: User, request: Request, question: str) -> RequestEvent:
    _require_handler(session, actor, request)
    _require_state(request, "routed", "acknowledged", "in_progress", "reopened")
    if not question.strip():
        raise Invalid({"text": [_l("Write what you need to know.")]})
    if request.acknowledged_at is None:
        request.acknowledged_at = utcnow()
    request.paused_at = utcnow()
    event = record(session, request, actor, "info_requested", "waiting", public_text=question.strip(),
                   resume_state="in_progress")
    _changed(session, request, event, actor)
    return event


def provide_information(session: Session, actor: User, request: Request, text: str) -> RequestEvent:
    """The resident answers; the clock starts again, and the deadline moves by the pause."""
    _require_resident(actor, request)
    _require_state(request, "waiting")
    if not text.strip():
        raise Invalid({"text": [_l("Write your answer.")]})
    now = utcnow()
    calendar = Calendar(session)
    paused = calendar.working_days_between(request.paused_at.date(), now.date())
    if paused and request.resolve_due_at:
        request.resolve_due_at = calendar.add_working_days(request.resolve_due_at, paused).due
    _explain(request, {"kind": "paused", "from": request.paused_at.isoformat(timespec="minutes"),
                       "to": now.isoformat(timespec="minutes"), "working_days": paused})
    request.paused_at = None
    event = record(session, request, actor, "info_provided", "in_progress", public_text=text.strip(),
                   paused_working_days=paused)
    _changed(session, request, event, actor)
    return event


ADD_INFORMATION_LIMIT = 5000  # as long as an answer to the department's question


def add_information(session: Session, actor: User, request: Request, text: str = "",
                    files: list[tuple[str, bytes]] | None = None) -> RequestEvent:
    """The resident adds something to their open request: a text, photos or PDFs, or both.
    It becomes a public event on the timeline (with its files) and the handling departments
    are told. Only the request's resident, only while it is open."""
    from portal.feedback import attachments

    _require_resident(actor, request)
    if request.state_type != st.OPEN:
        raise Invalid(_l("Information can be added while the request is open."))
    text = (text or "").strip()
    files = [(name, data) for name, data in files or [] if name or data]
    if has_control_characters(text, multiline=True):
        raise Invalid({"text": [CONTROL_MESSAGE]})
    if len(text) > ADD_INFORMATION_LIMIT:
        raise Invalid({"text": [_l("Write at most %(num)d characters.", num=ADD_INFORMATION_LIMIT)]})
    if not text and not files:
        raise Invalid({"text": [_l("Write what you want to add, or choose a photo or PDF.")]})
    added = []
    try:
        for name, data in files:
            added.append(attachments.add(session, name, data, request_id=request.id))
    except Invalid:
        session.rollback()
        raise
    event = record(session, request, actor, "info_added", public_text=text,
                   files=len(added))
    session.flush()
    for attachment in added:
        attachment.event_id = event.id
        attachments.make_thumbnail(attachment)
    _changed(session, request, event, actor)
    return event


def extend(session: Session, actor: User, request: Request, days: int, reason: str) -> RequestEvent:
    _require_handler(session, actor, request)
    _require_state(request, *st.ACTIVE)
    if request.extended:
        raise Invalid({"days": [_l("The deadline has already been extended once.")]})
    if not 1 <= days <= 30:
        raise Invalid({"days": [_l("Extend by 1 to 30 working days.")]})
    if not reason.strip():
        raise Invalid({"reason": [_l("Give the reason: it is shown publicly.")]})
    request.resolve_due_at = Calendar(session).add_working_days(request.resolve_due_at, days).due
    request.extended = True
    request.extension_reason = reason.strip()
    if request.overdue and request.resolve_due_at > utcnow():
        request.overdue = False
    _explain(request, {"kind": "extended", "working_days": days, "reason": reason.strip()})
    event = record(session, request, actor, "extended", public_text=reason.strip(), working_days=days,
                   resolve_due=request.resolve_due_at.isoformat())
    _changed(session, request, event, actor)
    return event


ANSWER_MIN, ANSWER_MAX = 10, 5000  # characters, without the spaces around the answer


def answer_problem(text: str | None):
    """What is wrong with an answer's length, or None: the one rule and its message, used by
    the staff form (with or without JavaScript), this service and the Open311 updates."""
    from portal.core.forms import at_most

    length = len((text or "").strip())
    if length < ANSWER_MIN:
        return _l("Write an answer of at least 10 characters.")  # ANSWER_MIN
    if length > ANSWER_MAX:
        return at_most(ANSWER_MAX)
    return None


def answer(session: Session, actor: User, request: Request, text: str,
           attachment_ids: list[int] | None = None) -> RequestEvent:
    _require_handler(session, actor, request)
    _require_state(request, "routed", "acknowledged", "in_progress", "reopened")
    problem = answer_problem(text)
    if problem:
        raise Invalid({"text": [problem]})
    now = utcnow()
    if request.acknowledged_at is None:
        request.acknowledged_at = now
    request.answered_at = now
    days = current_app.config.get("FEEDBACK_CONFIRM_DAYS", 5)
    request.confirm_due_at = Calendar(session).add_working_days(now, days).due
    request.priority = False
    event = record(session, request, actor, "answered", "answered", public_text=text.strip(),
                   on_time=bool(request.resolve_due_at and now <= request.resolve_due_at))
    session.flush()
    if attachment_ids:
        session.execute(update(Attachment).where(Attachment.id.in_(attachment_ids),
                                                 Attachment.request_id == request.id)
                        .values(event_id=event.id))
    _changed(session, request, event, actor)
    return event


def post_update(session: Session, actor: User, request: Request, text: str) -> RequestEvent:
    """A public progress update that does not change the state (e.g. from a department's own
    system through Open311)."""
    _require_handler(session, actor, request)
    _require_state(request, *st.ACTIVE)
    if not text.strip():
        raise Invalid({"text": [_l("Write the update.")]})
    event = record(session, request, actor, "update", public_text=text.strip())
    _changed(session, request, event, actor)
    return event


def note(session: Session, actor: User, request: Request, text: str) -> RequestEvent:
    _require_handler(session, actor, request)
    if not text.strip():
        raise Invalid({"text": [_l("Write the note.")]})
    event = record(session, request, actor, "note", internal_note=text.strip())
    _changed(session, request, event, actor, public=False)
    return event


def assign(session: Session, actor: User, request: Request, colleague: User | None) -> RequestEvent:
    _require_handler(session, actor, request)
    if colleague is not None and not handles(session, colleague, request):
        raise Invalid({"assignee": [_l("This person does not work for the responsible department.")]})
    request.assigned_user_id = colleague.id if colleague else None
    event = record(session, request, actor, "assigned",
                   internal_note=colleague.display_name if colleague else None,
                   assignee=colleague.id if colleague else None)
    _changed(session, request, event, actor, public=False)
    return event


def invite_co_handler(session: Session, actor: User, request: Request, party: Department,
                      note: str = "") -> RequestEvent:
    """Staff of the lead department (moderators, administrators) invite a verified
    organization's party to help handle the request: it joins the co-handlers (its people see
    the request in their queue and act on it), the public timeline says an organization was
    invited (no names of people), the note stays internal, and the party's people are told."""
    from portal.responsibility.models import GOVERNMENT
    from portal.responsibility.services import unavailable_parties

    _require_handler(session, actor, request)
    if not actor.has_role(MODERATOR, ADMIN) and (
            request.lead_department_id not in queue.staff_department_ids(session, actor)):
        raise Forbidden()
    _require_state(request, *st.ACTIVE)
    if party.kind == GOVERNMENT or unavailable_parties(session, [party.id]):
        raise Invalid({"organization": [_l("Choose a verified organization from the list.")]})
    if party.id == request.lead_department_id or party.id in (request.co_department_ids or []):
        raise Invalid({"organization": [_l("This organization already takes part in handling it.")]})
    if has_control_characters(note or "", multiline=True):
        raise Invalid({"note": [CONTROL_MESSAGE]})
    acting = acting_department(session, actor, request)
    request.co_department_ids = [*(request.co_department_ids or []), party.id]
    event = record(session, request, actor, "co_handler_invited",
                   internal_note=(note or "").strip()[:1000] or None, department=party.code,
                   acting_department=acting.code if acting else None)
    people = [u for u in queue.department_staff(session, [party.id]) if u != actor]
    if people:
        notifications.notify(
            session, people, "feedback.for_department",
            {"code": request.tracking_code, "event": {"key": f"feedback.event.{event.kind}"}},
            "feedback_staff.detail", {"code": request.tracking_code})
    _changed(session, request, event, actor)
    return event


def return_to_dispatcher(session: Session, actor: User, request: Request, reason: str) -> RequestEvent:
    """"Not our responsibility" is not an ending: the dispatcher gets it back with the reason."""
    _require_handler(session, actor, request)
    _require_state(request, "routed", "acknowledged", "in_progress", "reopened")
    if not reason.strip():
        raise Invalid({"reason": [_l("Say why it is not your department's responsibility.")]})
    previous = request.lead_department.code if request.lead_department else None
    acting = acting_department(session, actor, request)
    request.lead_department_id = dispatcher(session).id
    request.co_department_ids = []
    request.assigned_user_id = None
    event = record(session, request, actor, "returned", "returned", public_text=reason.strip(),
                   department=previous, acting_department=acting.code if acting else None)
    _changed(session, request, event, actor)
    return event


def reassign(session: Session, actor: User, request: Request, department: Department,
             reason: str) -> RequestEvent:
    """Send it to another department: the dispatcher's job (and moderators' and
    administrators'); a department that is not responsible returns it instead."""
    _require_handler(session, actor, request)
    if not may_reassign(session, actor):
        raise Forbidden()
    _require_state(request, *st.ACTIVE)
    if department.id == request.lead_department_id:
        raise Invalid({"department": [_l("The request is already with this department.")]})
    if not reason.strip():
        raise Invalid({"reason": [_l("Say why it goes to this department.")]})
    acting = acting_department(session, actor, request)
    request.lead_department_id = department.id
    request.co_department_ids = []
    request.assigned_user_id = None
    request.acknowledged_at = None
    state = "routed" if request.state != "waiting" else "waiting"
    now = utcnow()
    ack = Calendar(session).add_working_hours(now, request.category.ack_hours)
    request.ack_due_at = ack.due
    _explain(request, {"kind": "reassigned", "acknowledge": ack.explanation})
    event = record(session, request, actor, "reassigned", state, public_text=reason.strip(),
                   department=department.code, ack_due=ack.due.isoformat(),
                   acting_department=acting.code if acting else None)
    _changed(session, request, event, actor)
    return event


def close(session: Session, actor: User, request: Request, ending: str, reason: str,
          duplicate_of: Request | None = None) -> RequestEvent:
    """The other endings, each with a public reason: duplicate or not actionable."""
    _require_handler(session, actor, request)
    _require_state(request, *st.ACTIVE)
    if ending not in ("closed_duplicate", "closed_not_actionable"):
        raise Invalid({"ending": [_l("Choose how the request ends.")]})
    if not reason.strip():
        raise Invalid({"reason": [_l("Give the reason: it is shown publicly.")]})
    data = {}
    if ending == "closed_duplicate":
        if duplicate_of is None or duplicate_of.id == request.id:
            raise Invalid({"duplicate_of": [_l("Enter the tracking code of the original request.")]})
        request.duplicate_of_id = duplicate_of.id
        data["original"] = duplicate_of.tracking_code
    request.closed_at = utcnow()
    request.paused_at = None
    event = record(session, request, actor, ending, ending, public_text=reason.strip(), **data)
    _changed(session, request, event, actor)
    if ending == "closed_duplicate" and request.resident_id:
        follow(session, request.resident, duplicate_of, commit=True)
    return event


# --- the resident's side -------------------------------------------------------------------

def respond(session: Session, actor: User, request: Request, resolved: bool, satisfaction: int,
            comment: str = "") -> RequestEvent:
    """Two separate answers: was it resolved, and how satisfied are you. Unresolved reopens."""
    _require_resident(actor, request)
    _require_state(request, "answered")
    if not 1 <= satisfaction <= 5:
        raise Invalid({"satisfaction": [_l("Choose from 1 to 5.")]})
    request.satisfaction = satisfaction
    request.satisfaction_comment = comment.strip() or None
    request.resolved = resolved
    if resolved:
        request.closed_at = utcnow()
        event = record(session, request, actor, "resolved_confirmed", "closed_resolved",
                       public_text=comment.strip(), satisfaction=satisfaction)
    else:
        request.priority = True
        request.answered_at = None
        request.acknowledged_at = None
        _set_reopen_deadlines(session, request)
        event = record(session, request, actor, "reopened", "reopened", public_text=comment.strip(),
                       satisfaction=satisfaction, ack_due=request.ack_due_at.isoformat(),
                       resolve_due=request.resolve_due_at.isoformat())
    _changed(session, request, event, actor)
    return event


def _set_reopen_deadlines(session: Session, request: Request) -> None:
    calendar = Calendar(session)
    now = utcnow()
    ack = calendar.add_working_hours(now, request.category.ack_hours)
    resolve = calendar.add_working_days(now, request.category.resolve_days)
    request.ack_due_at, request.resolve_due_at = ack.due, resolve.due
    request.extended = False
    request.overdue = False
    _explain(request, {"kind": "reopened", "acknowledge": ack.explanation, "resolve": resolve.explanation})


def withdraw(session: Session, actor: User, request: Request, reason: str = "") -> RequestEvent:
    _require_resident(actor, request)
    if request.state_type == st.CLOSED:
        raise Invalid(_l("This request is already closed."))
    request.closed_at = utcnow()
    event = record(session, request, actor, "withdrawn", "withdrawn", public_text=reason.strip())
    _changed(session, request, event, actor)
    return event


def remove_personal_data(session: Session, actor: User, request: Request) -> RequestEvent:
    """After closing, the resident may take their name and contact details off the request."""
    _require_resident(actor, request)
    if request.state_type != st.CLOSED:
        raise Invalid(_l("Personal details can be removed once the request is closed."))
    clear_personal_fields(request)
    event = record(session, request, actor, "personal_data_removed")
    _changed(session, request, event, actor, public=False)
    return event


def clear_personal_fields(request: Request, keep_area_point: bool = False) -> None:
    """Take the resident's name, contact details and exact address off ``request`` (its
    personal fields in the classification table, ``feedback.open_data``).

    ``keep_area_point`` keeps the position rounded as public views round it (about 100 m):
    an open request of a deleted account is still handled, and staff must find the place."""
    request.contact_name = None
    request.contact_email = None
    request.contact_phone = None
    request.show_name = False
    request.location_text = mask_numbers(request.location_text)
    # The exact position says where the resident lives as well as a name would.
    if keep_area_point:
        request.latitude = public_coordinate(request.latitude)
        request.longitude = public_coordinate(request.longitude)
    else:
        request.latitude = request.longitude = None
    request.address_id = None
    request.personal_data_removed_at = utcnow()


def follow(session: Session, user: User, request: Request, commit: bool = True) -> bool:
    """"Me too": follow a request. Returns False if already following."""
    if request.state_type == st.PENDING:
        raise NotFound()
    if request.resident_id == user.id:
        return False
    exists = session.scalar(select(Follower.id).where(Follower.request_id == request.id,
                                                      Follower.user_id == user.id))
    if exists:
        return False
    session.add(Follower(request_id=request.id, user_id=user.id))
    request.followers_count = Request.followers_count + 1
    if commit:
        session.commit()
    return True


def unfollow(session: Session, user: User, request: Request) -> None:
    result = session.execute(delete(Follower).where(Follower.request_id == request.id,
                                                    Follower.user_id == user.id))
    if result.rowcount:
        request.followers_count = Request.followers_count - 1
    session.commit()


def is_following(session: Session, user: User | None, request: Request) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return session.scalar(select(Follower.id).where(Follower.request_id == request.id,
                                                    Follower.user_id == user.id)) is not None


# --- the portal's own clock: deadlines, escalation, closing unconfirmed --------------------

def check_deadlines(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Escalate missed acknowledgements and answers; close answers nobody confirmed."""
    now = now or utcnow()
    counts = {"escalated": 0, "closed": 0}
    overdue = session.scalars(
        select(Request).options(joinedload(Request.lead_department), joinedload(Request.category))
        .where(Request.state.in_(st.ACTIVE - {"waiting"}),
               or_(and_(Request.acknowledged_at.is_(None), Request.ack_due_at < now),
                   Request.resolve_due_at < now)))
    for request in overdue:
        missed = "acknowledge" if request.acknowledged_at is None and request.ack_due_at < now else "resolve"
        due = request.ack_due_at if missed == "acknowledge" else request.resolve_due_at
        # One escalation per missed deadline period: a level up for each further full day late.
        levels_due = 1 + int((now - due) / timedelta(days=1))
        if request.escalation_level >= levels_due:
            continue
        escalate(session, request, missed)
        counts["escalated"] += 1
    unconfirmed = list(session.scalars(
        select(Request).where(Request.state == "answered", Request.confirm_due_at < now)))
    for request in unconfirmed:
        request.closed_at = now
        event = record(session, request, None, "closed_unconfirmed", "closed_unconfirmed")
        _changed(session, request, event, None)
        counts["closed"] += 1
    session.commit()
    return counts


def escalate(session: Session, request: Request, missed: str) -> RequestEvent:
    """Raise an escalation: flag it, and tell the supervisor one level further up each time."""
    request.escalation_level += 1
    request.overdue = True
    department = request.lead_department
    for _ in range(request.escalation_level - 1):
        if department is not None and department.parent is not None:
            department = department.parent
    supervisor_id = department.supervisor_id if department else None
    supervisor = session.get(User, supervisor_id) if supervisor_id else None
    event = record(session, request, None, "escalated", missed=missed, level=request.escalation_level,
                   department=department.code if department else None)
    if supervisor is not None:
        notifications.notify(session, [supervisor], "feedback.escalated",
                             {"code": request.tracking_code}, "feedback.detail",
                             {"code": request.tracking_code})
    _changed(session, request, event, None, public=False)
    return event


# --- reading -------------------------------------------------------------------------------

def by_code(session: Session, code: str, public: bool = True) -> Request:
    request = session.scalar(
        select(Request).options(joinedload(Request.category), joinedload(Request.area),
                                joinedload(Request.lead_department), joinedload(Request.resident))
        .where(Request.tracking_code == code.strip().upper()))
    if request is None or (public and request.state_type == st.PENDING):
        raise NotFound()
    return request


_CODE = re.compile(r"R-?(\d{4})-?(\d{1,9})")
_CODE_START = re.compile(r"R-?\d")


def read_tracking_code(text: str) -> str | None:
    """``r-2026-42`` or ``R 2026 000042`` → ``R-2026-000042``; None when the text is not a
    code at all (words to search for). Invalid when it starts like a code but is not one."""
    compact = re.sub(r"\s+", "", text or "").upper().replace("\u2010", "-").replace("\u2011", "-")
    match = _CODE.fullmatch(compact)
    if match:
        return f"R-{match.group(1)}-{int(match.group(2)):06d}"
    if _CODE_START.match(compact):
        raise Invalid({"code": [_l("A tracking code is R, the year and the request's number, "
                                   "like R-2026-000042.")]})
    return None


def timeline(session: Session, request: Request, internal: bool = False) -> list[RequestEvent]:
    stmt = (select(RequestEvent).options(joinedload(RequestEvent.actor))
            .where(RequestEvent.request_id == request.id).order_by(RequestEvent.seq))
    events = list(session.scalars(stmt))
    if internal:
        return events
    return [e for e in events if not is_internal(e)]


_NUMBER = re.compile(r"\d+")


def mask_numbers(text: str | None) -> str:
    """Exact address numbers are personal data in public views: 12 Elm St → ## Elm St."""
    return _NUMBER.sub(lambda m: "#" * min(len(m.group()), 3), text or "")


def public_coordinate(value: float | None) -> float | None:
    """Coordinates in public views and exports are rounded to about 100 m: close enough to find
    the pothole, not to find the front door of the person who reported it."""
    return None if value is None else round(value, 3)


def public_name(request: Request):
    if request.show_name and request.personal_data_removed_at is None:
        if request.resident is not None:
            return request.resident.display_name
        if request.contact_name:
            return request.contact_name
    return _l("A resident")


@dataclass
class ListFilter:
    q: str = ""
    category_id: int | None = None
    area_id: int | None = None
    state_type: str | None = None
    department_id: int | None = None


# --- search: what the public may find (portal.core.search) ---------------------------------

def search_document(request: Request) -> search.Document:
    """Only what the public list and page show: title, description, the masked location
    (``## Elm St``) and the tracking code, whose number is also findable by its last digits
    (``000012``, ``0012``, ``12``). Never a name, email, phone or address number. A request
    waiting for email confirmation is not public."""
    code = request.tracking_code or ""
    digits = code.rsplit("-", 1)[-1] if code else ""
    tails = [digits[i:] for i in range(max(len(digits) - 1, 0))]
    return search.Document(
        ref_id=request.id, title=request.title or "", body=request.description or "",
        extra=" ".join([code, *tails, mask_numbers(request.location_text)]),
        locale=request.source_locale or "", public=request.state_type != st.PENDING)


def index_request(session: Session, request: Request) -> None:
    """Keep the request's search document in step, in the caller's transaction: every
    change goes through ``_changed`` (and a visitor's submission), which calls this."""
    session.flush()
    document = search_document(request)
    search.bulk_index(session, "request", [document])


def _all_documents(session: Session):
    stmt = select(Request).execution_options(yield_per=2000).order_by(Request.id)
    for request in session.scalars(stmt):
        yield search_document(request)


search.register("request", 1, _all_documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """What the site search may show anyone of these requests: the public list's rule (every
    request but those waiting for email confirmation), whoever reads, staff included; its
    document never holds a name, an email, a phone or a house number."""
    stmt = select(Request.id, Request.created_at).where(Request.id.in_(ids),
                                                        Request.state_type != st.PENDING)
    return dict(session.execute(scope.apply(stmt, Request.area_id, Request.created_at)).all())


def _site_rows(session: Session, ids) -> dict:
    stmt = select(Request).options(joinedload(Request.area)).where(Request.id.in_(ids))
    return {r.id: site_search.Row(r.title, r.description, r.source_locale, "feedback.detail",
                                  {"code": r.tracking_code}, str(r.area.name), r.created_at)
            for r in session.scalars(stmt)}


site_search.register(site_search.Source("request", _l("Request"), _site_visible, _site_rows, 10))


def _ranked_page(session: Session, conditions: list, hits: list[search.Hit], before: int | None,
                 after: int | None, per_page: int):
    """A page of the ranked ids that pass the list's filters. The cursors are ids, as on the
    plain list: ``before`` = the rows after that id in rank order, ``after`` = those before.
    Three queries whatever the page: the search, the filters over its ids, the page's rows."""
    from portal.core.pagination import Page

    order = [h.ref_id for h in hits]
    if not order:
        return Page([], None, None)
    allowed = set(session.scalars(select(Request.id).where(*conditions, Request.id.in_(order))))
    ids = [i for i in order if i in allowed]
    if after is not None and after in ids:
        start = max(ids.index(after) - per_page, 0)
    elif before is not None and before in ids:
        start = ids.index(before) + 1
    else:
        start = 0
    chosen = ids[start:start + per_page]
    loaded = {r.id: r for r in session.scalars(
        select(Request).options(joinedload(Request.category), joinedload(Request.area))
        .where(Request.id.in_(chosen)))} if chosen else {}
    rows = [loaded[i] for i in chosen if i in loaded]
    newer = rows[0].id if rows and start > 0 else None
    older = rows[-1].id if rows and start + per_page < len(ids) else None
    return Page(rows, newer, older)


def public_conditions(session: Session, f: ListFilter) -> list:
    """The public list's filters as SQL conditions (the list and the public map share them);
    the search words are not among them (see ``public_list``)."""
    conditions = []
    if f.state_type not in st.PUBLIC_TYPES:
        # "Not pending" rather than "one of four types": the newest-first scan of the primary
        # key then stops after one page instead of sorting every public request.
        conditions.append(Request.state_type != st.PENDING)
    if f.category_id:
        conditions.append(Request.category_id == f.category_id)
    if f.area_id:
        area_ids = area_ids_within(session, f.area_id)
        conditions.append(Request.area_id.in_(area_ids))
    if f.state_type in st.PUBLIC_TYPES:
        conditions.append(Request.state_type == f.state_type)
    if f.department_id:
        conditions.append(Request.lead_department_id == f.department_id)
    return conditions


def public_list(session: Session, f: ListFilter, before: int | None = None, after: int | None = None,
                per_page: int = 20):
    from portal.core.pagination import keyset

    conditions = public_conditions(session, f)
    if f.q.strip():
        # Ranked: the search service gives the best ids (at most search.CANDIDATES); the
        # filters keep those that pass, and the page is cut from them in rank order.
        hits = search.search(session, "request", f.q)
        return _ranked_page(session, conditions, hits, before, after, per_page)
    stmt = (select(Request).options(joinedload(Request.category), joinedload(Request.area))
            .where(*conditions))
    return keyset(session, stmt, Request.id, before, after, per_page)


def similar_open(session: Session, category: ServiceCategory, area: Area, text: str,
                 limit: int = 5) -> list[Request]:
    """Open requests in the same category and area that share words with ``text``."""
    candidates = list(session.scalars(
        select(Request).where(Request.category_id == category.id, Request.area_id == area.id,
                              Request.state_type.in_((st.OPEN, st.PAUSED, st.ANSWERED)))
        .order_by(Request.id.desc()).limit(200)))
    words = {w.lower() for w in re.findall(r"\w{3,}", text)}
    han = set(re.findall(r"[\u4e00-\u9fff]{2}", text))
    scored = []
    for request in candidates:
        body = f"{request.title} {request.description}".lower()
        score = sum(1 for w in words if w in body) + sum(2 for h in han if h in body)
        if score:
            scored.append((score, request.id, request))
    scored.sort(key=lambda t: (-t[0], -t[1]))
    return [r for _s, _i, r in scored[:limit]]


def for_resident(session: Session, user: User, before: int | None = None, after: int | None = None):
    from portal.core.pagination import keyset

    stmt = (select(Request).options(joinedload(Request.category), joinedload(Request.area))
            .where(Request.resident_id == user.id))
    return keyset(session, stmt, Request.id, before=before, after=after, per_page=20)


# --- "near here": open requests around a point ---------------------------------------------

NEAR_METRES = 250
NEAR_CANDIDATES = 2000  # rows read off the index at most (three columns each), in the box
# ``public_coordinate`` rounds to 3 decimals: a request's exact point is at most this far (in
# degrees) from its public one, so a box this much wider holds every public point inside.
_PUBLIC_ROUNDING = 0.0005
OPEN_TYPES = (st.OPEN, st.PAUSED, st.ANSWERED)


@dataclass(frozen=True)
class Nearby:
    request: Request
    metres: int  # from the given point to the request's *public* point, to the 10 m


def near_statement(latitude: float, longitude: float, metres: float = NEAR_METRES):
    """The indexed bounding-box query (``ix_request_point``): the ids, points and state
    types of the requests in a box that holds every public point within ``metres``. The
    state is checked in Python on these few rows: a condition on it here would tempt SQLite
    to read ``ix_request_state_id`` (every open request) instead of the box."""
    min_lat, max_lat, min_lon, max_lon = geometry.bounding_box(latitude, longitude, metres)
    return (select(Request.id, Request.latitude, Request.longitude, Request.state_type)
            .where(Request.latitude.between(min_lat - _PUBLIC_ROUNDING, max_lat + _PUBLIC_ROUNDING),
                   Request.longitude.between(min_lon - _PUBLIC_ROUNDING, max_lon + _PUBLIC_ROUNDING))
            .limit(NEAR_CANDIDATES))


def near_open(session: Session, latitude: float | None, longitude: float | None,
              metres: float = NEAR_METRES, limit: int = 5) -> list[Nearby]:
    """Open requests whose public (rounded) point is within ``metres`` of the point, nearest
    first: a bounding box read off ``ix_request_point``, then the exact distance in Python on
    the few rows it gives, then the chosen requests (two queries). Distances are measured to
    the public point and rounded to 10 m, so nobody learns another resident's exact point."""
    if latitude is None or longitude is None or not (
            math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return []
    found = []
    for request_id, lat, lon, state_type in session.execute(
            near_statement(latitude, longitude, metres)):
        if state_type not in OPEN_TYPES:
            continue
        distance = geometry.distance_m(latitude, longitude, public_coordinate(lat),
                                       public_coordinate(lon))
        if distance <= metres:
            found.append((distance, request_id))
    found.sort()
    found = found[:limit]
    if not found:
        return []
    loaded = {r.id: r for r in session.scalars(
        select(Request).options(joinedload(Request.area), joinedload(Request.category))
        .where(Request.id.in_([i for _d, i in found])))}
    return [Nearby(loaded[i], max(10, round(d / 10) * 10)) for d, i in found if i in loaded]
