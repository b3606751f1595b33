"""The search service on SQLite FTS5 and PostgreSQL full-text: the same words, the same answers."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from portal.core import search

KIND = "test-note"
search.register(KIND, 63, lambda session: iter(()))


@pytest.fixture
def notes(db_session):
    def add(ref_id, title="", body="", extra="", public=True, locale="en"):
        search.index(db_session, KIND, ref_id, title=title, body=body, extra=extra,
                     public=public, locale=locale)
        return ref_id

    return add


def ids(session, query, **kw):
    return [h.ref_id for h in search.search(session, KIND, query, **kw)]


# --- words -----------------------------------------------------------------------------------

def test_tokenize_folds_case_and_latin_accents_pairs_chinese_and_splits_tibetan():
    assert search.tokenize("Vía PÚBLICA, niño") == ["via", "publica", "nino"]
    assert search.tokenize("路灯不亮") == ["路", "路灯", "灯", "灯不", "不", "不亮", "亮"]
    assert search.tokenize("བཀྲ་ཤིས་བདེ་ལེགས།") == ["བཀྲ", "ཤིས", "བདེ", "ལེགས"]
    # Uyghur keeps its letters (hamza, vowels); a zero-width non-joiner is not part of a word.
    assert search.tokenize("ئەخلەت\u200cساندۇقى") == ["ئەخلەتساندۇقى"]
    assert search.tokenize('a"*:&|!()NEAR\x00b') == ["a", "near", "b"]


def test_query_words_skip_lone_letters_and_match_numbers_exactly():
    tokens = search.query_tokens("R-2026-000012 a pot")
    assert [(t.text, t.prefix) for t in tokens] == [("2026", False), ("000012", False), ("pot", True)]
    assert [t.text for t in search.query_tokens("市场路面")] == ["市场", "场路", "路面"]
    assert [t.text for t in search.query_tokens("路")] == ["路"]
    assert search.query_tokens('"*:&|!( ) - ^') == []


# --- finding -------------------------------------------------------------------------------

def test_english_words_match_by_prefix_and_every_word_must_match(db_session, notes):
    notes(1, "Deep pothole outside the school", "Cars swerve around it.")
    notes(2, "Street light out", "The lamp by the school is dark.")
    assert ids(db_session, "pothole") == [1]
    assert ids(db_session, "poth") == [1]
    assert ids(db_session, "SCHOOL") == [1, 2]
    assert ids(db_session, "school lamp") == [2]
    assert ids(db_session, "school bicycle") == []


def test_chinese_two_character_words_tibetan_syllables_uyghur_words(db_session, notes):
    notes(1, "市场路面塌陷", "市场入口处路面塌陷，雨天积水很深。", locale="zh-Hans")
    notes(2, "夜間施工噪音", "每天晚上十一點以後還有施工。", locale="zh-Hant")
    notes(3, "ལམ་ཁ་ཉམས་ཆག", "སློབ་གྲྭའི་མདུན་གྱི་ལམ་ཁ་ཉམས་ཆག་ཤོར་འདུག", locale="bo")
    notes(4, "ئەخلەت ساندۇقى تولۇپ كەتتى", "بازار يېنىدىكى ئەخلەت ساندۇقى", locale="ug")
    assert ids(db_session, "路面") == [1]
    assert ids(db_session, "施工") == [2]
    assert ids(db_session, "公园") == []
    assert ids(db_session, "市场路面") == [1]
    assert ids(db_session, "ཉམས") == [3]
    assert ids(db_session, "ཉམས་ཆག") == [3]
    assert ids(db_session, "ساندۇقى") == [4]
    assert ids(db_session, "ساندۇق") == [4]  # a stem finds the word with its suffix
    assert ids(db_session, "بازار") == [4]


def test_spanish_accents_are_optional_both_ways(db_session, notes):
    notes(1, "Farola apagada en la vía pública", "Está así desde el lunes.")
    notes(2, "Bache en la via principal", "Un agujero profundo.")
    assert ids(db_session, "vía") == [2, 1]
    assert ids(db_session, "via publica") == [1]
    assert ids(db_session, "ESTÁ") == [1]


def test_titles_rank_above_bodies(db_session, notes):
    notes(1, "Broken bench", "Next to the fountain, also a pothole nearby.")
    notes(2, "Pothole on Elm", "Deep and wide.")
    notes(3, "Litter", "A pothole full of litter.")
    hits = search.search(db_session, KIND, "pothole")
    assert [h.ref_id for h in hits] == [2, 3, 1]  # the title first, then newest first
    assert [h.rank for h in hits] == [1, 0, 0]
    # A title with one of the words ranks above bodies with all of them.
    assert ids(db_session, "pothole litter") == [3]
    assert ids(db_session, "deep pothole") == [2]


def test_extra_text_is_found_and_private_documents_are_not(db_session, notes):
    notes(1, "Hole", "In the road", extra="R-2026-000012 000012 00012 0012 012 12 ## Elm Street")
    notes(2, "Hole", "In the road", extra="R-2026-000120 000120 00120 0120 120 20 ## Oak Lane")
    notes(3, "Hole", "In the road", extra="Elm Street", public=False)
    assert ids(db_session, "000012") == [1]
    assert ids(db_session, "R-2026-000012") == [1]
    assert ids(db_session, "r-2026-000120") == [2]
    assert ids(db_session, "12") == [1]
    assert ids(db_session, "elm") == [1]
    assert ids(db_session, "hole") == [2, 1]


def test_index_replaces_and_remove_deletes(db_session, notes):
    notes(1, "Pothole", "Deep")
    search.index(db_session, KIND, 1, title="Fixed crossing", body="Deep")
    assert ids(db_session, "pothole") == [] and ids(db_session, "crossing") == [1]
    search.index(db_session, KIND, 1, title="Fixed crossing", body="Deep", public=False)
    assert ids(db_session, "crossing") == []
    search.index(db_session, KIND, 1, title="Fixed crossing", body="Deep", public=True)
    assert ids(db_session, "crossing") == [1]
    search.remove(db_session, KIND, 1)
    assert ids(db_session, "crossing") == []


def test_kinds_do_not_mix(db_session, notes):
    from portal.feedback import services  # noqa: F401  (registers "request")

    notes(5, "Pothole", "")
    assert [h.ref_id for h in search.search(db_session, "request", "pothole")] == []
    assert ids(db_session, "pothole") == [5]
    with pytest.raises(ValueError):
        search.register("another", 63, lambda session: iter(()))


def test_limit_bounds_the_candidates(db_session, notes):
    for i in range(1, 31):
        notes(i, "Pothole" if i % 2 else "Hole", "pothole")
    hits = ids(db_session, "pothole", limit=10)
    assert hits == [29, 27, 25, 23, 21, 19, 17, 15, 13, 11]


@pytest.mark.parametrize("query", [
    '"', '""', "*", "pot*", ":", "title:pothole", "{title}: pothole", "&", "|", "!", "(", ")",
    "pothole)", "(pothole", "pothole NEAR school", "NEAR(pothole school)", "NOT pothole",
    "pothole AND", "OR", "^pothole", "'", "pothole' OR 1=1 --", "\\", "pot\x00hole", "\x00",
    "a" * 100_000, "pothole " * 20_000, "路" * 50_000, "-pothole", "pothole:*", "!!pothole",
])
def test_hostile_queries_find_nothing_or_plain_words_never_fail(db_session, notes, query):
    notes(1, "Deep pothole", "near the school")
    hits = ids(db_session, query)
    assert hits in ([], [1])


def test_a_search_is_two_queries(db_session, notes):
    for i in range(1, 6):
        notes(i, "Pothole", "Deep")
    statements = []
    engine = db_session.get_bind().engine

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        ids(db_session, "pothole deep")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2


# --- the plan reads the index --------------------------------------------------------------

def _many(db_session, n=3000):
    rows = [search.Document(i, f"Paving stone {i}", "cracked slab near the bus stop")
            for i in range(1, n + 1)]
    rows.append(search.Document(n + 1, "Unique zebracrossing", "faded", extra="R-2026-987654"))
    search.bulk_index(db_session, KIND, rows, replace=False)
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("ANALYZE search_document"))
    else:  # one segment, however many were written: the steps then count reading, not merging
        db_session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


@pytest.mark.sqlite_only
def test_sqlite_plan_uses_the_fts5_index(db_session):
    _many(db_session)
    plan = search.explain(db_session, KIND, "zebracrossing")
    assert "VIRTUAL TABLE INDEX" in plan, plan
    assert ids(db_session, "zebracrossing") == [3001]


@pytest.mark.postgres_only
def test_postgres_plan_uses_the_gin_index(db_session):
    _many(db_session)
    # A rare word (a number matches exactly, so the statistics know it is rare): the planner
    # reads the GIN index rather than walking the rows newest first.
    plan = search.explain(db_session, KIND, "987654")
    assert "Bitmap Index Scan on ix_search_document_tsv" in plan, plan
    assert ids(db_session, "987654") == [3001]
    # A prefix can use the same index (the planner picks by its estimates).
    db_session.execute(text("SET LOCAL enable_indexscan = off"))
    plan = search.explain(db_session, KIND, "zebracross")
    assert "Bitmap Index Scan on ix_search_document_tsv" in plan, plan
    assert ids(db_session, "zebracross") == [3001]


def test_reindex_rebuilds_a_kind(db_session, monkeypatch):
    docs = [search.Document(1, "Pothole"), search.Document(2, "Crossing", public=False)]
    monkeypatch.setitem(search.KINDS, KIND, search.Kind(KIND, 63, lambda session: iter(docs)))
    search.index(db_session, KIND, 9, title="Stale pothole")
    assert search.reindex(db_session, KIND) == 2
    assert ids(db_session, "pothole") == [1]
    assert ids(db_session, "crossing") == []


# --- one kind's work does not grow with another kind's matches ---------------------------------

CROWD = "test-crowd"
search.register(CROWD, 61, lambda session: iter(()))


def _crowd_and_notes(db_session, crowd: int) -> None:
    """``crowd`` documents of one kind with a common word, and three notes with it too."""
    search.bulk_index(db_session, CROWD, [
        search.Document(i, f"Budget report {i}", "the budget for the year", "2026")
        for i in range(1, crowd + 1)], replace=False)
    search.bulk_index(db_session, KIND, [
        search.Document(i, f"Note {i}", "about the budget", "2026") for i in range(1, 4)])
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("ANALYZE search_document"))
    else:  # one segment, however many were written: the steps then count reading, not merging
        db_session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


@pytest.mark.sqlite_only
def test_a_kinds_search_does_not_read_another_kinds_matches_sqlite(db_session):
    # Counted in SQLite's virtual machine steps, not time: the same for every run.
    raw = db_session.connection().connection.dbapi_connection
    steps = {}
    for crowd in (100, 2000):
        _crowd_and_notes(db_session, crowd)
        count = [0]

        def step(count=count):
            count[0] += 1
            return 0

        raw.set_progress_handler(step, 1)
        try:
            for query in ("budget", "budg", "2026"):  # a word by prefix, a short prefix, a number
                assert ids(db_session, query) == [3, 2, 1]
        finally:
            raw.set_progress_handler(None, 1)
        steps[crowd] = count[0]
        db_session.execute(text("DELETE FROM search_document"))
    assert steps[2000] <= 1.5 * steps[100], steps


def _rows_read(node: dict) -> int:
    """Rows every step of a plan produced or threw away, summed (loops included)."""
    loops = node.get("Actual Loops", 1)
    read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            + node.get("Rows Removed by Index Recheck", 0)) * loops
    return read + sum(_rows_read(child) for child in node.get("Plans", []))


@pytest.mark.postgres_only
def test_a_kinds_search_does_not_read_another_kinds_matches_postgres(db_session):
    import json

    read = {}
    for crowd in (100, 2000):
        _crowd_and_notes(db_session, crowd)
        read[crowd] = {}
        for query in ("budget", "budg", "2026"):
            assert ids(db_session, query) == [3, 2, 1]
            [plan] = json.loads(search.explain(db_session, KIND, query, analyze=True))
            read[crowd][query] = _rows_read(plan["Plan"])
        db_session.execute(text("DELETE FROM search_document"))
    for query in read[100]:
        assert read[2000][query] <= 1.5 * read[100][query] + 10, read
