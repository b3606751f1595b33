"""Each department's annual disclosure report, generated from the data each time its page is
built (the page is cached under the "transparency" topic, which every disclosure write bumps):
requests received, answered (by kind of answer), answered on time, extended, corrected,
paused, still open at the year's end, and the median working days from receipt to answer.
The figures are ``dashboard.disclosure_figures`` for one year, so the report and the
dashboard cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from portal.core.errors import NotFound
from portal.core.exports import to_csv
from portal.responsibility.models import Department
from portal.transparency import rules
from portal.transparency.dashboard import Disclosure, disclosure_figures, year_period
from portal.transparency.models import DisclosureRequest

FIRST_YEAR = 1990


@dataclass
class Report:
    department: Department
    year: int
    figures: Disclosure
    answer_types: list[str]


def department_by_code(session: Session, code: str) -> Department:
    department = (session.scalar(select(Department).where(Department.code == code))
                  if len(code) <= 32 else None)
    if department is None:
        raise NotFound()
    return department


def report(session: Session, code: str, year: int) -> Report:
    """The report of the department with ``code`` for ``year``; NotFound for an unknown
    department or a year outside the records."""
    department = department_by_code(session, code)
    if not FIRST_YEAR <= year <= 9998:
        raise NotFound()
    period = year_period(year)
    found = Disclosure()
    for f in disclosure_figures(session, [period], department.id).values():
        found.merge(f)
    kinds = [k for k in rules.ANSWER_TYPES if k in rules.limits().answer_types or found.by_type.get(k)]
    return Report(department, year, found, kinds)


def index(session: Session) -> list[tuple[Department, list[int]]]:
    """Departments × the years in which they received a disclosure request, newest first:
    one aggregate statement and one for the departments' names."""
    year = extract("year", DisclosureRequest.created_at)
    years: dict[int, list[int]] = {}
    for dept, y in session.execute(select(DisclosureRequest.department_id, year)
                                   .group_by(DisclosureRequest.department_id, year)
                                   .order_by(DisclosureRequest.department_id, year.desc())):
        years.setdefault(dept, []).append(int(y))
    if not years:
        return []
    departments = session.scalars(select(Department).where(Department.id.in_(list(years)))
                                  .order_by(Department.code))
    return [(d, years[d.id]) for d in departments]


def rows(r: Report) -> list[tuple[str, str, int | float | None]]:
    """(code, label, value): the report's lines, the page's table and the CSV alike."""
    f = r.figures
    lines = [("received", _("Requests received"), f.received),
             ("answered", _("Requests answered"), f.answered)]
    lines += [(f"answered_{kind}", str(rules.ANSWER_NAMES[kind]), f.by_type.get(kind, 0))
              for kind in r.answer_types]
    lines += [("on_time", _("Answered on time"), f.on_time),
              ("extended", _("Time to answer extended"), f.extended),
              ("corrected", _("Correction asked for"), f.corrected),
              ("paused", _("Paused to consult a third party"), f.paused),
              ("open_at_end", _("Still open at the end of the year"), f.open_at_end),
              ("median_days", _("Median working days from receipt to answer"), f.median_days)]
    return lines


def csv_text(r: Report) -> str:
    header = [_("Department"), _("Year"), _("Figure"), _("Code"), _("Value")]
    name = str(r.department.name)
    return to_csv(header, [[name, r.year, label, code, "" if value is None else value]
                           for code, label, value in rows(r)])

