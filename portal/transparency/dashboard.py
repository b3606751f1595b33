"""The governance dashboard's figures: per scope (the city, each district, each department),
for the last 12 months, month by month.

- the tracker's response, resolution, satisfaction and on-time rates and median hours to
  first response: ``portal.feedback.metrics.compute_all`` with its month-by-month series
  (not re-implemented here; districts add up their communities' ``Figures``);
- disclosure requests answered on time: ``disclosure_figures`` below, from the requests and
  their events (the annual reports use the same function);
- participation: halls opened, proposals published and votes cast, counted from the
  deliberation tables in three aggregate statements.

Computing this reads every request of the year, so a beat task stores it in a
``DashboardSnapshot`` every few minutes (``refresh``) and pages read the newest one
(``latest``); a page never computes it. The staff version adds the queue's backlog
(``backlog``): a few aggregate counts, read live.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, extract, func, or_, select
from sqlalchemy.orm import Session

from portal.core.calendar import Calendar
from portal.core.models import utcnow
from portal.transparency.models import DashboardSnapshot, DisclosureEvent, DisclosureRequest

MONTHS = 12
CITY = "city"


# --- periods -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    key: str  # "YYYY-MM" or "YYYY"
    start: datetime
    end: datetime  # exclusive


def month_periods(today: date, count: int = MONTHS) -> list[Period]:
    """The ``count`` calendar months up to and including ``today``'s, oldest first."""
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        start = datetime(year, month, 1)
        end = datetime(year + (month == 12), month % 12 + 1, 1)
        found.append(Period(f"{year:04d}-{month:02d}", start, end))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def year_period(year: int) -> Period:
    return Period(f"{year:04d}", datetime(year, 1, 1), datetime(year + 1, 1, 1))


# --- disclosure requests -------------------------------------------------------------------

@dataclass
class Disclosure:
    """What happened to disclosure requests in one period. Requests count where they were
    received; answers, extensions, corrections and pauses where they happened; "open" is the
    requests received by the period's end and not answered by then."""

    received: int = 0
    answered: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    on_time: int = 0
    extended: int = 0
    corrected: int = 0
    paused: int = 0
    open_at_end: int = 0
    days: list[int] = field(default_factory=list)  # working days from receipt to answer

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.answered if self.answered else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None

    def merge(self, other: Disclosure, open_too: bool = True) -> Disclosure:
        for name in ("received", "answered", "on_time", "extended", "corrected", "paused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if open_too:
            self.open_at_end += other.open_at_end
        for kind, n in other.by_type.items():
            self.by_type[kind] = self.by_type.get(kind, 0) + n
        self.days += other.days
        return self

    def summary(self) -> dict:
        """JSON-friendly: the counts, the rate and the median, no list of days."""
        data = asdict(self)
        data.pop("days")
        data["median_days"] = self.median_days
        return data


def disclosure_figures(session: Session, periods: list[Period], department_id: int | None = None,
                       ) -> dict[tuple[int, int | None, str], Disclosure]:
    """Figures per (department id, area id, period key), from two statements: the requests
    that matter to the periods, and their extension, correction and pause events."""
    if not periods:
        return {}
    start, end = periods[0].start, periods[-1].end
    starts = [p.start for p in periods]

    def period_of(moment: datetime | None) -> Period | None:
        if moment is None or not start <= moment < end:
            return None
        return periods[bisect.bisect_right(starts, moment) - 1]

    stmt = (select(DisclosureRequest.id, DisclosureRequest.department_id, DisclosureRequest.area_id,
                   DisclosureRequest.created_at, DisclosureRequest.answered_at,
                   DisclosureRequest.answer_type, DisclosureRequest.answer)
            .where(DisclosureRequest.created_at < end,
                   or_(DisclosureRequest.answered_at.is_(None), DisclosureRequest.answered_at >= start)))
    if department_id is not None:
        stmt = stmt.where(DisclosureRequest.department_id == department_id)
    figures: dict[tuple, Disclosure] = defaultdict(Disclosure)
    calendar = Calendar(session)
    for _id, dept, area, created, answered_at, answer_type, answer in session.execute(stmt):
        received = period_of(created)
        if received is not None:
            figures[dept, area, received.key].received += 1
        answered = period_of(answered_at)
        if answered is not None:
            f = figures[dept, area, answered.key]
            f.answered += 1
            f.by_type[answer_type] = f.by_type.get(answer_type, 0) + 1
            f.on_time += bool((answer or {}).get("on_time"))
            f.days.append(calendar.working_days_between(created.date(), answered_at.date()))
        for period in periods:
            if created < period.end and (answered_at is None or answered_at >= period.end):
                figures[dept, area, period.key].open_at_end += 1
    events = (select(DisclosureEvent.kind, DisclosureEvent.created_at, DisclosureRequest.department_id,
                     DisclosureRequest.area_id)
              .join(DisclosureRequest, DisclosureRequest.id == DisclosureEvent.request_id)
              .where(DisclosureEvent.kind.in_(("extended", "correction_requested", "paused")),
                     DisclosureEvent.created_at >= start, DisclosureEvent.created_at < end))
    if department_id is not None:
        events = events.where(DisclosureRequest.department_id == department_id)
    names = {"extended": "extended", "correction_requested": "corrected", "paused": "paused"}
    for kind, at, dept, area in session.execute(events):
        f = figures[dept, area, period_of(at).key]
        setattr(f, names[kind], getattr(f, names[kind]) + 1)
    return dict(figures)


# --- participation -------------------------------------------------------------------------

def participation(session: Session, since: datetime) -> dict[str, dict]:
    """Halls opened and votes cast per (area id, "YYYY-MM"); proposals published per (area id,
    department id, "YYYY-MM"): three aggregate statements."""
    from portal.deliberation.models import Ballot, Hall, Poll, Proposal

    def month(column):
        return extract("year", column), extract("month", column)

    def key(year, month_) -> str:
        return f"{int(year):04d}-{int(month_):02d}"

    hy, hm = month(Hall.created_at)
    halls = {(area, key(y, m)): n for area, y, m, n in session.execute(
        select(Hall.area_id, hy, hm, func.count()).where(Hall.created_at >= since)
        .group_by(Hall.area_id, hy, hm))}
    py, pm = month(Proposal.published_at)
    proposals = {(area, dept, key(y, m)): n for area, dept, y, m, n in session.execute(
        select(Proposal.area_id, Proposal.department_id, py, pm, func.count())
        .where(Proposal.published.is_(True), Proposal.published_at >= since)
        .group_by(Proposal.area_id, Proposal.department_id, py, pm))}
    by, bm = month(Ballot.created_at)
    ballots = {(area, key(y, m)): n for area, y, m, n in session.execute(
        select(Hall.area_id, by, bm, func.count()).select_from(Ballot)
        .join(Poll, Poll.id == Ballot.poll_id).join(Hall, Hall.id == Poll.hall_id)
        .where(Ballot.created_at >= since).group_by(Hall.area_id, by, bm))}
    return {"halls": halls, "proposals": proposals, "ballots": ballots}


# --- scopes --------------------------------------------------------------------------------

@dataclass
class Scopes:
    """Which scope each area and department counts in: every area counts in the district it
    lies in (itself, for a district), and each department is its own scope."""

    district_of: dict[int, int]  # area id → district area id
    districts: list[int]
    departments: list[int]


def scopes(session: Session) -> Scopes:
    from portal.responsibility.models import Area, Department

    areas = {a.id: (a.level, a.parent_id) for a in session.execute(
        select(Area.id, Area.level, Area.parent_id)).all()}
    district_of: dict[int, int] = {}
    for area_id in areas:
        current, seen = area_id, set()
        while current is not None and current not in seen:
            seen.add(current)
            level, parent = areas.get(current, (None, None))
            if level == "district":
                district_of[area_id] = current
                break
            current = parent
    districts = sorted(a for a, (level, _p) in areas.items() if level == "district")
    departments = sorted(session.scalars(select(Department.id)))
    return Scopes(district_of, districts, departments)


def scope_key(kind: str, ident: int | None = None) -> str:
    return CITY if kind == CITY else f"{kind}:{ident}"


# --- the snapshot --------------------------------------------------------------------------

def compute(session: Session, today: date | None = None) -> dict:
    """Every scope's figures, month by month and over the 12 months: the snapshot's data."""
    from portal.feedback import metrics

    periods = month_periods(today or utcnow().date())
    since = periods[0].start
    keys = [p.key for p in periods]
    where = scopes(session)
    scope_names = [CITY, *(scope_key("district", d) for d in where.districts),
                   *(scope_key("department", d) for d in where.departments)]

    def district(area_id):
        return where.district_of.get(area_id) if area_id is not None else None

    # The tracker: per department and per area, per month; merged into the scopes.
    _total, groups = metrics.compute_all(session, ("month", *metrics.SERIES), since)
    tracker: dict[tuple[str, str], metrics.Figures] = defaultdict(metrics.Figures)
    for month, f in groups["month"].items():
        tracker[CITY, month].merge(f)
    for (dept, month), f in groups["department+month"].items():
        if dept is not None:
            tracker[scope_key("department", dept), month].merge(f)
    for (area, month), f in groups["area+month"].items():
        d = district(area)
        if d is not None:
            tracker[scope_key("district", d), month].merge(f)

    disclosure: dict[tuple[str, str], Disclosure] = defaultdict(Disclosure)
    for (dept, area, month), f in disclosure_figures(session, periods).items():
        disclosure[CITY, month].merge(f)
        disclosure[scope_key("department", dept), month].merge(f)
        if district(area) is not None:
            disclosure[scope_key("district", district(area)), month].merge(f)

    people: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"halls": 0, "proposals": 0,
                                                                          "ballots": 0})
    counted = participation(session, since)
    for kind in ("halls", "ballots"):
        for (area, month), n in counted[kind].items():
            people[CITY, month][kind] += n
            if district(area) is not None:
                people[scope_key("district", district(area)), month][kind] += n
    for (area, dept, month), n in counted["proposals"].items():
        people[CITY, month]["proposals"] += n
        if district(area) is not None:
            people[scope_key("district", district(area)), month]["proposals"] += n
        if dept is not None:
            people[scope_key("department", dept), month]["proposals"] += n

    data = {"months": keys, "scopes": {}}
    for name in scope_names:
        months, all_tracker, all_disclosure = [], metrics.Figures(), Disclosure()
        all_people = {"halls": 0, "proposals": 0, "ballots": 0}
        for i, month in enumerate(keys):
            t = tracker.get((name, month)) or metrics.Figures()
            d = disclosure.get((name, month)) or Disclosure()
            p = people.get((name, month)) or {"halls": 0, "proposals": 0, "ballots": 0}
            all_tracker.merge(t)
            all_disclosure.merge(d, open_too=i == len(keys) - 1)
            for k in all_people:
                all_people[k] += p[k]
            months.append({"tracker": asdict(metrics.Summary.of(t)), "disclosure": d.summary(),
                           "participation": dict(p)})
        data["scopes"][name] = {"months": months, "total": {
            "tracker": asdict(metrics.Summary.of(all_tracker)), "disclosure": all_disclosure.summary(),
            "participation": all_people}}
    return data


def refresh(session: Session, today: date | None = None) -> datetime:
    """Compute and store the snapshot; older ones are deleted. As ``metrics.refresh``, the
    reading happens in a transaction ended before the short write."""
    from portal.core.sqlite import deferred

    with deferred():
        data = compute(session, today)
        session.commit()
    now = utcnow()
    session.add(DashboardSnapshot(computed_at=now, data=data))
    session.flush()
    session.execute(delete(DashboardSnapshot).where(DashboardSnapshot.computed_at < now))
    session.commit()
    return now


@dataclass
class Month:
    key: str
    tracker: object  # metrics.Summary
    disclosure: dict
    participation: dict


@dataclass
class ScopeFigures:
    computed_at: datetime
    snapshot_id: int
    months: list[Month]
    total: Month


def latest_stamp(session: Session) -> tuple[int, datetime] | None:
    """The newest snapshot's id and time, without its data (what a poll asks first)."""
    row = session.execute(select(DashboardSnapshot.id, DashboardSnapshot.computed_at)
                          .order_by(DashboardSnapshot.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def latest(session: Session, scope: str) -> ScopeFigures | None:
    """One scope's figures from the newest snapshot (one query); None when none was taken yet
    or the scope is new since (the next snapshot has it)."""
    from portal.feedback.metrics import Summary

    snapshot = session.scalar(select(DashboardSnapshot).order_by(DashboardSnapshot.id.desc()).limit(1))
    if snapshot is None:
        return None
    found = snapshot.data.get("scopes", {}).get(scope)
    if found is None:
        return None

    def month(key, m):
        return Month(key, Summary(**m["tracker"]), m["disclosure"], m["participation"])

    months = [month(k, m) for k, m in zip(snapshot.data["months"], found["months"], strict=True)]
    return ScopeFigures(snapshot.computed_at, snapshot.id, months, month("", found["total"]))


# --- the staff version: the queue's backlog --------------------------------------------------

AGES = ((1, "day"), (7, "week"), (30, "month"))  # waiting at most n days → bucket


@dataclass
class Backlog:
    """Open items of the staff queue per module, by how long since their last step, and the
    overdue ones."""

    rows: dict[str, dict[str, int]]  # module → {"day", "week", "month", "older", "overdue", "total"}

    @property
    def total(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for row in self.rows.values():
            for k, n in row.items():
                out[k] += n
        return dict(out)


def backlog(session: Session, user, now: datetime | None = None) -> Backlog:
    """The backlog of the queue items ``user`` handles: their departments', or all for
    administrators and moderators. One aggregate statement."""
    from sqlalchemy import case

    from portal.moderation.models import QueueItem
    from portal.moderation.services import sees_everything, staff_department_ids

    now = now or utcnow()
    bucket = case(*((QueueItem.updated_at >= now - timedelta(days=n), name) for n, name in AGES),
                  else_="older")
    overdue = func.sum(case((or_(QueueItem.overdue.is_(True), QueueItem.due_at < now), 1), else_=0))
    stmt = (select(QueueItem.module, bucket, func.count(), overdue)
            .where(QueueItem.done.is_(False)).group_by(QueueItem.module, bucket))
    if not sees_everything(user):
        stmt = stmt.where(QueueItem.department_id.in_(sorted(staff_department_ids(session, user)) or [-1]))
    rows: dict[str, dict[str, int]] = {}
    for module, age, n, late in session.execute(stmt):
        row = rows.setdefault(module, {"day": 0, "week": 0, "month": 0, "older": 0, "overdue": 0,
                                       "total": 0})
        row[age] += n
        row["overdue"] += int(late or 0)
        row["total"] += n
    return Backlog(dict(sorted(rows.items())))

