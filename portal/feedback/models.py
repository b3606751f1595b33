"""Requests and complaints, their events (the timeline), attachments, followers, API keys."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import User, utcnow
from portal.extensions import db
from portal.responsibility.models import Area, Department, ServiceCategory


class Request(db.Model):
    __tablename__ = "feedback_request"
    __table_args__ = (
        Index("ix_request_state_id", "state_type", "id"),
        Index("ix_request_department_id", "lead_department_id", "id"),
        Index("ix_request_category_area", "category_id", "area_id", "state_type"),
        # The public list filtered by one category or area, newest first.
        Index("ix_request_category_id", "category_id", "id"),
        Index("ix_request_area_id", "area_id", "id"),
        # Open311 requests.json: newest first within a date window, filtered by status and
        # service (the filters' columns in the index, so they are checked before the row).
        Index("ix_request_requested", "created_at", "id", "state_type", "category_id"),
        # "Near here": a bounding box around a point (latitude range, then longitude).
        Index("ix_request_point", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    location_text: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address_id: Mapped[str | None] = mapped_column(String(64))
    media_url: Mapped[str | None] = mapped_column(String(500))  # a photo elsewhere (Open311)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # the category's extra questions

    # Who raised it. A visitor has no account: contact fields only, held until confirmed.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    show_name: Mapped[bool] = mapped_column(default=False)
    personal_data_removed_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(32), default="web")  # web, open311:<key name>

    state: Mapped[str] = mapped_column(String(32), index=True)
    state_type: Mapped[str] = mapped_column(String(16))  # pending, open, paused, answered, closed
    resolved: Mapped[bool | None]
    priority: Mapped[bool] = mapped_column(default=False)

    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    co_department_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("responsibility_rule.id"))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    ack_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    confirm_due_at: Mapped[datetime | None]
    deadline_explanation: Mapped[dict] = mapped_column(JSON, default=dict)
    paused_at: Mapped[datetime | None]
    extended: Mapped[bool] = mapped_column(default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    escalation_level: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[bool] = mapped_column(default=False)

    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_request.id"))
    followers_count: Mapped[int] = mapped_column(default=0)
    satisfaction: Mapped[int | None]
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    visitor_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))

    category: Mapped[ServiceCategory] = relationship()
    area: Mapped[Area] = relationship()
    lead_department: Mapped[Department | None] = relationship()
    resident: Mapped[User | None] = relationship(foreign_keys=[resident_id])
    assigned_user: Mapped[User | None] = relationship(foreign_keys=[assigned_user_id])
    duplicate_of: Mapped[Request | None] = relationship(remote_side=[id])


class RequestEvent(db.Model):
    """One change to a request. Each carries the hash of the one before (tamper-evident)."""

    __tablename__ = "feedback_event"
    __table_args__ = (UniqueConstraint("request_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("feedback_request.id", ondelete="CASCADE"))
    seq: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(32), default="system")  # resident, staff, system
    kind: Mapped[str] = mapped_column(String(32), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    public_text: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # How ``hash`` was computed (``portal.feedback.services.event_hash``): 1, everything in
    # the clear (events from before version 2); 2, the public fields and a salted seal of the
    # rest. The salt is secret: never published, never in an export.
    hash_version: Mapped[int] = mapped_column(default=1, server_default="1")
    salt: Mapped[str | None] = mapped_column(String(32))

    actor: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """A photo or PDF: of a request (or its draft), or of a staff reply."""

    __tablename__ = "feedback_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_request.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_event.id"))
    draft_key: Mapped[str | None] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # A small JPEG of a photo, made by the server the first time it is shown (attachments.py).
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follower(db.Model):
    __tablename__ = "feedback_follower"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("feedback_request.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyTemplate(db.Model):
    """A ready answer staff can start from, per category, in every language."""

    __tablename__ = "feedback_reply_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    # Whose it is: that department's staff and administrators edit it. None (templates from
    # before departments owned them): administrators only.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    title_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")


class ApiKey(db.Model):
    """An Open311 client: a city system or a third-party app, optionally one department's."""

    __tablename__ = "open311_api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    department: Mapped[Department | None] = relationship()


class FeedbackDraft(db.Model):
    """A request being written in steps: kept here, not in the cookie (a description can be
    long). The browser holds only the random ``key`` in its session; attachments uploaded
    with the draft carry the same key (``Attachment.draft_key``)."""

    __tablename__ = "feedback_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MetricsSnapshot(db.Model):
    """The metrics as a beat task last computed them (portal.feedback.metrics.refresh)."""

    __tablename__ = "feedback_metrics_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class HotspotSnapshot(db.Model):
    """Hot spots as the beat task last computed them (portal.feedback.hotspots.refresh):
    per area and category, this week's requests against each of the eight weeks before."""

    __tablename__ = "feedback_hotspot_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class HotspotAlert(db.Model):
    """That a department's supervisor was told of a hot spot: at most once per area, category
    and ISO week (``week`` is that week's Monday)."""

    __tablename__ = "feedback_hotspot_alert"
    __table_args__ = (UniqueConstraint("area_id", "category_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id", ondelete="CASCADE"))
    week: Mapped[date]
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
