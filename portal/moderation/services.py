"""The staff queue: who sees what, filters, sorting. Modules feed it through ``upsert``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, MODERATOR, STAFF
from portal.moderation.models import QueueItem


def upsert(session: Session, module: str, item_id: int, **fields) -> QueueItem:
    item = session.scalar(
        select(QueueItem).where(QueueItem.module == module, QueueItem.item_id == item_id)
    )
    if item is None:
        item = QueueItem(module=module, item_id=item_id)
        session.add(item)
    for key, value in fields.items():
        setattr(item, key, value)
    item.updated_at = utcnow()
    return item


def staff_department_ids(session: Session, user: User) -> set[int]:
    from portal.responsibility.models import staff_department

    return set(session.scalars(
        select(staff_department.c.department_id).where(staff_department.c.user_id == user.id)))


def sees_everything(user: User) -> bool:
    return user.has_role(MODERATOR, ADMIN)


def is_dispatcher(session: Session, user: User, departments: set[int] | None = None) -> bool:
    from portal.responsibility.services import dispatcher

    if not user.has_role(STAFF):
        return False
    departments = staff_department_ids(session, user) if departments is None else departments
    return dispatcher(session).id in departments


@dataclass
class QueueFilter:
    department_id: int | None = None
    category_id: int | None = None
    area_id: int | None = None
    state: str | None = None
    overdue: bool = False
    mine: bool = False
    include_done: bool = False
    sort: str = "due"  # due, updated


def visible(session: Session, user: User):
    """The queue rows ``user`` may see: their departments' items; for the dispatcher also the
    items with no department or back with the dispatch centre; everything for moderators and
    administrators."""
    stmt = select(QueueItem)
    if sees_everything(user):
        return stmt
    departments = staff_department_ids(session, user)
    conditions = [QueueItem.department_id.in_(departments)] if departments else []
    if is_dispatcher(session, user, departments):
        conditions.append(QueueItem.department_id.is_(None))
    if not conditions:
        return stmt.where(QueueItem.id.is_(None))
    return stmt.where(or_(*conditions))


def page(session: Session, user: User, f: QueueFilter, after: str | None = None, per_page: int = 25):
    """One page of the queue, in deadline order (soonest first, priority first)."""
    stmt = visible(session, user)
    if not f.include_done:
        stmt = stmt.where(QueueItem.done.is_(False))
    if f.department_id:
        stmt = stmt.where(QueueItem.department_id == f.department_id)
    if f.category_id:
        stmt = stmt.where(QueueItem.category_id == f.category_id)
    if f.area_id:
        stmt = stmt.where(QueueItem.area_id == f.area_id)
    if f.state:
        stmt = stmt.where(QueueItem.state == f.state)
    if f.overdue:
        stmt = stmt.where(QueueItem.overdue.is_(True))
    if f.mine:
        stmt = stmt.where(QueueItem.assigned_user_id == user.id)
    if f.sort == "updated":
        stmt = stmt.order_by(QueueItem.updated_at.desc(), QueueItem.id.desc())
    else:
        far = datetime(9999, 1, 1)
        from sqlalchemy import func

        stmt = stmt.order_by(QueueItem.priority.desc(), func.coalesce(QueueItem.due_at, far),
                             QueueItem.id)
    offset = int(after) if after and after.isdigit() else 0
    rows = list(session.scalars(stmt.offset(offset).limit(per_page + 1)))
    more = len(rows) > per_page
    return rows[:per_page], (str(offset + per_page) if more else None)
