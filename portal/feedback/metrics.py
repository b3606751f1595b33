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
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.feedback.models import MetricsSnapshot, Request, RequestEvent

FIRST_RESPONSE = {"acknowledged", "started", "info_requested", "answered"}
DIMENSIONS = ("department", "category", "area", "month")
# Month by month within a scope (the governance dashboard): keys are (id, "YYYY-MM").
SERIES = ("department+month", "area+month")


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

    def merge(self, other: Figures) -> Figures:
        """Add ``other``'s requests to these (a district from its communities' figures)."""
        for name in ("requests", "responded", "responded_on_time", "closed_after_answer", "resolved",
                     "answers", "answers_on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ratings += other.ratings
        self.response_hours += other.response_hours
        self.resolution_days += other.resolution_days
        return self


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def compute(session: Session, dimension: str = "department", since: datetime | None = None,
            ) -> tuple[Figures, dict[object, Figures]]:
    """Overall figures and figures per value of ``dimension`` (department id, category id,
    area id or "YYYY-MM")."""
    if dimension not in DIMENSIONS + SERIES:
        raise ValueError(dimension)
    total, groups = compute_all(session, (dimension,), since)
    return total, groups[dimension]


def compute_all(session: Session, dimensions=DIMENSIONS, since: datetime | None = None,
                ) -> tuple[Figures, dict[str, dict[object, Figures]]]:
    """One pass over the events for the overall figures and every dimension asked for
    (``DIMENSIONS``, or a month-by-month ``SERIES`` keyed by (id, "YYYY-MM"))."""
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
        month = created.strftime("%Y-%m")
        keys[rid] = {"department": dept, "category": cat, "area": area, "month": month,
                     "department+month": (dept, month), "area+month": (area, month),
                     "created": created}
    total = Figures()
    groups: dict[str, dict[object, Figures]] = {d: defaultdict(Figures) for d in dimensions}
    for rid, events in per_request.items():
        if not any(kind == "routed" for kind, *_ in events):
            continue  # never became public (a visitor who did not confirm)
        _add(total, events, keys[rid]["created"])
        for dimension in dimensions:
            _add(groups[dimension][keys[rid][dimension]], events, keys[rid]["created"])
    return total, {d: dict(g) for d, g in groups.items()}


# --- snapshots: what the public page reads --------------------------------------------------
# Recomputing from every event is exact but grows with the city (about 10 s for 100,000
# requests here), so a beat task stores the figures every few minutes and the page reads the
# latest snapshot, saying when it was taken.

@dataclass
class Summary:
    """Figures reduced to what a page shows: counts, rates and medians (JSON-friendly)."""

    requests: int = 0
    responded: int = 0
    responded_on_time: int = 0
    closed_after_answer: int = 0
    resolved: int = 0
    answers: int = 0
    answers_on_time: int = 0
    ratings_total: int = 0
    ratings_good: int = 0
    median_response_hours: float | None = None
    median_resolution_days: float | None = None

    @classmethod
    def of(cls, f: Figures) -> Summary:
        return cls(f.requests, f.responded, f.responded_on_time, f.closed_after_answer, f.resolved,
                   f.answers, f.answers_on_time, len(f.ratings), sum(1 for r in f.ratings if r >= 4),
                   f.median_response_hours, f.median_resolution_days)

    response_rate = property(lambda s: Figures._rate(s.responded_on_time, s.responded))
    resolution_rate = property(lambda s: Figures._rate(s.resolved, s.closed_after_answer))
    satisfaction_rate = property(lambda s: Figures._rate(s.ratings_good, s.ratings_total))
    on_time_rate = property(lambda s: Figures._rate(s.answers_on_time, s.answers))


def refresh(session: Session) -> datetime:
    """Recompute every dimension and store the snapshot.

    The figures are computed in a read transaction that is ended before the short write, so
    on SQLite the worker holds the write lock for milliseconds, not for the whole computation
    (``portal.core.sqlite``)."""
    from portal.core.models import utcnow
    from portal.core.sqlite import deferred

    with deferred():
        total, groups = compute_all(session)
        session.commit()  # ends the read transaction (nothing was written)
    data = {"total": asdict(Summary.of(total)),
            "groups": {d: [[k, asdict(Summary.of(f))] for k, f in g.items()] for d, g in groups.items()}}
    now = utcnow()
    session.add(MetricsSnapshot(computed_at=now, data=data))
    session.flush()
    session.execute(delete(MetricsSnapshot).where(MetricsSnapshot.computed_at < now))
    session.commit()
    return now


def latest(session: Session, dimension: str):
    """(overall Summary, {key: Summary}, computed_at) from the newest snapshot, or None when
    none has been taken yet: a page never computes the figures itself (``refresh`` is a task)."""
    snapshot = session.scalar(select(MetricsSnapshot).order_by(MetricsSnapshot.id.desc()).limit(1))
    if snapshot is None:
        return None
    data = snapshot.data
    groups = {k: Summary(**v) for k, v in data["groups"].get(dimension, [])}
    return Summary(**data["total"]), groups, snapshot.computed_at


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
