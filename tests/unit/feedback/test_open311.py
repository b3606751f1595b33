"""Open311 helpers: dates, serialising to JSON and XML, reading attributes and tokens, error
lists, and a department's system acting in the closed loop."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from portal.core.errors import Forbidden, Invalid, NotFound
from portal.feedback import services
from portal.feedback.open311 import georeport as open311
from portal.feedback.open311.georeport import ApiError
from tests.functional.open311.conftest import parse_xml

# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2026-05-01T14:30:00Z", datetime(2026, 5, 1, 14, 30)),
    ("2026-05-01T14:30:00+08:00", datetime(2026, 5, 1, 6, 30)),
    ("2026-05-01T14:30:00-05:00", datetime(2026, 5, 1, 19, 30)),
    ("2026-05-01T14:30Z", datetime(2026, 5, 1, 14, 30)),
    ("2026-05-01T14:30:00.250Z", datetime(2026, 5, 1, 14, 30, 0, 250000)),
    ("2026-05-01T14:30:00", datetime(2026, 5, 1, 14, 30)),  # no zone: UTC
    ("2026-05-01", datetime(2026, 5, 1)),
    (" 2026-05-01 ", datetime(2026, 5, 1)),
    ("", None), (None, None),
])
def test_parse_datetime(text, expected):
    assert open311.parse_datetime(text, "start_date") == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "2026-05-01 14:30", "01/05/2026",
                                  "2026-05-01T25:00:00Z", "2026-05-01T14:30:00+8", "20260501"])
def test_malformed_dates_name_their_parameter(app, text):
    with app.test_request_context(), pytest.raises(Invalid) as caught:
        open311.parse_datetime(text, "end_date")
    assert list(caught.value.errors) == ["end_date"]
    assert "W3C" in str(caught.value.errors["end_date"][0])


def test_w3c_times():
    assert open311.w3c(datetime(2026, 5, 1, 14, 30, 5, 999)) == "2026-05-01T14:30:05Z"
    assert open311.w3c(None) is None


def test_start_after_end_is_refused(app):
    with app.test_request_context(), pytest.raises(Invalid) as caught:
        open311.parse_request_query(None, MultiDict({"start_date": "2026-06-01", "end_date": "2026-05-01"}))
    assert list(caught.value.errors) == ["start_date"]


def test_codes_and_locales():
    assert open311.parse_codes(" R-1, ,r-2,") == ["R-1", "r-2"]
    assert open311.parse_codes(None) == []
    assert open311.locale_code("zh-TW") == "zh-Hant"
    assert open311.locale_code("ar-EG") == "ar"
    assert open311.locale_code("fr") == "en"
    assert open311.locale_code(None) == "en"


# --- serialising ---------------------------------------------------------------------------

def test_xml_lists_are_named_after_what_they_hold():
    data = {"service_code": "tree", "attributes": [
        {"variable": True, "required": False, "order": 1, "values": [{"key": "a", "name": "A & B <c>"}]}]}
    body = open311.to_xml(data, "service_definition")
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<service_definition>')
    root = parse_xml(body)
    attribute = root.find("attributes/attribute")
    assert attribute.find("variable").text == "true" and attribute.find("required").text == "false"
    assert attribute.find("order").text == "1"
    assert attribute.find("values/value/name").text == "A & B <c>"  # escaped, and read back


def test_xml_lists_of_entries_empty_values_and_text_xml_cannot_hold():
    body = open311.to_xml([{"token": "t1", "service_request_id": None},
                           {"token": "t2", "service_request_id": "R-1"}], "service_requests", "request")
    root = parse_xml(body)
    assert [r.tag for r in root] == ["request", "request"]
    assert root[0].find("service_request_id").text is None
    assert root[1].find("service_request_id").text == "R-1"
    body = open311.to_xml([{"description": "bell\x07 and 中文 and عربي"}], "service_requests", "request")
    assert parse_xml(body).find("request/description").text == "bell and 中文 and عربي"


def test_json_keeps_types_and_unicode():
    body = open311.to_json([{"metadata": True, "lat": 29.65, "zipcode": None, "name": "路灯"}])
    assert "路灯" in body.decode()
    assert json.loads(body) == [{"metadata": True, "lat": 29.65, "zipcode": None, "name": "路灯"}]


def test_error_documents(app):
    with app.test_request_context():
        response = open311.error_response("xml", ApiError(405, allow=["GET", "HEAD"]))
        assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"
        root = parse_xml(response.data)
        assert root.tag == "errors" and root.find("error/code").text == "405"
        response = open311.error_response("json", ApiError(400, "a: one", "b: two"))
        assert json.loads(response.data) == [{"code": 400, "description": "a: one"},
                                             {"code": 400, "description": "b: two"}]


def test_service_errors_become_the_specifications_errors(app):
    with app.test_request_context():
        error = open311.api_error(Invalid({"contact_email": ["Enter it."], "": ["Not now."],
                                           "attribute[size]": ["Choose."], "text": ["Longer."]}))
        assert error.status == 400
        assert [str(d) for d in error.descriptions] == [
            "email: Enter it.", "Not now.", "attribute[size]: Choose.", "description: Longer."]
        assert open311.api_error(Forbidden()).status == 403
        assert open311.api_error(NotFound()).status == 404


# --- reading attributes --------------------------------------------------------------------

class Category:
    attributes = [
        {"code": "size", "datatype": "singlevaluelist"}, {"code": "blocks", "datatype": "multivaluelist"},
        {"code": "since", "datatype": "string"}, {"code": "girth", "datatype": "number"},
    ]


def test_parse_attributes():
    form = MultiDict([("attribute[size]", "small"), ("attribute[blocks][]", "road"),
                      ("attribute[blocks][]", "path"), ("attribute[since]", " May "),
                      ("attribute[since]", "June"), ("attribute[girth]", ""), ("attribute[color]", "red"),
                      ("attributes[size]", "x"), ("description", "text")])
    assert open311.parse_attributes(Category, form) == {
        "size": "small", "blocks": ["road", "path"], "since": "May, June"}
    # One multivaluelist value without [] is a list too; two values for one choice stay two.
    form = MultiDict([("attribute[blocks]", "road"),
                      ("attribute[size]", "small"), ("attribute[size]", "large")])
    assert open311.parse_attributes(Category, form) == {"blocks": ["road"], "size": ["small", "large"]}


# --- tokens --------------------------------------------------------------------------------

def test_tokens_are_signed_with_the_secret_key(app, monkeypatch):
    class Held:
        id = 42

    with app.test_request_context():
        token = open311.token_for(Held)
        assert token.startswith("42-") and len(token) == 35
        assert open311.token_for(Held) == token
        monkeypatch.setitem(app.config, "SECRET_KEY", "another secret")
        assert open311.token_for(Held) != token


# --- a department's system in the loop -----------------------------------------------------

@pytest.fixture
def loop(city, db_session):
    city.session = db_session
    return city


def test_a_department_system_handles_only_its_departments_requests(loop, db_session):
    item = services.submit(db_session, loop.users["resident"], services.Submission(
        category=loop.categories["pothole"], area=loop.areas["north-hill"], title="Hole",
        description="A deep hole in the road near the school.", location_text="Hillside",
        answers={"size": "small"}))
    roads = services.DepartmentSystem(department_id=loop.departments["roads"].id, key_id=1)
    water = services.DepartmentSystem(department_id=loop.departments["water"].id, key_id=2)
    assert services.handles(db_session, roads, item)
    assert not services.handles(db_session, water, item)
    with pytest.raises(Forbidden):
        services.acknowledge(db_session, water, item)
    event = services.acknowledge(db_session, services.DepartmentSystem(
        department_id=loop.departments["roads"].id, key_id=1, data=(("update_id", "U-1"),)), item, "Seen.")
    assert event.actor_id is None and event.actor_role == "staff"
    assert event.data["open311_key"] == 1 and event.data["update_id"] == "U-1"
    assert services.verify(db_session, item).ok
    with pytest.raises(Invalid):
        services.post_update(db_session, roads, item, "   ")
    update = services.post_update(db_session, roads, item, "Crew booked for Monday.")
    assert update.kind == "update" and update.to_state == "acknowledged" and update.public_text


def test_submitting_as_a_department_system_routes_at_once(loop, db_session):
    system = services.DepartmentSystem(department_id=loop.departments["water"].id, key_id=7)
    item = services.submit(db_session, system, services.Submission(
        category=loop.categories["litter"], area=loop.areas["old-market"], title="",
        description="Bins overflowing after the market.", location_text="Market Square",
        media_url="https://example.org/bins.jpg"))
    assert item.state == "routed" and item.resident_id is None and item.contact_email is None
    assert item.contact_name is None and item.media_url == "https://example.org/bins.jpg"


# --- the parameter rules -------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [
    ("description", "x" * 5001), ("description", "a\x00b"), ("first_name", "line\nbreak"),
    ("service_code", ",".join(["pothole"] * 101)), ("service_request_id", "R-" + "9" * 30),
    ("attribute[size]", "x" * 1001), ("page", "9" * 1001), ("locale", "\x7f"), ("lat", "\x85"),
])
def test_a_value_out_of_bounds_names_its_parameter(app, name, value):
    with app.test_request_context(), pytest.raises(Invalid) as caught:
        open311.check_parameters(MultiDict({name: value}))
    assert list(caught.value.errors) == [name]


@pytest.mark.parametrize("name, value", [
    ("description", "x" * 5000), ("description", "Two\r\nlines\tand a tab"),
    ("service_code", ",".join(["pothole"] * 100)), ("page", "99999999999999999999"),
    ("first_name", "رامي\u200c"), ("address_string", "\u200f12 شارع"),  # joiners, marks: kept
])
def test_values_within_bounds_pass(app, name, value):
    with app.test_request_context():
        open311.check_parameters(MultiDict({name: value}))


def test_every_value_of_a_repeated_parameter_is_checked(app):
    with app.test_request_context(), pytest.raises(Invalid) as caught:
        open311.check_parameters(MultiDict([("description", "fine"), ("description", "a\x00")]))
    assert list(caught.value.errors) == ["description"]


def test_xml_text_strips_what_xml_cannot_hold():
    body = open311.to_xml([{"d": "a\x00\x1b\x7f\x85\ud800\ufffe\uffffb\t\n<&>"}], "root", "item")
    assert parse_xml(body).find("item/d").text == "ab\t\n<&>"
