"""The site search page: results for anonymous readers, residents and staff, the header's box
on every page, bad input answered beside its field (never a 500), htmx, caching."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.functional.support import QueryCounter, page, title
from tests.unit.core.search_world import build_world


@pytest.fixture
def world(app, db_session, factories):
    with app.test_request_context("/en/"):
        return build_world(db_session, factories)


def result_links(response) -> list[str]:
    return [a.get("href") for a in page(response).find_all("a")
            if a.parent and a.parent.tag == "h2" and "search-result__title" in (a.parent.get("class") or "")]


@pytest.mark.parametrize("who", [None, "resident", "staff"])
def test_the_page_lists_what_everybody_may_read_highlighted(client, login, world, who):
    if who:
        login(world[who])
    response = client.get("/en/search?q=riverside")
    assert response.status_code == 200
    links = result_links(response)
    assert sorted(links) == sorted([
        f"/en/requests/{world['request'].tracking_code}", f"/en/halls/{world['hall'].slug}",
        f"/en/halls/{world['hall'].slug}/debates/{world['debate'].id}",
        f"/en/proposals/{world['proposal'].id}"])
    html = response.get_data(as_text=True)
    for hidden in ("Riverside draft idea", "Riverside withdrawn idea", "Riverside archive",
                   "Riverside pending lamp", "Riverside archived"):
        assert hidden not in html
    doc = page(response)
    assert doc.one("p", class_="results__count").get("role") == "status"
    assert "4 results." in doc.one("p", class_="results__count").text
    marks = doc.find_all("mark")
    assert marks and all(m.text.lower() == "riverside" for m in marks)
    snippet = doc.find("p", class_="search-result__snippet")
    assert snippet.get("lang") == "en" and snippet.get("dir") == "auto"


def test_filters_come_from_the_query_string_and_stay_in_the_form(client, world):
    city = world["city"].id
    response = client.get(f"/en/search?q=riverside&kind=proposal&area={city}&from=2020-01-01&to=2099-12-31")
    assert result_links(response) == [f"/en/proposals/{world['proposal'].id}"]
    doc = page(response)
    assert doc.one("select", id="kind").find("option", value="proposal").attrs.keys() >= {"selected"}
    assert doc.one("input", id="date_from").get("value") == "2020-01-01"
    assert doc.one("input", id="date_from").get("name") == "from"
    assert doc.one("input", id="date_to").get("name") == "to"


def test_no_results_help_and_an_empty_search(client, world):
    doc = page(client.get("/en/search?q=zzzzqqq"))
    assert "Nothing matches your search." in doc.by_id("search-results").text
    assert doc.by_id("search-results").find("div", role="status") is not None
    empty = client.get("/en/search")
    assert empty.status_code == 200
    assert "Type one or more words" in page(empty).by_id("search-results").text


@pytest.mark.parametrize(("query", "field", "message"), [
    ("q=" + "x" * 101, "q", "Enter at most 100 characters."),
    ("q=lamp%00x", "q", "Remove the invisible control characters"),
    ("q=lamp&kind=secret", "kind", "Choose a kind from the list."),
    ("q=lamp&area=99999999999999999999", "area", "Choose an area from the list."),
    ("q=lamp&area=abc", "area", "Choose an area from the list."),
    ("q=lamp&from=2026-02-30", "date_from", "Enter a real date"),
    ("q=lamp&to=99999-01-01", "date_to", "Enter a real date"),
    ("q=lamp&from=2026-03-01&to=2026-02-01", "date_to", "Enter a date on or after the first date."),
    ("q=lamp&kind=%00", "kind", "Remove the invisible control characters"),
])
def test_bad_input_is_answered_beside_its_field(client, world, query, field, message):
    response = client.get(f"/en/search?{query}")
    assert response.status_code == 422
    assert title(response).startswith("Error:")
    doc = page(response)
    assert message in doc.by_id(f"{field}-error").text
    assert doc.find("div", class_="error-summary").get("role") == "alert"


def test_a_query_too_long_is_kept_as_typed(client, world):
    typed = "riverside " * 15
    doc = page(client.get("/en/search", query_string={"q": typed}))
    assert doc.one("input", id="q").get("value") == typed
    assert doc.by_id("q-error") is not None


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "abc", "1e9", "٣"])
def test_any_page_number_is_a_page(client, world, value):
    response = client.get(f"/en/search?q=riverside&page={value}")
    assert response.status_code == 200


def test_pages_link_to_each_other_with_the_filters(client, world, factories):
    from tests.unit.core.test_search_site import _roads

    factories.feedback_requests(25, world["category"], world["north"], _roads(db.session), title="Flicker")
    doc = page(client.get("/en/search?q=flicker&kind=request"))
    assert len(result_links_from(doc)) == 20
    more = doc.one("a", rel="next").get("href")
    assert "page=2" in more and "kind=request" in more and "q=flicker" in more
    second = page(client.get(more))
    assert len(result_links_from(second)) == 5
    assert second.one("ol", class_="search-results").get("start") == "21"


def result_links_from(doc) -> list:
    return doc.find_all("h2", class_="search-result__title")


def test_htmx_gets_only_the_results(client, world):
    response = client.get("/en/search?q=riverside", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<div id=\"search-results\"") and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    bad = client.get("/en/search?q=lamp&kind=secret", headers={"HX-Request": "true"})
    assert bad.status_code == 200  # htmx swaps only 2xx: the problem is said in the results
    assert "Choose a kind from the list." in bad.get_data(as_text=True)


def test_anonymous_results_are_cacheable_and_signed_in_ones_are_not(client, login, world):
    anonymous = client.get("/en/search?q=riverside")
    assert "public" in anonymous.headers["Cache-Control"] and anonymous.headers.get("ETag")
    assert "Set-Cookie" not in anonymous.headers
    login(world["resident"])
    signed_in = client.get("/en/search?q=riverside")
    assert "public" not in (signed_in.headers.get("Cache-Control") or "")


def test_the_page_runs_a_bounded_number_of_statements(client, world, factories):
    from tests.unit.core.test_search_site import _roads

    client.get("/en/search?q=riverside")  # warm the reference data
    with QueryCounter(db.engine) as few:
        client.get("/en/search?q=riverside")
    factories.feedback_requests(60, world["category"], world["north"], _roads(db.session),
                                title="Riverside again")
    with QueryCounter(db.engine) as many:
        response = client.get("/en/search?q=riverside")
    assert len(result_links(response)) == 20
    assert len(many.statements) <= len(few.statements) + 1, many.statements


# --- the header's box, on every page -----------------------------------------------------------

@pytest.mark.parametrize("path", ["/en/", "/en/requests", "/en/halls", "/ar/", "/zh-Hans/account/login",
                                  "/en/search?q=riverside"])
def test_every_page_has_one_labelled_search_box_in_its_header(client, world, path):
    doc = page(client.get(path))
    header = doc.one("header", class_="site-header")
    form = header.one("form", role="search")
    assert form.get("method") == "get"
    assert form.get("action") == f"/{path.split('/')[1]}/search"
    assert form.get("aria-label")
    field = form.one("input", name="q")
    assert doc.one("label", for_="header-search-q").text.strip()
    assert field.get("id") == "header-search-q" and field.get("type") == "search"
    assert form.one("button").get("type") == "submit"


def test_the_header_box_keeps_the_words_on_the_search_page_only(client, world):
    doc = page(client.get("/en/search?q=riverside"))
    assert doc.one("input", id="header-search-q").get("value") == "riverside"
    assert page(client.get("/en/halls")).one("input", id="header-search-q").get("value") == ""
    # control characters are not echoed back into the header
    assert page(client.get("/en/search?q=a%01b")).one("input", id="header-search-q").get("value") == ""


def test_the_header_box_leads_to_the_results(client, world):
    response = client.get("/ar/search", query_string={"q": "riverside"})
    assert response.status_code == 200
    assert len(result_links(response)) == 4
    assert all(href.startswith("/ar/") for href in result_links(response))


def test_the_cached_page_changes_with_every_module_it_finds(app):
    """The anonymous page is cached under the topic of every module whose content it lists, so
    a new disclosure request, course or organization shows at once, not a minute later."""
    from portal.core import site_search
    from portal.core.search_page import site_search_page

    modules = {source.visible.__module__.split(".")[1] for source in site_search.SOURCES.values()}
    assert modules >= {"feedback", "deliberation", "transparency", "literacy", "organizations"}
    assert modules <= set(site_search_page.cached_topics)
