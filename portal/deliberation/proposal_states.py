"""A proposal's states, each with a type (as the tracker's: ``portal/feedback/states.py``).
Transitions live in ``proposals.py``; every change is a ``ProposalEvent`` row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.states import State

DRAFT, GATHERING, EVALUATING, ANSWERED, CLOSED = "draft", "gathering", "evaluating", "answered", "closed"

STATES = {s.code: s for s in (
    State("draft", DRAFT, _l("Draft"), "neutral"),
    State("published", GATHERING, _l("Gathering supports"), "info"),
    State("evaluation", EVALUATING, _l("Under evaluation by the department"), "warning"),
    State("accepted", ANSWERED, _l("Accepted"), "success"),
    State("rejected", ANSWERED, _l("Rejected"), "danger"),
    State("withdrawn", CLOSED, _l("Withdrawn by the author"), "neutral"),
)}

# States in which the department still owes an answer (shown in the staff queue).
AWAITING_ANSWER = {"evaluation"}
PUBLIC = tuple(code for code in STATES if code != "draft")
# The official answers a department gives.
ANSWERS = ("accepted", "rejected", "evaluation")

EVENT_LABELS = {
    "created": _l("Draft saved"),
    "published": _l("Proposal published"),
    "edited": _l("Proposal edited by the author"),
    "evaluation": _l("Support threshold reached: sent to the responsible department"),
    "answered_accepted": _l("Official answer: accepted"),
    "answered_rejected": _l("Official answer: rejected"),
    "answered_evaluation": _l("Official answer: still under evaluation"),
    "withdrawn": _l("Withdrawn by the author"),
    "milestone": _l("Progress recorded"),
    "amendment_proposed": _l("A member proposed an amended text"),
    "amendment_accepted": _l("The author accepted an amendment: the text changed"),
    "amendment_rejected": _l("The author rejected an amendment"),
}
