"""Social organizations and enterprises: their registration and verification, their members
and the services they offer residents.

A verified organization is an accountable party like a department: it gets its own
``Department`` row (``party_id``, kind ``social_organization`` or ``enterprise``), and its
active members are linked to that row in ``staff_department`` while it stays verified, so the
staff queue, request pages, metrics and course authoring treat them as that party's staff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import translated
from portal.core.models import User, utcnow
from portal.extensions import db
from portal.responsibility.models import Area, Department

STATES = ("pending", "verified", "rejected", "suspended")
MEMBER_ROLES = ("admin", "member")
MEMBER_STATES = ("invited", "active")

# The areas an organization serves.
organization_area = Table(
    "organization_area",
    db.Model.metadata,
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The kinds of service it offers (codes of ``services.SERVICE_KINDS``), for the directory's
# filter (one indexed lookup, whatever the database).
organization_offer = Table(
    "organization_offer",
    db.Model.metadata,
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True, index=True),
)


class Organization(db.Model):
    __tablename__ = "organization"
    __table_args__ = (Index("ix_organization_state_slug", "state", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    kind: Mapped[str] = mapped_column(String(24), default="social_organization")  # or enterprise
    # Kinds of service it offers, in the order given (``organization_offer`` holds the same).
    service_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The languages it serves people in: BCP 47 tags.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected or suspended
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its accountable party, made when it is first verified.
    party_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), unique=True)

    party: Mapped[Department | None] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=organization_area, lazy="raise")

    name = translated("name_i18n")
    description = translated("description_i18n")


class OrganizationMember(db.Model):
    __tablename__ = "organization_member"
    __table_args__ = (UniqueConstraint("organization_id", "user_id", name="uq_organization_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    state: Mapped[str] = mapped_column(String(16), default="invited")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class OrganizationService(db.Model):
    """One service an organization offers: what, for whom, where, when, how to reach them."""

    __tablename__ = "organization_service"
    __table_args__ = (Index("ix_organization_service_org", "organization_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    what_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    for_whom_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    where_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    when_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    how_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area | None] = relationship()

    what = translated("what_i18n")
    for_whom = translated("for_whom_i18n")
    where = translated("where_i18n")
    when = translated("when_i18n")
    how = translated("how_i18n")

