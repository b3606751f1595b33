"""Shared tables: accounts and roles, the audit log, the outbox and the local mailbox."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class DisplayName(TypeDecorator):
    """A person's display name; an empty one is a deleted account's ("Former participant",
    in the reader's language, wherever the name is printed: loaded rows and plain selects).
    Registration asks for two characters at least, so no living account has an empty name."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return "" if value is FORMER_PARTICIPANT else value  # a tombstone's, loaded

    def process_result_value(self, value, dialect):
        return FORMER_PARTICIPANT if value == "" else value


FORMER_PARTICIPANT = _l("Former participant")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    # Users, their sessions and roles are the "accounts" topic (not "core" with the audit log
    # and the outbox, written by every service): a write to them replaces the signed-in user
    # each process holds (``accounts.services.load_user``, ``cache.held``).
    __cache_topic__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(DisplayName())
    password_hash: Mapped[str] = mapped_column(String(255))
    email_confirmed_at: Mapped[datetime | None]
    pending_email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    large_text: Mapped[bool] = mapped_column(default=False)
    notify_mode: Mapped[str] = mapped_column(String(16), default="immediate")
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set when the person deleted their account: the row stays as a tombstone that holds no
    # personal data and cannot sign in (portal/accounts/privacy.py).
    deleted_at: Mapped[datetime | None]

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The key of the signed-in browser's ``UserSession`` (set when logging in or loading the
    # user of a request): part of the login id in the session and the remember-me cookie.
    login_key = None

    def get_id(self) -> str:
        if not self.login_key:
            raise RuntimeError("start a UserSession (accounts.services.start_session) first")
        return f"{self.id}:{self.login_key}"

    # The same account is the same user, whichever browser's session loaded it (UserMixin
    # compares login ids, which differ per session now).
    def __eq__(self, other):
        if isinstance(other, User):
            return self is other if self.id is None else self.id == other.id
        return NotImplemented

    __hash__ = UserMixin.__hash__

    @property
    def is_active(self) -> bool:  # Flask-Login refuses blocked and deleted accounts
        return self.blocked_at is None and self.deleted_at is None

    @property
    def role_names(self) -> set[str]:
        from portal.core.roles import RESIDENT

        return {r.role for r in self.roles} | {RESIDENT}

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of ``roles``; administrators hold every role."""
        from portal.core.roles import ADMIN

        names = self.role_names
        return ADMIN in names or any(r in names for r in roles)


class UserSession(db.Model):
    """One signed-in browser. Its random key is part of the login id, so a session or
    remember-me cookie works only while the row exists: logging out deletes it (that device
    only); a password change, a reset or a block deletes all of the user's rows."""

    __tablename__ = "user_session"
    __cache_topic__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class UserRole(db.Model):
    __tablename__ = "user_role"
    __cache_topic__ = "accounts"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship(back_populates="roles")


class AuditEvent(db.Model):
    """One administrative action. Later modules write theirs here too."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int | None]
    # The person whose personal data was viewed or changed, when there is one (a request's
    # resident, the account an administrator opened): what the personal-data log filters on.
    subject_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class OutboxMessage(db.Model):
    """A side effect (an email, for now) written in the same transaction as its cause.

    Celery drains it with retries, so a broker or mail outage delays and never loses it.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="email")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class MailboxMessage(db.Model):
    """Mail delivered in the embedded profile: kept here and readable in the portal."""

    __tablename__ = "mailbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    sender: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10))
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
