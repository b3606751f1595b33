"""The disclosure catalog through its pages: draft → review → publish → new version → withdraw,
the permissions of every kind of reader, bad input, the public browse (filters, words, query
counts), moving an answered disclosure request into the catalog."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.models import AuditEvent
from portal.transparency import catalog
from portal.transparency.models import DisclosureEvent, Publication, PublicationVersion
from tests.functional.support import page
from tests.functional.transparency.test_requests import count_queries

FORM = {"department_id": "", "category": "budgets", "source_locale": "en",
        "title": "Park works budget 2026", "summary": "What the park works on Stone Bridge cost.",
        "document_number": "P-2026-1", "made_on": "2026-01-10", "valid_until": "2026-12-31",
        "tags": "parks, budget", "change_note": ""}


@pytest.fixture
def people(world, factories, db_session):
    world["parks_second"] = factories.user(roles=["staff"], departments=[world["parks"]],
                                           display_name="Paul Parks")
    world["supervisor"] = factories.user(display_name="Sue Supervisor")
    world["parks"].supervisor_id = world["supervisor"].id
    db_session.commit()
    return world


@pytest.fixture
def publish(app, db_session, people):
    """A published publication of the parks department (written by parks_staff, published by
    parks_second)."""

    def make(title="Park works budget 2026", summary="What the park works cost.", category="budgets",
             locale="en", number="", department=None, tags=""):
        department = department or people["parks"]
        author = people["parks_staff"] if department == people["parks"] else people["roads_staff"]
        reviewer = people["parks_second"] if department == people["parks"] else people["admin"]
        with app.test_request_context("/en/"):
            version = catalog.create_draft(db_session, author, department.id, catalog.PublicationData(
                category=category, title=title, summary=summary, source_locale=locale,
                document_number=number, tags=tags))
            catalog.send_for_review(db_session, author, version)
            catalog.publish(db_session, reviewer, version)
        db_session.commit()
        return version.publication

    return make


def _error(response, field_id: str) -> str:
    node = page(response).by_id(f"{field_id}-error")
    assert node is not None, f"no error beside {field_id}"
    return node.text


def _new(client, people, **over):
    data = {**FORM, "department_id": str(people["parks"].id), **over}
    return client.post("/en/publications/new", data=data)


# --- the journey -------------------------------------------------------------------------------

def test_draft_review_publish_new_version_withdraw(client, db_session, people, login):
    login(people["parks_staff"])
    response = _new(client, people)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    item = db_session.scalar(select(Publication))
    assert response.headers["Location"].endswith(f"/en/publications/{item.id}/manage")
    assert item.state == "draft"
    # a draft is nowhere in public
    client.post("/en/account/logout")
    assert client.get(f"/en/publications/{item.id}").status_code == 404
    assert "Park works" not in page(client.get("/en/publications")).one("main").text

    login(people["parks_staff"])
    manage = page(client.get(f"/en/publications/{item.id}/manage")).one("main").text
    assert "Draft" in manage and "Send for review" in manage
    assert client.post(f"/en/publications/{item.id}/submit").status_code == 303
    version = db_session.scalar(select(PublicationVersion))
    db_session.refresh(version)
    assert version.state == "review"
    # four eyes: the author may not publish their own version
    manage = page(client.get(f"/en/publications/{item.id}/manage")).one("main").text
    assert "Publish this version" not in manage and "The author cannot publish" in manage
    client.post(f"/en/publications/{item.id}/publish")
    db_session.refresh(version)
    assert version.state == "review"

    client.post("/en/account/logout")
    login(people["parks_second"])
    assert client.post(f"/en/publications/{item.id}/publish").status_code == 303
    db_session.refresh(item)
    assert item.state == "published" and item.version_count == 1 and item.year is not None
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "publication.published", AuditEvent.target_id == item.id)) == 1

    client.post("/en/account/logout")
    public = page(client.get(f"/en/publications/{item.id}")).one("main").text
    assert "Park works budget 2026" in public and "Version 1 of 1" in public and "P-2026-1" in public
    assert "Park works budget 2026" in page(client.get("/en/publications")).one("main").text

    # a new version: the note of what changed is required; the public page keeps version 1
    login(people["parks_staff"])
    edit = client.post(f"/en/publications/{item.id}/edit", data={
        **FORM, "title": "Park works budget 2026 (revised)"})
    assert edit.status_code == 422, page(edit).one("main").text
    assert "Say what changed" in _error(edit, "change_note"), page(edit).one("main").text[:1500]
    assert client.post(f"/en/publications/{item.id}/edit", data={
        **FORM, "title": "Park works budget 2026 (revised)",
        "change_note": "The June revision."}).status_code == 303
    assert "(revised)" not in page(client.get(f"/en/publications/{item.id}")).one("main").text
    client.post(f"/en/publications/{item.id}/submit")
    client.post("/en/account/logout")
    login(people["supervisor"])  # the department's supervisor reviews too
    assert client.post(f"/en/publications/{item.id}/publish").status_code == 303
    client.post("/en/account/logout")
    current = page(client.get(f"/en/publications/{item.id}")).one("main").text
    assert "(revised)" in current and "Version 2 of 2" in current and "The June revision." in current
    first = page(client.get(f"/en/publications/{item.id}/versions/1")).one("main").text
    assert "This is an earlier version" in first and "(revised)" not in first
    assert "Version 1 of 2" in first

    # withdrawn: the page stays with a notice; it is no longer listed or found
    login(people["parks_second"])
    refused = client.post(f"/en/publications/{item.id}/withdraw", data={"note": ""})
    assert refused.status_code == 422 and "Say why" in _error(refused, "note")
    assert client.post(f"/en/publications/{item.id}/withdraw",
                       data={"note": "Replaced by the 2027 budget."}).status_code == 303
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "publication.withdrawn")) == 1
    client.post("/en/account/logout")
    withdrawn = page(client.get(f"/en/publications/{item.id}")).one("main").text
    assert "This publication was withdrawn" in withdrawn and "Replaced by the 2027 budget." in withdrawn
    assert "Park works" not in page(client.get("/en/publications")).one("main").text
    assert "Park works" not in page(client.get("/en/publications?q=park")).one("main").text
    assert "Park works" not in page(client.get("/en/search?q=park")).one("main").text


def test_an_administrators_own_draft_needs_another_reviewer(app, db_session, people):
    with app.test_request_context("/en/"):
        version = catalog.create_draft(db_session, people["admin"], people["parks"].id,
                                       catalog.PublicationData(category="budgets", title="T", summary="S",
                                                               source_locale="en"))
        catalog.send_for_review(db_session, people["admin"], version)
        with pytest.raises(catalog.Invalid):
            catalog.publish(db_session, people["admin"], version)
        catalog.publish(db_session, people["parks_staff"], version)
    assert version.state == "published"


# --- who may do what ---------------------------------------------------------------------------

STAFF_GETS = ["/en/publications/mine", "/en/publications/new"]


@pytest.mark.parametrize("who", ["anonymous", "other", "roads_staff"])
def test_people_outside_the_department_cannot_manage(client, db_session, people, login, publish, who):
    item = publish()
    if who != "anonymous":
        login(people[who])
    posts = [f"/en/publications/{item.id}/{a}" for a in ("submit", "publish", "withdraw", "files",
                                                          "translation", "files/1/remove")]
    for url in [f"/en/publications/{item.id}/manage", f"/en/publications/{item.id}/edit"]:
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 403), url
    for url in posts:
        response = client.post(url, data={"note": "x"})
        assert response.status_code == (302 if who == "anonymous" else 403), url
    if who == "other":
        for url in STAFF_GETS:
            assert client.get(url).status_code == 403
    if who == "roads_staff":  # their own department's list, not the parks'
        assert "Park works" not in page(client.get("/en/publications/mine")).one("main").text
        assert client.post("/en/publications/new", data={
            **FORM, "department_id": str(people["parks"].id)}).status_code == 403
    item.state = "draft"
    db_session.commit()
    expected = 302 if who == "anonymous" else 404
    assert client.get(f"/en/publications/{item.id}/manage").status_code == expected


def test_the_staff_list_shows_drafts_reviews_and_published(client, db_session, people, login, publish):
    publish(title="Published one")
    login(people["parks_staff"])
    _new(client, people, title="A draft one", document_number="")
    text = page(client.get("/en/publications/mine")).one("main").text
    assert "Published one" in text and "A draft one" in text and "Not published yet" in text
    drafts = page(client.get("/en/publications/mine?state=draft")).one("main").text
    assert "A draft one" in drafts and "Published one" not in drafts


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field,value,message", [
    ("title", "Budget\x00", "control characters"),
    ("summary", "x" * 6000, "at most 5000"),
    ("made_on", "2026-02-30", "real date"),
    ("made_on", "yesterday", "real date"),
    ("valid_until", "2025-01-01", "cannot be before"),
    ("tags", ",".join(f"t{i}" for i in range(12)), "at most 10 tags"),
    ("tags", "x" * 41, "at most 40"),
    ("category", "nonsense", "Choose a category"),
    ("title", "", "Enter the title"),
])
def test_bad_input_is_shown_beside_the_field(client, people, login, field, value, message):
    login(people["parks_staff"])
    response = _new(client, people, **{field: value})
    assert response.status_code == 422
    assert message in _error(response, field)
    if field not in ("summary", "category") and value and "\x00" not in value:
        assert value in response.get_data(as_text=True)  # what was typed is kept


def test_a_document_number_is_unique_in_its_department(client, people, login, publish):
    publish(number="P-2026-1")
    login(people["parks_staff"])
    response = _new(client, people)
    assert response.status_code == 422
    assert "Another publication" in _error(response, "document_number")


@pytest.mark.parametrize("url", [
    "/en/publications/99999999999999999999999",
    "/en/publications/2147483648",
    "/en/publications/1/versions/99999999999999999",
    "/en/publications/1/files/99999999999999999",
    "/en/publications/departments/99999999999999/feed.atom",
    "/en/publications/categories/nope/feed.atom",
])
def test_huge_or_unknown_ids_in_urls_are_404(client, people, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", [
    "?department_id=99999999999999999999&year=abc&category=%00",
    "?before=99999999999999999999999&after=-1",
    "?q=%00%01&page=99999999999",
    "?q=" + "x" * 5000,
    "?year=99999999999999999999999",
])
def test_any_query_string_is_a_page(client, people, publish, query):
    publish()
    assert client.get("/en/publications" + query).status_code == 200
    assert client.get("/en/publications.csv" + query).status_code == 200


# --- browse ------------------------------------------------------------------------------------

def test_filters_by_category_department_and_year(client, db_session, people, publish):
    a = publish(title="Budget of parks", category="budgets")
    b = publish(title="Roads procurement", category="procurement", department=people["roads"])
    b.year = 2024
    db_session.commit()
    text = page(client.get("/en/publications?category=budgets")).one("main").text
    assert "Budget of parks" in text and "Roads procurement" not in text
    text = page(client.get(f"/en/publications?department_id={people['roads'].id}")).one("main").text
    assert "Roads procurement" in text and "Budget of parks" not in text
    text = page(client.get("/en/publications?year=2024")).one("main").text
    assert "Roads procurement" in text and "Budget of parks" not in text
    assert a.year != 2024


def test_words_find_chinese_by_two_characters_and_titles_first(client, people, publish):
    in_summary = publish(title="Annual figures", summary="关于公园预算的说明", locale="zh-Hans")
    in_title = publish(title="公园预算", summary="Figures of the year", locale="zh-Hans")
    items = page(client.get("/en/publications?q=预算")).find_all("h3")
    titles = [i.text.strip() for i in items]
    assert titles == ["公园预算", "Annual figures"], titles
    site = page(client.get("/en/search?q=预算")).one("main").text
    assert site.index("公园预算") < site.index("Annual figures")
    assert in_summary.id != in_title.id


def test_the_index_reads_in_constant_queries(client, db_session, people, publish):
    counts = []
    for n in (3, 27):
        for i in range(n):
            publish(title=f"Publication {n}-{i}", category=("budgets", "plans", "fees")[i % 3],
                    department=people["roads"] if i % 2 else people["parks"])
        for url in ("/en/publications", "/en/publications?q=publication"):
            client.get(url)
        with count_queries() as statements:
            assert client.get("/en/publications").status_code == 200
            assert client.get("/en/publications?q=publication&category=budgets").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_anonymous_pages_set_no_cookie_and_are_cacheable(client, people, publish):
    item = publish()
    for url in ("/en/publications", f"/en/publications/{item.id}", "/en/publications/guide"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.cache_control.public


def test_the_guide_names_the_categories_and_links_the_request_form(client, people):
    doc = page(client.get("/en/publications/guide"))
    text = doc.one("main").text
    assert "Budgets and final accounts" in text and "Administrative penalties" in text
    assert "20 working days" in text
    assert doc.find("a", href="/en/disclosure/ask") is not None


# --- from a disclosure request -----------------------------------------------------------------

def _answer(app, db_session, people, req, kind="provided"):
    from portal.transparency import services as svc

    with app.test_request_context("/en/"):
        svc.answer(db_session, people["parks_staff"], req, svc.AnswerData(
            kind, link="https://example.org/budget.pdf", provided="The budget table."
            if kind == "partly" else "", withheld="Names" if kind == "partly" else "",
            ground="third_party" if kind == "partly" else "", note="Here is the budget."))


def test_an_answered_request_moves_into_the_catalog_in_one_action(app, client, db_session, people, login,
                                                                  make_request):
    req = make_request(public=True)
    _answer(app, db_session, people, req)
    login(people["roads_staff"])
    assert client.post(f"/en/disclosure/requests/{req.tracking_code}/catalog").status_code == 403
    client.post("/en/account/logout")
    login(people["parks_staff"])
    doc = page(client.get(f"/en/disclosure/requests/{req.tracking_code}"))
    assert "Move into the catalog" in doc.one("main").text
    response = client.post(f"/en/disclosure/requests/{req.tracking_code}/catalog")
    assert response.status_code == 303
    item = db_session.scalar(select(Publication))
    version = db_session.scalar(select(PublicationVersion))
    assert item.state == "draft" and item.from_request_id == req.id
    assert item.department_id == req.department_id
    assert "Stone Bridge" in version.title_i18n["en"] and "Here is the budget." in version.summary_i18n["en"]
    assert db_session.scalar(select(DisclosureEvent).where(DisclosureEvent.kind == "catalogued")) is not None
    # once: the button now links the publication
    client.post(f"/en/disclosure/requests/{req.tracking_code}/catalog")
    assert db_session.scalar(select(func.count()).select_from(Publication)) == 1
    manage = page(client.get(f"/en/publications/{item.id}/manage")).one("main").text
    assert f"Published from request {req.tracking_code}" in manage
    assert "Rita" not in manage and "rita@example.org" not in manage


def test_only_provided_answers_move_into_the_catalog(app, client, db_session, people, login, make_request):
    req = make_request(public=True)
    from portal.transparency import services as svc

    with app.test_request_context("/en/"):
        svc.answer(db_session, people["parks_staff"], req, svc.AnswerData("not_exist", note="None."))
    login(people["parks_staff"])
    assert "Move into the catalog" not in page(client.get(
        f"/en/disclosure/requests/{req.tracking_code}")).one("main").text
    assert client.post(f"/en/disclosure/requests/{req.tracking_code}/catalog").status_code == 303
    assert db_session.scalar(select(func.count()).select_from(Publication)) == 0


def test_site_search_finds_public_disclosure_requests_only(client, people, make_request):
    make_request(public=True, description="The tram depot noise measurements of 2026.")
    make_request(public=False, description="The tram depot contract, privately.")
    text = page(client.get("/en/search?q=tram+depot")).one("main").text
    assert "noise measurements" in text and "privately" not in text


def test_translations_are_shown_in_the_readers_language(client, db_session, people, login):
    login(people["parks_staff"])
    _new(client, people, document_number="")
    item = db_session.scalar(select(Publication))
    refused = client.post(f"/en/publications/{item.id}/translation",
                          data={"locale": "en", "title": "Same", "summary": ""})
    assert refused.status_code == 422 and "other than the one" in _error(refused, "locale")
    spanish = {"locale": "es", "title": "Presupuesto de los parques", "summary": "Lo que cuestan."}
    assert client.post(f"/en/publications/{item.id}/translation", data=spanish).status_code == 303
    client.post(f"/en/publications/{item.id}/submit")
    client.post("/en/account/logout")
    login(people["parks_second"])
    client.post(f"/en/publications/{item.id}/publish")
    client.post("/en/account/logout")
    spanish = page(client.get(f"/es/publications/{item.id}"))
    assert spanish.one("h1").text.strip() == "Presupuesto de los parques"
    arabic = page(client.get(f"/ar/publications/{item.id}"))  # no Arabic: the original, marked
    assert arabic.one("h1").get("lang") == "en"
    # every language's title is searched; the English page shows the English one
    assert "Park works budget 2026" in page(client.get("/en/publications?q=presupuesto")).one("main").text


def test_a_file_is_removed_from_a_draft_only_by_its_department(app, client, db_session, people, login):
    from portal.transparency.catalog_seed import tiny_pdf
    from portal.transparency.models import PublicationFile

    with app.test_request_context("/en/"):
        version = catalog.create_draft(db_session, people["parks_staff"], people["parks"].id,
                                       catalog.PublicationData(category="fees", title="Fees", summary="S",
                                                               source_locale="en"))
        row = catalog.add_file(db_session, people["parks_staff"], version, "a.pdf", tiny_pdf())
    db_session.commit()
    url = f"/en/publications/{version.publication_id}/files/{row.id}/remove"
    login(people["roads_staff"])
    assert client.post(url).status_code == 404  # a draft of another department is not there
    client.post("/en/account/logout")
    login(people["parks_staff"])
    assert client.post(url).status_code == 303
    assert db_session.scalar(select(func.count()).select_from(PublicationFile)) == 0
