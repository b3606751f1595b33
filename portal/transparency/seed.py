"""The demo city's disclosure requests, one per state worth seeing: public and answered, public
and overdue (its dispatch centre told), private and waiting for the requester's correction,
public and paused for a consultation. Once: a city with requests keeps them as they are."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.models import User, utcnow
from portal.responsibility.models import Department
from portal.transparency import services as svc
from portal.transparency.models import DisclosureRequest

# The dashboard's and annual reports' history: requests received over the past months and
# answered some working days later, some late (requester, department, handler, days ago,
# days to answer, the answer). Made before the requests above, once; few, so that with them the
# demo has no more disclosure requests than tracker requests (tests look queue rows up by id).
HISTORY = [
    ("resident@riverbend.example.org", "roads", "roads@riverbend.example.org", 300, 12,
     svc.AnswerData("published", link="https://riverbend.example.org/roads/winter-gritting.pdf")),
    ("resident@riverbend.example.org", "roads", "roads@riverbend.example.org", 220, 9,
     svc.AnswerData("provided", link="https://riverbend.example.org/roads/traffic-counts.csv")),
    ("resident.bo@riverbend.example.org", "water", "water@riverbend.example.org", 180, 18,
     svc.AnswerData("published", link="https://riverbend.example.org/water/tariffs.pdf")),
    ("resident.ug@riverbend.example.org", "water", "water@riverbend.example.org", 120, 6,
     svc.AnswerData("refused", ground="security")),
    ("resident@riverbend.example.org", "roads", "roads@riverbend.example.org", 90, 14,
     svc.AnswerData("published", link="https://riverbend.example.org/roads/bridge-survey.pdf")),
    ("resident.zh@riverbend.example.org", "water", "water@riverbend.example.org", 60, 25,
     svc.AnswerData("provided", link="https://riverbend.example.org/water/pipes-2026.csv")),
    ("resident@riverbend.example.org", "roads", "roads@riverbend.example.org", 35, 8,
     svc.AnswerData("published", link="https://riverbend.example.org/roads/cycle-lanes.pdf")),
]

HISTORY_TEXTS = [
    "The plan of winter gritting: which streets are gritted first.",
    "The water quality reports of the northern wells.",
    "Traffic counts on the ring road for the last two years.",
    "The water tariffs and how they were decided.",
    "The contract for the repair of Mill Lane.",
    "The security assessment of the reservoir dam.",
    "The survey of the Stone Bridge's condition.",
    "The plan of pipe replacements in 2026.",
    "The plan of new cycle lanes in the Old Town.",
]

# requester, department, handler, public, days ago, locale, description, what happened
REQUESTS = [
    ("resident@riverbend.example.org", "roads", "roads@riverbend.example.org", True, 12, "en",
     "The 2026 plan of road repairs in the Old Town: which streets, when, and the budget of each.",
     ("answer", svc.AnswerData("published", link="https://riverbend.example.org/roads/plan-2026.pdf",
                               note="The plan is on the bureau's page, with the budget per street."))),
    ("resident.zh@riverbend.example.org", "water", "water@riverbend.example.org", True, 45, "zh-Hant",
     "請提供二〇二六年河灣市各區自來水水質檢測報告。", ("overdue", None)),
    ("resident.ug@riverbend.example.org", "old-town-office", "oldtown@riverbend.example.org", False, 2, "ug",
     "كونا شەھەر بازىرىنى رېمونت قىلىش پىلانى ھەققىدىكى ئۇچۇر.",
     ("correction", "Which market do you mean: the Saturday market or the covered market? Which years?")),
    ("resident.bo@riverbend.example.org", "roads", "roads@riverbend.example.org", True, 5, "bo",
     "རྡོ་ཟམ་གསར་བཟོའི་ཆ་འཕྲིན་དང་འགྲོ་གྲོན།", ("pause", "The bridge's construction company")),
]


def seed(session: Session) -> int:
    """The demo requests, then the demo catalog (``catalog_seed``)."""
    from portal.transparency import catalog_seed

    created = _seed_requests(session)
    return created + catalog_seed.seed(session)


def _seed_requests(session: Session) -> int:
    from portal.transparency import dashboard

    if session.scalar(select(func.count()).select_from(DisclosureRequest)):
        dashboard.refresh(session)
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    departments = {d.code: d for d in session.scalars(select(Department))}
    created = _history(session, users, departments)
    for email, code, handler, public, days_ago, locale, description, (step, arg) in REQUESTS:
        if email not in users or code not in departments or handler not in users:
            continue
        req = svc.ask(session, users[email], svc.AskData(
            description=description, purpose="", delivery="online", public=public,
            department_id=departments[code].id, source_locale=locale),
            now=utcnow() - timedelta(days=days_ago))
        staff = users[handler]
        if step == "answer":
            svc.answer(session, staff, req, arg)
        elif step == "correction":
            svc.ask_correction(session, staff, req, arg)
        elif step == "pause":
            svc.pause(session, staff, req, arg)
        created += 1
    svc.check_deadlines(session)
    dashboard.refresh(session)  # the dashboard shows the demo at once, before the first beat
    return created


def _history(session: Session, users: dict, departments: dict) -> int:
    from portal.core.calendar import Calendar

    calendar = Calendar(session)
    created = 0
    for email, code, handler, days_ago, working_days, answer in HISTORY:
        if email not in users or code not in departments or handler not in users:
            continue
        received = utcnow().replace(hour=9, minute=30, second=0, microsecond=0) - timedelta(days=days_ago)
        req = svc.ask(session, users[email], svc.AskData(
            description=HISTORY_TEXTS[created % len(HISTORY_TEXTS)], purpose="", delivery="online",
            public=True, department_id=departments[code].id, source_locale="en"), now=received)
        answered = calendar.add_working_days(received, working_days).due.replace(hour=11, minute=0)
        svc.answer(session, users[handler], req, answer, now=answered)
        created += 1
    return created
