"""Raising a request: the form in steps, with JavaScript off (plain posts) and htmx, as a
signed-in resident and as a visitor, with the draft, files, similar requests and routing."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from PIL import ExifTags, Image
from sqlalchemy import select

from portal.core import outbox
from portal.core.models import MailboxMessage, User, utcnow
from portal.feedback.models import Attachment, FeedbackDraft, Follower, Request
from portal.feedback.web import drafts
from portal.responsibility.models import Area
from portal.seed import DEMO_PASSWORD
from tests.conftest import csrf_token_from
from tests.functional.support import page, title
from tests.samples import pdf

NEW = "/en/requests/new"


def seed_city(app, db_session, requests: bool) -> dict:
    from portal.feedback import seed as feedback_seed
    from portal.seed import seed

    with app.test_request_context(), pytest.MonkeyPatch.context() as patch:
        if not requests:
            patch.setattr(feedback_seed, "seed_requests", lambda session: 0)
        seed(db_session)
    return {
        "areas": {a.code: a for a in db_session.scalars(select(Area))},
        "users": {u.email.split("@")[0]: u for u in db_session.scalars(select(User))},
    }


@pytest.fixture
def city(app, db_session):
    """The demo city: areas, departments, categories, the responsibility list, demo users."""
    return seed_city(app, db_session, requests=False)


@pytest.fixture
def busy_city(app, db_session):
    """The demo city with its dozen requests in every state (made through the services)."""
    return seed_city(app, db_session, requests=True)


@pytest.fixture
def resident(city, login):
    return login(city["users"]["resident"], password=DEMO_PASSWORD)


def jpeg_with_gps(width=64, height=48) -> bytes:
    image = Image.new("RGB", (width, height), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PocketCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def details(place, **overrides) -> dict:
    data = {
        "description": "A deep pothole outside the bakery; cyclists swerve into traffic.",
        "title": "Pothole outside the bakery", "location_text": "8 Market Street, by the bakery",
        "area": str(place.id), "attr_size": "large", "attr_since": "last week",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def choose(client, code="pothole"):
    response = client.post(f"{NEW}/category", data={"category": code})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    assert response.headers["Location"].endswith("/en/requests/new/details")


def upload(client, *files, action="upload"):
    data = {"files": [(io.BytesIO(content), name) for name, content in files], "action": action}
    return client.post(f"{NEW}/files", data=data, content_type="multipart/form-data")


def field_error(doc, field_id: str) -> str:
    error = doc.by_id(f"{field_id}-error")
    assert error is not None, f"no error beside {field_id}"
    return error.text


def the_draft(db_session) -> FeedbackDraft:
    db_session.expire_all()
    return db_session.scalar(select(FeedbackDraft).order_by(FeedbackDraft.id.desc()))


def newest_request(db_session) -> Request:
    db_session.expire_all()
    return db_session.scalar(select(Request).order_by(Request.id.desc()))


# --- the entry and the order of the steps --------------------------------------------------

def test_entry_page_explains_the_steps_and_the_visitor_hold(client, city):
    response = client.get(NEW)
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "Raise a request"
    assert doc.find("a", href="/en/requests/new/category") is not None
    assert "held until you follow it" in doc.text
    assert client.get("/zh-Hans/requests/new").status_code == 200


def test_later_steps_send_back_to_the_first_missing_one(client, city):
    for step in ("details", "files", "review"):
        response = client.get(f"{NEW}/{step}")
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/en/requests/new/category")
    choose(client)
    for step in ("files", "review"):
        assert client.get(f"{NEW}/{step}").headers["Location"].endswith("/new/details")


# --- 1. category ---------------------------------------------------------------------------

def test_categories_are_grouped_in_fieldsets_with_the_group_as_legend(client, city):
    doc = page(client.get(f"{NEW}/category"))
    legends = [f.one("legend").text for f in doc.find_all("fieldset")]
    assert legends[:3] == ["Streets and transport", "Environment and cleanliness", "Water"]
    radios = doc.find_all("input", type="radio", name="category")
    assert {r.get("value") for r in radios} == {"pothole", "streetlight", "litter", "noise",
                                               "water-leak", "other"}
    assert len({r.get("id") for r in radios}) == len(radios)  # ids unique across groups
    assert "Holes, cracks or sunken patches" in doc.text  # the description helps choosing


@pytest.mark.parametrize(("q", "expected"), [
    ("路灯", {"streetlight"}),          # Chinese, matched as a substring of name and keywords
    ("路灯坏了", {"streetlight"}),      # a longer run of Chinese, two characters at a time
    ("lamp", {"streetlight"}),          # a keyword
    ("BACHE", {"pothole"}),             # Spanish name, any case
    ("overflowing bins", {"litter"}),   # several words
    ("cycle lane", {"pothole"}),        # English keywords
    ("فرولا ضوضاء", {"noise"}),         # Arabic name
    # whole words and prefixes only: "tree" is not in "street light"
    ("tree", {"other"}),
    ("graffiti", {"other"}),
    ("pot", {"pothole"}),               # the start of a word
    ("lights", {"streetlight"}),        # a plural
    ("ÁRBOL", {"other"}),               # Spanish keyword, any case
    ("arbol caido", {"other"}),         # accents left out
    ("الحفرة", {"pothole"}),            # Arabic, with the article
    ("دەرەخ", {"other"}),               # Uyghur keyword
    ("涂鸦", {"other"}),                # Chinese keyword
    ("路燈", {"streetlight"}),          # Traditional Chinese name
    ("ལམ་སྒྲོན", {"streetlight"}),      # Tibetan: syllables
    ("ལྗོན་ཤིང་", {"other"}),           # Tibetan keyword with its final tsheg
    ("ཆུ་འཛག", {"water-leak"}),
])
def test_search_finds_categories_in_every_language(client, city, q, expected):
    response = client.get(f"{NEW}/category", query_string={"q": q})
    assert response.status_code == 200
    doc = page(response)
    shown = {r.get("value") for r in doc.find_all("input", type="radio")}
    assert shown == expected
    assert doc.by_id("category-count").get("role") == "status"
    assert "match" in doc.by_id("category-count").text


def test_search_without_match_says_so_and_offers_every_category(client, city):
    doc = page(client.get(f"{NEW}/category", query_string={"q": "xylophone"}))
    assert "No category matches “xylophone”" in doc.by_id("category-count").text
    assert len(doc.find_all("input", type="radio")) == 6


def test_search_with_htmx_returns_the_list_and_the_count_out_of_band(client, city):
    response = client.get(f"{NEW}/category", query_string={"q": "water"},
                          headers={"HX-Request": "true", "HX-Target": "category-choices"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<h1" not in html
    doc = page(response)
    assert doc.by_id("category-count").get("hx-swap-oob") == "true"
    assert {r.get("value") for r in doc.find_all("input", type="radio")} == {"water-leak"}
    full = page(client.get(f"{NEW}/category", query_string={"q": "water"}))
    form = full.one("main").one("form", role="search")  # not the header's site search
    assert form.get("hx-get") == "/en/requests/new/category" and form.get("method") == "get"
    assert form.get("hx-target") == "#category-choices"


def test_no_choice_is_an_error_beside_the_first_group(client, city):
    response = client.post(f"{NEW}/category", data={})
    assert response.status_code == 422
    assert title(response).startswith("Error:")
    doc = page(response)
    assert "Choose the category that fits best." in field_error(doc, "category-streets")
    summary = doc.one(class_="error-summary")
    assert summary.one("a").get("href") == "#category-streets-0"
    assert doc.by_id("category-streets-0") is not None
    response = client.post(f"{NEW}/category", data={"category": "not-a-category"})
    assert response.status_code == 422


def test_search_words_are_kept_when_the_choice_is_missing(client, city):
    response = client.post(f"{NEW}/category?q=lamp", data={})
    assert response.status_code == 422
    doc = page(response)
    assert doc.by_id("q").get("value") == "lamp"
    assert {r.get("value") for r in doc.find_all("input", type="radio")} == {"streetlight"}


# --- 2. details ----------------------------------------------------------------------------

def test_details_show_the_category_questions_and_areas_in_districts(client, city, resident):
    choose(client)
    doc = page(client.get(f"{NEW}/details"))
    legends = [f.one("legend").text for f in doc.find_all("fieldset")]
    assert any(text.startswith("How big is it?") for text in legends)
    assert {r.get("value") for r in doc.find_all("input", name="attr_size")} == {
        "small", "medium", "large"}
    since = doc.by_id("attr_since")
    assert doc.one("label", for_="attr_since").text.startswith("Since when has it been like this?")
    assert "(optional)" in doc.one("label", for_="attr_since").text and since.get("type") == "text"
    select_ = doc.by_id("area")
    groups = [g.get("label") for g in select_.find_all("optgroup")]
    assert sorted(groups) == ["Harbour District", "North District", "Old Town"]
    city_option = select_.find("option", value=str(city["areas"]["riverbend"].id))
    assert city_option is not None and "Riverbend" in city_option.text
    fish = select_.find("option", value=str(city["areas"]["harbour-fish"].id))
    assert "Fishers' Village" in fish.text and fish.get("lang") is None  # named in English too
    assert doc.by_id("contact_email") is None  # a signed-in resident is not asked
    assert doc.by_id("latitude").get("inputmode") == "decimal"
    coordinates = doc.one("fieldset", class_="submit-coordinates")
    assert "(optional)" in coordinates.one("legend").text


def test_details_errors_keep_everything_typed(client, city, resident):
    choose(client)
    typed = details(city["areas"]["old-market"], description="Hole", attr_size=None,
                    latitude="31.2", location_text="Market Street, opposite the bank")
    response = client.post(f"{NEW}/details", data=typed)
    assert response.status_code == 422
    assert title(response).startswith("Error:")
    doc = page(response)
    assert "at least 10 characters" in field_error(doc, "description")
    assert "Answer this question." in field_error(doc, "attr_size")
    assert "both latitude and longitude" in field_error(doc, "latitude")
    assert doc.by_id("description").text == "Hole"
    assert doc.by_id("location_text").get("value") == "Market Street, opposite the bank"
    assert doc.by_id("latitude").get("value") == "31.2"
    assert doc.by_id("area").find("option", selected=True).get("value") == typed["area"]
    summary = doc.one(class_="error-summary")
    hrefs = {a.get("href") for a in summary.find_all("a")}
    assert {"#description", "#attr_size-0", "#latitude"} <= hrefs
    # What was typed is in the draft too: leaving the step and coming back keeps it.
    doc = page(client.get(f"{NEW}/details"))
    assert doc.by_id("description").text == "Hole"
    assert doc.by_id("attr_since").get("value") == "last week"


def test_details_refuse_bad_numbers_and_unknown_areas(client, city, resident):
    choose(client)
    response = client.post(f"{NEW}/details", data=details(
        city["areas"]["old-market"], latitude="north", longitude="200", area="999999"))
    assert response.status_code == 422
    doc = page(response)
    assert "latitude as a number" in field_error(doc, "latitude")
    assert "from -180 to 180" in field_error(doc, "longitude")
    assert "Choose one of the listed areas." in field_error(doc, "area")
    assert doc.by_id("latitude").get("value") == "north"
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"], area=""))
    assert "Choose the area" in field_error(page(response), "area")


def test_visitor_must_give_an_email_address(client, city):
    choose(client)
    doc = page(client.get(f"{NEW}/details"))
    assert doc.by_id("contact_email") is not None and "held until you follow it" in doc.text
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"]))
    assert response.status_code == 422
    assert "Enter your email address" in field_error(page(response), "contact_email")
    response = client.post(f"{NEW}/details", data=details(
        city["areas"]["old-market"], contact_email="not-an-address"))
    assert "right format" in field_error(page(response), "contact_email")


def test_changing_the_category_asks_the_new_questions_again(client, city, resident, db_session):
    choose(client, "streetlight")
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"]))
    assert response.status_code == 303
    choose(client, "pothole")  # this one has a required question about the size
    assert client.get(f"{NEW}/review").headers["Location"].endswith("/new/details")
    assert the_draft(db_session).data["details"]["description"].startswith("A deep pothole")


@pytest.fixture
def survey_category(city, db_session):
    """A category asking one question of every Open311 datatype."""
    from portal.responsibility.models import CategoryGroup, ServiceCategory

    def q(code, datatype, text, required=False, values=()):
        return {"code": code, "datatype": datatype, "required": required, "order": len(text),
                "description_i18n": {"en": text, "es": text + " (es)"},
                "values": [{"key": k, "name_i18n": {"en": k.title()}} for k in values]}

    category = ServiceCategory(
        service_code="tree", group=db_session.scalar(select(CategoryGroup)),
        name_i18n={"en": "Fallen tree"}, description_i18n={"en": "A tree or big branch down."},
        attributes=[q("girth", "number", "Trunk width in cm", required=True),
                    q("story", "text", "What happened to it?"),
                    q("when", "datetime", "When did it fall?"),
                    q("blocks", "multivaluelist", "What does it block?", values=("road", "path")),
                    q("danger", "singlevaluelist", "Is anyone in danger?", required=True,
                      values=("yes", "no"))])
    db_session.add(category)
    db_session.commit()
    return category


def test_every_kind_of_question_is_asked_and_checked(client, city, resident, survey_category,
                                                     db_session):
    choose(client, "tree")
    doc = page(client.get(f"{NEW}/details"))
    assert doc.by_id("attr_girth").get("inputmode") == "decimal"
    assert doc.by_id("attr_story").tag == "textarea"
    assert doc.by_id("attr_when").get("type") == "datetime-local"
    assert {i.get("type") for i in doc.find_all("input", name="attr_blocks")} == {"checkbox"}
    assert {i.get("type") for i in doc.find_all("input", name="attr_danger")} == {"radio"}
    assert "(optional)" not in doc.one("label", for_="attr_girth").text
    assert "(optional)" in doc.one("label", for_="attr_story").text
    place = city["areas"]["old-market"]
    bad = details(place, attr_size=None, attr_since=None, attr_girth="wide", attr_when="yesterday",
                  attr_blocks=["road", "river"])
    response = client.post(f"{NEW}/details", data=bad)
    assert response.status_code == 422
    doc = page(response)
    assert "Enter a number." in field_error(doc, "attr_girth")
    assert "Enter a date and time." in field_error(doc, "attr_when")
    assert "Choose from the listed answers." in field_error(doc, "attr_blocks")
    assert "Answer this question." in field_error(doc, "attr_danger")
    assert doc.by_id("attr_girth").get("value") == "wide"
    good = details(place, attr_size=None, attr_since=None, attr_girth="45", attr_story="Storm.",
                   attr_when="2026-03-01T14:30", attr_blocks=["road", "path"], attr_danger="no")
    assert client.post(f"{NEW}/details", data=good).status_code == 303
    doc = page(client.get(f"{NEW}/review"))
    summary = doc.one("dl", class_="summary-list").text
    assert "Trunk width in cm45" in summary and "Road and Path" in summary, summary
    client.post(f"{NEW}/review")
    item = newest_request(db_session)
    assert item.answers == {"girth": "45", "story": "Storm.", "when": "2026-03-01T14:30",
                            "blocks": ["road", "path"], "danger": "no"}
    assert item.lead_department.code == "dispatch"  # no rule for it: the dispatcher has it


# --- 3. files ------------------------------------------------------------------------------

@pytest.fixture
def at_files(client, city, resident):
    choose(client)
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"]))
    assert response.status_code == 303 and response.headers["Location"].endswith("/new/files")


def test_photo_is_kept_without_its_location(client, at_files, db_session):
    response = upload(client, ("bakery.jpeg", jpeg_with_gps()))
    assert response.status_code == 303
    key = the_draft(db_session).key
    stored = db_session.scalar(select(Attachment).where(Attachment.draft_key == key))
    assert stored.content_type == "image/jpeg" and stored.filename == "bakery.jpg"
    image = Image.open(io.BytesIO(stored.data))
    assert image.size == (64, 48)
    assert not image.getexif() and b"Exif" not in stored.data and b"PocketCam" not in stored.data
    thumbnail = Image.open(io.BytesIO(stored.thumbnail))  # made once, at upload
    assert thumbnail.format == "JPEG" and thumbnail.size == (64, 48) and not thumbnail.getexif()
    doc = page(client.get(f"{NEW}/files"))
    table = doc.one("table")
    assert "bakery.jpg" in table.text and "KB" in table.text
    assert table.one("caption").text == "Files added: 1 of 5"


def test_fake_photo_oversized_file_and_sixth_file_are_refused(client, at_files, db_session, app,
                                                              monkeypatch):
    response = upload(client, ("photo.jpg", b"just some text, not a photo"))
    assert response.status_code == 422
    assert "photo.jpg is not a photo" in field_error(page(response), "files")
    monkeypatch.setitem(app.config, "FEEDBACK_MAX_FILE_BYTES", 2000)
    big = jpeg_with_gps(800, 600) + b"\0" * 4000
    response = upload(client, ("big.jpg", big))
    assert response.status_code == 422
    assert "larger than" in field_error(page(response), "files")
    monkeypatch.setitem(app.config, "FEEDBACK_MAX_FILE_BYTES", 5 * 1024 * 1024)
    five = [(f"p{i}.jpg", jpeg_with_gps()) for i in range(5)]
    assert upload(client, *five).status_code == 303
    response = upload(client, ("sixth.jpg", jpeg_with_gps()))
    # the page no longer offers the upload, but a post is refused all the same
    assert response.status_code == 422
    assert "up to 5 files" in field_error(page(response), "files")
    key = the_draft(db_session).key
    assert db_session.scalar(select(Attachment.id).where(Attachment.filename == "sixth.jpg")) is None
    doc = page(client.get(f"{NEW}/files"))
    assert doc.find("input", type="file") is None and "Remove one to add another" in doc.text
    assert len(db_session.scalars(select(Attachment).where(Attachment.draft_key == key)).all()) == 5


def test_files_stay_after_an_error_and_can_be_removed(client, at_files, db_session):
    upload(client, ("one.pdf", pdf()))
    response = upload(client, ("two.jpg", b"GIF89a not really"), ("three.png", jpeg_with_gps()))
    assert response.status_code == 422  # one bad file: the good one is still added
    doc = page(response)
    names = doc.one("table").text
    assert "one.pdf" in names and "three.jpg" in names  # named by what it really is
    file_id = db_session.scalar(select(Attachment.id).where(Attachment.filename == "one.pdf"))
    response = client.post(f"{NEW}/files/{file_id}/remove")
    assert response.status_code == 303
    assert "one.pdf" not in page(client.get(f"{NEW}/files")).one("table").text


def test_too_much_at_once_is_explained_on_the_page(client, at_files, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = upload(client, ("big.jpg", b"\xff" * 5000))
    assert response.status_code == 413
    doc = page(response)
    assert "too large together" in field_error(doc, "files")
    assert doc.one("h1").text == "Add photos or PDFs"


def test_continue_uploads_the_chosen_files_too(client, at_files, db_session):
    response = upload(client, ("late.jpg", jpeg_with_gps()), action="continue")
    assert response.status_code == 303 and response.headers["Location"].endswith("/new/review")
    assert db_session.scalar(select(Attachment.id).where(Attachment.filename == "late.jpg"))


# --- 4. review, send, confirmation ---------------------------------------------------------

def test_resident_sends_and_the_responsibility_list_routes_it(client, city, resident, db_session):
    choose(client)
    area = city["areas"]["old-market"]  # Old Town: the district's rule names its office
    assert client.post(f"{NEW}/details", data=details(area, latitude="47.01",
                                                       longitude="8.01")).status_code == 303
    upload(client, ("bakery.jpg", jpeg_with_gps()))
    response = client.get(f"{NEW}/review")
    assert response.status_code == 200
    doc = page(response)
    assert doc.find("section", class_="submit-panel") is None  # nothing similar is open
    summary = doc.one("dl", class_="summary-list")
    for expected in ("Pothole or damaged road", "Pothole outside the bakery", "8 Market Street",
                     "Market Square", "Larger than a metre", "last week", "bakery.jpg",
                     "47.01, 8.01"):
        assert expected in summary.text, expected
    changes = {a.get("href") for a in summary.find_all("a")}
    assert changes == {"/en/requests/new/category", "/en/requests/new/details",
                       "/en/requests/new/files"}
    response = client.post(f"{NEW}/review")
    assert response.status_code == 303
    item = newest_request(db_session)
    assert response.headers["Location"].endswith(f"/en/requests/{item.tracking_code}/submitted")
    assert item.resident_id == city["users"]["resident"].id and item.state == "routed"
    assert item.lead_department.code == "old-town-office"
    assert item.answers == {"size": "large", "since": "last week"}
    assert (item.latitude, item.longitude) == (47.01, 8.01) and item.source_locale == "en"
    files = db_session.scalars(select(Attachment).where(Attachment.request_id == item.id)).all()
    assert [f.filename for f in files] == ["bakery.jpg"] and files[0].draft_key is None
    assert db_session.scalar(select(FeedbackDraft.id)) is None  # the draft is gone
    # the confirmation page: the code, who has it, by when
    response = client.get(response.headers["Location"])
    assert response.status_code == 200
    doc = page(response)
    assert doc.one(class_="tracking-code").text == item.tracking_code
    assert re.fullmatch(r"R-\d{4}-\d{6}", item.tracking_code)
    assert "Old Town District Office" in doc.text
    due = doc.one("time")
    assert due.get("datetime") == item.ack_due_at.isoformat() + "Z"
    assert doc.find("a", href=f"/en/requests/{item.tracking_code}") is not None
    # sending again (back button) does not make a second request
    assert client.post(f"{NEW}/review").headers["Location"].endswith("/new/category")


def test_confirmation_page_is_only_for_the_browser_that_sent_it(client, city, resident, app,
                                                                 db_session):
    choose(client, "noise")
    client.post(f"{NEW}/details", data=details(city["areas"]["north-maple"]))
    client.post(f"{NEW}/review")
    code = newest_request(db_session).tracking_code
    assert client.get(f"/en/requests/{code}/submitted").status_code == 200
    assert app.test_client().get(f"/en/requests/{code}/submitted").status_code == 404


def test_visitor_request_is_held_until_the_emailed_link_is_followed(client, city, db_session):
    choose(client, "water-leak")
    data = details(city["areas"]["harbour-quay"], contact_email="visitor@example.net",
                   contact_name="Vera Visitor", contact_phone="555 0199", show_name="y")
    assert client.post(f"{NEW}/details", data=data).status_code == 303
    doc = page(client.get(f"{NEW}/review"))
    assert "visitor@example.net" in doc.text and "Vera Visitor" in doc.text
    response = client.post(f"{NEW}/review")
    assert response.status_code == 303
    item = newest_request(db_session)
    assert item.state == "unconfirmed" and item.resident_id is None
    assert item.contact_email == "visitor@example.net" and item.lead_department_id is None
    assert item.show_name and (item.contact_name, item.contact_phone) == ("Vera Visitor", "555 0199")
    doc = page(client.get(response.headers["Location"]))
    assert doc.one("h1").text == "Check your email to confirm your request"
    assert doc.one(class_="tracking-code").text == item.tracking_code
    assert client.get(f"/en/requests/{item.tracking_code}").status_code == 404  # not public yet

    outbox.drain(db_session)
    mail = db_session.scalar(select(MailboxMessage).where(
        MailboxMessage.recipient == "visitor@example.net"))
    link = re.search(r"https?://[^/\s]+(/en/requests/confirm/[\w-]+)", mail.body).group(1)
    response = client.get(link)
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "Your request is confirmed"
    db_session.expire_all()
    item = db_session.get(Request, item.id)
    assert item.state == "routed" and item.lead_department.code == "water"
    assert "Water Utility" in doc.text
    assert client.get(link).status_code == 200  # following it again does no harm
    assert client.get(f"/en/requests/{item.tracking_code}").status_code == 200


def test_a_bad_confirmation_link_is_a_clear_404(client, city):
    response = client.get("/en/requests/confirm/not-a-real-token")
    assert response.status_code == 404
    doc = page(response)
    assert doc.one("h1").text == "This confirmation link does not work"
    assert doc.find("a", href="/en/requests/new") is not None


# --- similar requests: "is it one of these?" -----------------------------------------------

def describe_bins(client, city):
    choose(client, "litter")
    data = details(city["areas"]["old-market"], title="Overflowing bins",
                   description="The bins on the market square overflow after the market.")
    data.update(contact_email="someone@example.net")
    assert client.post(f"{NEW}/details", data=data).status_code == 303


def test_resident_follows_a_similar_request_instead(client, busy_city, factories, login,
                                                     db_session):
    neighbour = login(factories.user())
    describe_bins(client, busy_city)
    doc = page(client.get(f"{NEW}/review"))
    similar = doc.one("section", class_="submit-panel")
    assert similar.one("h2").text == "Is it one of these?"
    original = db_session.scalar(select(Request).where(
        Request.title == "Bins overflowing after the market"))
    form = similar.one("form", action=f"/en/requests/new/follow/{original.tracking_code}")
    assert "Follow this one instead" in form.text
    before = original.followers_count
    requests_before = db_session.scalar(select(Request.id).order_by(Request.id.desc()))
    response = client.post(form.get("action"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/en/requests/{original.tracking_code}")
    db_session.expire_all()
    assert db_session.scalar(select(Follower).where(Follower.request_id == original.id,
                                                    Follower.user_id == neighbour.id))
    assert db_session.get(Request, original.id).followers_count == before + 1
    assert db_session.scalar(select(Request.id).order_by(Request.id.desc())) == requests_before
    assert db_session.scalar(select(FeedbackDraft.id)) is None


def test_visitor_is_asked_to_log_in_to_follow(client, busy_city, db_session):
    describe_bins(client, busy_city)
    doc = page(client.get(f"{NEW}/review"))
    similar = doc.one("section", class_="submit-panel")
    assert similar.find("form") is None
    logins = [a for a in similar.find_all("a") if a.get("href", "").startswith("/en/account/login")]
    assert logins and "Log in to follow this one instead" in logins[0].text
    code = db_session.scalar(select(Request.tracking_code).where(
        Request.title == "Bins overflowing after the market"))
    response = client.post(f"{NEW}/follow/{code}")
    assert response.status_code == 303 and "/account/login" in response.headers["Location"]


# --- the draft -----------------------------------------------------------------------------

def test_entry_offers_to_continue_or_discard_a_draft(client, city, resident, db_session):
    choose(client)
    doc = page(client.get(NEW))
    assert doc.find("a", href="/en/requests/new/details").text == "Continue your request"
    response = client.post(f"{NEW}/discard")
    assert response.status_code == 303
    assert db_session.scalar(select(FeedbackDraft.id)) is None
    assert page(client.get(NEW)).find("a", href="/en/requests/new/category") is not None


def test_a_draft_is_only_its_owners(client, city, resident, factories, db_session):
    choose(client)
    draft = the_draft(db_session)
    assert draft.user_id == city["users"]["resident"].id
    assert drafts.get(db_session, draft.key, factories.user()) is None
    assert drafts.get(db_session, draft.key, None) is None
    assert drafts.get(db_session, draft.key, city["users"]["resident"]) == draft


def test_stale_drafts_and_their_files_are_discarded(db_session, app):
    with app.test_request_context():
        old = drafts.create(db_session, None)
        fresh = drafts.create(db_session, None)
        from portal.feedback import attachments

        attachments.add(db_session, "a.pdf", pdf(), draft_key=old.key)
        attachments.add(db_session, "b.pdf", pdf(), draft_key=fresh.key)
        db_session.commit()
        old.updated_at = utcnow() - timedelta(days=8)
        db_session.commit()
        assert drafts.discard_stale(db_session) == 1
    db_session.expire_all()
    assert [d.key for d in db_session.scalars(select(FeedbackDraft))] == [fresh.key]
    assert [a.filename for a in db_session.scalars(select(Attachment))] == ["b.pdf"]


def test_csrf_is_required(client, city, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"{NEW}/category", data={"category": "pothole"})
    assert response.status_code == 400
    assert "The form had expired" in page(response).text
    token = csrf_token_from(client.get(f"{NEW}/category").get_data(as_text=True))
    response = client.post(f"{NEW}/category", data={"category": "pothole", "csrf_token": token})
    assert response.status_code == 303
    for path in ("/new/discard", "/new/follow/R-2026-000001", "/new/files/1/remove"):
        assert client.post(f"/en/requests{path}").status_code in (303, 400), path


def test_submitting_is_rate_limited_per_address(make_app, db_session):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    for attempt in range(20):  # a draft with its steps missing is sent back to them, and counted
        assert client.post("/ar/requests/new/review", data={}).status_code == 303, attempt
    refused = client.post("/ar/requests/new/review", data={})
    assert refused.status_code == 429
    assert refused.headers.get("Retry-After")
    body = refused.get_data(as_text=True)
    assert 'dir="rtl"' in body
    with limited.test_request_context(), force_locale("ar"):
        heading = gettext("Too many attempts")
    assert heading != "Too many attempts" and heading in body
    # another address is not held back
    other = limited.test_client()
    assert other.post("/ar/requests/new/review", data={},
                      environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 303
