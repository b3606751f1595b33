"""The disclosure clock against dates worked out by hand, on one calendar: Christmas Day
(Friday 2026-12-25) and New Year's Day (Friday 2027-01-01) are holidays, Saturday 2026-12-26
is a working day. Every request is received on Tuesday 2026-12-01 at 10:00.

Hand count of the 20 working days after 1 December: 2–4 (3), 7–11 (8), 14–18 (13), 21–24
(17), Saturday 26 (18), 28 (19), 29 (20)."""

from __future__ import annotations

from datetime import datetime

import pytest

from portal.core.calendar import set_day
from portal.core.errors import Invalid
from portal.transparency import services as svc

RECEIVED = datetime(2026, 12, 1, 10, 0)


@pytest.fixture
def calendar(db_session):
    set_day(db_session, datetime(2026, 12, 25).date(), False, {"en": "Christmas Day"})
    set_day(db_session, datetime(2027, 1, 1).date(), False, {"en": "New Year's Day"})
    set_day(db_session, datetime(2026, 12, 26).date(), True, {"en": "Working Saturday"})
    db_session.commit()


def _due(req) -> str:
    return req.due_at.isoformat(timespec="minutes")


def _steps(app, db_session, world, req, steps):
    staff = world["parks_staff"]
    with app.test_request_context("/en/"):
        for step, *args in steps:
            if step == "correction":
                svc.ask_correction(db_session, staff, req, "Which year?", now=args[0])
            elif step == "reply":
                svc.send_correction(db_session, world["requester"], req, "The year 2026.", now=args[0])
            elif step == "extend":
                svc.extend(db_session, staff, req, args[0], "Many archives to search.")
            elif step == "pause":
                svc.pause(db_session, staff, req, "The contractor", now=args[0])
            elif step == "resume":
                svc.resume(db_session, staff, req, now=args[0])


CASES = [
    # the 20 working days: the holiday skipped, the working Saturday counted
    ("plain", [], "2026-12-29T17:00"),
    # correction asked on 3 December, sent on Monday 14 December: counted again from the 14th:
    # 15–18 (4), 21–24 (8), Sat 26 (9), 28–31 (13), 1 Jan holiday, 4–8 (18), 11 (19), 12 (20)
    ("correction", [("correction", datetime(2026, 12, 3, 11)), ("reply", datetime(2026, 12, 14, 9))],
     "2027-01-12T17:00"),
    # one extension of 10 working days: 30 (21), 31 (22), 4–8 Jan (27), 11 (28), 12 (29), 13 (30)
    ("extension", [("extend", 10)], "2027-01-13T17:00"),
    # paused Monday 7 December, resumed Monday 14th: 8, 9, 10, 11, 14 are not counted (5):
    # 25 working days: 30 (21), 31 (22), 4 Jan (23), 5 (24), 6 (25)
    ("pause", [("pause", datetime(2026, 12, 7, 10)), ("resume", datetime(2026, 12, 14, 10))],
     "2027-01-06T17:00"),
    # paused over Christmas (Thursday 24 to Monday 28): the working Saturday and the 28th (2)
    ("pause over holidays", [("pause", datetime(2026, 12, 24, 10)), ("resume", datetime(2026, 12, 28, 10))],
     "2026-12-31T17:00"),
    # the extension of 20 and the pause of 5: 45 working days: 13 Jan (30), 14, 15 (32),
    # 18–22 (37), 25–29 (42), 1 Feb (43), 2 (44), 3 (45)
    ("extension and pause", [("pause", datetime(2026, 12, 7, 10)), ("extend", 20),
                             ("resume", datetime(2026, 12, 14, 10))], "2027-02-03T17:00"),
]


@pytest.mark.parametrize(("name", "steps", "due"), CASES, ids=[c[0] for c in CASES])
def test_the_deadline_table(app, db_session, world, make_request, calendar, name, steps, due):
    req = make_request(now=RECEIVED)
    _steps(app, db_session, world, req, steps)
    assert _due(req) == due
    how = req.deadline_explanation
    assert how["count"]["due"] == due
    assert how["base"] == 20


def test_the_explanation_names_the_skipped_holiday_and_the_working_saturday(
        app, db_session, world, make_request, calendar):
    req = make_request(now=RECEIVED)
    count = req.deadline_explanation["count"]
    assert {"date": "2026-12-25", "reason": "holiday", "name": {"en": "Christmas Day"}} in count["skipped"]
    assert count["worked"] == [{"date": "2026-12-26", "name": {"en": "Working Saturday"}}]
    _steps(app, db_session, world, req, [("pause", datetime(2026, 12, 7, 10)),
                                         ("resume", datetime(2026, 12, 14, 10))])
    assert req.deadline_explanation["pauses"] == [
        {"from": "2026-12-07T10:00", "to": "2026-12-14T10:00", "working_days": 5}]
    assert req.deadline_explanation["count"]["amount"] == 25


def test_a_correction_is_possible_within_seven_working_days_only(
        app, db_session, world, make_request, calendar):
    req = make_request(now=RECEIVED)
    # 2, 3, 4, 7, 8, 9, 10 December: the 10th at the end of the day
    assert req.correction_due_at.isoformat(timespec="minutes") == "2026-12-10T17:00"
    with app.test_request_context("/en/"), pytest.raises(Invalid) as refused:
        svc.ask_correction(db_session, world["parks_staff"], req, "Which year?",
                           now=datetime(2026, 12, 11, 9))
    assert "within 7 working days" in str(refused.value.errors["missing"][0])
    assert req.state == "received"


def test_the_rules_are_settings(app, db_session, world, make_request, calendar, monkeypatch):
    monkeypatch.setitem(app.config, "DISCLOSURE_ANSWER_DAYS", 15)
    monkeypatch.setitem(app.config, "DISCLOSURE_CORRECTION_DAYS", 3)
    req = make_request(now=RECEIVED)
    # 15 working days: 2–4 (3), 7–11 (8), 14–18 (13), 21 (14), 22 (15)
    assert _due(req) == "2026-12-22T17:00"
    assert req.correction_due_at.date().isoformat() == "2026-12-04"
