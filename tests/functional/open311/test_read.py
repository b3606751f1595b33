"""Open311 GeoReport v2 conformance, reading: discovery, services, service definitions,
requests with every filter, one request, and the errors — each in JSON and in XML."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.feedback.open311 import georeport as open311
from tests.functional.open311.conftest import (
    as_json,
    as_xml,
    backdate,
    both,
    errors_of,
    issue_key,
    make_category,
    raise_request,
)

BASE = "/open311/v2"
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
]


def w3c(text: str) -> datetime:
    assert text.endswith("Z") and "T" in text, text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


# --- discovery -----------------------------------------------------------------------------

def test_discovery(client, city):
    status, data, root = both(client, f"{BASE}/discovery.{{fmt}}")
    assert status == 200
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert "12345@riverbend.example.org" in data["contact"] and data["key_service"]
    (endpoint,) = data["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://localhost/open311/v2", "changeset": data["changeset"],
        "type": "production", "formats": ["application/json", "text/xml"],
    }
    w3c(data["changeset"])
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["application/json", "text/xml"]


# --- services ------------------------------------------------------------------------------

def test_service_list(client, city):
    make_category(city, "retired", active=False)
    status, data, root = both(client, f"{BASE}/services.{{fmt}}", item="service")
    assert status == 200 and root.tag == "services"
    assert [s["service_code"] for s in data] == ["pothole", "streetlight", "litter", "noise", "water-leak",
                                                 "other"]
    pothole = data[0]
    keywords = pothole.pop("keywords").split(", ")  # every language's, each word once
    assert keywords[:4] == ["pothole", "hole", "road", "asphalt"]
    assert {"坑洼", "坑窪", "bache", "حفرة", "ལམ་ཁ་", "ئازگال"} <= set(keywords)
    assert len(keywords) == len(set(keywords))
    assert pothole == {
        "service_code": "pothole", "service_name": "Pothole or damaged road",
        "description": "Holes, cracks or sunken patches in a road or cycle lane.",
        "metadata": True, "type": "realtime",
        "group": "Streets and transport",
    }
    litter = next(s for s in data if s["service_code"] == "litter")
    assert litter["metadata"] is False  # no extra questions
    assert [c.tag for c in root[0]] == ["service_code", "service_name", "description", "metadata",
                                        "type", "keywords", "group"]


def test_service_names_in_the_locale_asked_falling_back_to_the_source(client, city):
    make_category(city, "tree", zh_Hans="倒伏树木")  # written in Chinese only
    data = as_json(client.get(f"{BASE}/services.json?locale=zh-Hant"))
    assert data[0]["service_name"] == "道路坑窪或破損" and data[0]["group"] == "道路交通"
    names = {s["service_code"]: s["service_name"] for s in as_json(client.get(f"{BASE}/services.json"))}
    assert names["pothole"] == "Pothole or damaged road"
    assert names["tree"] == "倒伏树木"  # no English version: the original
    root = as_xml(client.get(f"{BASE}/services.xml?locale=es"))
    assert root.find("service/service_name").text == "Bache o calzada dañada"
    # An unknown locale is English, not an error.
    unknown = as_json(client.get(f"{BASE}/services.json?locale=xx"))
    assert unknown[0]["service_name"] == "Pothole or damaged road"


def test_service_definition(client, city):
    status, data, root = both(client, f"{BASE}/services/pothole.{{fmt}}")
    assert status == 200 and root.tag == "service_definition"
    assert data["service_code"] == "pothole"
    size, since = data["attributes"]
    assert size == {
        "variable": True, "code": "size", "datatype": "singlevaluelist", "required": True,
        "datatype_description": "", "order": 1, "description": "How big is it?",
        "values": [{"key": "small", "name": "Smaller than a shoe"},
                   {"key": "medium", "name": "Up to a metre"},
                   {"key": "large", "name": "Larger than a metre"}],
    }
    assert since["datatype"] == "string" and since["required"] is False and since["values"] == []
    attribute = root.find("attributes/attribute")
    assert [c.tag for c in attribute] == ["variable", "code", "datatype", "required",
                                          "datatype_description", "order", "description", "values"]
    assert [v.find("key").text for v in attribute.find("values")] == ["small", "medium", "large"]
    translated = as_json(client.get(f"{BASE}/services/pothole.json?locale=ar"))
    assert translated["attributes"][0]["description"] == "ما حجمه؟"


def test_service_definition_without_questions_and_number_hint(client, city):
    make_category(city, "tree", attributes=[
        {"code": "girth", "datatype": "number", "required": False, "order": 1,
         "description_i18n": {"en": "How thick is the trunk, in cm?"}, "values": []}])
    data = as_json(client.get(f"{BASE}/services/tree.json"))
    assert data["attributes"][0]["datatype_description"] == "Enter a number."
    root = as_xml(client.get(f"{BASE}/services/litter.xml"))
    assert root.find("service_code").text == "litter" and len(root.find("attributes")) == 0


@pytest.mark.parametrize("code", ["nothing-like-this", "retired"])
def test_unknown_or_retired_service_is_404(client, city, code):
    make_category(city, "retired", active=False)
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/services/{code}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response) == [(404, "There is no service with this service_code.")]


# --- requests ------------------------------------------------------------------------------

def test_requests_fields_types_and_no_personal_data(client, city):
    resident = city.users["resident"]
    item = raise_request(city, contact_phone="+1 555 0199", latitude=47.04012, longitude=8.05513,
                         address_id="ADDR-7", location_text="12 Hillside Road, flat 3")
    from portal.feedback import services

    services.acknowledge(city.session, city.users["roads"], item, "We will look at it on Monday.")
    status, data, root = both(client, f"{BASE}/requests.{{fmt}}", item="request")
    assert status == 200 and root.tag == "service_requests"
    (row,) = data
    assert list(row) == REQUEST_FIELDS
    assert [c.tag for c in root[0]] == REQUEST_FIELDS
    assert row["service_request_id"] == item.tracking_code
    assert row["status"] == "open"
    assert row["status_notes"] == "We will look at it on Monday."
    assert row["service_name"] == "Pothole or damaged road" and row["service_code"] == "pothole"
    assert row["description"] == item.description
    assert row["agency_responsible"] == "Roads and Transport Bureau"  # the responsibility list
    assert row["address"] == "## Hillside Road, flat #"  # exact numbers masked
    assert row["address_id"] is None  # an exact address: never published
    assert row["lat"] == 47.04 and row["long"] == 8.055  # rounded to about 100 m
    assert w3c(row["requested_datetime"]) == item.created_at.replace(microsecond=0)
    assert w3c(row["updated_datetime"]) >= w3c(row["requested_datetime"])
    assert w3c(row["expected_datetime"]) == item.resolve_due_at.replace(microsecond=0)
    for empty in ("service_notice", "zipcode", "media_url"):
        assert row[empty] is None
    body = client.get(f"{BASE}/requests.json").get_data(as_text=True) + \
        client.get(f"{BASE}/requests.xml").get_data(as_text=True)
    for personal in (resident.display_name, resident.email, "+1 555 0199", "12 Hillside", "flat 3"):
        assert personal not in body


def test_requests_in_the_locale_asked(client, city):
    raise_request(city)
    (row,) = as_json(client.get(f"{BASE}/requests.json?locale=zh-Hans"))
    assert row["service_name"] == "道路坑洼或破损" and row["agency_responsible"] == "交通运输局"


def test_requests_waiting_for_email_confirmation_are_not_listed(client, city):
    from portal.feedback import services

    held = services.submit(city.session, None, services.Submission(
        category=city.categories["litter"], area=city.areas["old-market"], title="",
        description="Rubbish all over the square after the market.", location_text="Market Square",
        contact_email="visitor@example.org"))
    public = raise_request(city)
    listed = as_json(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in listed] == [public.tracking_code]
    assert client.get(f"{BASE}/requests/{held.tracking_code}.json").status_code == 404
    listed = as_json(client.get(f"{BASE}/requests.json?service_request_id={held.tracking_code}"))
    assert listed == []


def test_newest_first_and_at_most_1000(client, city, monkeypatch):
    first, second, third = (raise_request(city) for _ in range(3))
    backdate(city, first, 3)
    backdate(city, second, 2)
    codes = [r["service_request_id"] for r in as_json(client.get(f"{BASE}/requests.json"))]
    assert codes == [third.tracking_code, second.tracking_code, first.tracking_code]
    monkeypatch.setattr(open311, "MAX_RESULTS", 2)
    codes = [r["service_request_id"] for r in as_json(client.get(f"{BASE}/requests.json"))]
    assert codes == [third.tracking_code, second.tracking_code]


def test_filter_by_service_request_ids_overrides_the_others(client, city):
    a, c = raise_request(city), raise_request(city)
    b = raise_request(city, category="litter", area="old-market")
    backdate(city, a, 200)  # outside the default 90 days
    url = f"{BASE}/requests.json?service_request_id={a.tracking_code},{b.tracking_code.lower()}&status=closed"
    codes = {r["service_request_id"] for r in as_json(client.get(url))}
    assert codes == {a.tracking_code, b.tracking_code}
    root = as_xml(client.get(f"{BASE}/requests.xml?service_request_id={c.tracking_code}"))
    assert [r.find("service_request_id").text for r in root] == [c.tracking_code]


def test_filter_by_service_code(client, city):
    pothole = raise_request(city)
    litter = raise_request(city, category="litter", area="old-market")
    raise_request(city, category="noise", area="old-market")
    data = as_json(client.get(f"{BASE}/requests.json?service_code=pothole"))
    assert [r["service_request_id"] for r in data] == [pothole.tracking_code]
    data = as_json(client.get(f"{BASE}/requests.json?service_code=pothole,litter"))
    assert {r["service_request_id"] for r in data} == {pothole.tracking_code, litter.tracking_code}
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}?service_code=unicorn")
        assert response.status_code == 400
        assert errors_of(response) == [(400, "service_code: There is no service with this service_code.")]


def test_filter_by_status(client, city):
    from portal.feedback import services

    open_one = raise_request(city)
    closed_one = raise_request(city)
    answered = raise_request(city)
    services.withdraw(city.session, city.users["resident"], closed_one, "Fixed already.")
    services.answer(city.session, city.users["roads"], answered, "The hole was filled this morning.")

    def codes(query):
        rows = as_json(client.get(f"{BASE}/requests.json?{query}"))
        return {r["service_request_id"]: r["status"] for r in rows}

    assert codes("status=open") == {open_one.tracking_code: "open", answered.tracking_code: "open"}
    assert codes("status=closed") == {closed_one.tracking_code: "closed"}
    assert len(codes("status=open,closed")) == 3 == len(codes(""))
    assert codes("status=CLOSED") == {closed_one.tracking_code: "closed"}
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}?status=pending")
        assert response.status_code == 400
        assert errors_of(response)[0][1].startswith("status: ")


def test_filter_by_dates_and_the_90_day_default(client, city):
    old = raise_request(city)
    recent = raise_request(city)
    now = raise_request(city)
    backdate(city, old, 95)
    backdate(city, recent, 10)

    def codes(query=""):
        return [r["service_request_id"] for r in as_json(client.get(f"{BASE}/requests.json?{query}"))]

    assert codes() == [now.tracking_code, recent.tracking_code]  # the last 90 days
    start = old.created_at.replace(microsecond=0).isoformat() + "Z"
    # From start_date alone: 90 days on, which ends 5 days ago.
    assert codes(f"start_date={start}") == [recent.tracking_code, old.tracking_code]
    before_recent = (recent.created_at - timedelta(days=1)).date().isoformat()
    assert codes(f"start_date={start}&end_date={before_recent}") == [old.tracking_code]
    day = recent.created_at.date().isoformat()
    assert codes(f"start_date={day}") == [now.tracking_code, recent.tracking_code]
    assert codes(f"end_date={day}") == [old.tracking_code]  # the 90 days before that day
    # Offsets are converted to UTC: 08:00+08:00 is midnight UTC.
    assert codes(f"start_date={day}T08:00:00%2B08:00") == codes(f"start_date={day}")
    assert codes(f"start_date={day}T00:00:00.000Z") == codes(f"start_date={day}")
    # The ends of the calendar are searched, not an error.
    assert codes("start_date=0001-01-01") == [] == codes("end_date=0001-01-01")
    assert codes("start_date=9999-12-31") == [] == codes("end_date=9999-12-31T23:59:59Z")


@pytest.mark.parametrize("query, field", [
    ("start_date=yesterday", "start_date"), ("end_date=2026-13-01", "end_date"),
    ("start_date=2026-05-01 10:00", "start_date"), ("end_date=0001-01-01T00:00:00%2B01:00", "end_date"),
    ("start_date=2026-06-01&end_date=2026-05-01", "start_date"),
])
def test_malformed_dates_are_400(client, city, query, field):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}?{query}")
        assert response.status_code == 400
        (error,) = errors_of(response)
        assert error[0] == 400 and error[1].startswith(f"{field}: ")


def test_one_request(client, city):
    item = raise_request(city)
    status, data, root = both(client, f"{BASE}/requests/{item.tracking_code}.{{fmt}}", item="request")
    assert status == 200 and root.tag == "service_requests" and len(data) == 1
    assert list(data[0]) == REQUEST_FIELDS and data[0]["service_request_id"] == item.tracking_code
    lower = as_json(client.get(f"{BASE}/requests/{item.tracking_code.lower()}.json"))
    assert lower == data
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests/R-1999-000001.{fmt}")
        assert response.status_code == 404
        assert errors_of(response) == [(404, "There is no public request with this service_request_id.")]


# --- the error answers for everything else -------------------------------------------------

@pytest.mark.parametrize("path", ["/open311/v2/", "/open311/v2/nothing.json", "/open311/v2/services.csv",
                                  "/open311/v2/requests/R-2026-000001/notes.xml"])
def test_unknown_resources_are_404_in_the_specification_format(client, city, path):
    response = client.get(path)
    assert response.status_code == 404
    (code, description), = errors_of(response)
    assert code == 404 and description


@pytest.mark.parametrize("method, path, allowed", [
    ("post", "/open311/v2/services.json", {"GET", "HEAD", "OPTIONS"}),
    ("delete", "/open311/v2/requests.xml", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("put", "/open311/v2/requests/R-2026-000001.json", {"GET", "HEAD", "OPTIONS"}),
    ("patch", "/open311/v2/servicerequestupdates.xml", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("post", "/open311/v2/discovery.xml", {"GET", "HEAD", "OPTIONS"}),
])
def test_wrong_method_is_405_in_the_specification_format(client, city, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed
    assert errors_of(response)[0][0] == 405
    assert response.content_type.startswith("text/xml" if path.endswith(".xml") else "application/json")


def test_pages_keep_their_own_error_pages(client, city):
    """Only /open311/ answers with the specification's lists."""
    assert client.get("/en/no-such-page").content_type.startswith("text/html")
    response = client.post("/en/accessibility")
    assert response.status_code == 405 and response.content_type.startswith("text/html")
    assert client.get("/api/v1/nothing").json["error"]["status"] == 404


def test_errors_in_the_locale_asked(client, city, pseudo_catalogs):
    response = client.get(f"{BASE}/services/unicorn.json?locale=es")
    assert errors_of(response) == [(404, "[es] There is no service with this service_code.")]
    assert "portal_locale" not in response.headers.get("Set-Cookie", "")
    response = client.post(f"{BASE}/requests.xml", data={"locale": "zh-TW", "api_key": "nope"})
    assert errors_of(response) == [
        (403, "[zh-Hant] Give a valid api_key: this one is missing, unknown or revoked.")]
    response = client.get(f"{BASE}/requests.json?status=maybe&locale=ar")
    assert errors_of(response) == [(400, "status: [ar] Give open, closed, or both separated by a comma.")]
    assert errors_of(client.delete(f"{BASE}/requests.json?locale=bo"))[0][1].startswith("[bo] ")
    _key, secret = issue_key(city, department="roads")
    response = client.post(f"{BASE}/requests.json", data={
        "api_key": secret, "service_code": "litter", "address_string": "Market", "description": "Bins",
        "area": "old-market", "locale": "es"})
    assert errors_of(response) == [(400, "description: [es] Describe the problem in at least 10 characters.")]
    assert errors_of(client.get(f"{BASE}/nothing.xml"))[0][1] == str(open311.MESSAGES[404])  # English
