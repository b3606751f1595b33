"""Queries behind the administrators' pages."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

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
