"""The rules of disclosure on request, as data: states, the kinds of answer, the legal grounds
for refusing, the ways of delivery, and the time limits (configurable, defaults after the 2019
Regulations on Government Information Disclosure, Order 711). Transitions are code, in
``services.py``; docs/transparency.md lists the settings."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from portal.core.states import State

RUNNING, WAITING, PAUSED, ANSWERED = "running", "waiting", "paused", "answered"

STATES = {s.code: s for s in (
    State("received", RUNNING, _l("Received: the clock is running"), "info"),
    State("awaiting_correction", WAITING, _l("Waiting for the requester's correction"), "warning"),
    State("consulting", PAUSED, _l("Paused: consulting a third party"), "warning"),
    State("answered", ANSWERED, _l("Answered"), "success"),
)}

# The seven kinds of answer and what each one needs besides the kind.
ANSWER_TYPES = {
    "published": _l("Published already (give the link)"),
    "provided": _l("Provided (give the link to the files)"),
    "partly": _l("Partly provided (say what, and why the rest is withheld)"),
    "refused": _l("Refused (give the legal reason)"),
    "not_exist": _l("Does not exist"),
    "not_held": _l("Not held by us (name who holds it)"),
    "repeated": _l("Repeated request (give the earlier request's code)"),
}
ANSWER_NAMES = {
    "published": _l("The information is published already"),
    "provided": _l("The information is provided"),
    "partly": _l("The information is partly provided"),
    "refused": _l("Disclosure is refused"),
    "not_exist": _l("The information does not exist"),
    "not_held": _l("The information is not held by this department"),
    "repeated": _l("The same request was answered before"),
}
REQUIRED = {  # the fields each kind of answer needs
    "published": ("link",),
    "provided": ("link",),
    "partly": ("provided", "withheld", "ground"),
    "refused": ("ground",),
    "not_exist": (),
    "not_held": ("holder",),
    "repeated": ("earlier_code",),
}

GROUNDS = {
    "state_secret": _l("It is a state secret"),
    "law_forbids": _l("A law or administrative regulation forbids its disclosure"),
    "security": _l("Disclosure would endanger national, public, economic or social security"),
    "third_party": _l("It involves trade secrets or personal privacy, and the third party did "
                      "not agree"),
    "internal": _l("It is internal administrative information (staff, budgets of the office, "
                   "internal procedures)"),
    "process": _l("It is process information (discussion records, drafts, consultations, "
                  "requests for instructions)"),
    "enforcement": _l("It is an administrative enforcement case file"),
}

DELIVERY = {
    "online": _l("On this portal (a link or files)"),
    "email": _l("By email"),
    "paper": _l("On paper, by post"),
    "inspection": _l("To look at in the department's office"),
}

EVENT_LABELS = {
    "received": _l("Request received: the clock started"),
    "correction_requested": _l("The department asked for a correction: the clock stopped"),
    "corrected": _l("The requester sent the correction: the clock started again"),
    "extended": _l("The time to answer was extended"),
    "paused": _l("Paused to consult a third party: the clock stopped"),
    "resumed": _l("The consultation ended: the clock runs again"),
    "answered": _l("Answered"),
    "overdue": _l("The answer is overdue: the dispatch centre was told"),
    "catalogued": _l("The information was moved into the disclosure catalog"),
}
ROLE_LABELS = {"requester": _l("the requester"), "staff": _l("the department"), "portal": _l("the portal")}


@dataclass(frozen=True)
class Limits:
    answer_days: int = 20
    extension_days: int = 20
    correction_days: int = 7
    answer_types: tuple[str, ...] = tuple(ANSWER_TYPES)
    grounds: tuple[str, ...] = tuple(GROUNDS)


def limits() -> Limits:
    """The configured rules (``DISCLOSURE_*`` settings), the defaults outside an app."""
    if not has_app_context():
        return Limits()
    c = current_app.config
    return Limits(
        answer_days=int(c.get("DISCLOSURE_ANSWER_DAYS", 20)),
        extension_days=int(c.get("DISCLOSURE_EXTENSION_DAYS", 20)),
        correction_days=int(c.get("DISCLOSURE_CORRECTION_DAYS", 7)),
        answer_types=tuple(t for t in c.get("DISCLOSURE_ANSWER_TYPES", ANSWER_TYPES) if t in ANSWER_TYPES),
        grounds=tuple(g for g in c.get("DISCLOSURE_REFUSAL_GROUNDS", GROUNDS) if g in GROUNDS),
    )
