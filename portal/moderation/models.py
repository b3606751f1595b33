"""One row per thing waiting for staff, whatever module it comes from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import utcnow
from portal.extensions import db


class QueueItem(db.Model):
    __tablename__ = "queue_item"
    __table_args__ = (
        UniqueConstraint("module", "item_id"),
        Index("ix_queue_department_due", "department_id", "done", "due_at"),
        Index("ix_queue_done_due", "done", "due_at"),
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
    overdue: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[bool] = mapped_column(default=False)
    done: Mapped[bool] = mapped_column(default=False)  # nothing left for staff to do
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
