"""The working-day calendar: weekends, public holidays, and weekend days that are working days.

Deadlines are counted here and carry an explanation of how they were computed, so every
deadline the portal shows can say why it falls where it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core import audit
from portal.core.errors import Invalid, NotFound
from portal.core.i18n import BY_CODE, translated
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
        worked: list[dict] = []
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                self._note_worked(day, worked)
            else:
                row = self.override(day)
                skipped.append({"date": day.isoformat(), "reason": "holiday" if row else "weekend",
                                "name": row.name_i18n if row else None})
        due = datetime.combine(day, WORK_END)
        return Deadline(due, {"unit": "working_days", "amount": days,
                              "start": start.isoformat(timespec="minutes"), "skipped": skipped,
                              "worked": worked, "due": due.isoformat(timespec="minutes")})

    def _note_worked(self, day: date, worked: list[dict]) -> None:
        """A weekend day the calendar makes a working day: the explanation names it."""
        if day.weekday() in WEEKEND and not any(w["date"] == day.isoformat() for w in worked):
            row = self.override(day)
            worked.append({"date": day.isoformat(), "name": row.name_i18n if row else None})

    def add_working_hours(self, start: datetime, hours: int) -> Deadline:
        """``hours`` of office time (09:00–17:00 on working days) after ``start``."""
        self._load(start.date(), start.date() + timedelta(days=hours // 8 * 3 + 30))
        remaining = timedelta(hours=hours)
        moment = start
        skipped: list[dict] = []
        worked: list[dict] = []
        began: datetime | None = None  # the first moment of office time counted
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
            self._note_worked(day, worked)
            began = began or moment
            available = closes - moment
            if remaining <= available:
                due = moment + remaining
                return Deadline(due, {"unit": "working_hours", "amount": hours,
                                      "start": start.isoformat(timespec="minutes"),
                                      "counted_from": began.isoformat(timespec="minutes"),
                                      "skipped": skipped, "worked": worked,
                                      "office_hours": [WORK_START.isoformat("minutes"),
                                                       WORK_END.isoformat("minutes")],
                                      "due": due.isoformat(timespec="minutes")})
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


def set_day(session: Session, day: date, is_working_day: bool, names: dict[str, str],
            source_locale: str | None = None) -> CalendarDay:
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        session.add(row)
    row.is_working_day = is_working_day
    row.name_i18n = names
    row.source_locale = source_locale or ("en" if names.get("en") or not names else next(iter(names)))
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


# --- what administrators do with the calendar ----------------------------------------------

audit.register_action("calendar.day_set", _l("Calendar day saved"))
audit.register_action("calendar.day_removed", _l("Calendar day removed"))


def save_day(session: Session, actor, day: date, is_working_day: bool, names: dict[str, str],
             source_locale: str, ip_address: str | None = None) -> CalendarDay:
    """Record an exception to the usual week: a holiday on a weekday, or a weekend day that
    is a working day. Its name is needed at least in the language it is written in."""
    names = {code: text.strip() for code, text in names.items() if code in BY_CODE and text and text.strip()}
    errors: dict[str, list] = {}
    weekend = day.weekday() in WEEKEND
    if is_working_day and not weekend:
        errors["is_working_day"] = [_l("This is a weekday, so it is already a working day.")]
    elif not is_working_day and weekend:
        errors["is_working_day"] = [_l("This is a weekend day, so it is already a day off.")]
    if source_locale not in BY_CODE:
        errors["source_locale"] = [_l("Choose the language you wrote in.")]
    elif not names.get(source_locale):
        errors[f"name_{BY_CODE[source_locale].catalog}"] = [
            _l("Enter this in the language you wrote in.")]
    if errors:
        raise Invalid(errors)
    existed = session.get(CalendarDay, day) is not None
    row = set_day(session, day, is_working_day, names, source_locale)
    audit.record(session, actor, "calendar.day_set", "calendar_day", None, ip_address,
                 day=day.isoformat(), working=is_working_day, new=not existed,
                 name=names[source_locale])
    session.commit()
    return row


def delete_day(session: Session, actor, day: date, ip_address: str | None = None) -> None:
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound()
    remove_day(session, day)
    audit.record(session, actor, "calendar.day_removed", "calendar_day", None, ip_address,
                 day=day.isoformat(), working=row.is_working_day,
                 name=row.name_i18n.get(row.source_locale) or "")
    session.commit()


def get_day(session: Session, day: date) -> CalendarDay:
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound()
    return row
