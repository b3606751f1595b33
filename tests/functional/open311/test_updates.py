"""The servicerequestupdates extension: the public timeline as updates (GET), and a
department's own system pushing its updates into the loop (POST), in JSON and in XML."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.feedback import services
from portal.feedback.models import RequestEvent
from tests.functional.open311.conftest import (
    as_json,
    as_xml,
    backdate,
    both,
    errors_of,
    issue_key,
    raise_request,
)

BASE = "/open311/v2"
UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


def events(city, item) -> list[RequestEvent]:
    city.session.expire_all()
    return list(city.session.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                     .order_by(RequestEvent.seq)))


# --- GET -----------------------------------------------------------------------------------

def test_updates_are_the_public_timeline(client, city):
    roads = city.users["roads"]
    item = raise_request(city)
    services.note(city.session, roads, item, "Internal: the crew is busy until Thursday.")
    services.assign(city.session, roads, item, roads)
    services.acknowledge(city.session, roads, item, "We will inspect it this week.")
    services.answer(city.session, roads, item, "The hole was filled and sealed.")
    services.respond(city.session, city.users["resident"], item, True, 5, "Thank you!")
    status, data, root = both(client, f"{BASE}/servicerequestupdates.{{fmt}}", item="request_update")
    assert status == 200 and root.tag == "service_requests_updates"
    assert [c.tag for c in root[0]] == UPDATE_FIELDS and all(list(u) == UPDATE_FIELDS for u in data)
    public = [e for e in events(city, item) if e.kind not in ("note", "assigned")]
    assert [u["update_id"] for u in data] == [str(e.id) for e in public]
    assert [u["description"] for u in data] == [
        "Request submitted", "Sent to the responsible department", "We will inspect it this week.",
        "The hole was filled and sealed.", "Thank you!"]
    assert [u["status"] for u in data] == ["open", "open", "open", "open", "closed"]
    assert {u["service_request_id"] for u in data} == {item.tracking_code}
    assert "Internal" not in client.get(f"{BASE}/servicerequestupdates.xml").get_data(as_text=True)


def test_updates_filters(client, city):
    old, new = raise_request(city), raise_request(city)
    backdate(city, old, 100)
    held = services.submit(city.session, None, services.Submission(
        category=city.categories["litter"], area=city.areas["old-market"], title="",
        description="Rubbish all over the square.", location_text="Market Square",
        contact_email="v@example.org"))

    def codes(query=""):
        rows = as_json(client.get(f"{BASE}/servicerequestupdates.json?{query}"))
        return {u["service_request_id"] for u in rows}

    assert codes() == {new.tracking_code}  # the last 90 days; never a request still held
    assert codes(f"service_request_id={old.tracking_code}") == {old.tracking_code}  # all its updates
    assert codes(f"service_request_id={held.tracking_code}") == set()
    start = old.created_at.date().isoformat()
    assert codes(f"start_date={start}") == {old.tracking_code}
    assert codes(f"start_date={start}&end_date={new.created_at.date().isoformat()}T23:59:59Z") == {
        old.tracking_code, new.tracking_code}
    both_ids = f"{old.tracking_code},{new.tracking_code}"
    assert codes(f"service_request_id={both_ids}&start_date={start}") == {old.tracking_code}
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/servicerequestupdates.{fmt}?end_date=soon")
        assert response.status_code == 400 and errors_of(response)[0][1].startswith("end_date: ")


# --- POST ----------------------------------------------------------------------------------

def push(client, secret, item, update_id, status="open", description="Crew on site.", fmt="json", **extra):
    data = {"api_key": secret, "service_request_id": item.tracking_code, "update_id": update_id,
            "status": status, "description": description, **extra}
    return client.post(f"{BASE}/servicerequestupdates.{fmt}",
                       data={k: v for k, v in data.items() if v is not None})


def pushed_id(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    if response.content_type.startswith("text/xml"):
        root = as_xml(response)
        assert root.tag == "service_request_updates" and [c.tag for c in root] == ["request_update"]
        assert [c.tag for c in root[0]] == ["update_id"]
        return root.find("request_update/update_id").text
    (answer,) = as_json(response)
    assert list(answer) == ["update_id"] and isinstance(answer["update_id"], str)
    return answer["update_id"]


def test_a_department_system_moves_the_loop_and_the_resident_closes_it(client, city):
    key, secret = issue_key(city, "Roads works system", department="roads")
    item = raise_request(city)
    first = pushed_id(push(client, secret, item, "W-1", description="Received, inspection booked.", fmt="xml",
                           updated_datetime="2026-05-01T09:00:00+02:00"))
    assert item.state == "acknowledged" and item.acknowledged_at is not None
    second = pushed_id(push(client, secret, item, "W-2", description="Crew on site.",
                            media_url="https://works.example.org/photo/2.jpg"))
    assert item.state == "in_progress"
    third = pushed_id(push(client, secret, item, "W-3", description="Asphalt ordered."))
    assert item.state == "in_progress"
    fourth = pushed_id(push(client, secret, item, "W-4", status="CLOSED",
                            description="The hole was filled and the surface sealed."))
    assert item.state == "answered"  # not closed: the resident says whether it is resolved
    recorded = events(city, item)[-4:]
    assert [e.kind for e in recorded] == ["acknowledged", "started", "update", "answered"]
    assert [str(e.id) for e in recorded] == [first, second, third, fourth]
    assert all(e.actor_role == "staff" and e.actor_id is None for e in recorded)
    assert all(e.data["open311_key"] == key.id for e in recorded)
    assert [e.data["update_id"] for e in recorded] == ["W-1", "W-2", "W-3", "W-4"]
    assert recorded[0].data["updated_datetime"] == "2026-05-01T07:00:00Z"
    assert services.verify(city.session, item).ok

    (row,) = as_json(client.get(f"{BASE}/requests/{item.tracking_code}.json"))
    assert row["status"] == "open" and row["status_notes"] == "The hole was filled and the surface sealed."
    updates = as_json(client.get(
        f"{BASE}/servicerequestupdates.json?service_request_id={item.tracking_code}"))
    assert [u["media_url"] for u in updates if u["update_id"] == second] == ["https://works.example.org/photo/2.jpg"]

    services.respond(city.session, city.users["resident"], item, True, 4, "Good job.")
    assert item.state == "closed_resolved"
    assert as_json(client.get(f"{BASE}/requests/{item.tracking_code}.json"))[0]["status"] == "closed"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_same_update_id_is_recorded_once(client, city, fmt):
    _key, secret = issue_key(city, department="roads")
    item = raise_request(city)
    first = pushed_id(push(client, secret, item, "W-1", fmt=fmt))
    count = len(events(city, item))
    again = pushed_id(push(client, secret, item, "W-1", fmt=fmt))
    assert again == first and len(events(city, item)) == count and item.state == "acknowledged"
    # Another key's W-1 is another update.
    _other, other_secret = issue_key(city, "Second roads system", department="roads")
    assert pushed_id(push(client, other_secret, item, "W-1", fmt=fmt)) != first
    assert item.state == "in_progress"


def test_only_the_lead_departments_key_may_push(client, city):
    item = raise_request(city)  # led by roads
    _water, water_secret = issue_key(city, "Water system", department="water")
    _app, app_secret = issue_key(city, "Repair app")
    for fmt in ("json", "xml"):
        for secret in (water_secret, app_secret):
            response = push(client, secret, item, "W-1", fmt=fmt)
            assert response.status_code == 403
            assert errors_of(response) == [
                (403, "Only a key issued to the department that leads this request can update it.")]
        response = push(client, "wrong", item, "W-1", fmt=fmt)
        assert response.status_code == 403 and errors_of(response)[0][0] == 403
    assert item.state == "routed"


def test_updates_on_unknown_or_held_requests_are_404(client, city):
    _key, secret = issue_key(city, department="roads")
    held = services.submit(city.session, None, services.Submission(
        category=city.categories["pothole"], area=city.areas["north-hill"], title="",
        description="A deep hole in the road.", location_text="Hillside", answers={"size": "small"},
        contact_email="v@example.org"))
    for code in ("R-1999-000001", held.tracking_code):
        response = client.post(f"{BASE}/servicerequestupdates.xml", data={
            "api_key": secret, "service_request_id": code, "update_id": "1", "status": "open",
            "description": "Crew on site."})
        assert response.status_code == 404
        assert errors_of(response) == [(404, "There is no public request with this service_request_id.")]


@pytest.mark.parametrize("change, field", [
    ({"update_id": None}, "update_id"), ({"update_id": "x" * 65}, "update_id"),
    ({"status": "fixed"}, "status"), ({"status": None}, "status"),
    ({"description": None}, "description"), ({"updated_datetime": "today"}, "updated_datetime"),
    ({"media_url": "ftp://x"}, "media_url"), ({"service_request_id": None}, "service_request_id"),
])
def test_malformed_updates_are_400(client, city, change, field):
    _key, secret = issue_key(city, department="roads")
    item = raise_request(city)
    data = {"api_key": secret, "service_request_id": item.tracking_code, "update_id": "W-1",
            "status": "open", "description": "Crew on site."}
    data.update(change)
    for fmt in ("json", "xml"):
        response = client.post(f"{BASE}/servicerequestupdates.{fmt}",
                               data={k: v for k, v in data.items() if v is not None})
        assert response.status_code == 400
        (code, description), = errors_of(response)
        assert code == 400 and description.startswith(f"{field}: ")
    assert item.state == "routed"


def test_updates_the_loop_does_not_allow_are_400(client, city):
    _key, secret = issue_key(city, department="roads")
    item = raise_request(city)
    response = push(client, secret, item, "W-1", status="closed", description="Done.")
    assert response.status_code == 400
    assert errors_of(response) == [(400, "description: Write an answer of at least 10 characters.")]
    pushed_id(push(client, secret, item, "W-2", status="closed", description="Filled and sealed today."))
    response = push(client, secret, item, "W-3", status="open", description="More work.", fmt="xml")
    assert response.status_code == 400
    (code, description), = errors_of(response)
    assert code == 400 and "Answered" in description


def test_a_returned_request_is_the_dispatchers_to_update(client, city):
    item = raise_request(city)
    services.return_to_dispatcher(city.session, city.users["roads"], item, "Not a road: a private yard.")
    _roads, roads_secret = issue_key(city, "Roads system", department="roads")
    _desk, desk_secret = issue_key(city, "Dispatch desk system", department="dispatch")
    assert push(client, roads_secret, item, "R-1").status_code == 403
    pushed_id(push(client, desk_secret, item, "D-1", description="We are finding who owns the yard."))
    assert item.state == "returned" and events(city, item)[-1].kind == "update"
