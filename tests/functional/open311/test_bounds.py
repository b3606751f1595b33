"""Every Open311 input has a bound: each parameter of each resource (query string, form and
path) sent a huge integer, a NUL and other control characters, and 100 KB of text. Nothing
answers 500 on either database: control characters and over-long text are a 400 naming the
parameter, in the specification's error format; ids that cannot exist are a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.feedback.models import Request, RequestEvent
from portal.feedback.open311 import georeport as open311
from tests.functional.open311.conftest import as_json, as_xml, errors_of, issue_key, raise_request

BASE = "/open311/v2"
HUGE_INT = "99999999999999999999"
NUL = "a\x00b"
BIG = "x" * 100_000
HOSTILE = {"huge int": HUGE_INT, "NUL": NUL, "100 KB": BIG}

GET_PARAMETERS = {
    "discovery": ["locale"],
    "services": ["locale", "jurisdiction_id", "api_key"],
    "requests": ["service_request_id", "service_code", "start_date", "end_date", "status", "locale",
                 "jurisdiction_id", "api_key", "page", "page_size"],
    "servicerequestupdates": ["service_request_id", "start_date", "end_date", "locale", "api_key"],
}
POST_REQUEST_PARAMETERS = [
    "service_code", "lat", "long", "address_string", "address_id", "area", "email", "device_id",
    "account_id", "first_name", "last_name", "phone", "description", "media_url", "locale",
    "jurisdiction_id", "attribute[size]", "attribute[since]",
]
POST_UPDATE_PARAMETERS = [
    "service_request_id", "update_id", "status", "description", "updated_datetime", "media_url",
    "email", "first_name", "last_name", "account_id", "jurisdiction_id",
]


def answered_in_format(response, fmt: str):
    """The answer is the format asked, and never a 500."""
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    return as_json(response) if fmt == "json" else as_xml(response)


def assert_refused(response, fmt: str, value: str, parameter: str):
    answered_in_format(response, fmt)
    if value is HUGE_INT:
        assert response.status_code in (200, 400, 404), response.status_code
        return
    assert response.status_code == 400, (parameter, response.get_data(as_text=True)[:300])
    descriptions = [d for _code, d in errors_of(response)]
    name = "service_request_id" if parameter == "code" else parameter
    assert any(d.startswith(f"{name}: ") for d in descriptions), descriptions
    assert all(len(d) < 500 for d in descriptions)  # the value is never echoed back


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("kind", HOSTILE)
def test_every_query_parameter_of_every_read(client, city, fmt, kind):
    raise_request(city)
    value = HOSTILE[kind]
    for resource, names in GET_PARAMETERS.items():
        for name in names:
            response = client.get(f"{BASE}/{resource}.{fmt}", query_string={name: value})
            if name in ("page", "page_size") and kind == "huge int":
                assert response.status_code == 200  # not a parameter of this interface: ignored
                continue
            assert_refused(response, fmt, value, name)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("kind", HOSTILE)
def test_every_path_parameter(client, city, fmt, kind):
    value = HOSTILE[kind]
    for path, name in ((f"services/{value}", "service_code"), (f"requests/{value}", "code"),
                       (f"tokens/{value}", "token")):
        response = client.get(f"{BASE}/{path}.{fmt}")
        if kind == "huge int":
            assert response.status_code == 404
            answered_in_format(response, fmt)
        else:
            assert_refused(response, fmt, value, name)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("kind", HOSTILE)
def test_every_parameter_of_a_new_request(client, city, fmt, kind):
    _key, secret = issue_key(city, department="roads")
    value = HOSTILE[kind]
    base = {"api_key": secret, "service_code": "pothole", "address_string": "12 Hillside Road",
            "description": "A deep hole.", "attribute[size]": "small", "area": "north-hill"}
    before = city.session.scalar(select(Request.id).order_by(Request.id.desc()).limit(1))
    for name in POST_REQUEST_PARAMETERS:
        coordinates = {"lat": "29.65", "long": "91.13"} if name in ("lat", "long") else {}
        data = {**base, **coordinates, name: value}
        response = client.post(f"{BASE}/requests.{fmt}", data=data)
        assert_refused(response, fmt, value, name)
    if kind != "huge int":
        city.session.expire_all()
        assert city.session.scalar(select(Request.id).order_by(Request.id.desc()).limit(1)) == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("kind", HOSTILE)
def test_every_parameter_of_an_update(client, city, fmt, kind):
    item = raise_request(city)
    _key, secret = issue_key(city, department="roads")
    value = HOSTILE[kind]
    base = {"api_key": secret, "service_request_id": item.tracking_code, "update_id": "u-1",
            "status": "open", "description": "Crew on site."}
    for number, name in enumerate(POST_UPDATE_PARAMETERS):
        data = {**base, "update_id": f"u-{number}", name: value}
        response = client.post(f"{BASE}/servicerequestupdates.{fmt}", data=data)
        assert_refused(response, fmt, value, name)


def test_a_huge_description_is_refused_not_stored(client, city):
    item = raise_request(city)
    _key, secret = issue_key(city, department="roads")
    data = {"api_key": secret, "service_request_id": item.tracking_code, "update_id": "big",
            "status": "open"}
    too_long = client.post(f"{BASE}/servicerequestupdates.json",
                           data={**data, "description": "y" * 5001})
    assert too_long.status_code == 400
    assert errors_of(too_long) == [(400, "description: Enter at most 5000 characters.")]
    huge = client.post(f"{BASE}/servicerequestupdates.xml", data={**data, "description": "y" * 5_000_000})
    assert huge.status_code == 413 and errors_of(huge)[0][0] == 413
    city.session.expire_all()
    assert not city.session.scalars(select(RequestEvent).where(
        RequestEvent.request_id == item.id, RequestEvent.public_text.like("yyyy%"))).all()


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999", HUGE_INT, "181", "-180.5"])
def test_coordinates_that_are_not_on_earth(client, city, value):
    _key, secret = issue_key(city, department="roads")
    for lat, long in ((value, "91.13"), ("29.65", value)):
        response = client.post(f"{BASE}/requests.json", data={
            "api_key": secret, "service_code": "pothole", "lat": lat, "long": long,
            "description": "A deep hole.", "attribute[size]": "small"})
        assert response.status_code == 400, (lat, long)
        assert [d.split(":")[0] for _c, d in errors_of(response)] == ["lat"]


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "0000-01-01", "9999-12-31T23:59:59-05:00",
                                   "0001-01-01T00:00:00+05:00", HUGE_INT, "2026-05-01T25:00:00Z"])
def test_dates_out_of_range(client, city, value):
    for resource in ("requests", "servicerequestupdates"):
        for name in ("start_date", "end_date"):
            response = client.get(f"{BASE}/{resource}.json", query_string={name: value})
            assert response.status_code == 400, (resource, name, value)
            assert errors_of(response)[0][1].startswith(f"{name}: ")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:59:59Z"])
def test_the_ends_of_the_calendar_are_fine(client, city, value):
    for resource in ("requests", "servicerequestupdates"):
        for name in ("start_date", "end_date"):
            response = client.get(f"{BASE}/{resource}.json", query_string={name: value})
            assert response.status_code == 200, (resource, name, value)


def test_a_number_attribute_must_be_a_real_number(client, city):
    from tests.functional.open311.conftest import make_category

    make_category(city, "tree", attributes=[
        {"code": "girth", "datatype": "number", "required": True, "order": 1,
         "description_i18n": {"en": "Girth in cm"}}])
    _key, secret = issue_key(city, department="roads")
    for value in ("nan", "inf", "1e999"):
        response = client.post(f"{BASE}/requests.json", data={
            "api_key": secret, "service_code": "tree", "address_string": "Elm Park",
            "attribute[girth]": value})
        assert response.status_code == 400, value
        assert errors_of(response) == [(400, "attribute[girth]: Enter a number.")]


def test_too_many_ids_or_codes(client, city):
    ids = ",".join(f"R-2026-{n:06d}" for n in range(1001))
    response = client.get(f"{BASE}/requests.json", query_string={"service_request_id": ids})
    assert response.status_code == 400
    assert errors_of(response) == [
        (400, "service_request_id: Give at most 1000 values, separated by commas.")]
    many = client.get(f"{BASE}/requests.json", query_string={"service_request_id": ids.rsplit(",", 1)[0]})
    assert many.status_code == 200 and as_json(many) == []


def test_control_characters_in_a_parameter_name(client, city):
    response = client.get(f"{BASE}/services.json", query_string={"a\x00b": "1"})
    assert response.status_code == 400
    assert response.status_code == 400 and len(errors_of(response)) == 1
    long_name = client.get(f"{BASE}/services.json", query_string={"n" * 5000: "1"})
    assert long_name.status_code == 400


def test_line_breaks_are_fine_in_a_description_but_not_in_a_name(client, city):
    _key, secret = issue_key(city, department="roads")
    data = {"api_key": secret, "service_code": "pothole", "address_string": "12 Hillside Road",
            "description": "First line.\r\nSecond line.\tTabbed.", "attribute[size]": "small",
            "area": "north-hill"}
    assert client.post(f"{BASE}/requests.json", data=data).status_code == 200
    refused = client.post(f"{BASE}/requests.json", data={**data, "first_name": "Ra\nmi"})
    assert refused.status_code == 400
    assert [d.split(":")[0] for _c, d in errors_of(refused)] == ["first_name"]


def test_every_parameter_the_interface_reads_has_a_rule():
    read = set(GET_PARAMETERS["requests"]) | set(GET_PARAMETERS["servicerequestupdates"]) | set(
        POST_REQUEST_PARAMETERS) | set(POST_UPDATE_PARAMETERS)
    named = {n for n in read if not n.startswith("attribute[") and n not in ("page", "page_size")}
    assert named <= set(open311.PARAMETER_RULES)
    assert open311.rule_for("attribute[size][]") is open311.ATTRIBUTE_RULE
    assert open311.rule_for("page") is open311.OTHER_RULE
    assert all(rule.max_length <= 5000 for rule in open311.PARAMETER_RULES.values())
