"""The public directory: verified organizations only, filters by area (and the areas within
it or around it) and kind of service, words, the organization's page in the reader's
language, anonymous pages cacheable without a form, constant statements for 3 vs 30."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from portal.organizations import services as svc
from tests.functional.support import page


@contextmanager
def count_queries():
    from portal.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _names(response) -> list[str]:
    doc = page(response)
    return [h.text.strip() for h in doc.by_id("results").find_all("h3")]


def test_only_verified_organizations_are_listed_and_filtered(client, world, make_org):
    make_org("verified", name="Digital Bridges", area_ids=[world["bridge"].id])
    make_org("verified", name="Golden Years", service_kinds=["elderly_care"],
             area_ids=[world["hill"].id])
    make_org("verified", name="City Legal Aid", service_kinds=["legal_aid"], area_ids=[world["city"].id])
    make_org("pending", name="Waiting Group")
    make_org("suspended", name="Suspended Club")
    make_org("rejected", name="Rejected Club")
    assert _names(client.get("/en/organizations")) == ["City Legal Aid", "Digital Bridges", "Golden Years"]
    # an area: those serving it, an area within it, or the whole city around it
    assert _names(client.get(f"/en/organizations?area={world['bridge'].id}")) == [
        "City Legal Aid", "Digital Bridges"]
    assert _names(client.get(f"/en/organizations?area={world['city'].id}")) == [
        "City Legal Aid", "Digital Bridges", "Golden Years"]
    assert _names(client.get("/en/organizations?kind=elderly_care")) == ["Golden Years"]
    assert _names(client.get("/en/organizations?q=computer")) == [  # every one's description says so
        "City Legal Aid", "Digital Bridges", "Golden Years"]
    assert _names(client.get("/en/organizations?q=Golden")) == ["Golden Years"]
    assert _names(client.get("/en/organizations?q=Suspended")) == []
    empty = page(client.get("/en/organizations?q=zzzzqqq")).one("main").text
    assert "No organization matches these filters." in empty


def test_bad_filters_never_give_a_500(client, world, make_org):
    make_org("verified")
    for query in ("area=99999999999999999", "area=abc", "kind=%00", "q=%00", "q=" + "x" * 500,
                  "after=%00", "after=" + "z" * 200, "kind=nope"):
        response = client.get(f"/en/organizations?{query}")
        assert response.status_code == 200, query
    response = client.get("/en/organizations?q=%00")
    assert page(response).by_id("q-error") is not None


def test_the_anonymous_directory_is_cacheable_with_no_post_form(client, world, make_org):
    org = make_org("verified")
    for url in ("/en/organizations", f"/en/organizations/{org.slug}", "/ar/organizations"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert not page(response).find_all("form", method="post")
        assert 'name="csrf_token"' not in response.get_data(as_text=True)


def test_the_directory_runs_the_same_statements_for_3_or_30(client, world, make_org, factories):
    for n in range(3):
        make_org("verified", name=f"Group {n:02d}", applicant=factories.user())
    client.get("/en/organizations")
    with count_queries() as few:
        assert client.get("/en/organizations").status_code == 200
    for n in range(3, 30):
        make_org("verified", name=f"Group {n:02d}", applicant=factories.user())
    with count_queries() as many:
        assert client.get("/en/organizations").status_code == 200
    assert len(many) == len(few)


def test_an_organizations_page_shows_its_services_in_the_readers_language(
        app, client, db_session, world, make_org):
    org = make_org("verified")
    with app.test_request_context("/en/"):
        service = svc.add_service(db_session, world["applicant"], org, svc.ServiceData(
            kind="digital_skills", what="Computer classes for beginners", for_whom="Anyone over 60",
            where="Bridge library", when="Tuesdays 10:00", how="Call us or just come",
            source_locale="en", languages="en, zh-Hans, ug"))
    service.what_i18n = {**service.what_i18n, "zh-Hans": "电脑入门课"}
    db_session.commit()
    english = page(client.get(f"/en/organizations/{org.slug}")).one("main")
    assert "Computer classes for beginners" in english.text and "Tuesdays 10:00" in english.text
    chinese = page(client.get(f"/zh-Hans/organizations/{org.slug}")).one("main")
    assert "电脑入门课" in chinese.text
    # no Chinese version of the rest: the English source, marked with its language
    when = [n for n in chinese.find_all("dd") if n.text.strip() == "Tuesdays 10:00"]
    assert when and when[0].get("lang") == "en"
    arabic = page(client.get(f"/ar/organizations/{org.slug}"))
    assert arabic.one("html").get("dir") == "rtl"
    assert client.get("/en/organizations/no-such-group").status_code == 404


def test_the_site_search_finds_verified_organizations(client, world, make_org):
    make_org("verified", name="Digital Bridges")
    make_org("pending", name="Digital Waiting")
    text = page(client.get("/en/search?q=digital")).one("main").text
    assert "Digital Bridges" in text and "Digital Waiting" not in text


def test_the_home_page_and_navigation_link_the_directory(client):
    doc = page(client.get("/en/"))
    assert doc.find("a", href="/en/organizations") is not None
    assert "Find help near you" in doc.one("main").text
