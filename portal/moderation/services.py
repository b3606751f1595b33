"""The staff queue: who sees what, filters, sorting, bulk actions.

Modules feed it through ``upsert`` and describe their items with ``register_module``: how a
row links to the module's own staff page, what its states are called, and which bulk actions
it knows. The queue itself never imports a module's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, false, insert, or_, select
from sqlalchemy.orm import Session, lazyload

from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, MODERATOR, ORG_MEMBER, STAFF
from portal.moderation.models import FAR, QueueItem, queue_item_co_department

# The one rule of who works for the accountable parties they are linked to in
# ``staff_department``: staff (government departments), and organization members, whom
# portal/organizations links to their organization's party only while it is verified, so an
# unverified, rejected or suspended organization's members are linked to nothing and see nothing.
PARTY_ROLES = (STAFF, ORG_MEMBER)
QUEUE_ROLES = (*PARTY_ROLES, MODERATOR, ADMIN)  # the staff queue and request pages


def acts_for_parties(user: User) -> bool:
    return user.has_role(*PARTY_ROLES)


def may_open_queue(session: Session, user: User) -> bool:
    """Staff, moderators, administrators; an organization member only while linked to a party
    (their organization is verified): the others are refused (403), not shown an empty queue."""
    if user.has_role(STAFF, MODERATOR, ADMIN):
        return True
    return user.has_role(ORG_MEMBER) and bool(staff_department_ids(session, user))


def upsert(session: Session, module: str, item_id: int, co_department_ids=None,
           **fields) -> QueueItem:
    """Create or update a module's queue row. ``co_department_ids`` (when given) are the
    departments that co-handle the item besides its lead (``department_id``): their staff see
    it too, marked as co-handling."""
    item = session.scalar(
        select(QueueItem).where(QueueItem.module == module, QueueItem.item_id == item_id)
    )
    if item is None:
        item = QueueItem(module=module, item_id=item_id)
        session.add(item)
    for key, value in fields.items():
        setattr(item, key, value)
    item.due_sort = item.due_at or FAR
    item.sort_rank = 0 if item.priority else 1
    item.updated_at = utcnow()
    if co_department_ids is not None:
        _set_co_departments(session, item, co_department_ids)
    return item


def _set_co_departments(session: Session, item: QueueItem, department_ids) -> None:
    wanted = {d for d in department_ids if d and d != item.department_id}
    if item.id is None:
        if not wanted:
            return
        session.flush()
        current: set[int] = set()
    else:
        current = set(session.scalars(select(queue_item_co_department.c.department_id).where(
            queue_item_co_department.c.queue_item_id == item.id)))
    if current - wanted:
        session.execute(delete(queue_item_co_department).where(
            queue_item_co_department.c.queue_item_id == item.id,
            queue_item_co_department.c.department_id.in_(current - wanted)))
    if wanted - current:
        session.execute(insert(queue_item_co_department), [
            {"queue_item_id": item.id, "department_id": d} for d in sorted(wanted - current)])


def co_department_ids(session: Session, item: QueueItem) -> set[int]:
    return set(session.scalars(select(queue_item_co_department.c.department_id).where(
        queue_item_co_department.c.queue_item_id == item.id)))


def co_handled(session: Session, user: User, items: list[QueueItem],
               departments: set[int] | None = None) -> set[int]:
    """The ids of ``items`` that ``user``'s departments co-handle without leading them (one
    query): the queue marks them "co-handling". ``departments``: ``user``'s, when known."""
    if not acts_for_parties(user):
        departments = set()
    elif departments is None:
        departments = staff_department_ids(session, user)
    ids = [i.id for i in items if i.department_id not in departments]
    if not departments or not ids:
        return set()
    return set(session.scalars(select(queue_item_co_department.c.queue_item_id).where(
        queue_item_co_department.c.queue_item_id.in_(ids),
        queue_item_co_department.c.department_id.in_(departments))))


def _in_departments(departments: set[int]):
    """Rows these departments lead or co-handle."""
    return or_(QueueItem.department_id.in_(departments), QueueItem.id.in_(
        select(queue_item_co_department.c.queue_item_id)
        .where(queue_item_co_department.c.department_id.in_(departments))))


# --- what each module tells the queue about its items -----------------------------------

@dataclass(frozen=True)
class StateInfo:
    label: object
    tag: str  # status_tag kind


@dataclass
class Module:
    """A module's part of the queue.

    ``link(item)`` is the URL of the item's staff page; ``states`` maps state codes to their
    labels; ``actions`` maps a bulk action name to ``fn(session, actor, item, assignee)`` that
    does it for one item (raising Invalid or Forbidden when it cannot); ``offers(item)`` names
    the actions worth a button on the item's row besides assigning. ``link_pattern()``, when
    given, returns the same URL with ``{reference}`` for the item's reference (URL-quoted):
    built once a page instead of once a row."""

    link: Callable[[QueueItem], str]
    states: dict[str, StateInfo] = field(default_factory=dict)
    actions: dict[str, Callable] = field(default_factory=dict)
    offers: Callable[[QueueItem], list[str]] = lambda item: []
    link_pattern: Callable[[], str] | None = None
    # Seen only by moderators and administrators (content reports), not departments' staff.
    moderators_only: bool = False


MODULES: dict[str, Module] = {}


def register_module(name: str, module: Module) -> None:
    MODULES[name] = module


def state_info(item: QueueItem) -> StateInfo:
    module = MODULES.get(item.module)
    if module and item.state in module.states:
        return module.states[item.state]
    return StateInfo(item.state, "neutral")


def link(item: QueueItem) -> str | None:
    module = MODULES.get(item.module)
    return module.link(item) if module else None


def links(items: list[QueueItem]) -> dict[int, str | None]:
    """Each item's link by id, each module's URL pattern built once (see ``Module``)."""
    from urllib.parse import quote

    patterns: dict[str, str | None] = {}
    found: dict[int, str | None] = {}
    for item in items:
        module = MODULES.get(item.module)
        if module is None:
            found[item.id] = None
            continue
        if item.module not in patterns:
            patterns[item.module] = module.link_pattern() if module.link_pattern else None
        pattern = patterns[item.module]
        found[item.id] = (pattern.replace("{reference}", quote(item.reference, safe="!$&'()*+,/:;=@"))
                          if pattern is not None else module.link(item))
    return found


def row_actions(item: QueueItem, user: User) -> list[str]:
    """The buttons on an item's row: assign it to yourself, and what its module offers."""
    module = MODULES.get(item.module)
    if module is None or item.done:
        return []
    actions = ["assign_me"] if "assign" in module.actions and item.assigned_user_id != user.id else []
    return actions + [a for a in module.offers(item) if a in module.actions]


def all_states() -> list[tuple[str, StateInfo]]:
    """Every state any module knows, for the filter."""
    seen: dict[str, StateInfo] = {}
    for module in MODULES.values():
        for code, info in module.states.items():
            seen.setdefault(code, info)
    return list(seen.items())


# --- who sees what -------------------------------------------------------------------------

def staff_department_ids(session: Session, user: User) -> set[int]:
    from portal.responsibility.models import staff_department

    return set(session.scalars(
        select(staff_department.c.department_id).where(staff_department.c.user_id == user.id)))


def sees_everything(user: User) -> bool:
    return user.has_role(MODERATOR, ADMIN)


def is_dispatcher(session: Session, user: User, departments: set[int] | None = None) -> bool:
    from portal.responsibility.services import dispatcher

    if not acts_for_parties(user):
        return False
    departments = staff_department_ids(session, user) if departments is None else departments
    if not departments:
        return False
    try:
        return dispatcher(session).id in departments
    except NotFound:  # a city without a dispatch centre yet
        return False


def department_staff(session: Session, department_ids) -> list[User]:
    """The staff of these departments, by name (one query; their roles load when asked for)."""
    from portal.responsibility.models import staff_department

    ids = [d for d in department_ids if d]
    if not ids:
        return []
    return list(session.scalars(
        select(User).where(User.id.in_(
            select(staff_department.c.user_id).where(staff_department.c.department_id.in_(ids))),
            User.blocked_at.is_(None))
        .options(lazyload(User.roles))
        .order_by(User.display_name, User.id)))


def all_staff(session: Session) -> list[User]:
    """Every department's staff, by name (one query)."""
    from portal.responsibility.models import staff_department

    return list(session.scalars(
        select(User).where(User.id.in_(select(staff_department.c.user_id)),
                           User.blocked_at.is_(None))
        .options(lazyload(User.roles))
        .order_by(User.display_name, User.id)))


@dataclass(frozen=True)
class StaffDirectory:
    """Who works for which accountable party, with their names: what the queue's page needs
    of ``staff_department`` and ``user_account``, read in one statement and held per process
    (``staff_directory``)."""

    names: dict[int, str]  # every staff member who is not blocked -> display name, by name
    departments: dict[int, frozenset[int]]  # a staff member (blocked too) -> their parties
    members: dict[int, tuple[int, ...]]  # a party -> its staff who are not blocked, by name

    def departments_of(self, user: User) -> set[int]:
        return set(self.departments.get(user.id, ()))

    def colleagues(self, user: User, departments: set[int]) -> list[tuple[int, str]]:
        """(id, name) of whom ``user`` may hand queue items to, as ``colleagues`` says."""
        if sees_everything(user):
            ids = list(self.names)
        else:
            wanted = {i for d in departments for i in self.members.get(d, ())}
            ids = [i for i in self.names if i in wanted]
        people = [(i, self.names[i]) for i in ids]
        if user.id not in ids:
            people.insert(0, (user.id, user.display_name))
        return people


def staff_directory(session: Session) -> StaffDirectory:
    """The staff directory, held in this process under the versions of "accounts" (names,
    blocks) and "responsibility" (who works where: ``Department.staff``), so a change in any
    process is seen on the next request. For pages that only read: a service that changes
    membership and checks it in the same transaction asks ``staff_department_ids``."""
    from portal.core.cache import ACCOUNTS_TOPIC, held

    return held((ACCOUNTS_TOPIC, "responsibility"), "staff-directory",
                lambda: _staff_directory(session))


def _staff_directory(session: Session) -> StaffDirectory:
    from portal.responsibility.models import staff_department

    names: dict[int, str] = {}
    departments: dict[int, set[int]] = {}
    members: dict[int, list[int]] = {}
    for user_id, department_id, name, blocked in session.execute(
            select(staff_department.c.user_id, staff_department.c.department_id,
                   User.display_name, User.blocked_at.is_not(None))
            .join(User, User.id == staff_department.c.user_id)
            .order_by(User.display_name, User.id)):
        departments.setdefault(user_id, set()).add(department_id)
        if not blocked:
            names[user_id] = name
            members.setdefault(department_id, []).append(user_id)
    return StaffDirectory(names, {u: frozenset(d) for u, d in departments.items()},
                          {d: tuple(u) for d, u in members.items()})


def colleagues(session: Session, user: User, departments: set[int] | None = None) -> list[User]:
    """Whom ``user`` may hand queue items to: the staff of their departments; for moderators
    and administrators, every department's staff. Always includes ``user``."""

    if sees_everything(user):
        people = all_staff(session)
    else:
        people = department_staff(session, staff_department_ids(session, user)
                                  if departments is None else departments)
    if user not in people:
        people.insert(0, user)
    return people


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


def visible(session: Session, user: User, departments: set[int] | None = None):
    """The queue rows ``user`` may see: the items their departments lead or co-handle; for
    the dispatcher also the items with no department or back with the dispatch centre;
    everything for moderators and administrators."""
    stmt = select(QueueItem)
    if sees_everything(user):
        return stmt
    if not acts_for_parties(user):
        return stmt.where(false())
    hidden = sorted(name for name, module in MODULES.items() if module.moderators_only)
    if hidden:
        stmt = stmt.where(QueueItem.module.not_in(hidden))
    if departments is None:
        departments = staff_department_ids(session, user)
    conditions = [_in_departments(departments)] if departments else []
    if is_dispatcher(session, user, departments):
        conditions.append(QueueItem.department_id.is_(None))
    if not conditions:
        return stmt.where(false())
    return stmt.where(or_(*conditions))




def _cursor(item: QueueItem, sort: str) -> str:
    if sort == "updated":
        return f"{item.updated_at.isoformat()}|{item.id}"
    return f"{item.sort_rank}|{item.due_sort.isoformat()}|{item.id}"


def _after(stmt, sort: str, cursor: str | None):
    """Rows after ``cursor`` in the page order (keyset: no OFFSET, whatever the page)."""
    if not cursor:
        return stmt
    parts = cursor.split("|")
    try:
        if sort == "updated" and len(parts) == 2:
            moment, last = datetime.fromisoformat(parts[0]), int(parts[1])
            return stmt.where(or_(QueueItem.updated_at < moment,
                                  and_(QueueItem.updated_at == moment, QueueItem.id < last)))
        if sort != "updated" and len(parts) == 3:
            rank, due, last = int(parts[0]), datetime.fromisoformat(parts[1]), int(parts[2])
            return stmt.where(or_(
                QueueItem.sort_rank > rank,
                and_(QueueItem.sort_rank == rank,
                     or_(QueueItem.due_sort > due, and_(QueueItem.due_sort == due, QueueItem.id > last)))))
    except ValueError:
        pass
    return stmt  # a malformed cursor starts from the first page


def page(session: Session, user: User, f: QueueFilter, after: str | None = None, per_page: int = 25,
         departments: set[int] | None = None):
    """One page of the queue and the cursor of the next (or None): by deadline (priority
    first, then the soonest due) or by last change (newest first)."""
    stmt = visible(session, user, departments)
    if not f.include_done:
        stmt = stmt.where(QueueItem.done.is_(False))
    if f.department_id:  # the department leads it or co-handles it
        stmt = stmt.where(_in_departments({f.department_id}))
    if f.category_id:
        stmt = stmt.where(QueueItem.category_id == f.category_id)
    if f.area_id:
        from portal.responsibility.services import area_ids_within

        stmt = stmt.where(QueueItem.area_id.in_(area_ids_within(session, f.area_id)))
    if f.state:
        stmt = stmt.where(QueueItem.state == f.state)
    if f.overdue:
        # Flagged by an escalation, or past its deadline before the next deadline check ran.
        stmt = stmt.where(or_(QueueItem.overdue.is_(True), QueueItem.due_at < utcnow()))
    if f.mine:
        stmt = stmt.where(QueueItem.assigned_user_id == user.id)
    sort = "updated" if f.sort == "updated" else "due"
    stmt = _after(stmt, sort, after)
    if sort == "updated":
        stmt = stmt.order_by(QueueItem.updated_at.desc(), QueueItem.id.desc())
    else:
        stmt = stmt.order_by(QueueItem.sort_rank, QueueItem.due_sort, QueueItem.id)
    rows = list(session.scalars(stmt.limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (_cursor(rows[-1], sort) if more and rows else None)


def is_overdue(item: QueueItem, now: datetime | None = None) -> bool:
    return bool(item.overdue or (item.due_at and not item.done and item.due_at < (now or utcnow())))


# --- bulk actions --------------------------------------------------------------------------

BULK_ACTIONS = ("assign_me", "assign_to", "acknowledge")


@dataclass
class BulkResult:
    done: list[QueueItem] = field(default_factory=list)
    failed: list[tuple[QueueItem | None, str]] = field(default_factory=list)


def get_visible(session: Session, user: User, item_id: int) -> QueueItem:
    item = session.scalar(visible(session, user).where(QueueItem.id == item_id))
    if item is None:
        raise NotFound()
    return item


def bulk(session: Session, actor: User, item_ids: list[int], action: str,
         assignee: User | None = None) -> BulkResult:
    """Do one action to several queue items, each through its module's own service; what
    cannot be done to an item is reported for that item and the others still go ahead."""
    if action not in BULK_ACTIONS:
        raise Invalid({"action": [_l("Choose what to do with the selected items.")]})
    if not item_ids:
        raise Invalid({"items": [_l("Select at least one item.")]})
    if action == "assign_to" and assignee is None:
        raise Invalid({"assignee": [_l("Choose the colleague to assign them to.")]})
    items = list(session.scalars(visible(session, actor).where(QueueItem.id.in_(item_ids))
                                 .order_by(QueueItem.id)))
    result = BulkResult()
    if len(items) < len(set(item_ids)):
        result.failed.append((None, str(_l("Some selected items are not in your queue."))))
    name = "assign" if action in ("assign_me", "assign_to") else action
    for item in items:
        module = MODULES.get(item.module)
        handler = module.actions.get(name) if module else None
        if handler is None:
            result.failed.append((item, str(_l("This action does not apply to this item."))))
            continue
        try:
            handler(session, actor, item, actor if action == "assign_me" else assignee)
        except (Invalid, Forbidden, NotFound) as exc:
            session.rollback()
            result.failed.append((item, str(exc) or str(_l("You cannot do this."))))
        else:
            result.done.append(item)
    return result
