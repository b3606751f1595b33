"""One search service for every module: SQLite FTS5 and PostgreSQL full-text behind one interface.

A module registers a *kind* of document once, with a small number that is unique among kinds
and a function that yields its documents (for ``flask search reindex``)::

    search.register("request", 1, documents)

and its services keep the index in step, in the same transaction as the change::

    search.index(session, "request", request.id, title=..., body=..., extra=..., public=True)
    search.remove(session, "request", request.id)

``search(session, kind, query)`` returns the matching ids, best first: documents with a query
word in the title before those with it only elsewhere, newest (highest id) first within each.
The module then loads those ids with its own filters. At most ``CANDIDATES`` ids come back, so
the filters and the page work on a bounded set.

Text is turned into words here, in Python, the same way for both databases (see
docs/decisions/0003-search-tokens.md): letters are folded (case, Latin accents), scripts
written without spaces (Chinese, Japanese, Thai...) are indexed as single characters and
overlapping pairs, so a two-character word is found; Tibetan splits at the tsheg; words of
spaced scripts (English, Spanish, Uyghur) match by prefix. The database never parses user
input as query syntax: every word is quoted by ``_fts_query``/``_ts_query``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import regex
from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    delete,
    event,
    text,
)
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.extensions import db

CANDIDATES = 1000  # at most this many ids per search, best first
MAX_QUERY_CHARS = 200  # longer queries are cut here (the list's field takes 100)
MAX_QUERY_WORDS = 8
MAX_TOKEN_CHARS = 60
KIND_CODES = 64  # a document's id is ref_id * KIND_CODES + the kind's code

# --- the table ------------------------------------------------------------------------------


class SearchDocument(db.Model):
    """One searchable record, as words (already tokenized, one space apart). On SQLite the
    FTS5 table ``search_fts`` mirrors the public rows (kept by triggers); on PostgreSQL ``tsv``
    holds the same words, weighted (title A, body B, extra C), under a GIN index. In both
    indexes every word carries its kind's ``mark``; the text columns hold the words as made."""

    __tablename__ = "search_document"
    # fastupdate off: a search then never reads a long list of pending entries (they wait
    # there until a vacuum, and every query scans them); records are written far less often.
    __table_args__ = (Index("ix_search_document_tsv", "tsv", postgresql_using="gin",
                            postgresql_with={"fastupdate": "off"}),)

    # ref_id * KIND_CODES + code: ordering by id is newest first within every kind, which
    # FTS5 reads straight off its index (ORDER BY rowid DESC).
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int] = mapped_column(BigInteger())
    public: Mapped[bool] = mapped_column(Boolean(), default=True)
    locale: Mapped[str] = mapped_column(String(10), default="")
    title: Mapped[str] = mapped_column(Text(), default="")
    body: Mapped[str] = mapped_column(Text(), default="")
    extra: Mapped[str] = mapped_column(Text(), default="")
    tsv: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


# Every word is stored with its kind's mark in front ("§07budget" for a publication's
# "budget"), so each kind has words of its own in the one index: a search of a kind reads only
# that kind's matches, whatever the other kinds hold (an exact word and a prefix alike; see
# docs/decisions/0004-search-kind-in-the-words.md). The mark is a character no word can hold
# (tokenize and query_tokens keep letters, marks and digits only) and the code in two digits,
# so "§01" + "12" can never be "§11" + "2", and no query can reach another kind's words.
KIND_MARK = "\u00a7"  # §


def mark(code: int) -> str:
    """The prefix of every word of the kind with ``code``, in the index (FTS5 and tsvector)."""
    return f"{KIND_MARK}{code:02d}"


# SQLite: an external-content FTS5 table over a view of search_document: its public rows with
# every word marked with the kind (the row's words are one space apart; the kind's code is
# ``id % KIND_CODES``). The view is the one place the marks are made on SQLite: the triggers
# copy its rows into search_fts (before a row changes, its old marked words out; after, the
# new ones in), and FTS5's own 'rebuild' reads it (the migration uses that). The "ascii"
# tokenizer splits on ASCII spaces and punctuation and leaves every other character alone, so
# it keeps exactly the words the view wrote. Prefix indexes of 5 and 6 characters: the mark
# (3) and a two- or three-letter prefix of a word.
_MARK_SQL = f"'{KIND_MARK}' || printf('%02d', id % {KIND_CODES})"


def _marked_sql(column: str) -> str:
    return (f"CASE WHEN {column} = '' THEN '' "
            f"ELSE {_MARK_SQL} || replace({column}, ' ', ' ' || {_MARK_SQL}) END AS {column}")


_COPY = ("INSERT INTO search_fts(rowid, title, body, extra) "
         "SELECT id, title, body, extra FROM search_fts_content WHERE id = {row}.id; ")
_UNCOPY = ("INSERT INTO search_fts(search_fts, rowid, title, body, extra) "
           "SELECT 'delete', id, title, body, extra FROM search_fts_content WHERE id = {row}.id; ")
_VIEW_COLUMNS = ", ".join(_marked_sql(c) for c in ("title", "body", "extra"))  # no user input
SQLITE_DDL = [
    f"CREATE VIEW IF NOT EXISTS search_fts_content AS SELECT id, {_VIEW_COLUMNS} "  # noqa: S608
    "FROM search_document WHERE public",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, extra, "
    "content='search_fts_content', content_rowid='id', tokenize='ascii', prefix='5 6')",
    "CREATE TRIGGER IF NOT EXISTS search_document_ai AFTER INSERT ON search_document "
    "WHEN new.public BEGIN " + _COPY.format(row="new") + "END",
    "CREATE TRIGGER IF NOT EXISTS search_document_bd BEFORE DELETE ON search_document "
    "WHEN old.public BEGIN " + _UNCOPY.format(row="old") + "END",
    "CREATE TRIGGER IF NOT EXISTS search_document_bu BEFORE UPDATE ON search_document "
    "WHEN old.public BEGIN " + _UNCOPY.format(row="old") + "END",
    "CREATE TRIGGER IF NOT EXISTS search_document_au AFTER UPDATE ON search_document "
    "WHEN new.public BEGIN " + _COPY.format(row="new") + "END",
]
# Fills search_fts from the view (after the table is made over existing rows).
SQLITE_REBUILD = "INSERT INTO search_fts(search_fts) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_bu",
    "DROP TRIGGER IF EXISTS search_document_bd",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
    "DROP VIEW IF EXISTS search_fts_content",
]

for _statement in SQLITE_DDL:  # DDL() formats with %: the modulo and printf's are doubled
    event.listen(SearchDocument.__table__, "after_create",
                 DDL(_statement.replace("%", "%%")).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(SearchDocument.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))


def is_backend_table(name: str) -> bool:
    """Tables the database keeps for FTS5 (``search_fts``, its shadow tables
    and the view it reads) are made by DDL, not by the models, so schema comparisons leave
    them out."""
    return name == "search_fts" or name.startswith("search_fts_")


# --- kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    ref_id: int
    title: str = ""
    body: str = ""
    extra: str = ""
    locale: str = ""
    public: bool = True


@dataclass(frozen=True)
class Kind:
    name: str
    code: int
    documents: Callable[[Session], Iterable[Document]]


KINDS: dict[str, Kind] = {}


def register(name: str, code: int, documents: Callable[[Session], Iterable[Document]]) -> Kind:
    """Declare a kind of document. ``code`` (1–63) is fixed forever for the kind: it is part
    of every document id. ``documents(session)`` yields every record's document, for reindex."""
    if not 0 < code < KIND_CODES:
        raise ValueError(f"search kind code must be 1..{KIND_CODES - 1}")
    for other in KINDS.values():
        if other.name != name and other.code == code:
            raise ValueError(f"search kind code {code} is already {other.name!r}")
    kind = Kind(name, code, documents)
    KINDS[name] = kind
    return kind


def _kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown search kind {name!r}") from None


def doc_id(kind: str, ref_id: int) -> int:
    return ref_id * KIND_CODES + _kind(kind).code


# --- words ----------------------------------------------------------------------------------

_FORMAT = regex.compile(r"\p{Cf}")  # zero-width joiners, bidirectional marks: not part of words
_LATIN_MARKS = regex.compile(r"[\u0300-\u036f]")  # é → e, ñ → n (not Tibetan or Arabic marks)
# Scripts written without spaces between words: indexed as characters and pairs of them.
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
# A run of an unspaced script, or a word of the others (letters, their marks, digits).
_PIECES = regex.compile(rf"(?V1)([{_UNSPACED}]+)|([[\p{{L}}\p{{M}}\p{{N}}]--[{_UNSPACED}]]+)")
_ASCII_WORD = regex.compile(r"[a-z0-9]+")


def normalize(value: str) -> str:
    if value.isascii():
        return value.lower()
    value = unicodedata.normalize("NFKC", value)
    value = _FORMAT.sub("", value).casefold()
    value = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", value))
    return unicodedata.normalize("NFC", value)


def tokenize(value: str) -> list[str]:
    """The words stored for ``value``, in order (Tibetan splits at the tsheg, which is
    punctuation; Chinese gives every character and every pair)."""
    value = value or ""
    if value.isascii():
        return [w[:MAX_TOKEN_CHARS] for w in _ASCII_WORD.findall(value.lower())]
    words: list[str] = []
    for run, word in _PIECES.findall(normalize(value)):
        if word:
            words.append(word[:MAX_TOKEN_CHARS])
            continue
        for i, char in enumerate(run):
            words.append(char)
            if i + 1 < len(run):
                words.append(run[i:i + 2])
    return words


@dataclass(frozen=True)
class Token:
    text: str
    prefix: bool  # match words starting with it (spaced scripts) or only exactly


def query_tokens(query: str) -> list[Token]:
    """What a search looks for: every word must match. Chinese ``路面`` looks for the pair;
    a run of three or more characters for each pair in it. A lone letter of a spaced script
    is too common to search for and is skipped; numbers match exactly."""
    seen: dict[str, Token] = {}
    for run, word in _PIECES.findall(normalize((query or "")[:MAX_QUERY_CHARS])):
        if word:
            word = word[:MAX_TOKEN_CHARS]
            pieces = [Token(word, not word.isdigit())]
            if len(word) == 1 and not word.isdigit():
                pieces = []
        elif len(run) == 1:
            pieces = [Token(run, False)]
        else:
            pieces = [Token(run[i:i + 2], False) for i in range(len(run) - 1)]
        for token in pieces:
            seen.setdefault(token.text, token)
    return list(seen.values())[:MAX_QUERY_WORDS * 2]


# --- keeping the index ----------------------------------------------------------------------

def tsvector_literal(code: int | None, title: Sequence[str], body: Sequence[str],
                     extra: Sequence[str]) -> str:
    """A tsvector literal (no parser involved): each word, marked with the kind of ``code``
    (unmarked when None: the schema before migration search_0002), with its positions and
    weight."""
    prefix = "" if code is None else mark(code)
    positions: dict[str, list[str]] = {}
    n = 0
    for weight, words in (("A", title), ("B", body), ("C", extra)):
        for word in words:
            word = prefix + word
            n = min(n + 1, 16383)
            slot = positions.setdefault(word, [])
            if len(slot) < 64:
                slot.append(f"{n}{weight}")
    escaped = (w.replace("\\", "\\\\").replace("'", "''") for w in positions)
    return " ".join(f"'{w}':{','.join(p)}" for w, p in zip(escaped, positions.values(), strict=True))


def _row(kind: Kind, document: Document, postgres: bool) -> dict:
    title, body, extra = (tokenize(document.title), tokenize(document.body), tokenize(document.extra))
    return {
        "id": document.ref_id * KIND_CODES + kind.code, "kind": kind.name, "ref_id": document.ref_id,
        "public": bool(document.public), "locale": document.locale or "",
        "title": " ".join(title), "body": " ".join(body), "extra": " ".join(extra),
        "tsv_source": tsvector_literal(kind.code, title, body, extra) if postgres else None,
    }


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(postgres: bool):
    tsv = cast(bindparam("tsv_source"), TSVECTOR) if postgres else bindparam("tsv_source")
    table = SearchDocument.__table__
    return sa_insert(table).values(
        id=bindparam("id"), kind=bindparam("kind"), ref_id=bindparam("ref_id"),
        public=bindparam("public"), locale=bindparam("locale"), title=bindparam("title"),
        body=bindparam("body"), extra=bindparam("extra"), tsv=tsv)


def index(session: Session, kind: str, ref_id: int, *, title: str = "", body: str = "",
          extra: str = "", locale: str = "", public: bool = True) -> None:
    """Add or replace one record's document, in the caller's transaction. Only ``public``
    documents are found by ``search``; pass only text the public may read."""
    bulk_index(session, kind, [Document(ref_id, title, body, extra, locale, public)], replace=True)


def bulk_index(session: Session, kind: str, documents: Iterable[Document], replace: bool = True,
               batch: int = 2000) -> int:
    """Index many documents at once (reindex, bulk loaders). ``replace=False`` when the
    documents are known to be new (a fresh reindex): saves the delete."""
    k = _kind(kind)
    postgres = _postgres(session)
    statement = _insert(postgres)
    table = SearchDocument.__table__
    count = 0
    rows: list[dict] = []

    def flush():
        if replace:
            session.execute(delete(table).where(table.c.id.in_([r["id"] for r in rows])))
        session.execute(statement, rows)

    for document in documents:
        rows.append(_row(k, document, postgres))
        count += 1
        if len(rows) >= batch:
            flush()
            rows = []
    if rows:
        flush()
    return count


def remove(session: Session, kind: str, ref_id: int) -> None:
    table = SearchDocument.__table__
    session.execute(delete(table).where(table.c.id == doc_id(kind, ref_id)))


def reindex(session: Session, kind: str) -> int:
    """Rebuild one kind's documents from its records. Commits."""
    k = _kind(kind)
    table = SearchDocument.__table__
    session.execute(delete(table).where(table.c.kind == k.name))
    count = bulk_index(session, kind, k.documents(session), replace=False)
    session.commit()
    return count


# --- searching ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    ref_id: int
    rank: int  # 1: a word is in the title; 0: only in the body or extra text


def _marked(tokens: list[Token], code: int) -> list[Token]:
    """The query's words as the kind's words in the index."""
    prefix = mark(code)
    return [Token(prefix + t.text, t.prefix) for t in tokens]


def _fts_term(token: Token) -> str:
    return '"' + token.text.replace('"', '""') + '"' + ("*" if token.prefix else "")


def _fts_query(tokens: list[Token], title_only: bool) -> str:
    every = " AND ".join(_fts_term(t) for t in tokens)
    if not title_only:
        return every
    return f"({every}) AND {{title}} : ({' OR '.join(_fts_term(t) for t in tokens)})"


def _ts_term(token: Token, weight: str = "") -> str:
    word = token.text.replace("\\", "\\\\").replace("'", "''")
    suffix = ("*" if token.prefix else "") + weight
    return f"'{word}'" + (f":{suffix}" if suffix else "")


def _ts_query(tokens: list[Token], title_only: bool) -> str:
    every = " & ".join(_ts_term(t) for t in tokens)
    if not title_only:
        return every
    return f"({every}) & ({' | '.join(_ts_term(t, 'A') for t in tokens)})"


def _statement(postgres: bool):
    """One tier of one kind's search. The kind is in the words (``mark``), so the index reads
    only that kind's matches: no filter on the kind afterwards, which would read every kind's
    matches of a common word first."""
    if postgres:
        return text(
            "SELECT ref_id FROM search_document WHERE public "
            "AND tsv @@ CAST(:q AS tsquery) ORDER BY id DESC LIMIT :n")
    return text(
        "SELECT rowid / :codes FROM search_fts WHERE search_fts MATCH :q "
        "ORDER BY rowid DESC LIMIT :n")


def search(session: Session, kind: str, query: str, limit: int = CANDIDATES) -> list[Hit]:
    """Public documents of ``kind`` matching every word of ``query``, best first (title
    matches, then the rest; newest first in each), at most ``limit``. A query with no words
    (only punctuation, operators, control characters) finds nothing."""
    k = _kind(kind)
    tokens = _marked(query_tokens(query), k.code)
    if not tokens:
        return []
    postgres = _postgres(session)
    build = _ts_query if postgres else _fts_query
    params = {"codes": KIND_CODES, "n": limit}
    statement = _statement(postgres)
    hits: dict[int, Hit] = {}
    for title_only, rank in ((True, 1), (False, 0)):
        for ref_id in session.scalars(statement, {**params, "q": build(tokens, title_only)}):
            hits.setdefault(ref_id, Hit(ref_id, rank))
    return list(hits.values())[:limit]


@dataclass(frozen=True)
class KindHit:
    kind: str
    ref_id: int
    rank: int  # as Hit.rank: 1 a word is in the title, 0 only elsewhere


def search_kinds(session: Session, names: Iterable[str], query: str,
                 limit: int = CANDIDATES) -> list[KindHit]:
    """``search`` over several kinds at once: every kind's hits (at most ``limit`` each),
    title matches of every kind before the other matches, each kind newest first within a
    rank. Two statements per kind, whatever the number of hits. Both backends rank the same
    way (a title tier, then the rest) rather than by their own scores (FTS5 ``bm25`` and
    PostgreSQL ``ts_rank`` weigh columns on different scales, and scoring every match of a
    common word reads them all)."""
    hits: list[KindHit] = []
    for name in names:
        hits.extend(KindHit(name, h.ref_id, h.rank) for h in search(session, name, query, limit))
    hits.sort(key=lambda h: -h.rank)  # stable: each kind keeps its newest-first order
    return hits


def explain(session: Session, kind: str, query: str, analyze: bool = False) -> str:
    """The database's plan for a search's every-field tier (tests check that it reads the
    index). ``analyze`` (PostgreSQL only) runs it: the plan as JSON with the rows each step
    read."""
    k = _kind(kind)
    postgres = _postgres(session)
    if analyze and not postgres:
        raise ValueError("EXPLAIN ANALYZE is PostgreSQL's")
    tokens = _marked(query_tokens(query), k.code)
    build = _ts_query if postgres else _fts_query
    params = {"codes": KIND_CODES, "n": CANDIDATES, "q": build(tokens, False)}
    prefix = "EXPLAIN QUERY PLAN "
    if postgres:
        prefix = "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN "
    rows = session.execute(text(prefix + str(_statement(postgres))), params)
    if analyze:
        plan = rows.scalar()
        return plan if isinstance(plan, str) else json.dumps(plan)
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def kinds() -> Sequence[str]:
    return sorted(KINDS)


# --- command line ---------------------------------------------------------------------------

def init_cli(app) -> None:
    import click

    group = click.Group("search", help="The search index (portal.core.search).")

    @group.command("reindex")
    @click.argument("kind", required=False)
    def reindex_command(kind: str | None):
        """Rebuild the index of KIND (every kind when left out) from its records."""
        names = [kind] if kind else kinds()
        for name in names:
            if name not in KINDS:
                raise click.BadParameter(f"unknown kind; one of: {', '.join(kinds())}",
                                         param_hint="KIND")
        for name in names:
            click.echo(f"{name}: {reindex(db.session, name)} documents indexed.")

    app.cli.add_command(group)
