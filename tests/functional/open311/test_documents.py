"""What a request's document says: ``media_url`` when the request has a public photo,
``status_notes`` from the department (never the resident's own comment); XML that stays
well-formed whatever the stored text holds; the format is the URL's suffix, whatever Accept says."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import update

from portal.feedback import services
from portal.feedback.models import Attachment, Request, RequestEvent
from tests.functional.open311.conftest import as_json, as_xml, both, errors_of, parse_xml, raise_request

BASE = "/open311/v2"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def attach(city, item, content_type="image/png", data=None, before=True, event_id=None) -> Attachment:
    """A file of ``item``: uploaded with it (``before``), or by staff afterwards."""
    data = data or png()
    file = Attachment(request_id=item.id, filename="hole.png", content_type=content_type, size=len(data),
                      sha256="0" * 64, data=data, event_id=event_id,
                      created_at=item.created_at + timedelta(seconds=-5 if before else 5))
    city.session.add(file)
    city.session.commit()
    return file


def one(client, item, fmt="json", locale="en") -> dict:
    status, data, _root = both(client, f"{BASE}/requests/{item.tracking_code}.{{fmt}}?locale={locale}",
                               item="request")
    assert status == 200
    (row,) = data
    listed = [r for r in as_json(client.get(f"{BASE}/requests.json?locale={locale}"))
              if r["service_request_id"] == item.tracking_code]
    assert listed == [row]  # the list and the single request say the same
    return row


# --- media_url ---------------------------------------------------------------------------------

def test_media_url_is_the_public_photo(client, city):
    item = raise_request(city)
    assert one(client, item)["media_url"] is None
    photo = attach(city, item)
    url = one(client, item)["media_url"]
    assert url == f"http://localhost/en/requests/{item.tracking_code}/files/{photo.id}"
    assert one(client, item, locale="zh-Hant")["media_url"].startswith("http://localhost/zh-Hant/requests/")
    served = client.get(url.removeprefix("http://localhost"))
    assert served.status_code == 200 and served.content_type == "image/png"


def test_media_url_leaves_out_what_is_not_public(client, city):
    item = raise_request(city)
    attach(city, item, before=False)  # staff's file for a reply not sent yet
    attach(city, item, content_type="application/pdf", data=b"%PDF-1.4 ...")  # not a photo
    assert one(client, item)["media_url"] is None


def test_a_clients_own_media_url_comes_first(client, city):
    item = raise_request(city)
    attach(city, item)
    city.session.execute(update(Request).where(Request.id == item.id).values(
        media_url="https://photos.example.org/hole.jpg"))
    city.session.commit()
    assert one(client, item)["media_url"] == "https://photos.example.org/hole.jpg"


# --- status_notes ------------------------------------------------------------------------------

def test_status_notes_are_the_departments_latest_public_answer(client, city):
    roads, resident = city.users["roads"], city.users["resident"]
    item = raise_request(city)
    assert one(client, item)["status_notes"] is None  # nothing said yet by the department
    services.note(city.session, roads, item, "Internal: the crew is busy.")
    assert one(client, item)["status_notes"] is None  # internal notes are never public
    services.acknowledge(city.session, roads, item, "We will inspect it this week.")
    assert one(client, item)["status_notes"] == "We will inspect it this week."
    services.answer(city.session, roads, item, "The hole was filled.")
    services.respond(city.session, resident, item, False, 1, "It is still there, deeper than before.")
    row = one(client, item)
    assert row["status"] == "open"  # reopened by the resident
    assert row["status_notes"] == "The hole was filled."  # not the resident's comment


def test_status_notes_skip_the_residents_information(client, city):
    roads, resident = city.users["roads"], city.users["resident"]
    item = raise_request(city)
    services.ask_for_information(city.session, roads, item, "Which side of the road?")
    services.provide_information(city.session, resident, item, "The north side, by the bus stop.")
    assert one(client, item)["status_notes"] == "Which side of the road?"


# --- XML: escaped, and only characters XML 1.0 allows --------------------------------------------

def stored_text(city) -> str:
    """Text with control characters, stored before the parameter rules (PostgreSQL refuses
    NUL in text; SQLite keeps it)."""
    nul = "\x00" if city.session.get_bind().dialect.name == "sqlite" else ""
    return (f"Hole{nul}\x01\x08\x0b\x0c\x1b\x7f\x85 <b>&amp;</b> ]]> \"quoted\" 'single' \ufffe end"
            "\r\nnext\tline")


@pytest.mark.parametrize("resource", ["requests", "servicerequestupdates"])
def test_xml_strips_what_xml_cannot_hold_and_escapes_the_rest(client, city, resource):
    roads = city.users["roads"]
    item = raise_request(city)
    text = stored_text(city)
    services.acknowledge(city.session, roads, item, "Seen.")
    city.session.execute(update(Request).where(Request.id == item.id).values(description=text))
    city.session.execute(update(RequestEvent).where(RequestEvent.request_id == item.id)
                         .values(public_text=text))
    city.session.commit()
    response = client.get(f"{BASE}/{resource}.xml")
    assert response.status_code == 200
    body = response.data
    assert not any(bytes([c]) in body for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20)))
    root = parse_xml(body)  # well-formed
    descriptions = [e.text for e in root.iter("description")]
    expected = "Hole <b>&amp;</b> ]]> \"quoted\" 'single'  end\nnext\tline"
    assert expected in descriptions, descriptions
    # JSON keeps the stored text, escaped as JSON escapes it
    data = as_json(client.get(f"{BASE}/{resource}.json"))
    assert text in [row["description"] for row in data]


def test_xml_error_descriptions_are_clean_too(client, city):
    response = client.get(f"{BASE}/requests/R\x01\x02.xml")
    assert response.status_code == 400
    parse_xml(response.data)


# --- the format is the suffix ------------------------------------------------------------------

@pytest.mark.parametrize("fmt, accept", [("json", "text/xml"), ("xml", "application/json"),
                                         ("json", "text/html"), ("xml", "*/*")])
def test_the_suffix_decides_the_format_not_accept(client, city, fmt, accept):
    raise_request(city)
    response = client.get(f"{BASE}/requests.{fmt}", headers={"Accept": accept})
    assert response.status_code == 200
    (as_json if fmt == "json" else as_xml)(response)
    error = client.get(f"{BASE}/requests.{fmt}?status=sleeping", headers={"Accept": accept})
    assert error.status_code == 400 and errors_of(error)[0][0] == 400
    (as_json if fmt == "json" else as_xml)(error)


@pytest.mark.parametrize("path", ["requests.html", "requests.JSON", "requests", "requests.json.xml.csv"])
def test_a_format_this_interface_does_not_offer_is_a_404_in_json(client, city, path):
    response = client.get(f"{BASE}/{path}", headers={"Accept": "text/xml"})
    assert response.status_code == 404
    assert errors_of(response) == [(404, "There is nothing here: discovery.json lists what this "
                                         "interface offers.")]
    assert response.content_type == "application/json; charset=utf-8"
