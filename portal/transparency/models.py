"""Disclosure requests: a resident asks a department for government information; every step
of its handling is a ``DisclosureEvent``. The catalog, open data and the dashboard come later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
