"""The working-day calendar: weekends, public holidays, and weekend days that are working days.

Deadlines are counted here and carry an explanation of how they were computed, so every
deadline the portal shows can say why it falls where it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.i18n import translated
from portal.extensions import db

WEEKEND = (5, 6)  # Saturday, Sunday
WORK_START = time(9, 0)
WORK_END = time(17, 0)


class CalendarDay(db.Model):
    """An exception to the usual week: a holiday on a weekday, or a working weekend day."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")

    name = translated("name_i18n")


@dataclass
class Deadline:
    """A due moment with the steps that produced it (stored as JSON on the request)."""

    due: datetime
    explanation: dict = field(default_factory=dict)


class Calendar:
    """Working days for a range, loaded with one query and kept for the object's life."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._overrides: dict[date, CalendarDay] = {}
        self._loaded: tuple[date, date] | None = None

    def _load(self, start: date, end: date) -> None:
        if self._loaded and self._loaded[0] <= start and end <= self._loaded[1]:
            return
        start, end = start - timedelta(days=7), end + timedelta(days=400)
        rows = self.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end)
        )
        self._overrides = {r.day: r for r in rows}
        self._loaded = (start, end)

    def override(self, day: date) -> CalendarDay | None:
        self._load(day, day)
        return self._overrides.get(day)

    def is_working_day(self, day: date) -> bool:
        row = self.override(day)
        if row is not None:
            return row.is_working_day
        return day.weekday() not in WEEKEND

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """The end of the ``days``-th working day after ``start``'s day."""
        self._load(start.date(), start.date() + timedelta(days=days * 3 + 30))
        day = start.date()
        counted = 0
        skipped: list[dict] = []
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
            else:
                row = self.override(day)
                skipped.append({"date": day.isoformat(), "reason": "holiday" if row else "weekend",
                                "name": row.name_i18n if row else None})
        due = datetime.combine(day, WORK_END)
        return Deadline(due, {"unit": "working_days", "amount": days,
                              "start": start.isoformat(timespec="minutes"), "skipped": skipped})

    def add_working_hours(self, start: datetime, hours: int) -> Deadline:
        """``hours`` of office time (09:00–17:00 on working days) after ``start``."""
        self._load(start.date(), start.date() + timedelta(days=hours // 8 * 3 + 30))
        remaining = timedelta(hours=hours)
        moment = start
        skipped: list[dict] = []
        while True:
            day = moment.date()
            if not self.is_working_day(day):
                row = self.override(day)
                skipped.append({"date": day.isoformat(), "reason": "holiday" if row else "weekend",
                                "name": row.name_i18n if row else None})
                moment = datetime.combine(day + timedelta(days=1), WORK_START)
                continue
            opens, closes = datetime.combine(day, WORK_START), datetime.combine(day, WORK_END)
            if moment < opens:
                moment = opens
            if moment >= closes:
                moment = datetime.combine(day + timedelta(days=1), WORK_START)
                continue
            available = closes - moment
            if remaining <= available:
                due = moment + remaining
                return Deadline(due, {"unit": "working_hours", "amount": hours,
                                      "start": start.isoformat(timespec="minutes"),
                                      "skipped": skipped})
            remaining -= available
            moment = datetime.combine(day + timedelta(days=1), WORK_START)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        self._load(start, end)
        return sum(
            1 for n in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=n))
        )


def set_day(session: Session, day: date, is_working_day: bool, names: dict[str, str]) -> CalendarDay:
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        session.add(row)
    row.is_working_day = is_working_day
    row.name_i18n = names
    return row


def remove_day(session: Session, day: date) -> None:
    row = session.get(CalendarDay, day)
    if row is not None:
        session.delete(row)


def year_days(session: Session, year: int) -> list[CalendarDay]:
    return list(session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ))
