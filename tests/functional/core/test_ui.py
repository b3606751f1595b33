"""Pages of core: the accessibility statement, the home page, the form macros."""

from __future__ import annotations

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from tests.functional.support import page

STATEMENT_SECTIONS = ["commitment", "status", "limitations", "feedback", "formats", "enforcement",
                      "technical", "assessment", "date"]


def test_the_accessibility_statement_follows_the_model(make_app, db_session):
    app = make_app(ACCESSIBILITY_EMAIL="a11y@city.example.org", ACCESSIBILITY_PHONE="+1 555 0199",
                   ACCESSIBILITY_ADDRESS="2 Town Hall Lane", ACCESSIBILITY_REVIEWED="2026-11-30",
                   ACCESSIBILITY_ENFORCEMENT_NAME="The Ombudsman",
                   ACCESSIBILITY_ENFORCEMENT_URL="https://ombudsman.example.org/")
    response = app.test_client().get("/en/accessibility")
    assert response.status_code == 200
    doc = page(response)
    main = doc.one("main")
    ids = [h.get("id") for h in main.find_all("h2")]
    assert [i for i in ids if i in STATEMENT_SECTIONS] == STATEMENT_SECTIONS
    text = main.text
    assert "partially conformant with WCAG 2.2 level AA" in text
    assert "native speakers" in text and "no map yet" in text  # honest limitations
    assert main.find("a", href="mailto:a11y@city.example.org") is not None
    assert main.find("a", href="tel:+15550199") is not None
    assert "2 Town Hall Lane" in text
    assert main.find("a", href="https://ombudsman.example.org/").text == "The Ombudsman"
    assert "last reviewed on Nov 30, 2026" in text


def test_a_misconfigured_review_date_leaves_the_sentence_out(make_app, db_session):
    app = make_app(ACCESSIBILITY_REVIEWED="last spring")
    response = app.test_client().get("/en/accessibility")
    assert response.status_code == 200
    assert "last reviewed" not in page(response).one("main").text


def test_a_fields_error_shows_once_beside_it_and_once_in_the_summary(app):
    from portal.core.gallery import GalleryForm

    with app.test_request_context("/en/"):
        form = GalleryForm(formdata=MultiDict(), prefix="t", meta={"csrf": False})
        form.validate()
        form.full_name.errors = ["Enter your name.", "Enter your name."]  # two checks, one message
        html = render_template_string(
            '{% import "macros/forms.html" as forms %}{{ forms.error_summary(form) }}'
            "{{ forms.field(form.full_name) }}", form=form)
    assert html.count("Enter your name.") == 2


@pytest.mark.parametrize("kind", ["field", "textarea"])
def test_free_text_controls_take_the_direction_of_what_is_typed(app, kind):
    from portal.core.gallery import GalleryForm

    with app.test_request_context("/ar/"):
        form = GalleryForm(meta={"csrf": False})
        f = form.full_name if kind == "field" else form.story
        html = render_template_string(
            '{% import "macros/forms.html" as forms %}{{ forms.' + kind + "(f) }}", f=f)
    assert 'dir="auto"' in html


def test_the_home_page_promises_only_what_exists(client, db_session):
    doc = page(client.get("/en/"))
    main = doc.one("main")
    ids = [s.get("aria-labelledby") for s in main.find_all("section", class_="card")]
    assert ids == ["card-requests", "card-halls", "card-departments", "card-disclosure", "card-metrics",
                   "card-catalog", "card-learn", "card-organizations", "card-account"]
    text = main.text.lower()
    for missing in ("discussion", "debate", "proposal", "vote", "publishes"):
        assert missing not in text, missing
    hrefs = {a.get("href") for a in main.find_all("a")}
    assert {"/en/requests/new", "/en/requests", "/en/requests/metrics", "/en/halls",
            "/en/learn/"} <= hrefs
    box = main.one("form", role="search")
    assert box.get("method") == "get" and box.get("action") == "/en/requests/find"
    assert box.one("input", name="code").get("id") == "code"


def test_a_module_adds_its_card_when_it_lands(make_app, db_session):
    from portal.core.home import HomeCard, register_home_card

    app = make_app()
    register_home_card(app, HomeCard("courses", "core/_test_card.html", order=15,
                                     context=lambda session: {"count": 3}))
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_loader = ChoiceLoader([DictLoader({"core/_test_card.html": (
        '<section class="card" aria-labelledby="card-courses"><h2 id="card-courses">Courses'
        "</h2><p>{{ card_context.count }} courses</p></section>")}), app.jinja_loader])
    app.jinja_env.loader = app.jinja_loader
    main = page(app.test_client().get("/en/")).one("main")
    ids = [s.get("aria-labelledby") for s in main.find_all("section", class_="card")]
    assert ids == ["card-requests", "card-courses", "card-halls", "card-departments", "card-disclosure",
                   "card-metrics", "card-catalog", "card-learn", "card-organizations", "card-account"]
    assert "3 courses" in main.text
