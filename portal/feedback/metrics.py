"""Response, resolution and satisfaction, computed from the events alone so anyone can
recompute and audit them. One service; the metrics page, the governance dashboard and the
API reuse it.

- response rate: requests acknowledged (or otherwise first answered) by the acknowledgement
  deadline, of those that got a first response;
- resolution rate: requests the resident confirmed resolved, of those closed after an answer
  (resolved + closed without confirmation; a reopen counts against until confirmed);
- satisfaction rate: ratings of 4 or 5, of all ratings;
- on-time rate: answers given by the resolution deadline, of all answers;
- median hours to first response, median days to resolution (submitted → confirmed resolved).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.feedback.models import Request, RequestEvent

FIRST_RESPONSE = {"acknowledged", "started", "info_requested", "answered"}
DIMENSIONS = ("department", "category", "area", "month")


@dataclass
class Figures:
    requests: int = 0
    responded: int = 0
    responded_on_time: int = 0
    closed_after_answer: int = 0
    resolved: int = 0
    ratings: list[int] = field(default_factory=list)
    answers: int = 0
    answers_on_time: int = 0
    response_hours: list[float] = field(default_factory=list)
    resolution_days: list[float] = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def response_rate(self):
        return self._rate(self.responded_on_time, self.responded)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved, self.closed_after_answer)

    @property
    def satisfaction_rate(self):
        return self._rate(sum(1 for r in self.ratings if r >= 4), len(self.ratings))

    @property
    def on_time_rate(self):
        return self._rate(self.answers_on_time, self.answers)

    @property
    def median_response_hours(self):
        return statistics.median(self.response_hours) if self.response_hours else None

    @property
    def median_resolution_days(self):
        return statistics.median(self.resolution_days) if self.resolution_days else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def compute(session: Session, dimension: str = "department", since: datetime | None = None,
            ) -> tuple[Figures, dict[object, Figures]]:
    """Overall figures and figures per value of ``dimension`` (department id, category id,
    area id or "YYYY-MM")."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    stmt = (select(RequestEvent.request_id, RequestEvent.kind, RequestEvent.created_at,
                   RequestEvent.actor_role, RequestEvent.data, Request.created_at,
                   Request.lead_department_id, Request.category_id, Request.area_id)
            .join(Request, Request.id == RequestEvent.request_id)
            .order_by(RequestEvent.request_id, RequestEvent.seq))
    if since is not None:
        stmt = stmt.where(Request.created_at >= since)
    per_request: dict[int, list] = defaultdict(list)
    keys: dict[int, dict] = {}
    for rid, kind, at, role, data, created, dept, cat, area in session.execute(stmt):
        per_request[rid].append((kind, at, role, data or {}))
        keys[rid] = {"department": dept, "category": cat, "area": area,
                     "month": created.strftime("%Y-%m"), "created": created}
    total = Figures()
    groups: dict[object, Figures] = defaultdict(Figures)
    for rid, events in per_request.items():
        if not any(kind == "routed" for kind, *_ in events):
            continue  # never became public (a visitor who did not confirm)
        key = keys[rid][dimension]
        for figures in (total, groups[key]):
            _add(figures, events, keys[rid]["created"])
    return total, dict(groups)


def _add(figures: Figures, events: list, created: datetime) -> None:
    figures.requests += 1
    ack_due = resolve_due = None
    responded = False
    answered_once = False
    for kind, at, role, data in events:
        ack_due = _parse(data.get("ack_due")) or ack_due
        resolve_due = _parse(data.get("resolve_due")) or resolve_due
        if kind in FIRST_RESPONSE and role == "staff" and not responded:
            responded = True
            figures.responded += 1
            figures.response_hours.append((at - created).total_seconds() / 3600)
            if ack_due is None or at <= ack_due:
                figures.responded_on_time += 1
        if kind == "answered":
            answered_once = True
            figures.answers += 1
            if resolve_due is None or at <= resolve_due:
                figures.answers_on_time += 1
        if kind in ("resolved_confirmed", "reopened") and "satisfaction" in data:
            figures.ratings.append(int(data["satisfaction"]))
        if kind == "resolved_confirmed":
            figures.resolved += 1
            figures.closed_after_answer += 1
            figures.resolution_days.append((at - created).total_seconds() / 86400)
        if kind == "closed_unconfirmed" and answered_once:
            figures.closed_after_answer += 1
