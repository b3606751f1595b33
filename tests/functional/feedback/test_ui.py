"""What residents meet in the request pages: decimal commas, errors said once, directions,
the visitor's wording."""

from __future__ import annotations

import pytest

from tests.functional.feedback.test_submit import choose, city, details, field_error, resident, the_draft  # noqa: F401
from tests.functional.support import page

ES = "/es/requests/new"


def test_spanish_decimal_commas_are_coordinates(client, city, resident, db_session):  # noqa: F811
    assert client.post(f"{ES}/category", data={"category": "pothole"}).status_code == 303
    response = client.post(f"{ES}/details", data=details(
        city["areas"]["old-market"], latitude="47,0105", longitude="8,0104"))  # in Market Square
    assert response.status_code == 303, page(response).text
    saved = the_draft(db_session).data["details"]
    assert (float(saved["latitude"]), float(saved["longitude"])) == (47.0105, 8.0104)
    doc = page(client.get(f"{ES}/details"))
    assert doc.by_id("latitude").get("value") == "47,0105"  # shown as Spanish writes it
    assert doc.by_id("longitude").get("dir") == "ltr"      # a minus would stay in front in RTL


def test_a_bad_number_is_said_once_beside_its_field_and_once_in_the_summary(client, city, resident):  # noqa: F811
    choose(client)
    response = client.post("/en/requests/new/details", data=details(
        city["areas"]["old-market"], latitude="north", longitude="200"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = "Enter the latitude as a number from -90 to 90, like 31.2304."
    assert field_error(page(response), "latitude").count(message) == 1
    assert html.count(message) == 2  # beside the field, and in the summary


def test_free_text_inputs_take_the_direction_of_what_is_typed(client, city, resident):  # noqa: F811
    choose(client)
    doc = page(client.get("/ar/requests/new/details"))
    for field_id in ("description", "title", "location_text"):
        assert doc.by_id(field_id).get("dir") == "auto", field_id


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_visitor_form_points_where_the_box_is(client, city, lang):  # noqa: F811
    client.post(f"/{lang}/requests/new/category", data={"category": "pothole"})
    response = client.get(f"/{lang}/requests/new/details")
    doc = page(response)
    html = response.get_data(as_text=True)
    hint = doc.by_id("contact_name-hint")
    assert hint is not None
    if lang == "en":
        assert "below" in hint.text and "above" not in hint.text
    # the box the hint means comes after the name field
    assert html.index('id="contact_name"') < html.index('id="show_name"')


def test_user_text_keeps_its_direction_on_arabic_pages(client, app, db_session):
    from sqlalchemy import select

    from portal.feedback.models import Request
    from tests.functional.feedback.test_submit import seed_city

    seed_city(app, db_session, requests=True)
    item = db_session.scalar(select(Request).where(Request.title == "Deep pothole outside the school"))
    doc = page(client.get(f"/ar/requests/{item.tracking_code}"))
    h1 = doc.one("h1")
    assert h1.one("bdi", lang="en").text == item.title  # isolated inside the Arabic heading
    assert h1.find(class_="request-code").get("dir") == "ltr"
    body = doc.by_id("request-body")
    location = next(dd for dd in body.find_all("dd") if "Hillside Road" in dd.text)
    assert location.get("dir") == "auto"  # "## Hillside Road, by the school gate" reads LTR
    assert all(p.get("dir") == "auto" for p in body.find_all("p", class_="request__text"))
    assert any(b.text.strip() for b in body.find_all("bdi"))  # the resident's and staff's names
    listing = page(client.get("/ar/requests"))
    cell = next(td for td in listing.find_all("td") if td.text == item.title)
    assert cell.get("dir") == "auto"


@pytest.fixture
def busy(app, db_session):
    from tests.functional.feedback.test_submit import seed_city

    seed_city(app, db_session, requests=True)
    from sqlalchemy import select

    from portal.feedback.models import Request

    return db_session.scalar(select(Request).where(Request.title == "Deep pothole outside the school"))


def test_the_home_box_finds_a_request_by_its_code(client, busy):
    code = busy.tracking_code
    number = int(code.rsplit("-", 1)[1])
    for typed in (code, code.lower(), f" r {code[2:6]} {number} "):
        response = client.get("/en/requests/find", query_string={"code": typed})
        assert response.status_code == 303, typed
        assert response.headers["Location"] == f"/en/requests/{code}"


@pytest.mark.parametrize(("typed", "query"), [
    ("pothole school", "q=pothole+school"),   # words: the list's search
    ("R-2031-999999", "q=R-2031-999999"),     # a well-formed code nobody has
])
def test_anything_else_goes_to_the_list_search(client, busy, typed, query):
    response = client.get("/en/requests/find", query_string={"code": typed})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/requests?{query}"


@pytest.mark.parametrize(("typed", "message"), [
    ("R-20x6-000042", "A tracking code is R, the year and the request's number"),
    ("R-2026", "A tracking code is R, the year and the request's number"),
    ("", "Enter a tracking code, like R-2026-000042."),
    ("R-2026-\x00", "Remove the invisible control characters"),
    ("x" * 101, "Enter at most 100 characters."),
])
def test_a_malformed_code_gets_its_error_beside_the_field(client, busy, typed, message):
    response = client.get("/en/requests/find", query_string={"code": typed})
    assert response.status_code == 422
    doc = page(response)
    assert message in field_error(doc, "code")
    if "\x00" not in typed:
        assert doc.by_id("code").get("value", "") == typed  # kept as typed
    assert doc.one(class_="error-summary").find("a", href="#code") is not None
    assert response.get_data(as_text=True).count(message.split("'")[0]) == 2  # beside it, in the summary


def test_the_find_page_without_a_code_just_asks(client, busy):
    response = client.get("/ar/requests/find")
    assert response.status_code == 200
    assert page(response).by_id("code-error") is None
