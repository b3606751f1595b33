"""The demo city without its demo requests, API keys, and helpers to read both formats."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


@pytest.fixture
def city(app, db_session, monkeypatch):
    """Areas, departments, demo users, categories, the responsibility list and the calendar
    (the demo requests are left out: each test raises its own), inside a request context so
    services can build links."""
    import portal.feedback.seed as feedback_seed
    from portal.core.models import User
    from portal.responsibility.models import Area, Department, ServiceCategory
    from portal.seed import seed

    monkeypatch.setattr(feedback_seed, "seed", feedback_seed.seed_reference)
    with app.test_request_context():
        seed(db_session)

        class City:
            session = db_session
            users = {u.email.split("@")[0]: u for u in db_session.scalars(select(User))}
            areas = {a.code: a for a in db_session.scalars(select(Area))}
            departments = {d.code: d for d in db_session.scalars(select(Department))}
            categories = {c.service_code: c for c in db_session.scalars(select(ServiceCategory))}

        yield City


def raise_request(city, user=None, category="pothole", area="north-hill", **kw):
    """A request raised on the web by a signed-in resident: routed at once."""
    from portal.feedback import services

    kw.setdefault("answers", {"size": "small"} if category == "pothole" else {})
    return services.submit(city.session, user or city.users["resident"], services.Submission(
        category=city.categories[category], area=city.areas[area], title=kw.pop("title", "Hole"),
        description=kw.pop("description", "A deep hole in the road near the school."),
        location_text=kw.pop("location_text", "12 Hillside Road"), **kw))


def backdate(city, request, days: float):
    """Move a request and its events ``days`` into the past."""
    from portal.feedback.models import RequestEvent

    delta = timedelta(days=days)
    request.created_at -= delta
    request.updated_at -= delta
    for event in city.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)):
        event.created_at -= delta
    city.session.commit()


def issue_key(city, name="City works system", department: str | None = None):
    """(key, secret); a department's key is trusted."""
    from portal.feedback.open311 import apikeys

    return apikeys.create(city.session, None, name,
                          city.departments[department] if department else None)


def make_category(city, code="tree", attributes=None, active=True, **names):
    from portal.responsibility.models import ServiceCategory

    category = ServiceCategory(
        service_code=code, group=city.categories["pothole"].group,
        name_i18n={k.replace("_", "-"): v for k, v in names.items()} or {"en": "Fallen tree"},
        description_i18n={"en": "A tree or branch blocking the way."}, source_locale="en",
        keywords="tree branch", attributes=attributes or [], active=active)
    city.session.add(category)
    city.session.commit()
    city.categories[code] = category
    return category


# --- reading the two formats ---------------------------------------------------------------

def as_json(response):
    assert response.content_type == "application/json; charset=utf-8", response.content_type
    return json.loads(response.get_data(as_text=True))


def as_xml(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8", response.content_type
    assert response.data.startswith(XML_DECLARATION)
    return parse_xml(response.data)


def parse_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - the portal's own answer, not untrusted input


LISTS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def xml_data(element: ET.Element, item: str | None = None):
    """An XML answer read back into the JSON's shape (every leaf a string), so the two formats
    can be compared: a root holding ``item`` elements is a list."""
    if item is not None:
        assert all(child.tag == item for child in element), [c.tag for c in element]
        return [xml_data(child) for child in element]
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in element)
        return [xml_data(child) for child in element]
    if len(element) == 0:
        return element.text or ""
    tags = [child.tag for child in element]
    assert len(tags) == len(set(tags)), f"repeated elements in <{element.tag}>"
    return {child.tag: xml_data(child) for child in element}


def leaves_as_text(data):
    """JSON data with every leaf written as XML writes it."""
    if isinstance(data, list):
        return [leaves_as_text(v) for v in data]
    if isinstance(data, dict):
        return {k: leaves_as_text(v) for k, v in data.items()}
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)


def both(client, url, item=None, method="get", **kw):
    """GET (or POST) ``url`` with .json and with .xml; assert both say the same; return
    (status, json data, xml root)."""
    json_response = getattr(client, method)(url.replace("{fmt}", "json"), **kw)
    xml_response = getattr(client, method)(url.replace("{fmt}", "xml"), **kw)
    assert json_response.status_code == xml_response.status_code
    data, root = as_json(json_response), as_xml(xml_response)
    if method == "get":
        assert xml_data(root, item) == leaves_as_text(data)
    return json_response.status_code, data, root


def errors_of(response) -> list[tuple[int, str]]:
    """The specification's error list, from either format, as (code, description) pairs."""
    if response.content_type.startswith("application/json"):
        data = as_json(response)
        assert isinstance(data, list) and data
        for error in data:
            assert set(error) == {"code", "description"}
            assert isinstance(error["code"], int) and isinstance(error["description"], str)
        return [(e["code"], e["description"]) for e in data]
    root = as_xml(response)
    assert root.tag == "errors" and len(root)
    pairs = []
    for error in root:
        assert error.tag == "error" and [c.tag for c in error] == ["code", "description"]
        pairs.append((int(error.find("code").text), error.find("description").text))
    return pairs
