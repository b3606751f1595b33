"""Factories per module: small functions that make valid rows with sensible defaults."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from portal.core.models import User, UserRole, utcnow
from portal.core.passwords import hash_password
from portal.responsibility.models import Area, Department, staff_department

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


class Factories:
    def __init__(self, session: Session) -> None:
        self.session = session

    def user(self, roles=(), departments=(), confirmed=True, locale="en", **kwargs) -> User:
        n = next(_seq)
        user = User(
            email=kwargs.pop("email", f"person{n}@example.org"),
            display_name=kwargs.pop("display_name", f"Person {n}"),
            password_hash=hash_password(kwargs.pop("password", PASSWORD)),
            locale=locale,
            email_confirmed_at=utcnow() if confirmed else None,
            roles=[UserRole(role=r) for r in roles if r != "resident"],
            **kwargs,
        )
        self.session.add(user)
        self.session.flush()
        for department in departments:
            self.session.execute(
                staff_department.insert().values(user_id=user.id, department_id=department.id)
            )
        self.session.commit()
        return user

    def department(self, code=None, parent=None, **names) -> Department:
        n = next(_seq)
        department = Department(
            code=code or f"dept-{n}", level="city" if parent is None else "district",
            parent=parent, name_i18n=names or {"en": f"Department {n}"}, source_locale="en",
        )
        self.session.add(department)
        self.session.commit()
        return department

    def area(self, code=None, parent=None, source_locale="en", **names) -> Area:
        n = next(_seq)
        area = Area(
            code=code or f"area-{n}", level="city" if parent is None else "district",
            parent=parent, name_i18n=names or {"en": f"Area {n}"}, source_locale=source_locale,
        )
        self.session.add(area)
        self.session.commit()
        return area
