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
    if session.scalar(select(func.count()).select_from(DisclosureRequest)):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    departments = {d.code: d for d in session.scalars(select(Department))}
    created = 0
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
    return created
