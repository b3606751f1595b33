"""Bulk-load N published publications (each with its one version and its search document) for
``make bench``: the catalog's index, its word search and the site search with publications.

Rows go in batches through SQLAlchemy Core, in the shapes ``portal.transparency.catalog``
writes (a published version, the publication's copy of its listed fields, the search document
from ``catalog.search_document``). Titles and summaries mix subject words (English and
Chinese) with ordinary ones, so a subject word is in about one publication in six.
"""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.core import search
from portal.core.models import utcnow
from portal.responsibility.models import Department
from portal.transparency import catalog
from portal.transparency.models import Publication, PublicationVersion

# Subject words (English and Chinese, so two-character Chinese words are searched as stored).
WORDS = ["budget", "plan", "road", "water", "school", "market", "park", "licence", "fees",
         "procurement", "statistics", "emergency", "housing", "health", "report", "annual",
         "预算", "规划", "道路", "供水", "学校", "统计"]
CATEGORIES = list(catalog.CATEGORIES)
FILLER = [f"{stem}{n}" for stem in ("item", "part", "section", "note", "annex") for n in range(40)]


def bulk_publications(session: Session, n: int, batch: int = 5000, seed: int = 11) -> None:
    rng = random.Random(seed)
    departments = list(session.scalars(select(Department.id)))
    start = (session.scalar(select(Publication.id).order_by(Publication.id.desc()).limit(1)) or 0) + 1
    vstart = (session.scalar(select(PublicationVersion.id).order_by(PublicationVersion.id.desc())
                             .limit(1)) or 0) + 1
    now = utcnow()
    for offset in range(0, n, batch):
        publications, versions, documents = [], [], []
        for k in range(offset, min(offset + batch, n)):
            pid, vid = start + k, vstart + k
            published = now - timedelta(minutes=rng.randint(0, 2 * 525_600))
            # One subject word in the title and three in the summary, among ordinary words: a
            # subject word ("budget") is then in about one publication in six.
            title = {"en": " ".join([rng.choice(WORDS), *(rng.choice(FILLER) for _ in range(4))])}
            summary = {"en": " ".join([*(rng.choice(WORDS) for _ in range(3)),
                                       *(rng.choice(FILLER) for _ in range(27))])}
            category = rng.choice(CATEGORIES)
            number = f"B-{pid}" if rng.random() < 0.5 else None
            department_id = rng.choice(departments)
            publications.append(dict(
                id=pid, department_id=department_id, state="published", document_number=number,
                current_version_id=vid, version_count=1, category=category, title_i18n=title,
                summary_i18n=summary, source_locale="en", first_published_at=published,
                published_at=published, year=published.year, withdrawn_note="", created_at=published))
            versions.append(dict(
                id=vid, publication_id=pid, number=1, published_number=1, state="published",
                category=category, title_i18n=title, summary_i18n=summary, source_locale="en",
                document_number=number, tags=["bench"], change_note="", created_at=published,
                published_at=published))
            documents.append(catalog.search_document(SimpleNamespace(
                id=pid, title_i18n=title, summary_i18n=summary, document_number=number,
                source_locale="en", state="published")))
        session.execute(insert(Publication), publications)
        session.execute(insert(PublicationVersion), versions)
        search.bulk_index(session, catalog.SEARCH_KIND, documents, replace=False)
        session.commit()
