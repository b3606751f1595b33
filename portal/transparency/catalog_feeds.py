"""Atom feeds of the catalog (all publications, one category, one department), with feedgen.

Every link and id is absolute on ``PORTAL_BASE_URL`` (``portal.core.urls.absolute_url``),
never on the request's Host: a feed is read elsewhere and later. An entry's id is the
permanent link of the publication (a tag URI would do as well; the link is stable and
resolvable); its ``updated`` is when its current version was published. Titles and summaries
are in the reader's language when translated, with ``xml:lang`` otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.core.urls import absolute_url
from portal.transparency.models import Publication

FEED_SIZE = 50


def _aware(moment: datetime | None) -> datetime:
    return (moment or datetime(2000, 1, 1)).replace(tzinfo=UTC)


def feed(session: Session, title: str, self_endpoint: str, self_args: dict, *, category: str = "",
         department_id: int | None = None, locale: str = "en") -> bytes:
    stmt = (select(Publication).options(joinedload(Publication.department))
            .where(Publication.state == "published"))
    if category:
        stmt = stmt.where(Publication.category == category)
    if department_id:
        stmt = stmt.where(Publication.department_id == department_id)
    rows = list(session.scalars(stmt.order_by(Publication.id.desc()).limit(FEED_SIZE)))
    self_url = absolute_url(self_endpoint, **self_args)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.language(locale)
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=absolute_url("transparency.catalog_index"), rel="alternate", type="text/html")
    fg.updated(max((_aware(p.published_at) for p in rows), default=_aware(None)))
    for p in reversed(rows):  # feedgen puts the last one added first
        link = absolute_url("transparency.publication", publication_id=p.id)
        entry = fg.add_entry()
        entry.id(link)
        title_text, summary = p.title, p.summary
        entry.title(title_text.text)
        entry.link(href=link, rel="alternate", type="text/html")
        entry.updated(_aware(p.published_at))
        entry.published(_aware(p.first_published_at))
        entry.summary(summary.text)
        entry.author(name=str(p.department.name))
        entry.category(term=p.category)
    return fg.atom_str(pretty=False)
