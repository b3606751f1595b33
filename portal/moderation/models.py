"""One row per thing waiting for staff, whatever module it comes from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import User, utcnow
from portal.extensions import db

FAR = datetime(9999, 1, 1)  # "no deadline", for sorting


class QueueItem(db.Model):
    __tablename__ = "queue_item"
    __table_args__ = (
        UniqueConstraint("module", "item_id"),
        # The queue's default order (priority first, then the soonest deadline), so a page
        # is read straight off an index however long the queue is.
        Index("ix_queue_order", "done", "sort_rank", "due_sort", "id"),
        Index("ix_queue_department_order", "department_id", "done", "sort_rank", "due_sort", "id"),
        Index("ix_queue_updated", "done", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module: Mapped[str] = mapped_column(String(32))  # "feedback", later "content", "disclosure"
    item_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(10))  # the language the title is written in
    reference: Mapped[str] = mapped_column(String(40))  # what staff read aloud: a tracking code
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    state: Mapped[str] = mapped_column(String(32))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_at: Mapped[datetime | None]
    # The default order as plain ascending columns, so a page is read straight off an index:
    # 0 for priority items (reopened), 1 for the rest; then due_at, never NULL (FAR = none).
    sort_rank: Mapped[int] = mapped_column(default=1)
    due_sort: Mapped[datetime] = mapped_column(default=lambda: FAR)
    overdue: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[bool] = mapped_column(default=False)
    done: Mapped[bool] = mapped_column(default=False)  # nothing left for staff to do
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# The departments that co-handle an item besides its lead (``QueueItem.department_id``): they
# see it in their queue too, marked as co-handling.
queue_item_co_department = Table(
    "queue_item_co_department",
    db.Model.metadata,
    Column("queue_item_id", ForeignKey("queue_item.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


# --- reports of content (portal.moderation.reports) ---------------------------------------------
# One ``ReportedItem`` per reported piece of content (a debate comment, a proposal, ...: its
# ``kind`` names a registered reportable), with its counters and the moderator's decision; one
# ``ContentReport`` per person and item; ``PostingBlock``: an author a moderator blocked from
# posting in halls (they still sign in and read).

REPORT_REASONS = ("spam", "offensive", "off_topic", "other")
REPORTED_STATES = ("reported", "hidden", "restored", "blocked")


class ReportedItem(db.Model):
    __tablename__ = "reported_item"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Reports still standing (dismissed ones no longer count) and how many gave each reason.
    report_count: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="reported")
    auto_hidden: Mapped[bool] = mapped_column(default=False)  # hidden by the threshold
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    reason_code: Mapped[str] = mapped_column(String(16), default="")
    reason_text: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentReport(db.Model):
    __tablename__ = "content_report"
    __table_args__ = (
        UniqueConstraint("kind", "item_id", "reporter_id"),
        Index("ix_content_report_item", "reported_item_id", "id"),
        Index("ix_content_report_reporter", "reporter_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reported_item_id: Mapped[int] = mapped_column(ForeignKey("reported_item.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(1000), default="")
    dismissed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class PostingBlock(db.Model):
    __tablename__ = "posting_block"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
