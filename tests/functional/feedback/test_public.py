"""The public tracker: the list, a request's page, what its resident does, following,
verifying the timeline (page and command), and the queries a page costs."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from portal.core.calendar import CalendarDay, set_day
from portal.core.models import User, utcnow
from portal.core.notifications import Notification
from portal.feedback import attachments, services
from portal.feedback.models import Attachment, Follower, Request, RequestEvent
from portal.seed import DEMO_PASSWORD
from tests.functional.support import QueryCounter, page, title
from tests.samples import pdf as sample_pdf

# --- the demo city ---------------------------------------------------------------------------

@pytest.fixture
def city(app, db_session):
    """The demo city: departments, areas, categories, rules, calendar, demo users and ten
    requests in every state, made through the services."""
    from portal.responsibility.models import Area, Department, ServiceCategory
    from portal.seed import seed

    with app.test_request_context():
        seed(db_session)

    class City:
        session = db_session
        users = {u.email.split("@")[0]: u for u in db_session.scalars(select(User))}
        areas = {a.code: a for a in db_session.scalars(select(Area))}
        departments = {d.code: d for d in db_session.scalars(select(Department))}
        categories = {c.service_code: c for c in db_session.scalars(select(ServiceCategory))}

        @staticmethod
        def request(title_start: str) -> Request:
            db_session.expire_all()
            return db_session.scalar(select(Request).where(Request.title.startswith(title_start)))

    return City


@pytest.fixture
def act(app):
    """Run a service as the portal would (inside a request context, so links can be built)."""

    def _act(fn, *args, **kwargs):
        with app.test_request_context():
            return fn(*args, **kwargs)

    return _act


@pytest.fixture
def log_in(client):
    def _log_in(user):
        response = client.post("/en/account/login", data={"email": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        return user

    return _log_in


def submit(act, city, user, category="pothole", area="north-hill", **kw):
    return act(services.submit, city.session, user, services.Submission(
        category=city.categories[category], area=city.areas[area],
        title=kw.pop("title", "Loose kerb stone"),
        description=kw.pop("description", "A kerb stone has come loose and rocks when stepped on."),
        location_text=kw.pop("location_text", "Hillside Road"), answers=kw.pop("answers", {"size": "small"}),
        **kw))


def answered(act, city, user=None, **kw) -> Request:
    """A request of the demo resident (or ``user``), answered by the roads department."""
    item = submit(act, city, user or city.users["resident"], **kw)
    act(services.answer, city.session, city.users["roads"], item, "The kerb stone was fixed in place today.")
    return item


def codes_in(response) -> list[str]:
    doc = page(response)
    return [a.text for a in doc.find_all("a", class_="request-code")]


def html(response) -> str:
    return response.get_data(as_text=True)


# --- the public list -----------------------------------------------------------------------

def test_list_shows_public_requests_newest_first_with_their_columns(client, city, act):
    visitor = submit(act, city, None, contact_email="visitor@example.org")  # held until confirmed
    response = client.get("/en/requests")
    assert response.status_code == 200
    assert title(response).startswith("Requests – ")
    doc = page(response)
    table = doc.one("table")
    assert table.one("caption").text == "Requests"
    headers = [th.text for th in table.find_all("th", scope="col")]
    assert headers == ["Tracking code", "Title", "Category", "Area", "Status", "Raised", "Followers"]
    public = list(city.session.scalars(
        select(Request.tracking_code).where(Request.state_type != "pending").order_by(Request.id.desc())))
    assert codes_in(response) == public
    assert visitor.tracking_code not in html(response)
    market = city.request("市场路面塌陷")
    row = next(tr for tr in table.find_all("tr") if market.tracking_code in tr.text)
    cells = row.find_all("td")
    assert cells[1].get("lang") == "zh-Hant" and cells[1].text == "市场路面塌陷"
    assert cells[2].text == "Pothole or damaged road" and cells[3].text == "Market Square"
    assert cells[4].text == "Reopened" and cells[4].find("strong", class_="tag")
    assert cells[5].one("time").get("datetime").startswith(market.created_at.date().isoformat())
    followed = city.request("Bins overflowing")
    row = next(tr for tr in table.find_all("tr") if followed.tracking_code in tr.text)
    assert followed.followers_count == 2 and row.find_all("td")[6].text == "2"  # two "me too"s


def test_list_filters_by_category_area_hierarchy_status_and_department(client, city):
    session = city.session

    def expected(*conditions):
        return set(session.scalars(select(Request.tracking_code).where(
            Request.state_type != "pending", *conditions)))

    pothole = city.categories["pothole"]
    response = client.get("/en/requests", query_string={"category": pothole.id})
    assert set(codes_in(response)) == expected(Request.category_id == pothole.id) != set()
    assert page(response).one("select", id="category").find("option", selected=True).text == \
        "Pothole or damaged road"

    # A district includes its communities.
    old_town = city.areas["old-town"]
    communities = [city.areas["old-market"].id, city.areas["old-bridge"].id]
    response = client.get("/en/requests", query_string={"area": old_town.id})
    found = set(codes_in(response))
    assert found == expected(Request.area_id.in_([old_town.id, *communities]))
    assert len(found) >= 4

    response = client.get("/en/requests", query_string={"state": "closed"})
    assert set(codes_in(response)) == expected(Request.state_type == "closed")
    assert set(codes_in(client.get("/en/requests?state=paused"))) == \
        {city.request("Water bubbling").tracking_code}

    water = city.departments["water"]
    response = client.get("/en/requests", query_string={"department": water.id})
    assert set(codes_in(response)) == expected(Request.lead_department_id == water.id) != set()

    response = client.get("/en/requests", query_string={"category": pothole.id, "state": "closed"})
    assert codes_in(response) == [city.request("Deep pothole").tracking_code]

    # Nonsense in the query string is ignored, not an error.
    response = client.get("/en/requests?category=abc&state=nope&area=&before=x")
    assert response.status_code == 200 and len(codes_in(response)) == 11  # every demo request


def test_search_by_english_words_and_by_a_two_character_chinese_word(client, city):
    school = city.request("Deep pothole").tracking_code
    response = client.get("/en/requests", query_string={"q": "pothole school"})
    assert codes_in(response) == [school]
    assert page(response).one("input", id="q").get("value") == "pothole school"
    assert codes_in(client.get("/en/requests", query_string={"q": "pothole bicycle"})) == []

    response = client.get("/zh-Hans/requests", query_string={"q": "路面"})
    assert codes_in(response) == [city.request("市场路面塌陷").tracking_code]
    response = client.get("/zh-Hant/requests", query_string={"q": "施工"})
    assert codes_in(response) == [city.request("夜间施工噪音").tracking_code]
    response = client.get("/en/requests", query_string={"q": "公园"})
    assert codes_in(response) == []
    assert "No requests match your search" in html(response)

    # A tracking code finds its request.
    code = city.request("Dog barking").tracking_code
    assert codes_in(client.get("/en/requests", query_string={"q": code.lower()})) == [code]


def test_list_pages_by_keyset_and_keeps_the_filters(client, city, factories):
    roads, hill = city.departments["roads"], city.areas["north-hill"]
    made = factories.feedback_requests(25, city.categories["streetlight"], hill, roads, title="Lamp")
    response = client.get("/en/requests", query_string={"q": "lamp"})
    first = codes_in(response)
    assert first == [r.tracking_code for r in reversed(made)][:20]
    older = page(response).one("a", rel="next").get("href")
    assert "q=lamp" in older and f"before={made[5].id}" in older
    second = client.get(older)
    assert codes_in(second) == [r.tracking_code for r in reversed(made[:5])]
    assert page(second).find("a", rel="next") is None
    newer = page(second).one("a", rel="prev").get("href")
    assert codes_in(client.get(newer)) == first


def test_list_htmx_returns_the_results_fragment(client, city):
    response = client.get("/en/requests", query_string={"q": "pothole"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = html(response)
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    # The full page carries the same fragment, and the form also works without JavaScript.
    doc = page(client.get("/en/requests"))
    form = doc.one("main").one("form", role="search")  # not the header's site search
    assert form.get("method") == "get" and form.get("action") == "/en/requests"
    assert form.get("hx-get") == "/en/requests" and form.get("hx-target") == "#results"
    assert doc.by_id("results") is not None


# --- personal data stays out of public pages -----------------------------------------------

def test_names_emails_phones_and_address_numbers_are_masked(client, city, act):
    resident = city.users["resident"]
    item = submit(act, city, resident, title="Cracked paving", contact_phone="+1 555 0199 321",
                  location_text="88 Elm Street, flat 5")
    for url in ("/en/requests", f"/en/requests/{item.tracking_code}"):
        body = html(client.get(url))
        assert item.tracking_code in body
        for secret in (resident.display_name, resident.email, "555 0199", "88 Elm", "flat 5"):
            assert secret not in body, (url, secret)
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert "## Elm Street, flat #" in doc.text
    details = doc.find_all("dl", class_="summary-list")[0]
    raised_by = next(d for d in details.find_all("div") if d.one("dt").text == "Raised by")
    assert raised_by.one("dd").text == "A resident"

    # A resident who chose to show their name is named; their email never.
    shown = city.request("Deep pothole")
    body = html(client.get(f"/en/requests/{shown.tracking_code}"))
    assert "Rami Resident" in body and resident.email not in body
    assert "## Hillside Road" in body and "12 Hillside" not in body


def test_staff_are_named_by_their_department_never_by_their_own_name(client, city):
    item = city.request("Deep pothole")
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    body = doc.text
    assert "Rosa Roads" not in body and "roads@riverbend" not in body
    events = doc.one("ol", class_="timeline").find_all("li", class_="timeline__item")
    heads = [e.one("p", class_="timeline__head").text for e in events]
    assert heads[0].startswith("Request submitted – Rami Resident")
    assert heads[1].startswith("Sent to the responsible department – The portal")
    assert heads[2].startswith("Acknowledged by the department – Roads and Transport Bureau")
    assert heads[3].startswith("Answered – Roads and Transport Bureau")
    assert "The pothole was filled" in doc.one("div", class_="request-answer").text
    assert events[2].one("p", class_="timeline__text").get("lang") == "en"
    # After a reassignment the new department speaks.
    bridge = city.request("Three street lights")
    text = page(client.get(f"/en/requests/{bridge.tracking_code}")).text
    assert ("Returned to the dispatcher: not this department's responsibility – "
            "Roads and Transport Bureau") in text
    assert "Reassigned to another department – Citizen Service Dispatch Centre" in text
    assert "Department: Old Town District Office" in text


def test_pending_and_unknown_requests_are_not_found(client, city, act):
    visitor = submit(act, city, None, contact_email="visitor@example.org")
    assert client.get(f"/en/requests/{visitor.tracking_code}").status_code == 404
    assert client.get(f"/en/requests/{visitor.tracking_code}/verify").status_code == 404
    assert client.get("/en/requests/R-1999-000001").status_code == 404
    code = city.request("Deep pothole").tracking_code
    response = client.get(f"/en/requests/{code.lower()}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/en/requests/{code}")


# --- deadlines and how they were worked out -------------------------------------------------

def test_deadlines_show_how_they_were_computed_with_holidays_by_name(client, city, act):
    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5 or city.session.get(CalendarDay, day) is not None:
        day += timedelta(days=1)
    set_day(city.session, day, False, {"en": "Founders' Day", "zh-Hans": "建城日"})
    city.session.commit()
    item = submit(act, city, city.users["resident"], category="litter", area="riverbend")
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    deadlines = doc.one("dl", class_="deadlines")
    terms = [dt.text for dt in deadlines.find_all("dt")]
    assert terms == ["Acknowledge by", "Answer by"]
    resolve = deadlines.find_all("div", class_="deadline")[1]
    how = resolve.one("details")
    assert how.one("summary").text == "How this deadline was worked out"
    assert "Time allowed: 3 working days" in how.text
    assert f"{day.isoformat()}" in [t.get("datetime") for t in how.find_all("time")]
    assert "public holiday, Founders' Day" in how.text
    zh = page(client.get(f"/zh-Hans/requests/{item.tracking_code}"))
    assert "建城日" in zh.find_all("div", class_="deadline")[1].text
    ack = deadlines.find_all("div", class_="deadline")[0]
    assert "Time allowed: 8 working hours, counting only office hours (09:00 to 17:00)" in ack.text


def test_the_extension_and_its_public_reason_are_explained(client, city):
    item = city.request("夜间施工噪音")
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    resolve = doc.find_all("div", class_="deadline")[1]
    assert "Extended once, by 5 working days." in resolve.text
    reason = resolve.one("q")
    assert reason.get("lang") == "zh-Hans" and reason.text.startswith("需要与施工单位")
    timeline = doc.one("ol", class_="timeline").text
    assert "Deadline extended" in timeline and "Extended by 5 working days." in timeline


# --- the resident's actions ----------------------------------------------------------------

def test_resolved_answer_closes_the_request(client, city, act, log_in):
    item = answered(act, city)
    log_in(city.users["resident"])
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    actions = doc.by_id("actions")
    legends = [lg.text for lg in actions.find_all("legend")]
    assert legends[0].startswith("Was the problem resolved?")
    assert legends[1].startswith("How satisfied are you")
    assert len(actions.find_all("input", name="satisfaction")) == 5
    response = client.post(f"/en/requests/{item.tracking_code}/respond",
                           data={"resolved": "yes", "satisfaction": "4", "comment": "Thank you!"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/en/requests/{item.tracking_code}")
    item = city.session.get(Request, item.id)
    assert item.state == "closed_resolved" and item.resolved is True and item.satisfaction == 4
    doc = page(client.get(response.headers["Location"]))
    assert "Thank you. The request is closed as resolved." in doc.text
    assert "Closed: resolved" in doc.one("p", class_="request__status").text
    assert "Satisfaction: 4 out of 5" in doc.one("ol", class_="timeline").text


def test_unresolved_answer_reopens_with_priority(app, client, city, act, log_in):
    item = answered(act, city)
    log_in(city.users["resident"])
    response = client.post(f"/en/requests/{item.tracking_code}/respond",
                           data={"resolved": "no", "satisfaction": "1", "comment": "Still loose."})
    assert response.status_code == 303
    item = city.session.get(Request, item.id)
    assert item.state == "reopened" and item.priority is True and item.resolved is False
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    status = doc.one("p", class_="request__status").text
    # priority is internal in the classification table: the resident does not see the tag
    assert "Reopened" in status and "Priority" not in status
    assert "The resident reopened the request, so the time was counted again" in doc.text
    staff = app.test_client()  # the staff handling it do
    staff.post("/en/account/login", data={"email": city.users["roads"].email, "password": DEMO_PASSWORD})
    status = page(staff.get(f"/en/requests/{item.tracking_code}")).one("p", class_="request__status").text
    assert "Reopened" in status and "Priority" in status


def test_respond_errors_are_shown_beside_both_questions(client, city, act, log_in):
    item = answered(act, city)
    log_in(city.users["resident"])
    response = client.post(f"/en/requests/{item.tracking_code}/respond", data={"comment": "Hmm"})
    assert response.status_code == 422
    assert title(response).startswith("Error: ")
    doc = page(response)
    assert "Say whether the problem was resolved." in doc.by_id("resolved-error").text
    assert "Choose how satisfied you are, from 1 to 5." in doc.by_id("satisfaction-error").text
    summary = doc.one(class_="error-summary")
    assert {a.get("href") for a in summary.find_all("a")} == {"#resolved-0", "#satisfaction-0"}
    assert doc.by_id("comment").text == "Hmm"  # nothing typed is lost
    assert city.session.get(Request, item.id).state == "answered"


def test_respond_with_htmx_returns_the_updated_request_body(client, city, act, log_in):
    item = answered(act, city)
    log_in(city.users["resident"])
    response = client.post(f"/en/requests/{item.tracking_code}/respond",
                           data={"resolved": "yes", "satisfaction": "5"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = html(response)
    assert body.lstrip().startswith('<div id="request-body"') and "<html" not in body
    doc = page(response)
    assert "Thank you. The request is closed as resolved." in doc.one(class_="banner").text
    assert "Closed: resolved" in doc.one("p", class_="request__status").text
    # Errors come back in the fragment too (htmx swaps only 2xx answers).
    other = answered(act, city)
    response = client.post(f"/en/requests/{other.tracking_code}/respond", data={"resolved": "no"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert page(response).by_id("satisfaction-error") is not None


def test_providing_information_resumes_the_clock(client, city, act, log_in):
    item = submit(act, city, city.users["resident"])
    act(services.ask_for_information, city.session, city.users["roads"], item, "Which side of the road?")
    # The question was asked a week ago: the working days it waited are added to the deadline.
    item = city.session.get(Request, item.id)
    item.paused_at = utcnow() - timedelta(days=7)
    city.session.commit()
    due_before = item.resolve_due_at
    log_in(city.users["resident"])
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert doc.by_id("actions").one("blockquote").text == "Which side of the road?"
    assert "Paused: waiting for the resident" in doc.find_all("div", class_="deadline")[1].text
    response = client.post(f"/en/requests/{item.tracking_code}/information", data={"text": "The north side."})
    assert response.status_code == 303
    item = city.session.get(Request, item.id)
    assert item.state == "in_progress" and item.paused_at is None
    assert item.resolve_due_at > due_before
    paused = item.deadline_explanation["changes"][-1]
    assert paused["kind"] == "paused" and paused["working_days"] >= 4
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert "The clock stopped while the department waited for the resident" in doc.text
    assert "Information provided by the resident" in doc.one("ol", class_="timeline").text
    # An empty answer is refused beside the field.
    act(services.ask_for_information, city.session, city.users["roads"], item, "And the colour?")
    response = client.post(f"/en/requests/{item.tracking_code}/information", data={"text": "  "})
    assert response.status_code == 422
    assert "Write your answer." in page(response).by_id("text-error").text


def test_withdraw_has_a_confirmation_step_and_an_optional_public_reason(client, city, act, log_in):
    item = submit(act, city, city.users["resident"])
    log_in(city.users["resident"])
    detail = page(client.get(f"/en/requests/{item.tracking_code}"))
    link = detail.by_id("actions").one("a", href=f"/en/requests/{item.tracking_code}/withdraw")
    assert link.get("hx-get") == link.get("href")
    confirm = client.get(link.get("href"))
    assert confirm.status_code == 200
    doc = page(confirm)
    assert doc.one("h1").text == "Withdraw this request?"
    assert doc.one("form", action=f"/en/requests/{item.tracking_code}/withdraw").get("method") == "post"
    assert city.session.get(Request, item.id).state == "routed"  # nothing happened yet
    response = client.post(f"/en/requests/{item.tracking_code}/withdraw",
                           data={"reason": "Fixed by a neighbour."})
    assert response.status_code == 303
    item = city.session.get(Request, item.id)
    assert item.state == "withdrawn" and item.closed_at is not None
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert "The request is withdrawn." in doc.text
    assert "Fixed by a neighbour." in doc.one("ol", class_="timeline").text
    # Closed now: no second withdrawal; the resident may remove their details instead.
    assert doc.by_id("actions").find("a", href=f"/en/requests/{item.tracking_code}/withdraw") is None
    assert client.get(f"/en/requests/{item.tracking_code}/withdraw").status_code == 303
    # With htmx, the confirmation comes in place of the actions.
    other = submit(act, city, city.users["resident"])
    response = client.get(f"/en/requests/{other.tracking_code}/withdraw", headers={"HX-Request": "true"})
    assert html(response).lstrip().startswith('<section id="actions"')


def test_removing_personal_data_once_closed(client, city, act, log_in):
    resident = city.users["resident"]
    item = submit(act, city, resident, show_name=True, contact_phone="+1 555 0142",
                  location_text="7 Hillside Road")
    log_in(resident)
    # Not while it is open.
    response = client.post(f"/en/requests/{item.tracking_code}/remove-details")
    assert response.status_code == 303
    assert city.session.get(Request, item.id).contact_email == resident.email
    act(services.withdraw, city.session, resident, city.session.get(Request, item.id))
    assert "Rami Resident" in html(client.get(f"/en/requests/{item.tracking_code}"))
    confirm = page(client.get(f"/en/requests/{item.tracking_code}/remove-details"))
    assert confirm.one("h1").text == "Remove your name and contact details?"
    response = client.post(f"/en/requests/{item.tracking_code}/remove-details")
    assert response.status_code == 303
    item = city.session.get(Request, item.id)
    assert item.contact_name is None and item.contact_email is None and item.contact_phone is None
    assert item.personal_data_removed_at is not None and item.location_text == "# Hillside Road"
    body = html(client.get(f"/en/requests/{item.tracking_code}"))
    assert "Rami Resident" not in body and "Your name and contact details were removed" in body
    assert item.tracking_code in html(client.get("/en/requests/mine"))  # still theirs


# --- permissions ---------------------------------------------------------------------------

def test_another_resident_cannot_act_on_a_request(client, city, act, log_in):
    item = answered(act, city)
    log_in(city.users["resident.zh"])
    detail = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert detail.by_id("actions") is None
    for path, data in (("respond", {"resolved": "yes", "satisfaction": "5"}), ("withdraw", {}),
                       ("information", {"text": "Hello"}), ("remove-details", {}),
                       ("add-information", {"add-text": "Hello there"})):
        response = client.post(f"/en/requests/{item.tracking_code}/{path}", data=data)
        assert response.status_code == 403, path
    assert client.get(f"/en/requests/{item.tracking_code}/withdraw").status_code == 403
    assert city.session.get(Request, item.id).state == "answered"


@pytest.mark.parametrize("path", ["follow", "unfollow", "respond", "withdraw", "information",
                                  "remove-details", "add-information"])
def test_anonymous_posts_are_sent_to_log_in_and_back(client, city, path):
    code = city.request("Deep pothole").tracking_code
    response = client.post(f"/en/requests/{code}/{path}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/account/login?next=/en/requests/{code}"
    response = client.post(f"/en/requests/{code}/{path}", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/en/account/login?next=/en/requests/{code}"


def test_every_action_needs_the_csrf_token(client, city, act, log_in, monkeypatch, app):
    from tests.conftest import csrf_token_from

    item = submit(act, city, city.users["resident"])
    log_in(city.users["resident.zh"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/en/requests/{item.tracking_code}/follow")
    assert response.status_code == 400
    assert city.session.get(Request, item.id).followers_count == 0
    token = csrf_token_from(html(client.get(f"/en/requests/{item.tracking_code}")))
    response = client.post(f"/en/requests/{item.tracking_code}/follow", data={"csrf_token": token})
    assert response.status_code == 303
    assert city.session.get(Request, item.id).followers_count == 1


def test_mine_needs_log_in(client, city):
    response = client.get("/en/requests/mine")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]


# --- following ("me too") and notifications -------------------------------------------------

def test_follow_and_unfollow_change_the_count_and_followers_hear_of_changes(client, city, act, log_in):
    item = submit(act, city, city.users["resident"])
    follower = log_in(city.users["resident.zh"])
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert "0 people follow this request." in doc.by_id("follow").text
    response = client.post(f"/en/requests/{item.tracking_code}/follow")
    assert response.status_code == 303
    assert city.session.get(Request, item.id).followers_count == 1
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert "1 person follows this request." in doc.by_id("follow").text
    assert doc.by_id("follow").one("button").text == "Stop following"
    client.post(f"/en/requests/{item.tracking_code}/follow")  # twice counts once
    assert city.session.get(Request, item.id).followers_count == 1

    act(services.acknowledge, city.session, city.users["roads"], city.session.get(Request, item.id),
        "We will look at it.")
    note = city.session.scalar(select(Notification).where(Notification.user_id == follower.id)
                               .order_by(Notification.id.desc()).limit(1))
    assert note.key == "feedback.followed_changed" and note.read_at is None
    response = client.get("/en/account/notifications")
    doc = page(response)
    entry = doc.find_all("li", class_="notification--unread")[0]  # newest first
    assert entry.one("strong", class_="tag").text == "New"
    assert f"A request you follow, {item.tracking_code}: Acknowledged by the department" in entry.text
    assert entry.one("a").get("href") == f"/en/requests/{item.tracking_code}"
    response = client.post("/en/account/notifications/read")
    assert response.status_code == 303
    doc = page(client.get("/en/account/notifications"))
    assert doc.find("li", class_="notification--unread") is None
    assert "New" not in doc.one("ul", class_="notification-list").text

    response = client.post(f"/en/requests/{item.tracking_code}/unfollow")
    assert response.status_code == 303
    assert city.session.get(Request, item.id).followers_count == 0
    assert city.session.scalar(select(Follower).where(Follower.request_id == item.id)) is None


def test_follow_with_htmx_returns_the_follow_fragment(client, city, act, log_in):
    item = submit(act, city, city.users["resident"])
    log_in(city.users["resident.ug"])
    response = client.post(f"/en/requests/{item.tracking_code}/follow", headers={"HX-Request": "true"})
    assert response.status_code == 200
    doc = page(response)
    assert html(response).lstrip().startswith('<div id="follow"')
    assert "1 person follows this request." in doc.text
    assert doc.one("p", role="status").text.startswith("You are following this request.")
    assert doc.one("form").get("hx-post") == f"/en/requests/{item.tracking_code}/unfollow"


def test_the_resident_and_anonymous_readers_see_no_follow_button(client, city, act, log_in):
    item = submit(act, city, city.users["resident"])
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    link = doc.by_id("follow").one("a")
    assert link.get("href") == f"/en/account/login?next=/en/requests/{item.tracking_code}"
    log_in(city.users["resident"])
    follow = page(client.get(f"/en/requests/{item.tracking_code}")).by_id("follow")
    assert follow.find("button") is None and "You raised this request" in follow.text


# --- the resident's list -------------------------------------------------------------------

def test_mine_lists_the_residents_requests_with_the_next_step(client, city, log_in):
    resident = log_in(city.users["resident"])
    response = client.get("/en/requests/mine")
    assert response.status_code == 200
    doc = page(response)
    rows = doc.one("tbody").find_all("tr")
    own = set(city.session.scalars(select(Request.tracking_code).where(Request.resident_id == resident.id)))
    assert {r.find_all("td")[0].text for r in rows} == own
    assert city.request("市场路面塌陷").tracking_code not in doc.text
    waiting = city.request("Water bubbling").tracking_code
    row = next(r for r in rows if waiting in r.text)
    assert row.find_all("td")[2].text == "Waiting for the resident"
    next_step = row.find_all("td")[3].one("a")
    assert next_step.text == "Answer the department's question"
    assert next_step.get("href") == f"/en/requests/{waiting}#actions"


# --- attachments ---------------------------------------------------------------------------

def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def test_attachments_are_served_with_their_type_and_nosniff(client, city, act, app):
    item = answered(act, city)
    session = city.session
    with app.test_request_context():
        photo = attachments.add(session, "kerb.png", _png(), request_id=item.id)
        photo.created_at = item.created_at  # uploaded with the request
        pdf = attachments.add(session, "report.pdf", sample_pdf(), request_id=item.id)
        draft = attachments.add(session, "not-sent-yet.png", _png(), request_id=item.id)
    answer = session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                       RequestEvent.kind == "answered"))
    pdf.event_id = answer.id
    session.commit()
    base = f"/en/requests/{item.tracking_code}/files"
    response = client.get(f"{base}/{photo.id}")
    assert response.status_code == 200 and response.data == session.get(Attachment, photo.id).data
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline") and "kerb.png" in \
        response.headers["Content-Disposition"]
    response = client.get(f"{base}/{pdf.id}")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"{base}/{draft.id}").status_code == 404  # staff's unsent upload
    other = city.request("Deep pothole").tracking_code
    assert client.get(f"/en/requests/{other}/files/{photo.id}").status_code == 404
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    links = {a.get("href") for a in doc.find_all("a") if "/files/" in (a.get("href") or "")}
    assert links == {f"{base}/{photo.id}", f"{base}/{pdf.id}"}
    assert doc.one("div", class_="request-answer").find("a", href=f"{base}/{pdf.id}") is not None


# --- verifying the timeline ----------------------------------------------------------------

def _tamper(session, item: Request, seq: int) -> None:
    session.execute(update(RequestEvent).where(RequestEvent.request_id == item.id, RequestEvent.seq == seq)
                    .values(public_text="Nothing to see here."))
    session.commit()


def test_verify_page_lists_every_event_and_reports_tampering(client, city):
    item = city.request("Deep pothole")
    events = list(city.session.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                       .order_by(RequestEvent.seq)))
    response = client.get(f"/en/requests/{item.tracking_code}/verify")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one(class_="banner").one("h2").text == "Not altered"
    rows = doc.one("tbody").find_all("tr")
    assert [r.one("th").text for r in rows] == [str(e.seq) for e in events]
    hashes = [r.one("code") for r in rows]
    assert [h.text for h in hashes] == [e.hash for e in events]
    assert all(h.get("dir") == "ltr" for h in hashes)

    _tamper(city.session, item, 3)
    doc = page(client.get(f"/en/requests/{item.tracking_code}/verify"))
    banner = doc.one(class_="banner")
    assert banner.one("h2").text == "Altered" and "event number 3" in banner.text
    checks = [r.find_all("td")[-1].text for r in doc.one("tbody").find_all("tr")]
    assert checks[:3] == ["Matches", "Matches", "Does not match"]


def test_verify_command(app, city):
    from portal.feedback.cli import init_cli

    if "verify-request" not in app.cli.commands:
        init_cli(app)
    runner = app.test_cli_runner()
    item = city.request("Deep pothole")
    result = runner.invoke(args=["verify-request", item.tracking_code])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {item.tracking_code}")
    _tamper(city.session, item, 2)
    result = runner.invoke(args=["verify-request", item.tracking_code.lower()])
    assert result.exit_code == 1
    assert re.search(rf"BROKEN: {item.tracking_code}: event 2 of \d+", result.output)
    result = runner.invoke(args=["verify-request", "R-1999-000001"])
    assert result.exit_code == 2


# --- the cost of a page --------------------------------------------------------------------

def _queries(client, db_session, url, headers=None) -> list[str]:
    from portal.extensions import db

    db_session.commit()
    with QueryCounter(db.engine) as counter:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return counter.statements


def test_list_and_detail_cost_the_same_queries_with_10_and_500_requests(client, db_session, factories):
    roads = factories.department(code="dispatch")
    city = factories.area()
    district = factories.area(parent=city)
    communities = [factories.area(parent=district) for _ in range(3)]
    categories = [factories.service_category() for _ in range(4)]
    resident = factories.user()
    # One category and area first, then many: a lazy load per row (or per distinct category
    # or area on the page) would show as more queries.
    first = factories.feedback_requests(10, categories[0], communities[0], roads, resident=resident)
    code = first[0].tracking_code
    urls = ["/en/requests", f"/en/requests?area={district.id}&q=paving&state=open",
            f"/en/requests/{code}", f"/en/requests/{code}/verify"]
    small = {url: _queries(client, db_session, url) for url in urls}
    assert small["/en/requests"], "the counter saw no queries"
    factories.feedback_requests(490, categories, communities, roads, resident=resident)
    for url in urls:
        large = _queries(client, db_session, url)
        assert len(large) == len(small[url]), (url, len(small[url]), len(large))
        assert not any("count(" in s.lower() for s in large), url
    assert "20 requests on this page" in html(client.get("/en/requests"))


# --- the resident's own address ------------------------------------------------------------

def test_residents_see_their_own_full_address_and_what_the_public_sees(client, city, act, log_in, app):
    resident = city.users["resident"]
    item = submit(act, city, resident, location_text="88 Elm Street, flat 5")
    url = f"/en/requests/{item.tracking_code}"
    log_in(resident)
    doc = page(client.get(url))
    details = doc.find_all("dl", class_="summary-list")[0]
    where = next(d for d in details.find_all("div") if d.one("dt").text == "Location").one("dd")
    assert "88 Elm Street, flat 5" in where.text
    assert "The public sees: ## Elm Street, flat #" in where.text
    assert where.find("span", lang="en") is not None
    # the htmx part of the page the resident's actions return shows it too
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "88 Elm Street, flat 5" in fragment

    # anyone else, signed in or not, sees the masked one only
    other = app.test_client()
    other.post("/en/account/login", data={"email": city.users["resident.zh"].email,
                                          "password": DEMO_PASSWORD})
    for reader in (other, app.test_client()):
        body = reader.get(url).get_data(as_text=True)
        assert "## Elm Street, flat #" in body
        assert "88 Elm" not in body and "The public sees" not in body


# --- adding information or a photo; thumbnails ----------------------------------------------

def photo(width=640, height=480, fmt="JPEG", mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "blue").save(out, format=fmt)
    return out.getvalue()


def test_a_resident_adds_information_and_a_photo_to_their_open_request(client, city, act, log_in):
    resident = city.users["resident"]
    item = submit(act, city, resident, area="old-bridge")  # Old Town leads, roads co-handles
    log_in(resident)
    url = f"/en/requests/{item.tracking_code}"
    form = page(client.get(url)).one("form", action=f"{url}/add-information")
    assert form.get("method") == "post" and form.get("enctype") == "multipart/form-data"
    assert form.find("textarea", name="add-text") is not None
    assert form.find("input", type="file", name="add-files") is not None
    response = client.post(f"{url}/add-information", data={
        "add-text": "It has doubled in size since yesterday.",
        "add-files": [(io.BytesIO(photo()), "bigger.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"] == url
    event = city.session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                           RequestEvent.kind == "info_added"))
    assert event.public_text == "It has doubled in size since yesterday." and event.actor_role == "resident"
    file = city.session.scalar(select(Attachment).where(Attachment.request_id == item.id))
    assert file.event_id == event.id and file.thumbnail  # made at upload
    doc = page(client.get(url))
    entry = next(li for li in doc.by_id("timeline").find_all("li")
                 if "Information added by the resident" in li.text)
    assert "It has doubled in size" in entry.text
    img = entry.one("img")
    assert img.get("alt") == "Photo bigger.jpg, full size"
    assert img.get("src").startswith(f"{url}/files/{file.id}/thumbnail")
    assert img.parent.tag == "a" and img.parent.get("href") == f"{url}/files/{file.id}"
    # the departments handling it are told, the lead and the co-handler alike
    for staff in (city.users["oldtown"], city.users["roads"]):
        keys = [n.params["event"]["key"] for n in city.session.scalars(
            select(Notification).where(Notification.user_id == staff.id,
                                       Notification.key == "feedback.for_department"))]
        assert "feedback.event.info_added" in keys, staff.email
    # text alone, and a photo alone, are fine too
    assert client.post(f"{url}/add-information", data={"add-text": "Still there."}).status_code == 303
    response = client.post(f"{url}/add-information", data={
        "add-files": [(io.BytesIO(photo(fmt="PNG", mode="RGBA")), "night.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 303


def test_adding_information_is_checked_and_keeps_what_was_typed(client, city, act, log_in):
    resident = city.users["resident"]
    item = submit(act, city, resident)
    log_in(resident)
    url = f"/en/requests/{item.tracking_code}/add-information"
    response = client.post(url, data={"add-text": "   "})
    assert response.status_code == 422 and title(response).startswith("Error:")
    doc = page(response)
    assert "Write what you want to add, or choose a photo or PDF." in doc.by_id("add-text-error").text
    response = client.post(url, data={"add-text": "x" * 5001})
    assert response.status_code == 422
    assert page(response).one("textarea", name="add-text").text == "x" * 5001
    response = client.post(url, data={"add-text": "Bell\x07 rings"})
    assert response.status_code == 422
    response = client.post(url, data={"add-text": "Here is the photo.",
                                      "add-files": [(io.BytesIO(b"not an image"), "photo.jpg")]},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    doc = page(response)
    assert "photo.jpg is not a photo" in doc.by_id("add-files-error").text
    assert doc.one("textarea", name="add-text").text == "Here is the photo."
    # htmx: the errors come back in the part of the page it swaps
    response = client.post(url, data={"add-text": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in html(response)
    assert "Write what you want to add" in html(response)
    assert city.session.scalars(select(RequestEvent).where(
        RequestEvent.request_id == item.id, RequestEvent.kind == "info_added")).all() == []


def test_information_is_added_only_while_the_request_is_open(client, city, act, log_in):
    resident = city.users["resident"]
    item = answered(act, city)
    log_in(resident)
    url = f"/en/requests/{item.tracking_code}"
    assert page(client.get(url)).find("form", action=f"{url}/add-information") is None
    response = client.post(f"{url}/add-information", data={"add-text": "One more thing."})
    assert response.status_code == 422
    assert "while the request is open" in html(response)


def test_adding_information_needs_the_csrf_token(client, city, act, log_in, monkeypatch, app):
    from tests.conftest import csrf_token_from

    resident = city.users["resident"]
    item = submit(act, city, resident)
    log_in(resident)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    url = f"/en/requests/{item.tracking_code}"
    assert client.post(f"{url}/add-information", data={"add-text": "No token here."}).status_code == 400
    token = csrf_token_from(html(client.get(url)))
    response = client.post(f"{url}/add-information", data={"add-text": "With a token.", "csrf_token": token})
    assert response.status_code == 303
    texts = list(city.session.scalars(select(RequestEvent.public_text).where(
        RequestEvent.request_id == item.id, RequestEvent.kind == "info_added")))
    assert texts == ["With a token."]


def test_thumbnails_are_made_once_stored_and_cached_for_long(client, city, act):
    resident = city.users["resident"]
    item = submit(act, city, resident)
    file = attachments.add(city.session, "big.jpg", photo(1600, 1200), request_id=item.id)
    file.created_at = item.created_at  # uploaded with the request: public
    pdf = attachments.add(city.session, "plan.pdf", sample_pdf(), request_id=item.id)
    pdf.created_at = item.created_at
    city.session.commit()
    assert file.thumbnail is None
    url = f"/en/requests/{item.tracking_code}/files/{file.id}/thumbnail"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.public
    assert "immutable" in response.headers["Cache-Control"]
    small = Image.open(io.BytesIO(response.data))
    assert max(small.size) == 320 and small.size == (320, 240)
    assert len(response.data) < file.size
    city.session.expire_all()
    stored = city.session.get(Attachment, file.id)
    assert stored.thumbnail == response.data  # stored: made once
    stored.thumbnail = response.data[:-1] + b"\xd9"  # a later view serves what is stored
    city.session.commit()
    assert client.get(url).data == stored.thumbnail
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    # a PDF has no thumbnail; it stays a link
    assert client.get(f"/en/requests/{item.tracking_code}/files/{pdf.id}/thumbnail").status_code == 404
    doc = page(client.get(f"/en/requests/{item.tracking_code}"))
    assert doc.find("a", href=f"/en/requests/{item.tracking_code}/files/{pdf.id}").text == "plan.pdf"
    assert doc.find("img", alt="Photo big.jpg, full size") is not None


def test_thumbnails_of_files_the_public_may_not_see_are_not_found(client, city, act):
    item = submit(act, city, city.users["resident"])
    draft_file = attachments.add(city.session, "draft.jpg", photo(), draft_key="someone-elses-draft")
    city.session.commit()
    response = client.get(f"/en/requests/{item.tracking_code}/files/{draft_file.id}/thumbnail")
    assert response.status_code == 404
    assert client.get(f"/en/requests/{item.tracking_code}/files/999999/thumbnail").status_code == 404
