"""Practice forms (portal/literacy/practice.py): sandbox copies of raising a request, commenting
and asking for information. Each looks and checks like the real form and never submits: a valid
POST writes no row in any table, queues no mail and indexes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core import outbox
from portal.extensions import db
from tests.conftest import csrf_token_from
from tests.functional.support import QueryCounter, page, title

BASE = "/en/learn/practice"
BACK = "/en/learn/bigger-text-and-keyboard/make-text-bigger/2"


@pytest.fixture
def place(factories):
    """One group with one category, a city with a district, a department and its rule."""
    group = factories.category_group(en="Streets")
    category = factories.service_category(code="pothole", group=group, en="Pothole")
    city = factories.area(code="city", en="River City")
    district = factories.area(code="north", parent=city, en="North District")
    department = factories.department(code="roads", en="Roads Office")
    factories.responsibility_rule(category, district, department)
    return {"category": category, "city": city, "district": district, "department": department}


def row_counts(session) -> dict[str, int]:
    """Rows of every table of the portal."""
    return {table.name: session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def valid_data(name: str, place) -> dict:
    if name == "request":
        return {"category": "pothole", "description": "A deep hole in the road by the bakery.",
                "title": "Hole in the road", "location_text": "12 Bakery Street",
                "area": str(place["district"].id), "contact_email": "me@example.org"}
    if name == "comment":
        return {"comment-body": "I agree: my mother needs a place to rest."}
    return {"description": "The minutes of the last council meeting about the park.",
            "department_id": str(place["department"].id), "delivery": "online",
            "visibility": "private"}


def errors(doc) -> dict[str, str]:
    """Each field's error message by the field's id."""
    return {node.get("id")[: -len("-error")]: node.text.replace("Error:", "").strip()
            for node in doc.find_all("p", class_="error-message")}


# --- the pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["request", "comment", "disclosure"])
def test_each_practice_page_has_the_banner_and_the_form(client, place, name):
    response = client.get(f"{BASE}/{name}?back={BACK}")
    assert response.status_code == 200
    doc = page(response)
    note = doc.one(role="note")
    assert "Practice form — nothing you type here is sent" in note.text
    assert note.one("a").get("href") == BACK
    assert doc.one("h1").text.startswith("Practice")
    form = doc.one("form", method="post")
    assert form.get("action") == f"/en/learn/practice/{name}?back={BACK}"
    assert "Cache-Control" not in response.headers or "public" not in response.headers["Cache-Control"]


def test_the_request_practice_shows_the_real_fields(client, place):
    doc = page(client.get(f"{BASE}/request"))
    assert doc.one("input", type="radio", name="category", value="pothole")
    for field in ("description", "title", "location_text", "area", "latitude", "longitude",
                  "contact_email", "contact_name", "contact_phone", "show_name"):
        assert doc.by_id(field) is not None, field
    assert doc.one("label", **{"for": "description"}).text == "Describe the problem"
    assert "(optional)" in doc.one("label", **{"for": "title"}).text
    assert "(optional)" not in doc.one("label", **{"for": "location_text"}).text
    assert doc.by_id("description-hint").text == \
        "What is wrong, since when, and anything that helps to find it."


def test_a_signed_in_learner_is_not_asked_for_contact_details(client, place, factories, login):
    login(factories.user())
    doc = page(client.get(f"{BASE}/request"))
    assert doc.by_id("contact_email") is None and doc.by_id("description") is not None


def test_the_comment_and_disclosure_practices_show_the_real_fields(client, place):
    doc = page(client.get(f"{BASE}/comment"))
    assert doc.one("label", **{"for": "comment-body"}).text == "Your comment"
    assert doc.one("main").one("button", type="submit").text == "Publish your comment"
    doc = page(client.get(f"{BASE}/disclosure"))
    assert doc.one("label", **{"for": "description"}).text == "The information you ask for"
    assert doc.by_id("department_id").one("option", value=str(place["department"].id)).text == \
        "Roads Office"
    assert "checked" in doc.one("input", name="delivery", value="online").attrs
    assert "20 working days" in doc.one("main").text


def test_the_disclosure_practice_finds_the_department(client, place):
    doc = page(client.get(f"{BASE}/disclosure?category_id={place['category'].id}"
                          f"&area_id={place['district'].id}&back={BACK}"))
    assert "Roads Office is in charge of “Pothole” in North District" in doc.one(role="status").text
    assert "selected" in doc.by_id("department_id").one(
        "option", value=str(place["department"].id)).attrs
    assert doc.one("main").one("form", method="get").one("input", name="back").get("value") == BACK


def test_an_unknown_practice_is_404(client):
    assert client.get(f"{BASE}/vote").status_code == 404
    assert client.post(f"{BASE}/vote", data={}).status_code == 404


# --- the way back ---------------------------------------------------------------------------

@pytest.mark.parametrize("back", [
    "https://evil.example/en/learn/x", "//evil.example/en/learn/x", "/en/requests/new",
    "/xx/learn/x", "/\\evil.example/en/learn/", "/en/learn/\t/x", "/en/learn/" + "a" * 600,
    "en/learn/x",
])
def test_a_bad_back_is_ignored(client, place, back):
    doc = page(client.get(f"{BASE}/comment", query_string={"back": back}))
    assert doc.one(role="note").one("a").get("href") == "/en/learn/"
    assert "back=" not in doc.one("form", method="post").get("action")


def test_back_may_be_a_lesson_in_any_locale(client, place):
    doc = page(client.get(f"{BASE}/comment", query_string={"back": "/ar/learn/c/l/1"}))
    assert doc.one(role="note").one("a").get("href") == "/ar/learn/c/l/1"


# --- checking what was typed ---------------------------------------------------------------

def test_an_invalid_request_keeps_what_was_typed_and_shows_the_errors(client, place):
    response = client.post(f"{BASE}/request?back={BACK}", data={
        "description": "Too short", "location_text": "", "latitude": "north",
        "contact_email": "not-an-email", "contact_name": "Ana"})
    assert response.status_code == 422
    doc = page(response)
    assert title(response).startswith("Error:")
    assert doc.one(role="alert").find("a") is not None
    found = errors(doc)
    assert found["category-streets".replace("streets", place["category"].group.code)] == \
        "Choose the category that fits best."
    assert found["area"] == "Choose the area, or “anywhere in the city”."
    assert found["contact_email"] == "Enter an email address in the right format, like name@example.com."
    assert found["latitude"].startswith("Enter the latitude as a number")
    assert doc.by_id("description").text == "Too short"
    assert doc.by_id("contact_name").get("value") == "Ana"
    assert doc.by_id("contact_email").get("value") == "not-an-email"


def test_the_request_practice_runs_the_trackers_own_checks(client, place):
    data = {**valid_data("request", place), "description": "Too short", "location_text": ""}
    doc = page(client.post(f"{BASE}/request", data=data))
    found = errors(doc)
    assert found["description"] == "Describe the problem in at least 10 characters."
    assert found["location_text"] == "Say where it is: an address or a description of the place."
    assert "checked" in doc.one("input", type="radio", value="pothole").attrs


def test_an_invalid_comment_and_disclosure_show_the_errors(client, place):
    response = client.post(f"{BASE}/comment", data={"comment-body": "   "})
    assert response.status_code == 422
    assert errors(page(response)) == {"comment-body": "This field is required."}
    response = client.post(f"{BASE}/comment", data={})
    assert errors(page(response)) == {"comment-body": "Write your comment."}
    response = client.post(f"{BASE}/disclosure", data={"purpose": "For my studies"})
    assert response.status_code == 422
    doc = page(response)
    assert errors(doc) == {
        "description": "Describe the information you ask for.",
        "department_id": "Choose the department you ask.",
        "delivery": "Choose how you want to receive the information.",
        "visibility": "Choose who may read the request.",
    }
    assert doc.by_id("purpose").text == "For my studies"


def test_a_department_that_does_not_exist_is_refused(client, place):
    data = {**valid_data("disclosure", place), "department_id": "999999"}
    response = client.post(f"{BASE}/disclosure", data=data)
    assert response.status_code == 422
    assert errors(page(response))["department_id"] == "Choose the department you ask."


@pytest.mark.parametrize(("name", "field"), [("request", "description"), ("comment", "comment-body"),
                                             ("disclosure", "description")])
def test_control_characters_are_refused_like_the_real_form(client, place, name, field):
    data = {**valid_data(name, place), field: "A hole\x00 in the road, quite deep."}
    response = client.post(f"{BASE}/{name}", data=data)
    assert response.status_code == 422
    assert errors(page(response))[field].startswith("Remove the invisible control characters")


@pytest.mark.parametrize(("name", "field", "limit"), [
    ("request", "description", 5000), ("comment", "comment-body", 4000),
    ("disclosure", "description", 4000)])
def test_huge_input_is_refused_like_the_real_form(client, place, name, field, limit):
    from portal.transparency.services import DESCRIPTION_MAX

    limit = DESCRIPTION_MAX if name == "disclosure" else limit
    data = {**valid_data(name, place), field: "x" * (limit + 1)}
    response = client.post(f"{BASE}/{name}", data=data)
    assert response.status_code == 422
    assert errors(page(response))[field] == f"Enter at most {limit} characters."


# --- never submits -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["request", "comment", "disclosure"])
def test_a_valid_practice_creates_nothing_and_sends_nothing(client, db_session, place, name):
    before = row_counts(db_session)
    # among them the ones a real submission writes besides its own: mail, search, the queue
    assert {"outbox_message", "mailbox_message", "search_document", "feedback_draft",
            "queue_item"} <= set(before)
    response = client.post(f"{BASE}/{name}?back={BACK}", data=valid_data(name, place))
    assert response.status_code == 200
    doc = page(response)
    assert "Well done — this was practice. Nothing was sent." in doc.one(role="status").text
    assert doc.find("p", class_="error-message") is None
    links = {a.text: a.get("href") for a in doc.one("main").find_all("a")}
    assert links["Back to the lesson"] == BACK
    outbox.drain(db_session)  # nothing queued, so nothing delivered either
    db_session.expire_all()
    assert row_counts(db_session) == before  # every table: requests, comments, search, outbox, mail


def test_a_valid_request_shows_an_example_tracking_code(client, place):
    doc = page(client.post(f"{BASE}/request", data=valid_data("request", place)))
    code = doc.one(class_="tracking-code").text
    assert code.startswith("R-") and code.endswith("-000123")
    assert "This is an example code: no request was made." in doc.text
    assert "we would email a link to me@example.org" in doc.text
    assert "“Pothole” in North District" in doc.text


def test_a_valid_disclosure_shows_when_the_answer_would_be_due(client, place):
    doc = page(client.post(f"{BASE}/disclosure", data=valid_data("disclosure", place)))
    assert "This is an example code: no request was made." in doc.text
    assert "The department you asked: Roads Office." in doc.text
    assert "the answer would be due by" in doc.text
    assert "Time allowed: 20 working days" in doc.text


def test_the_comment_is_shown_back_as_text(client, place):
    doc = page(client.post(f"{BASE}/comment", data={"comment-body": "<b>Yes</b> please"}))
    assert doc.one("p", class_="user-text").text == "<b>Yes</b> please"


# --- CSRF, for anonymous visitors too ------------------------------------------------------

@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_an_anonymous_visitor_practises_with_the_token_of_the_page(client, place, csrf_on):
    response = client.get(f"{BASE}/comment")
    assert any("portal_session=" in c for c in response.headers.getlist("Set-Cookie"))
    token = csrf_token_from(response.get_data(as_text=True))
    field = page(response).one("form", method="post").one("input", type="hidden").get("name")
    assert field == "comment-csrf_token"  # the real comment form's prefix
    assert client.post(f"{BASE}/comment", data={"comment-body": "Good idea."}).status_code == 400
    response = client.post(f"{BASE}/comment", data={"comment-body": "Good idea.", field: token})
    assert response.status_code == 200
    assert "Well done" in response.get_data(as_text=True)


def test_every_role_may_practise_and_still_nothing_is_made(client, db_session, place, factories,
                                                            login, any_role):
    """Practice is open to everyone (anonymous visitors too): no role is refused."""
    login(factories.user(roles=[any_role]))
    before = row_counts(db_session)
    response = client.post(f"{BASE}/comment", data=valid_data("comment", place))
    assert response.status_code == 200
    assert "Nothing was sent." in response.get_data(as_text=True)
    db_session.expire_all()
    assert row_counts(db_session) == before


# SELECTs a page may run (reference data: the categories, the areas, the departments; the
# calendar for a disclosure's deadline): a practice page never reads per row or per field.
QUERIES = {"request": (2, 3), "comment": (0, 0), "disclosure": (3, 4)}


@pytest.mark.parametrize("name", list(QUERIES))
def test_a_practice_page_runs_a_few_queries(client, place, name):
    data = valid_data(name, place)
    client.get(f"{BASE}/{name}")
    with QueryCounter(db.engine) as shown:
        client.get(f"{BASE}/{name}")
    with QueryCounter(db.engine) as checked:
        assert client.post(f"{BASE}/{name}", data=data).status_code == 200

    def selects(counter):
        return sum(1 for s in counter.statements if s.lstrip().upper().startswith("SELECT"))

    assert selects(shown) <= QUERIES[name][0], shown.statements
    assert selects(checked) <= QUERIES[name][1], checked.statements
