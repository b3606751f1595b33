# ruff: noqa: F811 (the fixtures city and resident come from test_submit)
"""Input bounds of the request tracker: control characters, numbers past a column, and the
error pages after a failed statement."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from portal.feedback.models import FeedbackDraft, Request
from tests.functional.feedback.test_submit import NEW, choose, city, details, field_error, resident  # noqa: F401
from tests.functional.support import page


def test_a_nul_in_the_title_is_an_error_beside_it_and_the_text_is_kept(client, city, resident):
    choose(client)
    response = client.post(f"{NEW}/details", data=details(city["areas"]["old-market"],
                                                           title="Pot\x00hole"))
    assert response.status_code == 422
    doc = page(response)
    assert "control characters" in field_error(doc, "title")
    assert doc.by_id("description").text.startswith("A deep pothole")  # what was typed is kept
    assert client.get(f"{NEW}/review").headers["Location"].endswith("/new/details")


def test_control_characters_in_a_text_area_and_an_answer_are_refused(client, city, resident):
    choose(client)
    response = client.post(f"{NEW}/details", data=details(
        city["areas"]["old-market"], description="A deep pothole\x1b[31m outside", attr_since="x\x00"))
    assert response.status_code == 422
    doc = page(response)
    assert "control characters" in field_error(doc, "description")
    assert "control characters" in field_error(doc, "attr_since")


def test_a_kept_draft_with_a_nul_is_refused_at_the_last_step_not_a_500(client, city, resident,
                                                                        db_session):
    choose(client)
    assert client.post(f"{NEW}/details", data=details(city["areas"]["old-market"])).status_code == 303
    draft = db_session.scalar(select(FeedbackDraft))
    draft.data = {**draft.data, "details": {**draft.data["details"], "title": "Pot\x00hole"},
                  "files_seen": True}
    db_session.commit()
    response = client.post(f"{NEW}/review")
    assert response.status_code == 422
    assert "control characters" in page(response).text
    assert db_session.scalar(select(Request.id)) is None


def test_a_nul_in_a_search_is_an_error_not_a_500(client, city):
    for url in ("/en/requests?q=a%00b", f"{NEW}/category?q=a%00b", "/en/requests?category=1%00"):
        response = client.get(url)
        assert response.status_code == 200, url
    doc = page(client.get("/en/requests?q=a%00b"))
    assert "control characters" in field_error(doc, "q")


def test_a_post_larger_than_the_portal_takes_is_a_translated_413(client, city, resident, app,
                                                                  monkeypatch):
    choose(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    for lang, heading in (("en", "The file is too large"), ("es", None)):
        response = client.post(f"/{lang}/requests/new/details",
                               data=details(city["areas"]["old-market"], description="x" * 5000))
        assert response.status_code == 413
        doc = page(response)
        assert doc.one("html").get("lang") == lang
        if heading:
            assert doc.one("h1").text == heading


def test_a_category_name_with_markup_characters_is_escaped_once(client, city, db_session):
    from portal.responsibility.models import ServiceCategory

    category = db_session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "pothole"))
    category.name_i18n = {**category.name_i18n, "en": "Fish & <Chips>"}
    category.description_i18n = {**(category.description_i18n or {}), "en": "Bread & <b>butter</b>"}
    db_session.commit()
    html = client.get(f"{NEW}/category").get_data(as_text=True)
    assert "Fish &amp; &lt;Chips&gt;" in html and "<Chips>" not in html
    assert "&amp;amp;" not in html and "&amp;lt;" not in html
    assert "Bread &amp; &lt;b&gt;butter&lt;/b&gt;" in html
    label = page(client.get(f"{NEW}/category")).one("input", value="pothole").parent.one("label")
    assert label.text.startswith("Fish & <Chips>")


def test_the_verification_page_shows_public_records_and_nothing_of_internal_events(
        client, city, app, db_session):
    from portal.feedback import services
    from portal.feedback.models import RequestEvent

    users = city["users"]
    resident, roads = users["resident"], users["roads"]
    with app.test_request_context():
        item = services.submit(db_session, resident, services.Submission(
            category=db_session.scalar(select(services.ServiceCategory)
                                       .where(services.ServiceCategory.service_code == "pothole")),
            area=city["areas"]["old-market"], title="Hole", answers={"size": "small"},
            description="A deep hole in the road near the school.", location_text="12 Hill Road"))
        # internal events as a staff assignment and a note leave them: a staff id in the data
        internal = services.record(db_session, item, roads, "assigned", internal_note="Rosa Roads",
                                   assignee=roads.id)
        services.record(db_session, item, roads, "note", internal_note="Crew B on Tuesday")
        db_session.commit()
    events = list(db_session.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                     .order_by(RequestEvent.seq)))
    response = client.get(f"/en/requests/{item.tracking_code}/verify")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    doc = page(response)
    assert doc.one(class_="banner").one("h2").text == "Not altered"
    for event in events:
        assert event.salt not in html
        assert event.created_at.isoformat(timespec="microseconds") not in html
        assert event.created_at.isoformat(timespec="seconds") not in html
    assert "Crew B" not in html and "Rosa Roads" not in html
    rows = doc.one("tbody").find_all("tr")
    internal_row = rows[internal.seq - 1]
    assert internal_row.find("details") is None and "Internal step" in internal_row.text
    assert internal_row.one("code").text == internal.hash
    public_row = rows[0]
    covered = public_row.one("details").one("samp").text
    assert hashlib.sha256(covered.encode()).hexdigest() == events[0].hash
    assert public_row.one("time").get("datetime") == events[0].created_at.isoformat(timespec="minutes") + "Z"
