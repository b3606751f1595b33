"""Numbers past any column in a URL or a query string are a 404 or simply ignored, never a
500; after a failed statement the error page still renders (PostgreSQL's failed transaction
is rolled back first)."""

from __future__ import annotations

import contextlib

import pytest
from flask import abort
from sqlalchemy import select, text
from werkzeug.routing.converters import IntegerConverter

from tests.functional.support import build_url, page, url_map_app

HUGE = 99999999999999999999


def _int_get_rules():
    rules = []
    for rule in url_map_app().url_map.iter_rules():
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if ints and "GET" in (rule.methods or ()):
            rules.append(pytest.param(rule, ints, id=rule.rule))
    return rules


@pytest.mark.parametrize("rule, ints", _int_get_rules())
def test_every_get_route_with_a_huge_number_is_a_404(client, db_session, rule, ints):
    url = build_url(url_map_app(), rule, dict.fromkeys(ints, HUGE))
    assert str(HUGE) in url
    response = client.get(url)
    assert response.status_code == 404, url
    assert page(response).one("h1").text == "Page not found"


def _text_get_rules():
    from portal.core.urls import SlugConverter, TextConverter

    rules = []
    for rule in url_map_app().url_map.iter_rules():
        texts = [n for n, c in rule._converters.items() if isinstance(c, TextConverter | SlugConverter)]
        if texts and "GET" in (rule.methods or ()) and not rule.rule.startswith("/static"):
            rules.append(pytest.param(rule, texts, id=rule.rule))
    return rules


@pytest.mark.parametrize("rule, texts", _text_get_rules())
def test_every_get_route_with_a_control_character_in_a_path_part_is_a_404(client, db_session, rule,
                                                                         texts):
    url = build_url(url_map_app(), rule, dict.fromkeys(texts, "a\x00b"))
    response = client.get(url.replace("a%00b", "a\x00b"))
    assert response.status_code == 404, url


def test_text_path_parts_are_checked_on_every_kind_of_page():
    rules = {p.id for p in _text_get_rules()}
    assert {"/<lc:locale>/requests/<code>", "/<lc:locale>/halls/<slug:slug>"} <= rules


def test_the_crawl_covers_the_file_and_template_routes():
    rules = {p.id for p in _int_get_rules()}
    assert {"/<lc:locale>/requests/<code>/files/<int:attachment_id>",
            "/<lc:locale>/staff/requests/reply-templates/<int:template_id>"} <= rules


@pytest.mark.parametrize("url", ["/en/requests/new/files/99999999999999999999/remove",
                                 "/en/admin/users/99999999999999999999/block"])
def test_a_post_with_a_huge_number_is_a_404(client, db_session, url):
    assert client.post(url).status_code == 404


def test_five_thousand_digits_are_a_404_too(client, db_session):
    assert client.get("/en/requests/R-2026-000001/files/" + "9" * 5000).status_code == 404


def test_the_largest_integer_a_column_holds_still_matches(client, db_session):
    response = client.get(f"/en/requests/R-2026-000001/files/{2**31 - 1}")
    assert response.status_code == 404  # no such request: the view answered, not the URL map


@pytest.mark.parametrize("url", [
    f"/en/requests?before={HUGE}", f"/en/requests?after={HUGE}",
    f"/en/requests?category={HUGE}&area={HUGE}&department={HUGE}",
    "/en/requests?before=-1", "/en/requests?before=%C2%B2",
])
def test_huge_cursors_and_filters_in_the_query_string_are_ignored(client, db_session, url):
    assert client.get(url).status_code == 200


def test_an_error_page_after_a_failed_statement_renders(make_app):
    from portal.extensions import db

    other = make_app()

    @other.get("/en/broken-statement")
    def broken():
        with contextlib.suppress(Exception):  # as a route that catches a DB error does
            db.session.execute(text("SELECT * FROM no_such_table"))
        abort(404)

    @other.context_processor
    def reads_the_database():  # as a page does: the user, the menus
        return {"reachable": db.session.execute(select(1)).scalar()}

    response = other.test_client().get("/en/broken-statement")
    assert response.status_code == 404
    assert page(response).one("h1").text == "Page not found"


@pytest.mark.parametrize("url", [
    "/en/admin/users?q=a%00b", "/en/admin/users?role=%00",
    "/en/staff/queue/?state=%00&category=99999999999999999999&department=1%00",
    "/en/staff/requests/reply-templates?category=99999999999999999999",
])
def test_get_searches_with_control_characters_or_huge_ids_are_not_a_500(client, factories, login, url):
    login(factories.user(roles=("administrator",)))
    response = client.get(url)
    assert response.status_code == 200, url
