"""The README's "Try the loop", exactly as written, on the demo data: raise a pothole as
resident@…, see it routed with the rule that chose the department, answer it as roads@… from
the Staff queue, then reopen and confirm it as the resident."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.feedback.models import Request
from portal.responsibility.models import Area
from portal.seed import DEMO_PASSWORD
from tests.functional.support import page

NEW = "/en/requests/new"


@pytest.fixture
def demo(app, db_session):
    from portal.seed import seed

    with app.test_request_context():
        seed(db_session)  # what `make run` loads: the demo city and its dozen requests
    return {a.code: a for a in db_session.scalars(select(Area))}


def logged_in(app, email):
    client = app.test_client()
    response = client.post("/en/account/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303, email
    return client


def raise_a_pothole(resident, area) -> str:
    """Raise a request, step by step as the form asks, with no title of its own."""
    response = resident.get(NEW)
    assert response.status_code == 200
    response = resident.post(f"{NEW}/category", data={"category": "pothole"})
    assert response.headers["Location"].endswith("/new/details")
    response = resident.post(f"{NEW}/details", data={
        "description": "A deep pothole has opened at the east end of the stone bridge; cyclists "
                       "swerve into the traffic to avoid it.",
        "location_text": "3 Bridge Street, by the east end of the bridge", "area": str(area.id),
        "attr_size": "medium"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/new/files")
    response = resident.post(f"{NEW}/files", data={"action": "continue"})
    assert response.headers["Location"].endswith("/new/review")
    review = page(resident.get(f"{NEW}/review"))
    # the title the request will have, cut at a word, not a placeholder
    assert "A deep pothole has opened at the east end of the stone bridge; cyclists swerve…" in review.text
    response = resident.post(f"{NEW}/review", data={})
    assert response.status_code == 303
    sent = resident.get(response.headers["Location"])
    return page(sent).one(class_="tracking-code").text


def queue_row(client, code):
    doc = page(client.get("/en/staff/queue/"))
    link = doc.find("a", href=f"/en/staff/requests/{code}")
    assert link is not None, f"{code} is not in the queue"
    row = link.parent
    while row.tag != "tr":
        row = row.parent
    return row


def test_the_readme_loop_with_the_demo_data(app, db_session, demo):
    resident = logged_in(app, "resident@riverbend.example.org")
    code = raise_a_pothole(resident, demo["old-bridge"])  # in Old Town: its office leads

    public = page(resident.get(f"/en/requests/{code}"))
    assert "Sent to the responsible department" in public.text
    assert "Department: Old Town District Office" in public.text
    routed = public.by_id("timeline").text
    assert "Chosen by the responsibility list: its rule for “Pothole or damaged road” in Old Town." in routed
    assert public.find("a", href="/en/responsibility/categories/pothole") is not None
    assert re.search("Also handled by ?Roads and Transport Bureau", public.text)
    assert resident.get("/en/staff/queue/").status_code == 403  # the resident has no queue

    # roads@ finds it in the Staff queue, marked as co-handling, and answers it from there
    roads = logged_in(app, "roads@riverbend.example.org")
    row = queue_row(roads, code)
    assert "Co-handling" in row.text
    oldtown = logged_in(app, "oldtown@riverbend.example.org")  # the office that leads it
    assert "Co-handling" not in queue_row(oldtown, code).text
    detail = roads.get(f"/en/staff/requests/{code}")
    assert detail.status_code == 200
    response = roads.post(f"/en/staff/requests/{code}/answer",
                          data={"answer-text": "We filled the pothole and sealed the surface."})
    assert response.status_code == 303


    # the resident sees who answered, by the department the answer came from
    doc = page(resident.get(f"/en/requests/{code}"))
    timeline = doc.by_id("timeline").text
    assert re.search(r"Answered – Roads and Transport Bureau", timeline), timeline
    metrics_before = page(resident.get("/en/requests/metrics")).one("main").text

    # not resolved: it reopens and goes back with priority
    response = resident.post(f"/en/requests/{code}/respond",
                             data={"resolved": "no", "satisfaction": "2", "comment": "Open again."})
    assert response.status_code == 303
    item = db_session.scalar(select(Request).where(Request.tracking_code == code))
    db_session.refresh(item)
    assert item.state == "reopened" and item.priority
    assert "Priority" in queue_row(roads, code).text
    assert roads.post(f"/en/staff/requests/{code}/answer", data={
        "answer-text": "We dug it out and relaid the surface properly."}).status_code == 303

    # resolved: the loop closes
    response = resident.post(f"/en/requests/{code}/respond",
                             data={"resolved": "yes", "satisfaction": "5", "comment": "Thanks!"})
    assert response.status_code == 303
    db_session.refresh(item)
    assert item.state == "closed_resolved"
    assert page(resident.get("/en/requests/metrics")).one("main").text != metrics_before
