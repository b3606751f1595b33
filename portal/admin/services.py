"""Queries behind the administrators' pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.core.audit import PERSONAL_ACTIONS
from portal.core.models import AuditEvent, MailboxMessage, User, UserRole
from portal.core.pagination import Page, keyset


def search_users(
    session: Session, q: str = "", role: str = "", before=None, after=None, per_page: int = 20
) -> Page:
    stmt = select(User)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(User.email).like(like), func.lower(User.display_name).like(like))
        )
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return keyset(session, stmt, User.id, before, after, per_page)


def audit_page(session: Session, before=None, after=None, per_page: int = 50) -> Page:
    stmt = select(AuditEvent).options(joinedload(AuditEvent.actor))
    return keyset(session, stmt, AuditEvent.id, before, after, per_page)


def target_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """Display names of the users that events are about, in one query."""
    ids = {e.target_id for e in events if e.target_type == "user" and e.target_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def mailbox_page(session: Session, before=None, after=None, per_page: int = 30) -> Page:
    return keyset(session, select(MailboxMessage), MailboxMessage.id, before, after, per_page)


def _account_id(session: Session, text: str) -> int | None:
    """An account by its number or its email address; None for no such account."""
    text = text.strip()
    if text.isdigit() and len(text) <= 12:
        return int(text)
    from portal.accounts.services import find_by_email

    user = find_by_email(session, text) if "@" in text else None
    return user.id if user else None


def personal_data_page(session: Session, subject: str = "", actor: str = "",
                       start: date | None = None, end: date | None = None,
                       before=None, after=None, per_page: int = 50) -> Page:
    """Who viewed or changed whose personal data, newest first: the personal-data actions,
    and every action about a person's account (``subject_id``), filtered."""
    stmt = select(AuditEvent).options(joinedload(AuditEvent.actor)).where(
        or_(AuditEvent.action.in_(PERSONAL_ACTIONS), AuditEvent.subject_id.is_not(None)))
    for text, column in ((subject, AuditEvent.subject_id), (actor, AuditEvent.actor_id)):
        if text:
            account = _account_id(session, text)
            stmt = stmt.where(column == account) if account is not None else stmt.where(false())
    if start is not None:
        stmt = stmt.where(AuditEvent.created_at >= datetime.combine(start, time()))
    if end is not None and end < date.max:  # the whole of the last day
        stmt = stmt.where(AuditEvent.created_at < datetime.combine(end + timedelta(days=1), time()))
    return keyset(session, stmt, AuditEvent.id, before, after, per_page)


def subject_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.subject_id for e in events if e.subject_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
