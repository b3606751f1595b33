"""Departments and areas: who is accountable, and where."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import translated
from portal.core.models import User, utcnow
from portal.extensions import db

GOVERNMENT, ENTERPRISE, SOCIAL_ORGANIZATION = "government", "enterprise", "social_organization"
PARTY_KINDS = {
    GOVERNMENT: _l("Government"),
    ENTERPRISE: _l("Enterprise"),
    SOCIAL_ORGANIZATION: _l("Social organization"),
}

staff_department = Table(
    "staff_department",
    db.Model.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
    # Written by Core statements (accounts, organizations): the session hooks read the topic
    # here (portal/core/cache.py, ``_bulk``), so the staff directory held per process follows.
    info={"cache_topic": "responsibility"},
)


class Department(db.Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    level: Mapped[str] = mapped_column(String(16))  # city, district, street, community
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Notified when the department misses a deadline.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # What kind of accountable party it is (``PARTY_KINDS``): a government department, or a
    # verified enterprise's or social organization's party (portal/organizations).
    kind: Mapped[str] = mapped_column(String(24), default="government", server_default="government")

    parent: Mapped[Department | None] = relationship(remote_side=[id])
    staff: Mapped[list[User]] = relationship(secondary=staff_department, lazy="raise")

    name = translated("name_i18n")


class Area(db.Model):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    level: Mapped[str] = mapped_column(String(16))  # city, district, community
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")

    parent: Mapped[Area | None] = relationship(remote_side=[id])

    name = translated("name_i18n")


class CategoryGroup(db.Model):
    __tablename__ = "category_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    position: Mapped[int] = mapped_column(default=0)

    name = translated("name_i18n")


class ServiceCategory(db.Model):
    """A kind of request residents can raise; an Open311 service."""

    __tablename__ = "service_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(String(32), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("category_group.id"))
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    # Words residents use for it, per language ({locale: "space separated words"}); the
    # category search matches them with the name, whatever the reader's language.
    keywords_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Open311 attributes: [{code, datatype, required, description_i18n, order,
    #                       values: [{key, name_i18n}]}]
    attributes: Mapped[list[dict]] = mapped_column(JSON, default=list)
    ack_hours: Mapped[int] = mapped_column(default=8)  # working hours to acknowledge
    resolve_days: Mapped[int] = mapped_column(default=10)  # working days to resolve
    active: Mapped[bool] = mapped_column(default=True)

    group: Mapped[CategoryGroup] = relationship(lazy="joined")
    name = translated("name_i18n")
    description = translated("description_i18n")

    def __init__(self, keywords: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if keywords is not None:
            self.keywords = keywords

    @property
    def keywords(self) -> str:
        """Every keyword in every language, space separated (Open311's ``keywords``)."""
        words: list[str] = []
        for text in (self.keywords_i18n or {}).values():
            words += [w for w in (text or "").split() if w not in words]
        return " ".join(words)

    @keywords.setter
    def keywords(self, value: str) -> None:
        """Keywords given as one string belong to the category's source language."""
        self.keywords_i18n = {self.source_locale or "en": " ".join((value or "").split())}


rule_co_department = Table(
    "rule_co_department",
    db.Model.metadata,
    Column("rule_id", ForeignKey("responsibility_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)


class ResponsibilityRule(db.Model):
    """(category, area) → lead department, with co-handling departments, for a period.

    A change never edits a rule in force: it ends it (``effective_to``) and starts a new one,
    so the list's history stays readable.
    """

    __tablename__ = "responsibility_rule"
    __table_args__ = (Index("ix_rule_lookup", "category_id", "area_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]  # exclusive; None = in force
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("responsibility_rule.id"))

    category: Mapped[ServiceCategory] = relationship()
    area: Mapped[Area] = relationship()
    lead_department: Mapped[Department] = relationship(foreign_keys=[lead_department_id])
    co_departments: Mapped[list[Department]] = relationship(secondary=rule_co_department)


class AreaBoundary(db.Model):
    """An area's boundary for a period: a GeoJSON Polygon or MultiPolygon in WGS 84
    (longitude, latitude). An import never edits a boundary in force: it ends it
    (``effective_to``) and starts a new one, so what routed a past request stays readable."""

    __tablename__ = "area_boundary"
    __table_args__ = (Index("ix_area_boundary_current", "area_id", "effective_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    geometry: Mapped[dict] = mapped_column(JSON)
    effective_from: Mapped[datetime] = mapped_column(default=utcnow)
    effective_to: Mapped[datetime | None]  # None = in force
    source: Mapped[str] = mapped_column(String(200), default="")  # file name, "demo", ...
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    area: Mapped[Area] = relationship()


class BoundaryUpload(db.Model):
    """A boundary file an administrator uploaded and has not confirmed yet: its features as
    read (never imported from here without a fresh check), found again by a random token and
    forgotten after ``BOUNDARY_UPLOAD_HOURS``."""

    __tablename__ = "area_boundary_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    code_property: Mapped[str] = mapped_column(String(64), default="code")
    features: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
