"""Site-wide search: one ranked list across every module's content, built on ``core.search``.

Each module that wants its content on the search page registers a ``Source`` for the search
kind it already indexes, next to its ``search.register`` call::

    site_search.register(site_search.Source(
        "proposal", _l("Proposal"), visible=_visible, rows=_rows, position=40))

* ``visible(session, reader, ids, scope)`` is the kind's one rule of what a reader may find:
  of the candidate ids, those the reader may see that pass the scope (areas, dates), each with
  the date the list sorts and filters by. One statement.
* ``rows(session, ids)`` loads what a result row shows (``Row``): title, the text a snippet is
  cut from, its language, the link, the area, the date. One statement.

``site_search(session, reader, filters)`` then: asks the index for every kind's best ids (two
statements per kind, at most ``candidates()`` ids each: a hundred or so for an unfiltered
search's first pages, ``search.CANDIDATES`` with filters or when the reader may see too few of
the first ones), keeps those each kind's rule lets the reader see, orders them (title matches
first, then newest first), cuts one page and loads only that page's rows. The number of
statements depends on the number of kinds, never on the number of results.

Highlighting is done here, in Python, from the same words the index holds
(``search.query_tokens``), not by the databases: the index stores words (Chinese as
characters and pairs), not the text as written, so FTS5 ``snippet()`` and PostgreSQL
``ts_headline`` could only mark up those words, and they differ from each other (one marks
index tokens, the other parses with its own text-search configuration). The text is escaped
first and only ``<mark>`` is added around matched words, so indexed text is never trusted as
HTML, and both databases give the same snippet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import regex
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from portal.core import search

PER_PAGE = 20
SNIPPET_CHARS = 180
MAX_PAGE = 200  # pages past the candidates are empty anyway; a bigger number is refused


# --- what each kind registers ------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """The filters a kind's rule applies: areas (an area and those within it) and dates
    (``start`` included, ``end`` excluded, naive UTC as stored)."""

    area_ids: tuple[int, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None

    def apply(self, stmt, area_column, date_column):
        if self.area_ids is not None:
            stmt = stmt.where(area_column.in_(self.area_ids))
        if self.start is not None:
            stmt = stmt.where(date_column >= self.start)
        if self.end is not None:
            stmt = stmt.where(date_column < self.end)
        return stmt


@dataclass
class Row:
    title: str
    text: str  # plain text the snippet is cut from
    locale: str
    endpoint: str
    args: dict
    area: str = ""
    when: datetime | None = None


@dataclass(frozen=True)
class Source:
    kind: str  # a kind registered with core.search
    label: object  # lazy string: "Request", "Proposal"...
    visible: Callable[[Session, object, Sequence[int], Scope], dict[int, datetime]]
    rows: Callable[[Session, Sequence[int]], dict[int, Row]]
    position: int = 100  # order in the kind filter


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    if source.kind not in search.KINDS:
        raise ValueError(f"{source.kind!r} is not a search kind")
    SOURCES[source.kind] = source
    return source


def sources() -> list[Source]:
    return sorted(SOURCES.values(), key=lambda s: (s.position, s.kind))


# --- highlighting ------------------------------------------------------------------------------

# As search._PIECES, on the text as written: a run of an unspaced script, or a word of the
# others (format characters such as a zero-width non-joiner stay inside the word, as the
# tokenizer drops them rather than splitting there).
_UNSPACED = search._UNSPACED
_PIECES = regex.compile(rf"(?V1)([{_UNSPACED}]+)|([[\p{{L}}\p{{M}}\p{{N}}\p{{Cf}}]--[{_UNSPACED}]]+)")


def _spans(text: str, tokens: Sequence[search.Token]) -> list[tuple[int, int]]:
    """Where the query's words are in ``text`` (as written), merged, in order."""
    if not tokens or not text:
        return []
    found: list[tuple[int, int]] = []
    for m in _PIECES.finditer(text):
        piece = m.group(0)
        folded = search.normalize(piece)
        if m.group(2):
            if any(folded == t.text or (t.prefix and folded.startswith(t.text)) for t in tokens):
                found.append((m.start(), m.end()))
            continue
        if len(folded) != len(piece):  # folding changed its length: mark the whole run
            if any(t.text in folded for t in tokens):
                found.append((m.start(), m.end()))
            continue
        for t in tokens:
            at = folded.find(t.text)
            while at >= 0:
                found.append((m.start() + at, m.start() + at + len(t.text)))
                at = folded.find(t.text, at + 1)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: Iterable[tuple[int, int]], offset: int = 0) -> Markup:
    out, at = [], 0
    for start, end in spans:
        start, end = start - offset, end - offset
        if end <= 0 or start >= len(text):
            continue
        start, end = max(start, 0), min(end, len(text))
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def highlight(text: str, query: str) -> Markup:
    """``text`` escaped, with ``<mark>`` around the words ``query`` finds."""
    text = text or ""
    return _marked(text, _spans(text, search.query_tokens(query)))


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> Markup:
    """About ``width`` characters of ``text`` around its first match, escaped and marked,
    with an ellipsis where it was cut."""
    text = " ".join((text or "").split())
    spans = _spans(text, search.query_tokens(query))
    start = 0
    if spans and spans[0][1] > width:
        start = max(spans[0][0] - width // 3, 0)
        space = text.find(" ", start, spans[0][0])
        if 0 <= space < start + 20:
            start = space + 1
    end = min(start + width, len(text))
    if end < len(text):
        space = text.rfind(" ", max(end - 20, start + 1), end)
        if space > start:
            end = space
    body = _marked(text[start:end], spans, offset=start)
    return (Markup("…") if start else Markup("")) + body + (Markup("…") if end < len(text) else Markup(""))


# --- searching ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    q: str = ""
    kinds: tuple[str, ...] = ()  # none: every kind
    area_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None  # included


@dataclass
class Result:
    kind: str
    label: object
    ref_id: int
    in_title: bool
    title: Markup
    snippet: Markup
    locale: str
    endpoint: str
    args: dict
    area: str
    when: datetime | None


@dataclass
class ResultPage:
    results: list[Result] = field(default_factory=list)
    total: int = 0  # among the candidates
    more: bool = False  # some kind had more matches than the candidates read
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.page > 1 and self.total > 0

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1


def _scope(session: Session, f: Filters) -> Scope:
    area_ids = None
    if f.area_id is not None:
        from portal.responsibility.services import area_ids_within

        area_ids = tuple(area_ids_within(session, f.area_id))
    start = datetime.combine(f.date_from, time()) if f.date_from else None
    end = datetime.combine(f.date_to + timedelta(days=1), time()) if f.date_to else None
    return Scope(area_ids, start, end)


FIRST_CANDIDATES = 100  # ids each kind reads at least, for an unfiltered search's early pages


def candidates(page: int, per_page: int, scope: Scope) -> int:
    """How many ids each kind reads off the index: for an unfiltered search, enough for this
    page and the next twice over (the reader may not see every one), which keeps a common
    word's first page from reading and checking ``search.CANDIDATES`` ids of every kind; with
    an area or dates, all of them, as the filters may leave few of the newest."""
    if scope.area_ids is not None or scope.start is not None or scope.end is not None:
        return search.CANDIDATES
    return min(search.CANDIDATES, max(FIRST_CANDIDATES, 2 * (page + 1) * per_page))


def _kept(session: Session, reader, kinds: list[str], q: str, scope: Scope, limit: int):
    """The index's hits, what the reader may see of them, and whether a kind had more."""
    per_kind: dict[str, list[int]] = {}
    hits, more = [], False
    for hit in search.search_kinds(session, kinds, q, limit + 1):  # one more: are there more?
        ids = per_kind.setdefault(hit.kind, [])
        if len(ids) < limit:
            ids.append(hit.ref_id)
            hits.append(hit)
        else:
            more = True
    allowed = {kind: SOURCES[kind].visible(session, reader, ids, scope)
               for kind, ids in per_kind.items()}
    return hits, allowed, more


def allowed_hits(hits, allowed) -> list:
    return [h for h in hits if h.ref_id in allowed[h.kind]]


def site_search(session: Session, reader, f: Filters, page: int = 1,
                per_page: int = PER_PAGE) -> ResultPage:
    """One page of what ``reader`` (a user or None) may find for ``f``, best first."""
    page = min(max(page, 1), MAX_PAGE)
    if not search.query_tokens(f.q):
        return ResultPage(page=page, per_page=per_page)
    chosen = [s.kind for s in sources() if not f.kinds or s.kind in f.kinds]
    scope = _scope(session, f)
    limit = candidates(page, per_page, scope)
    hits, allowed, more = _kept(session, reader, chosen, f.q, scope, limit)
    if more and limit < search.CANDIDATES and len(allowed_hits(hits, allowed)) <= page * per_page:
        # the reader may see too few of the first ids for this page: read them all
        hits, allowed, more = _kept(session, reader, chosen, f.q, scope, search.CANDIDATES)
    kept = allowed_hits(hits, allowed)
    kept.sort(key=lambda h: (h.rank, allowed[h.kind][h.ref_id] or datetime.min, h.ref_id),
              reverse=True)
    window = kept[(page - 1) * per_page:page * per_page]
    wanted: dict[str, list[int]] = {}
    for hit in window:
        wanted.setdefault(hit.kind, []).append(hit.ref_id)
    loaded = {kind: SOURCES[kind].rows(session, ids) for kind, ids in wanted.items()}
    results = []
    for hit in window:
        row = loaded[hit.kind].get(hit.ref_id)
        if row is None:
            continue
        results.append(Result(
            kind=hit.kind, label=SOURCES[hit.kind].label, ref_id=hit.ref_id, in_title=hit.rank > 0,
            title=highlight(row.title, f.q), snippet=snippet(row.text, f.q), locale=row.locale,
            endpoint=row.endpoint, args=row.args, area=row.area, when=row.when))
    return ResultPage(results, len(kept), more, page, per_page)
