"""The site search service: several kinds in one ranked list, each kind's visibility rule,
filters, highlighting that escapes first, and the relevance cases in four scripts."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from markupsafe import Markup
from sqlalchemy import update

from portal.core import search, site_search
from portal.core.models import utcnow
from portal.deliberation.models import Proposal
from tests.functional.support import QueryCounter
from tests.unit.core.search_world import build_world


@pytest.fixture
def world(app, db_session, factories):
    with app.test_request_context("/en/"):
        yield build_world(db_session, factories)


def found(session, q, reader=None, **filters):
    page = site_search.site_search(session, reader, site_search.Filters(q=q, **filters))
    return [(r.kind, r.ref_id) for r in page.results]


# --- visibility: one rule per kind, the same for anonymous readers, residents and staff -----

@pytest.mark.parametrize("who", [None, "resident", "staff", "author", "host"])
def test_only_what_everybody_may_read_is_found_whoever_reads(db_session, world, who):
    reader = world[who] if who else None
    results = found(db_session, "riverside", reader)
    assert sorted(results) == sorted([
        ("hall", world["hall"].id), ("proposal", world["proposal"].id),
        ("debate", world["debate"].id), ("request", world["request"].id)])
    # never: an archived hall or what is in it, a draft, a withdrawn proposal, a request
    # waiting for confirmation
    for kind, item in (("hall", "closed"), ("proposal", "draft"), ("proposal", "withdrawn"),
                       ("proposal", "archived_proposal"), ("debate", "old_debate"),
                       ("request", "pending")):
        assert (kind, world[item].id) not in results


@pytest.mark.parametrize("who", [None, "resident", "staff"])
def test_personal_data_of_a_request_is_never_found(db_session, world, who):
    reader = world[who] if who else None
    assert found(db_session, "bench school", reader) == [("request", world["named"].id)]
    for words in ("Zebulon", "Quist", "555 0199", "person"):
        assert found(db_session, words, reader) == []


def test_each_kind_has_one_visibility_rule_that_its_module_registers():
    owners = {"request": "portal.feedback", "hall": "portal.deliberation",
              "debate": "portal.deliberation", "proposal": "portal.deliberation",
              "disclosure": "portal.transparency", "publication": "portal.transparency",
              "course": "portal.literacy", "organization": "portal.organizations"}
    assert {s.kind for s in site_search.sources()} == set(owners)
    for source in site_search.sources():
        assert source.visible.__module__.startswith(owners[source.kind])


def test_a_proposal_leaves_the_results_once_withdrawn_and_a_hall_once_archived(db_session, world):
    from portal.deliberation import proposals

    assert ("proposal", world["proposal"].id) in found(db_session, "benches")
    proposals.withdraw(db_session, world["author"], world["proposal"], "No longer needed")
    assert ("proposal", world["proposal"].id) not in found(db_session, "benches")
    world["hall"].archived = True
    db_session.commit()
    assert found(db_session, "riverside") == [("request", world["request"].id)]


# --- ranking and filters ---------------------------------------------------------------------

def test_a_title_match_outranks_a_newer_body_match_across_kinds(db_session, world, factories):
    # the request (the newest item) has "path" only in its text; the debate in its text too;
    # a new hall has it in its name: it comes first although it is not the newest
    from portal.deliberation import services as halls

    halls.create_hall(db_session, world["host"], halls.HallData(
        slug="path-makers", area_id=world["city"].id, source_locale="en", names={"en": "Path makers"},
        purposes={"en": "Footways"}))
    [newer] = factories.feedback_requests(1, world["category"], world["north"], _roads(db_session),
                                          title="Dark corner",
                                          description="By the path to the school.")
    results = site_search.site_search(db_session, None, site_search.Filters(q="path")).results
    assert (results[0].kind, results[0].in_title) == ("hall", True)
    assert {(r.kind, r.ref_id) for r in results[1:]} == {
        ("request", newer.id), ("request", world["request"].id), ("debate", world["debate"].id)}
    assert not any(r.in_title for r in results[1:])
    # within the body matches, newest first
    assert results[1].ref_id == newer.id


def _roads(session):
    from sqlalchemy import select

    from portal.responsibility.models import Department

    return session.scalar(select(Department).where(Department.code == "roads"))


def test_filters_by_kind_area_within_and_dates(db_session, world):
    assert found(db_session, "riverside", kinds=("proposal",)) == [("proposal", world["proposal"].id)]
    # both have it in their title: the newer first
    assert found(db_session, "riverside", kinds=("hall", "debate")) == [
        ("debate", world["debate"].id), ("hall", world["hall"].id)]
    # the city holds the north bank: everything; the south bank holds only archived things
    assert len(found(db_session, "riverside", area_id=world["city"].id)) == 4
    assert found(db_session, "riverside", area_id=world["south"].id) == []
    today = utcnow().date()
    assert len(found(db_session, "riverside", date_from=today, date_to=today)) == 4
    assert found(db_session, "riverside", date_to=today - timedelta(days=1)) == []
    assert found(db_session, "riverside", date_from=today + timedelta(days=1)) == []
    db_session.execute(update(Proposal).where(Proposal.id == world["proposal"].id)
                       .values(published_at=utcnow() - timedelta(days=40)))
    db_session.commit()
    assert found(db_session, "riverside", kinds=("proposal",),
                 date_to=today - timedelta(days=30)) == [("proposal", world["proposal"].id)]
    assert found(db_session, "riverside", kinds=("proposal",), date_from=date(2000, 1, 1),
                 date_to=today - timedelta(days=41)) == []


def test_pages_are_cut_from_the_ranked_list(db_session, world, factories):
    factories.feedback_requests(25, world["category"], world["north"], _roads(db_session),
                                title="Flicker")
    first = site_search.site_search(db_session, None, site_search.Filters(q="flicker"), per_page=10)
    assert first.total == 25 and len(first.results) == 10 and first.has_next and not first.has_previous
    third = site_search.site_search(db_session, None, site_search.Filters(q="flicker"), page=3,
                                    per_page=10)
    assert len(third.results) == 5 and not third.has_next and third.first == 21
    assert {r.ref_id for r in first.results}.isdisjoint({r.ref_id for r in third.results})
    far = site_search.site_search(db_session, None, site_search.Filters(q="flicker"), page=10**9)
    assert far.results == [] and far.page == site_search.MAX_PAGE


@pytest.fixture
def limits(monkeypatch):
    """The number of ids each search asks every kind for, in order."""
    asked = []
    real = search.search_kinds

    def spy(session, names, query, limit=search.CANDIDATES):
        asked.append(limit)
        return real(session, names, query, limit)

    monkeypatch.setattr(search, "search_kinds", spy)
    monkeypatch.setattr(site_search, "FIRST_CANDIDATES", 10)
    return asked


def test_an_unfiltered_first_page_reads_only_the_first_ids(db_session, world, factories, limits):
    factories.feedback_requests(40, world["category"], world["north"], _roads(db_session),
                                title="Flicker")
    first = site_search.site_search(db_session, None, site_search.Filters(q="flicker"), per_page=5)
    # this page and the next, twice over: 20 ids (and one to tell there are more), not
    # search.CANDIDATES
    assert limits == [21] and len(first.results) == 5 and first.more and first.has_next
    assert first.total == 20
    later = site_search.site_search(db_session, None, site_search.Filters(q="flicker"), page=3,
                                    per_page=5)
    assert limits[-1] == 41 and len(later.results) == 5 and not later.more
    newest = [r.ref_id for r in first.results]
    assert newest == sorted(newest, reverse=True)
    assert set(newest).isdisjoint(r.ref_id for r in later.results)


def test_filters_or_hidden_first_ids_read_all_the_candidates(db_session, world, factories, limits,
                                                             monkeypatch):
    made = factories.feedback_requests(40, world["category"], world["north"], _roads(db_session),
                                       title="Flicker")
    today = utcnow().date()
    dated = site_search.site_search(db_session, None, site_search.Filters(
        q="flicker", date_from=today), per_page=5)
    assert limits == [search.CANDIDATES + 1] and dated.total == 40
    # the 30 newest are not for this reader: the first 20 ids show nothing, so all are read
    oldest = sorted(r.id for r in made)[:10]
    source = site_search.SOURCES["request"]
    rule = source.visible

    def fewer(session, reader, ids, scope):
        return {i: when for i, when in rule(session, reader, ids, scope).items() if i in oldest}

    monkeypatch.setitem(site_search.SOURCES, "request", dataclasses.replace(
        source, visible=fewer))
    hidden = site_search.site_search(db_session, None, site_search.Filters(q="flicker"), per_page=5)
    assert limits[1:] == [21, search.CANDIDATES + 1]
    assert [r.ref_id for r in hidden.results] == sorted(oldest, reverse=True)[:5]
    assert hidden.total == 10 and not hidden.more


def test_the_number_of_statements_does_not_grow_with_the_results(app, db_session, world, factories):
    from portal.extensions import db

    def statements(q):
        with QueryCounter(db.engine) as counter:
            page = site_search.site_search(db_session, None, site_search.Filters(q=q))
        return len(counter.statements), len(page.results)

    few = statements("riverside")
    factories.feedback_requests(60, world["category"], world["north"], _roads(db_session),
                                title="Riverside again")
    many = statements("riverside")
    assert few[1] == 4 and many[1] == site_search.PER_PAGE
    assert many[0] <= few[0]
    # two per kind to search, one per kind for its rule, one per kind shown, no more
    assert many[0] <= 4 * len(site_search.sources())


def test_nothing_to_look_for_finds_nothing_without_a_statement(app, db_session, world):
    from portal.extensions import db

    with QueryCounter(db.engine) as counter:
        for q in ("", "   ", '"*:&|!()', "a", "\x00"):
            assert found(db_session, q) == []
    assert counter.statements == []


# --- highlighting ------------------------------------------------------------------------------

def test_highlighting_escapes_the_text_first_then_marks_the_words():
    marked = site_search.highlight('<script>alert("x")</script> Lamp & <b>lamps</b>', "lamp")
    assert isinstance(marked, Markup)
    assert str(marked) == ('&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Lamp</mark> &amp; '
                           '&lt;b&gt;<mark>lamps</mark>&lt;/b&gt;')
    # a query that looks like markup is only words
    assert "<mark>" not in str(site_search.highlight("a <mark> tag", "<mark>")) .replace(
        "<mark>mark</mark>", "")
    assert str(site_search.highlight("Vía pública", "via")) == "<mark>Vía</mark> pública"
    assert str(site_search.highlight("市场入口处路面塌陷", "路面")) == "市场入口处<mark>路面</mark>塌陷"
    assert str(site_search.highlight("ལམ་ཁ་ཉམས་ཆག", "ཉམས")) == "ལམ་ཁ་<mark>ཉམས</mark>་ཆག"
    assert str(site_search.highlight("بازار يېنىدىكى ئەخلەت ساندۇقى", "ساندۇق")) == \
        "بازار يېنىدىكى ئەخلەت <mark>ساندۇقى</mark>"


def test_a_snippet_is_cut_around_the_first_match():
    text = "Start. " + "filler words here " * 30 + "the broken lamp is here. " + "more " * 60
    cut = str(site_search.snippet(text, "lamp"))
    assert cut.startswith("…") and cut.endswith("…")
    assert "<mark>lamp</mark>" in cut
    assert len(cut) < site_search.SNIPPET_CHARS + 40
    assert str(site_search.snippet("Short & sweet", "nothing")) == "Short &amp; sweet"


def test_results_carry_highlighted_titles_and_snippets_in_their_language(db_session, world):
    page = site_search.site_search(db_session, None, site_search.Filters(q="benches",
                                                                      kinds=("proposal",)))
    [result] = page.results
    assert str(result.title) == "Riverside <mark>benches</mark>"
    # the body was typed with markup: shown as text, never as HTML
    assert "<b>" not in str(result.snippet) and "&amp;" in str(result.snippet)
    assert "<mark>benches</mark>" in str(result.snippet)
    assert result.locale == "en" and result.area == "North bank"
    assert result.endpoint == "deliberation.proposal"


# --- relevance in four scripts -----------------------------------------------------------------

RELEVANCE_KIND = "test-relevance"
search.register(RELEVANCE_KIND, 62, lambda session: iter(()))

DOCUMENTS = {  # id: (title, body, locale)
    1: ("Street light out on Elm", "The lamp by the school has been dark for a week.", "en"),
    2: ("Rubbish by the school gate", "Bins overflow; a street light nearby flickers.", "en"),
    3: ("Farola apagada en la vía pública", "Está así desde el lunes.", "es"),
    4: ("Bache profundo", "En la vía de servicio, junto a la farola.", "es"),
    5: ("市场路面塌陷", "市场入口处路面塌陷，雨天积水很深。", "zh-Hans"),
    6: ("夜間施工噪音", "市場旁每天晚上十一點以後還有施工。", "zh-Hant"),
    7: ("公园长椅损坏", "路面旁边的长椅坏了。", "zh-Hans"),
    8: ("ལམ་ཁ་ཉམས་ཆག", "སློབ་གྲྭའི་མདུན་གྱི་ལམ་ཁ་ཉམས་ཆག་ཤོར་འདུག", "bo"),
    9: ("སློབ་གྲྭའི་གློག་སྒྲོན", "ལམ་ཁའི་གློག་སྒྲོན་མི་འབར།", "bo"),
    10: ("ئەخلەت ساندۇقى تولۇپ كەتتى", "بازار يېنىدىكى ئەخلەت ساندۇقى", "ug"),
    11: ("بازار يولى بۇزۇلغان", "ئەخلەت ساندۇقى يېنىدا چوڭقۇر ئورەك بار", "ug"),
}

CASES = [  # query, the ids expected in this order (title matches first, then newest first)
    ("street light", [1, 2]),
    ("school", [2, 1]),
    ("STREET", [1, 2]),
    ("farola", [3, 4]),
    ("via", [3, 4]),
    ("vía", [3, 4]),
    ("路面", [5, 7]),  # a two-character word: in 5's title, in 7's text
    ("市场", [5]),  # simplified does not find traditional 市場
    ("市場", [6]),
    ("施工", [6]),
    ("长椅", [7]),
    ("ཉམས་ཆག", [8]),
    ("ལམ་ཁ", [8, 9]),
    ("གློག་སྒྲོན", [9]),
    ("ئەخلەت", [10, 11]),
    ("ساندۇق", [10, 11]),
    ("بازار", [11, 10]),
    ("nothing here", []),
]


@pytest.fixture
def relevance(db_session):
    for ref_id, (title, body, locale) in DOCUMENTS.items():
        search.index(db_session, RELEVANCE_KIND, ref_id, title=title, body=body, locale=locale)
    db_session.flush()


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_relevance_in_four_scripts(db_session, relevance, query, expected):
    hits = search.search_kinds(db_session, [RELEVANCE_KIND, "request"], query)
    assert [h.ref_id for h in hits if h.kind == RELEVANCE_KIND] == expected
    titles = [h.rank for h in hits]
    assert titles == sorted(titles, reverse=True)  # every title match before any other
