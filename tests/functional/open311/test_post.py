"""Open311 POST requests: a department's trusted key, a third-party app's visitor path with
its token, every kind of bad input (400), bad keys (403) — in JSON and in XML."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.models import OutboxMessage
from portal.feedback import services
from portal.feedback.models import Request, RequestEvent
from portal.feedback.open311 import apikeys
from tests.functional.open311.conftest import as_json, as_xml, errors_of, issue_key, make_category

BASE = "/open311/v2"


def form(secret, **extra):
    data = {"api_key": secret, "service_code": "pothole", "address_string": "12 Hillside Road",
            "description": "A deep hole in the road by the school gate.", "attribute[size]": "medium",
            "area": "north-hill"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def stored(city, code) -> Request:
    city.session.expire_all()
    return city.session.scalar(select(Request).where(Request.tracking_code == code))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_trusted_department_key_submits_at_once_and_reads_back(client, city, fmt):
    _key, secret = issue_key(city, "Roads works system", department="roads")
    response = client.post(f"{BASE}/requests.{fmt}", data=form(
        secret, lat="47.04012", long="8.05513", address_id="ADDR-12", email="caller@example.org",
        first_name="Rami", last_name="Caller", phone="+1 555 0123", device_id="kiosk-4",
        account_id="acc-9", media_url="https://photos.example.org/hole.jpg", **{"attribute[since]": "May"}))
    assert response.status_code == 200
    if fmt == "json":
        (answer,) = as_json(response)
        assert answer == {"service_request_id": answer["service_request_id"], "service_notice": None,
                          "account_id": None}
        code = answer["service_request_id"]
    else:
        root = as_xml(response)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert [c.tag for c in root[0]] == ["service_request_id", "service_notice", "account_id"]
        code = root.find("request/service_request_id").text
    item = stored(city, code)
    assert item.state == "routed" and item.lead_department.code == "roads"  # by the responsibility list
    assert item.source == "open311:Roads works system"
    assert item.answers == {"size": "medium", "since": "May"}
    assert (item.latitude, item.longitude, item.address_id) == (47.04012, 8.05513, "ADDR-12")
    assert (item.contact_name, item.contact_email, item.contact_phone) == (
        "Rami Caller", "caller@example.org", "+1 555 0123")
    assert item.resident_id is None and not item.show_name
    submitted = city.session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                               RequestEvent.kind == "submitted"))
    assert submitted.actor_role == "staff" and submitted.data["open311_key"] == _key.id
    assert services.verify(city.session, item).ok
    # The caller hears by mail, with the tracking code.
    assert city.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "caller@example.org"))

    (row,) = as_json(client.get(f"{BASE}/requests/{code}.json"))
    assert row["service_code"] == "pothole" and row["status"] == "open"
    assert row["description"] == "A deep hole in the road by the school gate."
    assert row["address"] == "## Hillside Road" and row["address_id"] is None
    assert (row["lat"], row["long"]) == (47.04, 8.055)  # rounded to about 100 m
    assert row["media_url"] == "https://photos.example.org/hole.jpg"
    assert row["agency_responsible"] == "Roads and Transport Bureau"
    text = client.get(f"{BASE}/requests/{code}.xml").get_data(as_text=True)
    for personal in ("Rami", "caller@example.org", "0123", "12 Hillside"):
        assert personal not in text


def submitted_code(response, fmt) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    if fmt == "json":
        return as_json(response)[0]["service_request_id"]
    return as_xml(response).find("request/service_request_id").text


def routed_event(city, item) -> RequestEvent:
    return city.session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                          RequestEvent.kind == "routed"))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_only_lat_and_long_route_by_the_boundary(client, city, fmt):
    _key, secret = issue_key(city, department="roads")
    # Stone Bridge (a community of Old Town, whose office leads potholes there)
    response = client.post(f"{BASE}/requests.{fmt}", data=form(
        secret, area=None, lat="47.01", long="8.03"))
    item = stored(city, submitted_code(response, fmt))
    assert item.area.code == "old-bridge" and item.lead_department.code == "old-town-office"
    reason = routed_event(city, item).data
    assert reason["area_by"] == "boundary" and reason["point_area"] == "old-bridge"
    # in the harbour district but in none of its communities: the district takes it
    response = client.post(f"{BASE}/requests.{fmt}", data=form(
        secret, area=None, lat="47.02", long="8.06", address_string=None))
    assert stored(city, submitted_code(response, fmt)).area.code == "harbour"


def test_an_area_given_stands_whatever_the_point(client, city):
    _key, secret = issue_key(city, department="roads")
    response = client.post(f"{BASE}/requests.json", data=form(
        secret, area="old-market", lat="47.01", long="8.03"))  # the point is in Stone Bridge
    item = stored(city, submitted_code(response, "json"))
    assert item.area.code == "old-market" and item.lead_department.code == "old-town-office"
    reason = routed_event(city, item).data
    assert reason["area_by"] == "chosen" and reason["point_area"] == "old-bridge"
    response = client.post(f"{BASE}/requests.json", data=form(secret, area="old-market"))
    item = stored(city, submitted_code(response, "json"))
    assert routed_event(city, item).data["area_by"] == "chosen"
    assert "point_area" not in routed_event(city, item).data


OUTSIDE = ("lat: This point is outside the city. Check the latitude and longitude, or leave them "
           "empty and choose the area.")
NO_AREA = "area: Give the area, or a point (latitude and longitude) inside the city."


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("change", "expected"), [
    ({"area": None}, [NO_AREA]),  # an address alone cannot be routed
    ({"area": None, "lat": "46.9", "long": "8.0"}, [OUTSIDE, NO_AREA]),
    ({"area": None, "lat": "0", "long": "0", "address_string": None}, [OUTSIDE, NO_AREA]),
    ({"lat": "46.9", "long": "8.0"}, [OUTSIDE]),  # an area given, a point outside: still wrong
])
def test_neither_an_area_nor_a_point_inside_the_city_is_400(client, city, fmt, change, expected):
    _key, secret = issue_key(city, department="roads")
    response = client.post(f"{BASE}/requests.{fmt}", data=form(secret, **change))
    assert response.status_code == 400
    assert errors_of(response) == [(400, message) for message in expected]
    assert city.session.scalar(select(Request.id)) is None


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e309", "9" * 39, "47,01",
                                   "47.01\x00", "0x2f", "", " "])
def test_hostile_coordinates_without_an_area_are_400_never_500(client, city, value):
    _key, secret = issue_key(city, department="roads")
    for lat, long in ((value, "8.03"), ("47.01", value)):
        for fmt in ("json", "xml"):
            response = client.post(f"{BASE}/requests.{fmt}", data=form(
                secret, area=None, lat=lat, long=long))
            assert response.status_code == 400, (lat, long, response.get_data(as_text=True))
            assert errors_of(response)
    assert city.session.scalar(select(Request.id)) is None


def test_a_location_may_be_coordinates_or_an_address_id_alone(client, city):
    _key, secret = issue_key(city, department="roads")
    for location in ({"lat": "47.04", "long": "8.05"}, {"address_id": "A-1"}):
        response = client.post(f"{BASE}/requests.json", data=form(secret, address_string=None, **location))
        assert response.status_code == 200, response.get_data(as_text=True)


def test_multivaluelist_and_datetime_attributes(client, city):
    make_category(city, "tree", attributes=[
        {"code": "blocks", "datatype": "multivaluelist", "required": True, "order": 1,
         "description_i18n": {"en": "What does it block?"},
         "values": [{"key": "road", "name_i18n": {"en": "Road"}},
                    {"key": "path", "name_i18n": {"en": "Path"}},
                    {"key": "lines", "name_i18n": {"en": "Power lines"}}]},
        {"code": "fell", "datatype": "datetime", "required": False, "order": 2,
         "description_i18n": {"en": "When did it fall?"}, "values": []},
    ])
    _key, secret = issue_key(city, department="roads")
    data = form(secret, service_code="tree",
                **{"attribute[size]": None, "attribute[fell]": "2026-05-01T06:30:00Z"})
    data["attribute[blocks][]"] = ["road", "lines"]
    (answer,) = as_json(client.post(f"{BASE}/requests.json", data=data))
    item = stored(city, answer["service_request_id"])
    assert item.answers == {"blocks": ["road", "lines"], "fell": "2026-05-01T06:30:00Z"}

    data["attribute[blocks][]"] = ["road", "river"]
    response = client.post(f"{BASE}/requests.xml", data=data)
    assert response.status_code == 400
    assert errors_of(response) == [(400, "attribute[blocks]: Choose from the listed answers.")]
    data["attribute[blocks][]"] = ["road"]
    data["attribute[fell]"] = "last Tuesday"
    response = client.post(f"{BASE}/requests.json", data=data)
    assert response.status_code == 400 and errors_of(response)[0][1].startswith("attribute[fell]: ")


def test_visitor_app_gets_a_token_until_the_email_is_confirmed(client, city):
    _key, secret = issue_key(city, "Riverbend repair app")  # no department: not trusted
    response = client.post(f"{BASE}/requests.xml", data=form(secret, email="visitor@example.org"))
    assert response.status_code == 200
    root = as_xml(response)
    assert [c.tag for c in root[0]] == ["token", "service_notice", "account_id"]
    token = root.find("request/token").text
    assert root.find("request/service_notice").text
    item = city.session.scalar(select(Request).where(Request.contact_email == "visitor@example.org"))
    assert item.state == "unconfirmed" and item.source == "open311:Riverbend repair app"
    assert token != item.visitor_token and item.visitor_token not in response.get_data(as_text=True)
    mail = city.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "visitor@example.org"))
    assert item.visitor_token in mail.body  # the confirmation link travels by mail only

    for fmt in ("json", "xml"):
        assert client.get(f"{BASE}/requests/{item.tracking_code}.{fmt}").status_code == 404
    assert as_json(client.get(f"{BASE}/tokens/{token}.json")) == [
        {"service_request_id": None, "token": token}]

    services.confirm_visitor(city.session, item.visitor_token)  # the visitor follows the link
    assert as_json(client.get(f"{BASE}/tokens/{token}.json")) == [
        {"service_request_id": item.tracking_code, "token": token}]
    root = as_xml(client.get(f"{BASE}/tokens/{token}.xml"))
    assert root.tag == "service_requests" and [c.tag for c in root[0]] == ["service_request_id", "token"]
    assert root.find("request/service_request_id").text == item.tracking_code
    assert as_json(client.get(f"{BASE}/requests/{item.tracking_code}.json"))[0]["status"] == "open"


@pytest.mark.parametrize("token", ["1-0000", "nonsense", "999999-abc", "1-", "²-" + "0" * 32,
                                   "99999999999999999999-" + "0" * 32, "1-" + "0" * 32])
def test_unknown_or_forged_tokens_are_404(client, city, token):
    _key, secret = issue_key(city, "App")
    client.post(f"{BASE}/requests.json", data=form(secret, email="visitor@example.org"))
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/tokens/{token}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response) == [(404, "There is no request with this token.")]


def test_visitor_app_without_email_is_400(client, city):
    _key, secret = issue_key(city, "App")
    response = client.post(f"{BASE}/requests.json", data=form(secret))
    assert response.status_code == 400
    assert errors_of(response) == [(400, "email: Enter your email address so we can confirm the request.")]
    assert city.session.scalar(select(Request.id)) is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_unknown_or_revoked_key_is_403(client, city, fmt):
    key, secret = issue_key(city, department="roads")
    apikeys.revoke(city.session, None, key.id)
    for data in (form(None), form("o311_not-a-key"), form(secret), form("")):
        response = client.post(f"{BASE}/requests.{fmt}", data=data)
        assert response.status_code == 403
        assert errors_of(response) == [
            (403, "Give a valid api_key: this one is missing, unknown or revoked.")]
    assert city.session.scalar(select(Request.id)) is None


COORDINATES = "lat: Give lat and long as decimal degrees (WGS84), for example 29.65 and 91.13."
BAD_INPUT = [
    ({"service_code": None}, "service_code: Give the service_code of one of the services."),
    ({"service_code": "unicorn"}, "service_code: There is no service with this service_code."),
    ({"address_string": None}, "location: Give a location: lat and long, address_string or address_id."),
    ({"lat": "north", "long": "91"}, COORDINATES),
    ({"lat": "29.6"}, COORDINATES),
    ({"lat": "129.6", "long": "91"}, "lat: These coordinates are not on Earth."),
    ({"area": "atlantis"}, "area: There is no area with this code."),
    ({"email": "not an address"},
     "email: Enter an email address in the right format, like name@example.com."),
    ({"media_url": "javascript:alert(1)"}, "media_url: Give a web address that starts with http:// or https://."),
    ({"address_id": "x" * 65}, "address_id: Enter at most 64 characters."),
    ({"description": "Hole"}, "description: Describe the problem in at least 10 characters."),
    ({"attribute[size]": None}, "attribute[size]: Answer this question."),
    ({"attribute[size]": "gigantic"}, "attribute[size]: Choose one of the listed answers."),
]


@pytest.mark.parametrize("change, message", BAD_INPUT,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_c, m) in enumerate(BAD_INPUT)])
def test_bad_input_is_400_with_the_error_list(client, city, change, message):
    _key, secret = issue_key(city, department="roads")
    for fmt in ("json", "xml"):
        response = client.post(f"{BASE}/requests.{fmt}", data=form(secret, **change))
        assert response.status_code == 400, response.get_data(as_text=True)
        assert errors_of(response) == [(400, message)]
    assert city.session.scalar(select(Request.id)) is None


def test_every_problem_is_reported_at_once(client, city):
    _key, secret = issue_key(city, department="roads")
    response = client.post(f"{BASE}/requests.json", data=form(
        secret, address_string=None, email="nope", **{"attribute[size]": "huge"}))
    described = {d.split(":")[0] for _c, d in errors_of(response)}
    assert described == {"location", "email", "attribute[size]"}


def test_a_number_attribute_must_be_a_number(client, city):
    make_category(city, "tree", attributes=[
        {"code": "girth", "datatype": "number", "required": True, "order": 1,
         "description_i18n": {"en": "How thick is the trunk, in cm?"}, "values": []}])
    _key, secret = issue_key(city, department="roads")
    data = form(secret, service_code="tree", **{"attribute[size]": None, "attribute[girth]": "thick"})
    response = client.post(f"{BASE}/requests.xml", data=data)
    assert errors_of(response) == [(400, "attribute[girth]: Enter a number.")]
    data["attribute[girth]"] = "40"
    assert client.post(f"{BASE}/requests.xml", data=data).status_code == 200


def test_api_posts_need_no_csrf_token_even_when_forms_do(make_app, city):
    strict = make_app(WTF_CSRF_ENABLED=True)
    _key, secret = issue_key(city, department="roads")
    response = strict.test_client().post(f"{BASE}/requests.json", data=form(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
