"""Meetings of a hall: scheduling, the agenda, registration with a waiting list, the reminder,
attendance, minutes and decisions.

Rules, in one place (the halls' rules in ``services`` decide who is a member or a host):
- everybody reads a hall's meetings (title, time, place, agenda, how many places are left,
  minutes and decisions); names of registrants are for the hosts only;
- hosts of the hall (and administrators) schedule, edit and cancel meetings (cancelling needs a
  reason, which registrants are told), keep the agenda, and after the meeting has started
  record attendance, publish the minutes and record decisions (each optionally about one of
  the hall's published proposals);
- active members of the hall (and administrators) register while registration is open and the
  meeting has not started; when the meeting is full they join the waiting list, at the
  position shown to them; cancelling a place gives it to the first person waiting (told by
  notification). All of this runs under a lock of the meeting's row (``SELECT ... FOR
  UPDATE`` on PostgreSQL; SQLite lets one writer at a time), so a meeting never takes more
  registrations than its capacity, however many arrive at once;
- the online link is shown to the hosts and to registered people (not to the waiting list,
  nor in the public calendar files), at any time once they are registered;
- a reminder goes to each registered person once, about a day before the start
  (``send_reminders``, a beat task): the meeting's ``reminder_sent_at`` is claimed with a
  conditional UPDATE, so two workers never both send it. Moving the start clears it.
Times are UTC in the database; forms and pages use the city's time zone
(``BABEL_DEFAULT_TIMEZONE``): ``local_to_utc`` and ``utc_to_local`` convert.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from portal.core import notifications
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.deliberation import services as halls
from portal.deliberation.debates import _locale, _text, can_take_part
from portal.deliberation.models import (
    MEETING_FORMATS,
    Hall,
    Meeting,
    MeetingAgendaItem,
    MeetingDecision,
    MeetingRegistration,
    Proposal,
)

TITLE_MAX, DESCRIPTION_MAX, ADDRESS_MAX, URL_MAX = 200, 5000, 300, 500
REASON_MAX, MINUTES_MAX, DECISION_MAX, ITEM_MAX = 2000, 20000, 2000, 200
CAPACITY_MAX = 100000
DURATION_MAX = 24 * 60  # an agenda item's minutes
LONGEST_MEETING = timedelta(days=7)
REMINDER_BEFORE = timedelta(hours=24)

FORMAT_LABELS = {
    "in_person": _l("In person"),
    "online": _l("Online"),
    "hybrid": _l("In person and online"),
}
REGISTRATION_LABELS = {
    "registered": _l("Registered"),
    "waiting": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
}

halls.EVENT_LABELS.update({
    "meeting_scheduled": _l("A meeting was scheduled"),
    "meeting_cancelled": _l("A meeting was cancelled"),
    "meeting_held": _l("A meeting was held; its minutes are published"),
    "meeting_decided": _l("A meeting recorded a decision"),
})

for _key, _text_ in {
    "meeting.cancelled": _l("The meeting “%(title)s” of the hall “%(hall)s” is cancelled: %(reason)s"),
    "meeting.changed": _l("The hosts changed the time or the place of the meeting “%(title)s” of "
                          "the hall “%(hall)s”."),
    "meeting.promoted": _l("A place came free: you are now registered for the meeting “%(title)s” "
                           "of the hall “%(hall)s”."),
    "meeting.reminder": _l("Reminder: the meeting “%(title)s” of the hall “%(hall)s” starts "
                           "within a day."),
}.items():
    notifications.register_message(_key, _text_)


# --- time: the city's zone on forms and pages, UTC in the database -------------------------------

def parse_local(value: str | None) -> datetime | None:
    """A moment typed in a ``datetime-local`` field (``2027-03-04T18:30``, a space also
    accepted), or None when it is not one (or outside the years 2000 to 2100)."""
    text = (value or "").strip().replace(" ", "T", 1)
    if not text or len(text) > 19 or not text.isascii():
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None or not 2000 <= moment.year <= 2100 or "T" not in text:
        return None
    return moment.replace(second=0, microsecond=0)


def local_to_utc(moment: datetime | None, tz) -> datetime | None:
    """A wall-clock moment in the zone ``tz`` as naive UTC (the columns' form)."""
    if moment is None:
        return None
    aware = tz.localize(moment) if hasattr(tz, "localize") else moment.replace(tzinfo=tz)
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime | None, tz) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


def local_input(moment: datetime | None, tz) -> str:
    """The value of a ``datetime-local`` field for a UTC moment."""
    local = utc_to_local(moment, tz)
    return local.strftime("%Y-%m-%dT%H:%M") if local else ""


# --- who may do what ----------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_host(session: Session, hall: Hall, user) -> bool:
    return halls.can_manage(session, hall, user)


def can_register(session: Session, hall: Hall, user, mine=None) -> bool:
    return can_take_part(session, hall, user, mine)


def _check_tool(hall: Hall) -> None:
    if not hall.uses("meetings"):
        raise NotFound()


def has_started(meeting: Meeting, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= meeting.starts_at


def is_past(meeting: Meeting, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= meeting.ends_at


def registration_is_open(meeting: Meeting, now: datetime | None = None) -> bool:
    return (meeting.state == "scheduled" and meeting.registration_open
            and not has_started(meeting, now))


def places_left(meeting: Meeting) -> int | None:
    """Free places, or None when the meeting has no limit."""
    if not meeting.capacity:
        return None
    return max(meeting.capacity - meeting.registered_count, 0)


def may_see_link(meeting: Meeting, registration: MeetingRegistration | None, hosting: bool) -> bool:
    if not meeting.online_url or meeting.is_cancelled:
        return False
    return hosting or (registration is not None and registration.state == "registered")


# --- reading ------------------------------------------------------------------------------------

@dataclass
class HallMeetings:
    upcoming: list[Meeting]
    past: list[Meeting]


def meetings_of(session: Session, hall: Hall, now: datetime | None = None, limit: int = 20) -> HallMeetings:
    """The hall's meetings not yet over, soonest first, then the past ones, latest first."""
    now = now or utcnow()
    upcoming = session.scalars(
        select(Meeting).where(Meeting.hall_id == hall.id, Meeting.ends_at > now)
        .order_by(Meeting.starts_at, Meeting.id).limit(limit)).all()
    past = session.scalars(
        select(Meeting).where(Meeting.hall_id == hall.id, Meeting.ends_at <= now)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)).all()
    return HallMeetings(list(upcoming), list(past))


def feed(session: Session, hall: Hall, limit: int = 200) -> list[Meeting]:
    """The meetings of the hall's calendar feed: the latest ``limit`` by start."""
    return list(session.scalars(
        select(Meeting).where(Meeting.hall_id == hall.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)))


def get_meeting(session: Session, hall: Hall, meeting_id: int) -> Meeting:
    _check_tool(hall)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.hall_id != hall.id:
        raise NotFound()
    return meeting


def agenda(session: Session, meeting: Meeting) -> list[MeetingAgendaItem]:
    return list(session.scalars(
        select(MeetingAgendaItem).options(joinedload(MeetingAgendaItem.proposal))
        .where(MeetingAgendaItem.meeting_id == meeting.id)
        .order_by(MeetingAgendaItem.position, MeetingAgendaItem.id)))


def decisions(session: Session, meeting: Meeting) -> list[MeetingDecision]:
    return list(session.scalars(
        select(MeetingDecision).options(joinedload(MeetingDecision.proposal))
        .where(MeetingDecision.meeting_id == meeting.id).order_by(MeetingDecision.id)))


def decisions_about(session: Session, proposal_id: int) -> list[MeetingDecision]:
    """The decisions meetings recorded about a proposal, with their meeting and hall."""
    return list(session.scalars(
        select(MeetingDecision)
        .options(joinedload(MeetingDecision.meeting).joinedload(Meeting.hall))
        .where(MeetingDecision.proposal_id == proposal_id).order_by(MeetingDecision.id)))


def registration_of(session: Session, meeting: Meeting, user) -> MeetingRegistration | None:
    if not _signed_in(user):
        return None
    return session.scalar(select(MeetingRegistration).where(
        MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.user_id == user.id))


def waiting_position(session: Session, registration: MeetingRegistration) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if registration.state != "waiting":
        return None
    ahead = session.scalar(select(func.count()).select_from(MeetingRegistration).where(
        MeetingRegistration.meeting_id == registration.meeting_id,
        MeetingRegistration.state == "waiting",
        (MeetingRegistration.queued_at < registration.queued_at)
        | ((MeetingRegistration.queued_at == registration.queued_at)
           & (MeetingRegistration.id < registration.id))))
    return ahead + 1


def registrants(session: Session, meeting: Meeting) -> list[MeetingRegistration]:
    """Registered people, then the waiting list in its order, with their accounts (hosts)."""
    rows = session.scalars(
        select(MeetingRegistration).options(joinedload(MeetingRegistration.user))
        .where(MeetingRegistration.meeting_id == meeting.id,
               MeetingRegistration.state.in_(("registered", "waiting")))
        .order_by(MeetingRegistration.queued_at, MeetingRegistration.id)).all()
    return sorted(rows, key=lambda r: r.state != "registered")


def hall_proposals(session: Session, hall: Hall, limit: int = 200) -> list[Proposal]:
    """The proposals a meeting's agenda item or decision may be about: the hall's published ones."""
    return list(session.scalars(
        select(Proposal).where(Proposal.hall_id == hall.id, Proposal.published.is_(True))
        .order_by(Proposal.id.desc()).limit(limit)))


# --- scheduling, editing, cancelling ------------------------------------------------------------

@dataclass
class MeetingData:
    title: str
    description: str
    source_locale: str
    starts_at: datetime | None  # naive UTC (``local_to_utc``)
    ends_at: datetime | None
    format: str
    address: str = ""
    online_url: str = ""
    capacity: int | None = 0
    registration_open: bool = True


def _one_line(errors: dict, name: str, value: str | None, max_len: int, required: bool = True) -> str:
    text = _text(errors, name, value, max_len, required)
    if name not in errors and ("\n" in text or "\r" in text):
        errors[name] = [_l("Write this on one line.")]
    return text


def _url(errors: dict, value: str | None, required: bool) -> str:
    text = _one_line(errors, "online_url", value, URL_MAX, required)
    if "online_url" in errors or not text:
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host \
            or " " in text or ("." not in host and host != "localhost"):
        errors["online_url"] = [_l("Enter a web address that starts with https:// or http://, "
                                   "like https://meet.example.org/hall.")]
    return text


def _values(data: MeetingData, current: Meeting | None, now: datetime) -> dict:
    errors: dict[str, list] = {}
    title = _one_line(errors, "title", data.title, TITLE_MAX)
    description = _text(errors, "description", data.description, DESCRIPTION_MAX, required=False)
    starts, ends = data.starts_at, data.ends_at
    if starts is None:
        errors["starts_at"] = [_l("Enter when the meeting starts, like 2027-03-04 18:30.")]
    elif starts <= now and (current is None or starts != current.starts_at):
        errors["starts_at"] = [_l("The start must be in the future.")]
    if ends is None:
        errors["ends_at"] = [_l("Enter when the meeting ends, like 2027-03-04 20:00.")]
    elif starts is not None and ends <= starts:
        errors["ends_at"] = [_l("The end must be after the start.")]
    elif starts is not None and ends - starts > LONGEST_MEETING:
        errors["ends_at"] = [_l("A meeting lasts at most seven days.")]
    if data.format not in MEETING_FORMATS:
        errors["format"] = [_l("Choose whether the meeting is in person, online or both.")]
    in_person = data.format in ("in_person", "hybrid")
    online = data.format in ("online", "hybrid")
    address = _one_line(errors, "address", data.address, ADDRESS_MAX, required=in_person)
    if in_person and "address" in errors and not (data.address or "").strip():
        errors["address"] = [_l("Enter where the meeting takes place.")]
    url = _url(errors, data.online_url, required=online)
    if online and "online_url" in errors and not (data.online_url or "").strip():
        errors["online_url"] = [_l("Enter the web address of the online meeting.")]
    capacity = data.capacity if data.capacity is not None else 0
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = [_l("Enter a whole number from 0 (no limit) to 100,000.")]
    if errors:
        raise Invalid(errors)
    return {"title": title, "description": description, "source_locale": _locale(data.source_locale),
            "starts_at": starts, "ends_at": ends, "format": data.format,
            "address": address if in_person else "", "online_url": url if online else "",
            "capacity": capacity, "registration_open": bool(data.registration_open)}


def check_meeting(data: MeetingData, current: Meeting | None = None) -> None:
    """Raise what ``schedule`` or ``update_meeting`` would refuse in ``data`` (nothing saved)."""
    _values(data, current, utcnow())


def _timeline(meeting: Meeting, **more) -> dict:
    return {"meeting_id": meeting.id, "title": meeting.title, "lang": meeting.source_locale, **more}


def _params(meeting: Meeting, hall: Hall, **more) -> dict:
    return {"title": meeting.title,
            "hall": notifications.translatable_param(hall.name_i18n, hall.source_locale), **more}


def _tell(session: Session, users: list[User], key: str, meeting: Meeting, hall: Hall, **more) -> None:
    notifications.notify(session, users, key, _params(meeting, hall, **more), "deliberation.meeting",
                         {"slug": hall.slug, "meeting_id": meeting.id})


def schedule(session: Session, actor: User, hall: Hall, data: MeetingData,
             now: datetime | None = None) -> Meeting:
    _check_tool(hall)
    if not can_host(session, hall, actor):
        raise Forbidden()
    meeting = Meeting(hall_id=hall.id, **_values(data, None, now or utcnow()), created_by_id=actor.id)
    session.add(meeting)
    session.flush()
    halls._event(session, hall, "meeting_scheduled", actor, **_timeline(meeting))
    session.commit()
    return meeting


def _lock(session: Session, meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the commit, with its counters as committed."""
    return session.scalar(select(Meeting).where(Meeting.id == meeting.id).with_for_update()
                          .execution_options(populate_existing=True))


def _people(session: Session, meeting: Meeting, states=("registered", "waiting")) -> list[User]:
    return list(session.scalars(
        select(User).join(MeetingRegistration, MeetingRegistration.user_id == User.id)
        .where(MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.state.in_(states))))


def update_meeting(session: Session, actor: User, hall: Hall, meeting: Meeting, data: MeetingData,
                   now: datetime | None = None) -> Meeting:
    if not can_host(session, hall, actor):
        raise Forbidden()
    if meeting.is_cancelled:
        raise Invalid({"": [_l("This meeting is cancelled: it cannot be changed.")]})
    values = _values(data, meeting, now or utcnow())
    meeting = _lock(session, meeting)
    moved = any(values[k] != getattr(meeting, k)
                for k in ("starts_at", "ends_at", "address", "online_url", "format"))
    changed = [k for k, v in values.items() if getattr(meeting, k) != v]
    if values["starts_at"] != meeting.starts_at:
        meeting.reminder_sent_at = None  # a new time: a new reminder
    for key, value in values.items():
        setattr(meeting, key, value)
    if changed:
        meeting.sequence += 1
        meeting.updated_at = utcnow()
        _promote(session, hall, meeting)
        if moved:
            _tell(session, _people(session, meeting), "meeting.changed", meeting, hall)
    session.commit()
    return meeting


def cancel_meeting(session: Session, actor: User, hall: Hall, meeting: Meeting, reason: str) -> Meeting:
    if not can_host(session, hall, actor):
        raise Forbidden()
    if meeting.is_cancelled:
        raise Invalid({"": [_l("This meeting is already cancelled.")]})
    errors: dict[str, list] = {}
    reason = _text(errors, "reason", reason, REASON_MAX)
    if errors:
        raise Invalid(errors)
    meeting = _lock(session, meeting)
    meeting.state = "cancelled"
    meeting.cancel_reason = reason
    meeting.cancelled_at = meeting.updated_at = utcnow()
    meeting.sequence += 1
    _tell(session, _people(session, meeting), "meeting.cancelled", meeting, hall, reason=reason)
    halls._event(session, hall, "meeting_cancelled", actor, **_timeline(meeting))
    session.commit()
    return meeting


# --- registration and the waiting list ----------------------------------------------------------

def _code(session: Session) -> str:
    while True:
        code = "M-" + secrets.token_hex(4).upper()
        if session.scalar(select(MeetingRegistration.id).where(MeetingRegistration.code == code)) is None:
            return code


def register(session: Session, user: User, hall: Hall, meeting: Meeting,
             now: datetime | None = None) -> MeetingRegistration:
    """A place, or a place on the waiting list when the meeting is full."""
    if not can_register(session, hall, user):
        raise Forbidden()
    meeting = _lock(session, meeting)
    if meeting.is_cancelled:
        raise Invalid({"": [_l("This meeting is cancelled.")]})
    if not registration_is_open(meeting, now):
        raise Invalid({"": [_l("Registration for this meeting is closed.")]})
    mine = registration_of(session, meeting, user)
    if mine is not None and mine.state in ("registered", "waiting"):
        session.commit()
        return mine
    state = "waiting" if meeting.is_full else "registered"
    if mine is None:
        mine = MeetingRegistration(meeting_id=meeting.id, user_id=user.id, code=_code(session))
        session.add(mine)
    mine.state, mine.queued_at, mine.attended = state, utcnow(), False
    if state == "registered":
        meeting.registered_count += 1
    else:
        meeting.waiting_count += 1
    session.commit()
    return mine


def _promote(session: Session, hall: Hall, meeting: Meeting) -> list[MeetingRegistration]:
    """Give free places to the waiting list, first come first served (meeting row locked)."""
    promoted = []
    if meeting.is_cancelled or has_started(meeting):
        return promoted
    while meeting.waiting_count > 0 and not meeting.is_full:
        first = session.scalar(
            select(MeetingRegistration).options(joinedload(MeetingRegistration.user))
            .where(MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.state == "waiting")
            .order_by(MeetingRegistration.queued_at, MeetingRegistration.id).limit(1))
        if first is None:
            meeting.waiting_count = 0
            break
        first.state = "registered"
        meeting.waiting_count -= 1
        meeting.registered_count += 1
        promoted.append(first)
        _tell(session, [first.user], "meeting.promoted", meeting, hall)
    return promoted


def unregister(session: Session, user: User, hall: Hall, meeting: Meeting) -> MeetingRegistration | None:
    """Give the place back (or leave the waiting list); the first person waiting gets it."""
    if not _signed_in(user):
        raise Forbidden()
    meeting = _lock(session, meeting)
    mine = registration_of(session, meeting, user)
    if mine is None or mine.state == "cancelled":
        session.commit()
        return mine
    if has_started(meeting):
        raise Invalid({"": [_l("This meeting has started: registrations are kept as they are.")]})
    was, mine.state = mine.state, "cancelled"
    if was == "registered":
        meeting.registered_count -= 1
        _promote(session, hall, meeting)
    else:
        meeting.waiting_count -= 1
    session.commit()
    return mine


# --- the reminder -------------------------------------------------------------------------------

def send_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind the registered people of each meeting starting within a day, once per meeting:
    each meeting is claimed with a conditional UPDATE before anyone is told."""
    now = now or utcnow()
    due = list(session.scalars(select(Meeting.id).where(
        Meeting.state == "scheduled", Meeting.reminder_sent_at.is_(None),
        Meeting.starts_at > now, Meeting.starts_at <= now + REMINDER_BEFORE)))
    sent = 0
    for meeting_id in due:
        claimed = session.execute(
            update(Meeting).where(Meeting.id == meeting_id, Meeting.reminder_sent_at.is_(None),
                                  Meeting.state == "scheduled")
            .values(reminder_sent_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            session.rollback()
            continue
        meeting = session.get(Meeting, meeting_id)
        hall = session.get(Hall, meeting.hall_id)
        _tell(session, _people(session, meeting, ("registered",)), "meeting.reminder", meeting, hall)
        session.commit()
        sent += 1
    return sent


# --- the agenda ---------------------------------------------------------------------------------

def _proposal(session: Session, errors: dict, hall: Hall, proposal_id, name: str = "proposal_id"):
    if proposal_id in (None, ""):
        return None
    proposal = session.get(Proposal, proposal_id) if isinstance(proposal_id, int) \
        and 0 < proposal_id < 2**31 else None
    if proposal is None or proposal.hall_id != hall.id or not proposal.published:
        errors[name] = [_l("Choose one of the hall's proposals, or none.")]
        return None
    return proposal


def _item_values(session: Session, hall: Hall, title: str, duration, proposal_id) -> dict:
    errors: dict[str, list] = {}
    title = _one_line(errors, "title", title, ITEM_MAX)
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)
                                 or not 1 <= duration <= DURATION_MAX):
        errors["duration_minutes"] = [_l("Enter a number of minutes from 1 to 1,440, or leave it empty.")]
    proposal = _proposal(session, errors, hall, proposal_id)
    if errors:
        raise Invalid(errors)
    return {"title": title, "duration_minutes": duration, "proposal_id": proposal.id if proposal else None}


def _editable_agenda(session: Session, actor: User, hall: Hall, meeting: Meeting) -> None:
    if not can_host(session, hall, actor):
        raise Forbidden()
    if meeting.is_cancelled:
        raise Invalid({"": [_l("This meeting is cancelled: its agenda is kept as it was.")]})


def _changed(meeting: Meeting) -> None:
    meeting.sequence += 1
    meeting.updated_at = utcnow()


def add_item(session: Session, actor: User, hall: Hall, meeting: Meeting, title: str,
             duration: int | None = None, proposal_id: int | None = None) -> MeetingAgendaItem:
    _editable_agenda(session, actor, hall, meeting)
    values = _item_values(session, hall, title, duration, proposal_id)
    last = session.scalar(select(func.max(MeetingAgendaItem.position))
                          .where(MeetingAgendaItem.meeting_id == meeting.id))
    item = MeetingAgendaItem(meeting_id=meeting.id, position=(last or 0) + 1, **values)
    session.add(item)
    _changed(meeting)
    session.commit()
    return item


def get_item(session: Session, meeting: Meeting, item_id: int) -> MeetingAgendaItem:
    item = session.get(MeetingAgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound()
    return item


def update_item(session: Session, actor: User, hall: Hall, meeting: Meeting, item: MeetingAgendaItem,
                title: str, duration: int | None = None, proposal_id: int | None = None) -> MeetingAgendaItem:
    _editable_agenda(session, actor, hall, meeting)
    for key, value in _item_values(session, hall, title, duration, proposal_id).items():
        setattr(item, key, value)
    _changed(meeting)
    session.commit()
    return item


def move_item(session: Session, actor: User, hall: Hall, meeting: Meeting, item: MeetingAgendaItem,
              direction: str) -> None:
    """Swap the item with the one before (``up``) or after (``down``) it."""
    _editable_agenda(session, actor, hall, meeting)
    items = agenda(session, meeting)
    at = next(i for i, x in enumerate(items) if x.id == item.id)
    other = at - 1 if direction == "up" else at + 1
    if 0 <= other < len(items):
        items[at], items[other] = items[other], items[at]
        for position, each in enumerate(items, start=1):
            each.position = position
        _changed(meeting)
    session.commit()


def remove_item(session: Session, actor: User, hall: Hall, meeting: Meeting, item: MeetingAgendaItem) -> None:
    _editable_agenda(session, actor, hall, meeting)
    session.delete(item)
    _changed(meeting)
    session.commit()


# --- after the meeting: attendance, minutes, decisions ------------------------------------------

def _after(session: Session, actor: User, hall: Hall, meeting: Meeting, now: datetime | None = None) -> None:
    if not can_host(session, hall, actor):
        raise Forbidden()
    if meeting.is_cancelled:
        raise Invalid({"": [_l("This meeting was cancelled.")]})
    if not has_started(meeting, now):
        raise Invalid({"": [_l("Attendance, minutes and decisions are recorded once the meeting "
                               "has started.")]})


def record_attendance(session: Session, actor: User, hall: Hall, meeting: Meeting,
                      present: set[int], now: datetime | None = None) -> int:
    """Mark who came among the registered people (``present``: their registrations' ids;
    ids of anything else are ignored). Returns how many came."""
    _after(session, actor, hall, meeting, now)
    meeting = _lock(session, meeting)
    rows = session.scalars(select(MeetingRegistration).where(
        MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.state == "registered")).all()
    for row in rows:
        row.attended = row.id in present
    meeting.attended_count = sum(1 for row in rows if row.attended)
    session.commit()
    return meeting.attended_count


def publish_minutes(session: Session, actor: User, hall: Hall, meeting: Meeting, minutes: str,
                    locale: str, now: datetime | None = None) -> Meeting:
    """Publish (or correct) the minutes; the first publication goes on the hall's timeline."""
    _after(session, actor, hall, meeting, now)
    errors: dict[str, list] = {}
    minutes = _text(errors, "minutes", minutes, MINUTES_MAX)
    if errors:
        raise Invalid(errors)
    first = meeting.minutes_published_at is None
    meeting.minutes, meeting.minutes_locale = minutes, _locale(locale)
    meeting.minutes_published_at = meeting.minutes_published_at or utcnow()
    _changed(meeting)
    if first:
        halls._event(session, hall, "meeting_held", actor, **_timeline(meeting))
    session.commit()
    return meeting


def add_decision(session: Session, actor: User, hall: Hall, meeting: Meeting, text: str,
                 proposal_id: int | None, locale: str, now: datetime | None = None) -> MeetingDecision:
    _after(session, actor, hall, meeting, now)
    errors: dict[str, list] = {}
    text = _text(errors, "text", text, DECISION_MAX)
    proposal = _proposal(session, errors, hall, proposal_id)
    if errors:
        raise Invalid(errors)
    decision = MeetingDecision(meeting_id=meeting.id, text=text, locale=_locale(locale),
                               proposal_id=proposal.id if proposal else None, created_by_id=actor.id)
    session.add(decision)
    session.flush()
    _changed(meeting)
    halls._event(session, hall, "meeting_decided", actor, **_timeline(
        meeting, decision_id=decision.id, proposal_id=decision.proposal_id))
    session.commit()
    return decision


def remove_decision(session: Session, actor: User, hall: Hall, meeting: Meeting, decision_id: int) -> None:
    _after(session, actor, hall, meeting)
    decision = session.get(MeetingDecision, decision_id)
    if decision is None or decision.meeting_id != meeting.id:
        raise NotFound()
    session.delete(decision)
    _changed(meeting)
    session.commit()


# --- the hall's section -------------------------------------------------------------------------

def section_context(session: Session, hall: Hall, user) -> dict:
    return {"meetings": meetings_of(session, hall), "can_schedule": can_host(session, hall, user),
            "format_labels": FORMAT_LABELS, "places_left": places_left}


halls.register_section(halls.HallSection("meetings", "deliberation/_meetings_section.html", 30,
                                         section_context))
