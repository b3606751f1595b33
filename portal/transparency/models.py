"""Disclosure requests: a resident asks a department for government information; every step
of its handling is a ``DisclosureEvent``. The catalog: publications, their versions and files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import translated
from portal.core.models import User, utcnow
from portal.extensions import db
from portal.responsibility.models import Department


class DisclosureRequest(db.Model):
    __tablename__ = "disclosure_request"
    __table_args__ = (
        Index("ix_disclosure_requester", "requester_id", "id"),
        Index("ix_disclosure_public", "public", "id"),
        Index("ix_disclosure_clock", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str | None] = mapped_column(String(24), unique=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # How the department was found (the responsibility list's lookup), when it was.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, default="")
    delivery: Mapped[str] = mapped_column(String(16))
    public: Mapped[bool] = mapped_column(default=False)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    state: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The clock: it starts on receipt and starts again when the requester sends a correction.
    clock_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    correction_due_at: Mapped[datetime | None]  # the last moment to ask for a correction
    corrected: Mapped[bool] = mapped_column(default=False)  # a correction was asked for (once)
    due_at: Mapped[datetime | None]  # None while the clock is stopped
    deadline_explanation: Mapped[dict] = mapped_column(JSON, default=dict)
    extension_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    paused_at: Mapped[datetime | None]
    paused_days: Mapped[int] = mapped_column(default=0)  # working days consulting, not counted
    answer_type: Mapped[str | None] = mapped_column(String(24))
    answer: Mapped[dict] = mapped_column(JSON, default=dict)
    answered_at: Mapped[datetime | None]
    overdue: Mapped[bool] = mapped_column(default=False)
    escalated_at: Mapped[datetime | None]  # the dispatcher was told (once per deadline)

    requester: Mapped[User] = relationship(lazy="raise")
    department: Mapped[Department] = relationship()


class DisclosureEvent(db.Model):
    """One step: received, correction asked and sent, extended, paused, resumed, answered,
    overdue. ``role`` says who in words a public page may show: requester, staff, portal."""

    __tablename__ = "disclosure_event"
    __table_args__ = (Index("ix_disclosure_event_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_request.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- the dashboard ---

class DashboardSnapshot(db.Model):
    """The governance dashboard's figures as the beat task last computed them, for every scope
    (the city, each district, each department), month by month
    (``portal.transparency.dashboard.refresh``). Pages read the newest row only."""

    # Its own topic: a new snapshot every few minutes replaces the dashboard's cached pages,
    # not every transparency page.
    __cache_topic__ = "dashboard"
    __tablename__ = "dashboard_snapshot"
    __table_args__ = (Index("ix_dashboard_snapshot_computed", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
# --- the catalog ---------------------------------------------------------------------------------
# A publication is a department's document in the disclosure catalog (docs/transparency.md,
# "The catalog"). Its text lives in versions: each edit of a published publication is a new
# version that is reviewed and published in turn; every version is kept. The publication row
# carries a copy of its current published version's listed fields (title, category, year...)
# so the public index reads one table.


# The catalog's rows are their own cache topic: editing a publication changes the catalog's
# pages (and its dataset) at once, never the disclosure requests' pages.
CATALOG_TOPIC = "catalog"


class Publication(db.Model):
    __cache_topic__ = CATALOG_TOPIC
    __tablename__ = "publication"
    __table_args__ = (
        UniqueConstraint("department_id", "document_number", name="uq_publication_number"),
        Index("ix_publication_public", "state", "id"),
        Index("ix_publication_department", "department_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # "draft" (never published), "published", "withdrawn"
    state: Mapped[str] = mapped_column(String(16), default="draft")
    # The number the latest version gives it (unique in the department when given).
    document_number: Mapped[str | None] = mapped_column(String(80))
    # The current published version, and its listed fields (copied when it is published).
    # (No foreign key: the two tables would point at each other.)
    current_version_id: Mapped[int | None]
    version_count: Mapped[int] = mapped_column(default=0)  # published versions
    category: Mapped[str] = mapped_column(String(40), default="")
    title_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summary_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    first_published_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]  # of the current version
    year: Mapped[int | None]  # the year of first publication: the index's year filter
    withdrawn_at: Mapped[datetime | None]
    withdrawn_note: Mapped[str] = mapped_column(Text, default="")
    from_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("disclosure_request.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship()

    title = translated("title_i18n")
    summary = translated("summary_i18n")


class PublicationVersion(db.Model):
    """One version: "draft", "review" (sent for review), "published" (the current one),
    "superseded" (an earlier published one). ``number`` counts from 1 for every version."""

    __cache_topic__ = CATALOG_TOPIC
    __tablename__ = "publication_version"
    __table_args__ = (UniqueConstraint("publication_id", "number", name="uq_publication_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    published_number: Mapped[int | None]  # 1, 2, 3... among the published versions
    state: Mapped[str] = mapped_column(String(16), default="draft")
    category: Mapped[str] = mapped_column(String(40))
    title_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summary_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    document_number: Mapped[str | None] = mapped_column(String(80))
    made_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    change_note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    publication: Mapped[Publication] = relationship(foreign_keys=[publication_id])

    title = translated("title_i18n")
    summary = translated("summary_i18n")


class PublicationFile(db.Model):
    """An attachment of one version (checked by content, cleaned; see ``catalog_files``)."""

    __cache_topic__ = CATALOG_TOPIC
    __tablename__ = "publication_file"
    __table_args__ = (Index("ix_publication_file_version", "version_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("publication_version.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
