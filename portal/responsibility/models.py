"""Departments and areas: who is accountable, and where."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import translated
from portal.core.models import User
from portal.extensions import db

staff_department = Table(
    "staff_department",
    db.Model.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
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
