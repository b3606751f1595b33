"""A request's states: each with a type. Transitions live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.states import State

PENDING, OPEN, PAUSED, ANSWERED, CLOSED = "pending", "open", "paused", "answered", "closed"

STATES = {s.code: s for s in (
    State("unconfirmed", PENDING, _l("Waiting for email confirmation"), "neutral"),
    State("routed", OPEN, _l("Sent to the department"), "info"),
    State("returned", OPEN, _l("Back with the dispatcher"), "warning"),
    State("acknowledged", OPEN, _l("Acknowledged"), "info"),
    State("in_progress", OPEN, _l("In progress"), "info"),
    State("reopened", OPEN, _l("Reopened"), "danger"),
    State("waiting", PAUSED, _l("Waiting for the resident"), "warning"),
    State("answered", ANSWERED, _l("Answered"), "success"),
    State("closed_resolved", CLOSED, _l("Closed: resolved"), "success"),
    State("closed_unconfirmed", CLOSED, _l("Closed without confirmation"), "neutral"),
    State("closed_duplicate", CLOSED, _l("Closed: duplicate"), "neutral"),
    State("closed_not_actionable", CLOSED, _l("Closed: not actionable"), "neutral"),
    State("withdrawn", CLOSED, _l("Withdrawn by the resident"), "neutral"),
)}

TYPE_LABELS = {
    OPEN: _l("Open"), PAUSED: _l("Waiting for the resident"), ANSWERED: _l("Answered"),
    CLOSED: _l("Closed"), PENDING: _l("Waiting for email confirmation"),
}

# Staff can still act on these (acknowledge, answer, ask, extend...).
ACTIVE = {"routed", "returned", "acknowledged", "in_progress", "reopened", "waiting"}
PUBLIC_TYPES = (OPEN, PAUSED, ANSWERED, CLOSED)


def open311_status(state: str) -> str:
    return "closed" if STATES[state].type == CLOSED else "open"


# Event kinds, as shown on the timeline.
EVENT_LABELS = {
    "submitted": _l("Request submitted"),
    "confirmed": _l("Email address confirmed"),
    "routed": _l("Sent to the responsible department"),
    "acknowledged": _l("Acknowledged by the department"),
    "started": _l("Work started"),
    "info_requested": _l("More information requested"),
    "info_provided": _l("Information provided by the resident"),
    "info_added": _l("Information added by the resident"),
    "answered": _l("Answered"),
    "resolved_confirmed": _l("The resident confirmed it is resolved"),
    "reopened": _l("Reopened by the resident"),
    "closed_unconfirmed": _l("Closed without the resident's confirmation"),
    "closed_duplicate": _l("Closed as a duplicate"),
    "closed_not_actionable": _l("Closed as not actionable"),
    "withdrawn": _l("Withdrawn by the resident"),
    "returned": _l("Returned to the dispatcher: not this department's responsibility"),
    "reassigned": _l("Reassigned to another department"),
    "assigned": _l("Assigned to a staff member"),
    "extended": _l("Deadline extended"),
    "escalated": _l("Escalated: a deadline was missed"),
    "note": _l("Internal note"),
    "personal_data_removed": _l("Personal details removed by the resident"),
    "update": _l("Update from the department's system"),
    "co_handler_invited": _l("An organization was invited to help handle it"),
}
