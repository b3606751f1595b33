"""Calendar files of meetings (RFC 5545), written with the ``icalendar`` package (escaping,
line folding, UTC times). Public files: no online link, no registrant; links on the portal's
configured address (``absolute_url``), never on the request's."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

from flask_babel import gettext
from icalendar import Calendar, Event

from portal.core.urls import absolute_url, base_url
from portal.deliberation.meetings import FORMAT_LABELS
from portal.deliberation.models import Hall, Meeting, MeetingAgendaItem


def _uid(meeting: Meeting) -> str:
    host = urlsplit(base_url()).hostname or "portal"
    return f"meeting-{meeting.id}@{host}"


def _utc(moment):
    return moment.replace(tzinfo=UTC)


def _event(hall: Hall, meeting: Meeting, items: list[MeetingAgendaItem] | None = None) -> Event:
    event = Event()
    url = absolute_url("deliberation.meeting", slug=hall.slug, meeting_id=meeting.id)
    event.add("uid", _uid(meeting))
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("created", _utc(meeting.created_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title, parameters={"LANGUAGE": meeting.source_locale})
    lines = [meeting.description] if meeting.description else []
    if items:
        lines.append(gettext("Agenda:"))
        lines.extend(f"{n}. {item.title}" for n, item in enumerate(items, start=1))
    if meeting.is_cancelled and meeting.cancel_reason:
        lines.append(gettext("Cancelled: %(reason)s", reason=meeting.cancel_reason))
    lines.append(url)
    event.add("description", "\n\n".join(lines))
    where = [meeting.address] if meeting.address else []
    if meeting.format in ("online", "hybrid"):
        where.append(str(FORMAT_LABELS["online"]))
    if where:
        event.add("location", " · ".join(where))
    event.add("url", url)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Citizen Participation Portal//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def meeting_file(hall: Hall, meeting: Meeting, items: list[MeetingAgendaItem]) -> bytes:
    calendar = _calendar(meeting.title)
    calendar.add_component(_event(hall, meeting, items))
    return calendar.to_ical()


def hall_feed(hall: Hall, meetings: list[Meeting]) -> bytes:
    calendar = _calendar(str(hall.name))
    for meeting in meetings:
        calendar.add_component(_event(hall, meeting))
    return calendar.to_ical()
