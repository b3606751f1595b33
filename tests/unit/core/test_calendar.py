"""The working-day calendar: counting working days and office hours, and the explanation
every deadline carries; the administrators' services that edit it."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from portal.core import calendar as cal
from portal.core.calendar import Calendar
from portal.core.errors import Invalid, NotFound
from portal.core.models import AuditEvent

HOLIDAY = {"en": "City Day", "zh-Hans": "城市日"}


def skipped(deadline):
    return [(s["date"], s["reason"]) for s in deadline.explanation["skipped"]]


def test_weekend_days_are_skipped(db_session):
    # Friday 6 March 2026, mid-morning: one working day is Monday's close of business.
    deadline = Calendar(db_session).add_working_days(datetime(2026, 3, 6, 10, 30), 1)
    assert deadline.due == datetime(2026, 3, 9, 17, 0)
    assert skipped(deadline) == [("2026-03-07", "weekend"), ("2026-03-08", "weekend")]
    assert deadline.explanation == {
        "unit": "working_days", "amount": 1, "start": "2026-03-06T10:30",
        "skipped": [{"date": "2026-03-07", "reason": "weekend", "name": None},
                    {"date": "2026-03-08", "reason": "weekend", "name": None}],
        "worked": [], "due": "2026-03-09T17:00",
    }


def test_five_working_days_from_monday_end_on_the_next_monday(db_session):
    deadline = Calendar(db_session).add_working_days(datetime(2026, 3, 2, 9, 0), 5)
    assert deadline.due == datetime(2026, 3, 9, 17, 0)
    assert len(deadline.explanation["skipped"]) == 2


def test_a_holiday_is_skipped_and_named(db_session):
    cal.set_day(db_session, date(2026, 3, 4), False, HOLIDAY)  # a Wednesday
    deadline = Calendar(db_session).add_working_days(datetime(2026, 3, 3, 12, 0), 2)
    assert deadline.due == datetime(2026, 3, 6, 17, 0)  # Thursday and Friday count
    assert deadline.explanation["skipped"] == [
        {"date": "2026-03-04", "reason": "holiday", "name": HOLIDAY}]


def test_a_working_saturday_is_counted_and_named(db_session):
    saturday = {"en": "Working Saturday"}
    cal.set_day(db_session, date(2026, 10, 10), True, saturday)
    deadline = Calendar(db_session).add_working_days(datetime(2026, 10, 9, 15, 0), 1)
    assert deadline.due == datetime(2026, 10, 10, 17, 0)
    assert deadline.explanation["skipped"] == []
    assert deadline.explanation["worked"] == [{"date": "2026-10-10", "name": saturday}]
    # Without the exception, the same count ends on Monday.
    cal.remove_day(db_session, date(2026, 10, 10))
    db_session.flush()
    assert Calendar(db_session).add_working_days(datetime(2026, 10, 9, 15, 0), 1).due == datetime(
        2026, 10, 12, 17, 0)


def test_working_hours_run_across_the_weekend(db_session):
    # Friday 15:00 + 4 office hours: two on Friday, two on Monday morning.
    deadline = Calendar(db_session).add_working_hours(datetime(2026, 3, 6, 15, 0), 4)
    assert deadline.due == datetime(2026, 3, 9, 11, 0)
    assert skipped(deadline) == [("2026-03-07", "weekend"), ("2026-03-08", "weekend")]
    assert deadline.explanation["unit"] == "working_hours"
    assert deadline.explanation["amount"] == 4
    assert deadline.explanation["office_hours"] == ["09:00", "17:00"]
    assert deadline.explanation["counted_from"] == "2026-03-06T15:00"
    assert deadline.explanation["due"] == "2026-03-09T11:00"


def test_working_hours_start_at_the_next_opening_outside_office_hours(db_session):
    calendar = Calendar(db_session)
    evening = calendar.add_working_hours(datetime(2026, 3, 3, 18, 30), 2)  # Tuesday evening
    assert evening.due == datetime(2026, 3, 4, 11, 0)
    assert evening.explanation["counted_from"] == "2026-03-04T09:00"
    assert evening.explanation["start"] == "2026-03-03T18:30"
    early = calendar.add_working_hours(datetime(2026, 3, 3, 7, 0), 1)
    assert early.due == datetime(2026, 3, 3, 10, 0)
    # Eight hours from the opening fill the day exactly; nine spill into the next.
    assert calendar.add_working_hours(datetime(2026, 3, 3, 9, 0), 8).due == datetime(2026, 3, 3, 17, 0)
    assert calendar.add_working_hours(datetime(2026, 3, 3, 9, 0), 9).due == datetime(2026, 3, 4, 10, 0)


def test_working_hours_skip_a_holiday_and_count_a_working_sunday(db_session):
    cal.set_day(db_session, date(2026, 3, 9), False, HOLIDAY)  # Monday
    cal.set_day(db_session, date(2026, 3, 8), True, {"en": "Working Sunday"})
    deadline = Calendar(db_session).add_working_hours(datetime(2026, 3, 6, 16, 0), 10)
    # Friday 1 h, Saturday off, Sunday 8 h, Monday holiday, Tuesday 1 h.
    assert deadline.due == datetime(2026, 3, 10, 10, 0)
    assert skipped(deadline) == [("2026-03-07", "weekend"), ("2026-03-09", "holiday")]
    assert deadline.explanation["worked"] == [{"date": "2026-03-08", "name": {"en": "Working Sunday"}}]


def test_working_days_between(db_session):
    calendar = Calendar(db_session)
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Fri → Mon
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    cal.set_day(db_session, date(2026, 3, 3), False, HOLIDAY)
    assert Calendar(db_session).working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 3


# --- the administrators' services ----------------------------------------------------------

def audit(db_session, action):
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_save_day_records_a_holiday_with_its_source_language(db_session, factories):
    admin = factories.admin()
    row = cal.save_day(db_session, admin, date(2026, 3, 4), False,
                       {"zh-Hans": " 城市日 ", "en": "", "xx": "ignored"}, "zh-Hans", "10.0.0.1")
    assert row.name_i18n == {"zh-Hans": "城市日"} and row.source_locale == "zh-Hans"
    assert not Calendar(db_session).is_working_day(date(2026, 3, 4))
    [event] = audit(db_session, "calendar.day_set")
    assert event.actor_id == admin.id and event.ip_address == "10.0.0.1"
    assert event.details == {"day": "2026-03-04", "working": False, "new": True, "name": "城市日"}
    cal.save_day(db_session, admin, date(2026, 3, 4), False, {"en": "City Day"}, "en")
    assert cal.get_day(db_session, date(2026, 3, 4)).name_i18n == {"en": "City Day"}
    assert audit(db_session, "calendar.day_set")[-1].details["new"] is False


@pytest.mark.parametrize(("day", "working", "message"), [
    (date(2026, 3, 7), False, "already a day off"),  # a Saturday cannot be a holiday
    (date(2026, 3, 4), True, "already a working day"),  # a Wednesday is one already
])
def test_save_day_refuses_an_exception_that_changes_nothing(db_session, factories, day, working, message):
    with pytest.raises(Invalid) as exc:
        cal.save_day(db_session, factories.admin(), day, working, HOLIDAY, "en")
    assert message in str(exc.value.errors["is_working_day"][0])
    assert db_session.get(cal.CalendarDay, day) is None


def test_save_day_needs_the_name_in_the_language_written_in(db_session, factories):
    with pytest.raises(Invalid) as exc:
        cal.save_day(db_session, factories.admin(), date(2026, 3, 4), False, {"en": "City Day"}, "zh-Hant")
    assert list(exc.value.errors) == ["name_zh_Hant"]
    with pytest.raises(Invalid) as exc:
        cal.save_day(db_session, factories.admin(), date(2026, 3, 4), False, {"en": "City Day"}, "xx")
    assert list(exc.value.errors) == ["source_locale"]


def test_delete_day(db_session, factories):
    admin = factories.admin()
    cal.save_day(db_session, admin, date(2026, 10, 10), True, {"en": "Working Saturday"}, "en")
    cal.delete_day(db_session, admin, date(2026, 10, 10), "10.0.0.2")
    assert db_session.get(cal.CalendarDay, date(2026, 10, 10)) is None
    [event] = audit(db_session, "calendar.day_removed")
    assert event.details == {"day": "2026-10-10", "working": True, "name": "Working Saturday"}
    with pytest.raises(NotFound):
        cal.delete_day(db_session, admin, date(2026, 10, 10))


def test_year_days_lists_one_year_in_order(db_session):
    for day in (date(2026, 12, 25), date(2026, 1, 1), date(2027, 1, 1)):
        cal.set_day(db_session, day, False, HOLIDAY)
    assert [d.day for d in cal.year_days(db_session, 2026)] == [date(2026, 1, 1), date(2026, 12, 25)]
