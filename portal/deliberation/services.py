"""Halls: who may see, join, host and change them. Pages, fragments and tasks call these.

Permission rules, in one place:
- everybody, signed in or not, reads every hall that is not archived (deliberation is public);
- a signed-in person joins an *open* hall at once; an *area* hall after saying they live, work
  or study in its area (recorded with the membership); an *invitation* hall only by accepting
  a host's invitation;
- hosts (staff, organization members or administrators whom a host or an administrator made
  host) manage the members and the hall's settings; administrators may do anything a host may;
- administrators and staff open halls; whoever opens one is its first host.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from portal.core import audit as _audit
from portal.core import notifications, search, site_search
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, ORG_MEMBER, STAFF
from portal.deliberation import follows
from portal.deliberation.models import POLICIES, TOOLS, Hall, HallEvent, HallMember
from portal.responsibility.models import Area
from portal.responsibility.services import (
    apply_changes,
    area_order,
    check_source,
    check_versions,
    clean_versions,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
NAME_MAX, PURPOSE_MAX, RULES_MAX = 200, 2000, 5000

POLICY_LABELS = {
    "open": _l("Open to everyone with an account"),
    "area": _l("Open to people who live, work or study in its area"),
    "invitation": _l("By invitation of its hosts"),
}
EVENT_LABELS = {
    "opened": _l("The hall opened"),
    "settings_changed": _l("The hosts changed the hall's settings"),
    "archived": _l("The hall was closed"),
    "proposal_published": _l("A proposal was published"),
    "proposal_evaluation": _l("A proposal reached its supports and went to the responsible department"),
    "proposal_answered": _l("The responsible department answered a proposal"),
    "proposal_withdrawn": _l("A proposal was withdrawn by its author"),
    "proposal_progress": _l("Progress was recorded on an accepted proposal"),
}

for _action, _label in {
    "hall.created": _l("Hall opened"),
    "hall.updated": _l("Hall settings changed"),
    "hall.member_removed": _l("Hall member removed"),
    "hall.role_changed": _l("Hall host changed"),
}.items():
    _audit.register_action(_action, _label)

notifications.register_message(
    "hall.invited", _l("%(host)s invited you to the hall “%(hall)s”."))
notifications.register_message(
    "hall.made_host", _l("You are now a host of the hall “%(hall)s”."))


# --- the tools' sections on a hall's page ------------------------------------------------------

@dataclass(frozen=True)
class HallSection:
    """What one tool (debates, proposals, ...) shows on a hall's page: ``template`` is included
    with the page's context (``hall``, ``mine``, ``can_manage``) plus what ``context(session,
    hall, user)`` returns. Shown only when the hall uses the tool."""

    tool: str
    template: str
    order: int = 100
    context: Callable[[Session, Hall, object], dict] | None = None


SECTIONS: dict[str, HallSection] = {}


def register_section(section: HallSection) -> None:
    SECTIONS[section.tool] = section


def sections(session: Session, hall: Hall, user) -> list[tuple[HallSection, dict]]:
    """The sections of the tools this hall uses, in their order, each with its context."""
    found = sorted((s for s in SECTIONS.values() if hall.uses(s.tool)), key=lambda s: (s.order, s.tool))
    return [(s, s.context(session, hall, user) if s.context else {}) for s in found]


# --- reading ----------------------------------------------------------------------------------

@dataclass
class AreaHalls:
    area: Area
    depth: int
    halls: list[Hall]


def halls_by_area(session: Session) -> list[AreaHalls]:
    """Every open hall under its area, areas in their tree order (city, districts,
    communities); the counters come with the hall, so this is two statements."""
    halls = session.scalars(
        select(Hall).where(Hall.archived.is_(False))
        .order_by(Hall.last_activity_at.desc(), Hall.id.desc())).all()
    by_area: dict[int, list[Hall]] = {}
    for hall in halls:
        by_area.setdefault(hall.area_id, []).append(hall)
    return [AreaHalls(area, depth, by_area[area.id]) for area, depth in area_order(session)
            if area.id in by_area]


def get_hall(session: Session, slug: str) -> Hall:
    hall = session.scalar(select(Hall).options(joinedload(Hall.area)).where(Hall.slug == slug))
    if hall is None or hall.archived:
        raise NotFound()
    return hall


class _NoMembership:
    """"Looked up: not a member", for the rules' ``mine`` argument (None means "look it up")."""

    state = role = None


NO_MEMBERSHIP = _NoMembership()


def membership(session: Session, hall: Hall, user) -> HallMember | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(select(HallMember).where(
        HallMember.hall_id == hall.id, HallMember.user_id == user.id))


def hosts(session: Session, hall: Hall) -> list[User]:
    return list(session.scalars(
        select(User).join(HallMember, HallMember.user_id == User.id)
        .where(HallMember.hall_id == hall.id, HallMember.role == "host",
               HallMember.state == "active")
        .order_by(User.display_name, User.id)))


def is_host(session: Session, hall: Hall, user) -> bool:
    mine = membership(session, hall, user)
    return mine is not None and mine.state == "active" and mine.role == "host"


def can_manage(session: Session, hall: Hall, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(ADMIN) or is_host(session, hall, user)


def can_open_halls(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.has_role(ADMIN, STAFF))


def may_host(session: Session, user: User) -> bool:
    """Staff, administrators, and members of a VERIFIED organization: those linked to a
    non-government party (portal/organizations links members only while it is verified)."""
    if user.has_role(ADMIN, STAFF):
        return True
    if not user.has_role(ORG_MEMBER):
        return False
    from portal.responsibility.models import GOVERNMENT, Department, staff_department

    return session.scalar(select(staff_department.c.user_id).join(
        Department, Department.id == staff_department.c.department_id).where(
        staff_department.c.user_id == user.id, Department.kind != GOVERNMENT).limit(1)) is not None


def members(session: Session, hall: Hall) -> list[HallMember]:
    """Everyone in the hall and everyone invited: hosts first, then by name."""
    rows = session.scalars(
        select(HallMember).options(joinedload(HallMember.user))
        .where(HallMember.hall_id == hall.id)).all()
    return sorted(rows, key=lambda m: (m.role != "host", m.state != "active",
                                       (m.user.display_name or "").casefold(), m.id))


def timeline(session: Session, hall: Hall, limit: int = 20) -> list[HallEvent]:
    return list(session.scalars(
        select(HallEvent).where(HallEvent.hall_id == hall.id)
        .order_by(HallEvent.id.desc()).limit(limit)))


def my_halls(session: Session, user) -> list[Hall]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(session.scalars(
        select(Hall).join(HallMember, HallMember.hall_id == Hall.id)
        .where(HallMember.user_id == user.id, HallMember.state == "active",
               Hall.archived.is_(False))
        .order_by(Hall.last_activity_at.desc())))


def invitations(session: Session, user) -> list[Hall]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(session.scalars(
        select(Hall).join(HallMember, HallMember.hall_id == Hall.id)
        .where(HallMember.user_id == user.id, HallMember.state == "invited",
               Hall.archived.is_(False))))


# --- opening and changing a hall -------------------------------------------------------------

@dataclass
class HallData:
    slug: str
    area_id: int | None
    names: dict[str, str]
    source_locale: str
    purposes: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    policy: str = "open"
    tools: list[str] = field(default_factory=lambda: list(TOOLS))
    support_threshold: int | None = None  # None: the current one, or 10


def _values(session: Session, data: HallData, current: Hall | None) -> dict:
    errors: dict[str, list] = {}
    slug = (data.slug or "").strip().lower()
    if not SLUG.match(slug):
        errors["slug"] = [_l("Use 3 to 64 lowercase letters, digits and hyphens, starting and "
                             "ending with a letter or digit.")]
    else:
        owner = session.scalar(select(Hall.id).where(Hall.slug == slug))
        if owner is not None and owner != (current.id if current else None):
            errors["slug"] = [_l("Another hall already has this web address.")]
    area = session.get(Area, data.area_id) if isinstance(data.area_id, int) else None
    if area is None:
        errors["area_id"] = [_l("Choose the area the hall belongs to.")]
    check_source(errors, data.source_locale)
    names = clean_versions(data.names)
    purposes = clean_versions(data.purposes)
    rules = clean_versions(data.rules)
    check_versions(errors, "name", names, data.source_locale, NAME_MAX)
    check_versions(errors, "purpose", purposes, data.source_locale, PURPOSE_MAX)
    check_versions(errors, "rules", rules, data.source_locale, RULES_MAX, required=False)
    if data.policy not in POLICIES:
        errors["policy"] = [_l("Choose who may join.")]
    tools = [t for t in TOOLS if t in (data.tools or ())]
    if len(tools) != len(set(data.tools or ())):
        errors["tools"] = [_l("Choose from the list.")]
    threshold = data.support_threshold
    if threshold is None:  # not given: the current one, or the default
        threshold = current.support_threshold if current else 10
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 <= threshold <= 100000:
        errors["support_threshold"] = [_l("Enter a whole number from 1 to 100,000.")]
    if errors:
        raise Invalid(errors)
    return {"slug": slug, "area_id": area.id, "name_i18n": names, "purpose_i18n": purposes,
            "rules_i18n": rules, "source_locale": data.source_locale, "policy": data.policy,
            "support_threshold": threshold,
            "tools": tools}


def _event(session: Session, hall: Hall, kind: str, actor, *, notified=(), **data) -> HallEvent:
    """A timeline entry; its followers are told (but the actor and the ids in ``notified``,
    whom the caller told in its own words)."""
    event = HallEvent(hall_id=hall.id, kind=kind, actor_id=getattr(actor, "id", None), data=data)
    session.add(event)
    hall.last_activity_at = utcnow()
    follows.announce(session, hall, event, notified)
    return event


def index_hall(session: Session, hall: Hall) -> None:
    search.index(session, "hall", hall.id, title=" ".join(hall.name_i18n.values()),
                 body=" ".join(hall.purpose_i18n.values()), public=not hall.archived)


def create_hall(session: Session, actor: User, data: HallData, ip_address: str | None = None) -> Hall:
    if not can_open_halls(actor):
        raise Forbidden()
    hall = Hall(**_values(session, data, None), created_by_id=actor.id)
    session.add(hall)
    session.flush()
    session.add(HallMember(hall_id=hall.id, user_id=actor.id, role="host", state="active"))
    hall.member_count = 1
    follows.auto_follow(session, actor, "hall", hall.id)
    _event(session, hall, "opened", actor)
    index_hall(session, hall)
    _audit.record(session, actor, "hall.created", "hall", hall.id, ip_address, slug=hall.slug)
    session.commit()
    return hall


def update_hall(session: Session, actor: User, hall: Hall, data: HallData,
                ip_address: str | None = None) -> list[str]:
    if not can_manage(session, hall, actor):
        raise Forbidden()
    changed = apply_changes(hall, _values(session, data, hall))
    if changed:
        _event(session, hall, "settings_changed", actor, fields=changed)
        index_hall(session, hall)
        _audit.record(session, actor, "hall.updated", "hall", hall.id, ip_address, fields=changed)
    session.commit()
    return changed


# --- joining, leaving, inviting ----------------------------------------------------------------

def _recount(session: Session, hall: Hall) -> None:
    """The member counter, updated in the database so concurrent joins stay exact."""
    from sqlalchemy import func

    session.flush()
    count = select(func.count()).select_from(HallMember).where(
        HallMember.hall_id == hall.id, HallMember.state == "active").scalar_subquery()
    session.execute(update(Hall).where(Hall.id == hall.id).values(member_count=count))
    session.refresh(hall, ["member_count"])


def join(session: Session, user: User, hall: Hall, declared_area: bool = False) -> HallMember:
    """Join the hall as its policy allows; accepting an invitation is joining too."""
    if user is None or not user.is_authenticated:
        raise Forbidden()
    mine = membership(session, hall, user)
    if mine is not None and mine.state == "active":
        return mine
    if mine is None:
        if hall.policy == "invitation":
            raise Forbidden()
        if hall.policy == "area" and not declared_area:
            raise Invalid({"declared_area": [_l(
                "Confirm that you live, work or study in this area to join this hall.")]})
        mine = HallMember(hall_id=hall.id, user_id=user.id, role="member", state="active",
                          declared_area=bool(declared_area))
        session.add(mine)
    else:  # an invitation, accepted
        mine.state = "active"
        mine.joined_at = utcnow()
    follows.auto_follow(session, user, "hall", hall.id)
    _recount(session, hall)
    session.commit()
    return mine


def leave(session: Session, user: User, hall: Hall) -> None:
    """Leave (or decline an invitation). The last host cannot leave: the hall needs one."""
    mine = membership(session, hall, user)
    if mine is None:
        return
    if mine.role == "host" and mine.state == "active" and len(hosts(session, hall)) <= 1:
        raise Invalid({"": [_l("You are the hall's only host: make someone else host first.")]})
    session.delete(mine)
    follows.stop_following(session, user, "hall", hall.id)
    _recount(session, hall)
    session.commit()


def invite(session: Session, host: User, hall: Hall, email: str) -> HallMember | None:
    """Invite the account with this address. The answer is the same whether there is one or
    not (no account enumeration); an existing member is left as they are."""
    if not can_manage(session, hall, host):
        raise Forbidden()
    address = (email or "").strip().lower()
    user = session.scalar(select(User).where(User.email == address)) if address else None
    if user is None or not user.is_active:
        return None
    mine = membership(session, hall, user)
    if mine is not None:
        return mine
    mine = HallMember(hall_id=hall.id, user_id=user.id, role="member", state="invited",
                      invited_by_id=host.id)
    session.add(mine)
    session.flush()
    notifications.notify(session, [user], "hall.invited",
                         {"host": host.display_name,
                          "hall": notifications.translatable_param(hall.name_i18n, hall.source_locale)},
                         "deliberation.hall", {"slug": hall.slug})
    session.commit()
    return mine


def _member(session: Session, hall: Hall, member_id: int) -> HallMember:
    member = session.get(HallMember, member_id)
    if member is None or member.hall_id != hall.id:
        raise NotFound()
    return member


def remove_member(session: Session, host: User, hall: Hall, member_id: int,
                  ip_address: str | None = None) -> None:
    if not can_manage(session, hall, host):
        raise Forbidden()
    member = _member(session, hall, member_id)
    if member.role == "host" and len(hosts(session, hall)) <= 1:
        raise Invalid({"": [_l("A hall needs at least one host: make someone else host first.")]})
    _audit.record(session, host, "hall.member_removed", "hall", hall.id, ip_address,
                  user_id=member.user_id)
    session.delete(member)
    _recount(session, hall)
    session.commit()


def set_role(session: Session, host: User, hall: Hall, member_id: int, role: str,
             ip_address: str | None = None) -> HallMember:
    if not can_manage(session, hall, host):
        raise Forbidden()
    member = _member(session, hall, member_id)
    if role not in ("member", "host") or member.state != "active":
        raise Invalid({"": [_l("Only a member who has joined can become a host.")]})
    if role == "host" and not may_host(session, member.user):
        raise Invalid({"": [_l("Hosts are staff or members of a verified organization.")]})
    if role == "member" and member.role == "host" and len(hosts(session, hall)) <= 1:
        raise Invalid({"": [_l("A hall needs at least one host: make someone else host first.")]})
    if member.role != role:
        member.role = role
        _audit.record(session, host, "hall.role_changed", "hall", hall.id, ip_address,
                      user_id=member.user_id, role=role)
        if role == "host":
            notifications.notify(session, [member.user], "hall.made_host",
                                 {"hall": notifications.translatable_param(hall.name_i18n,
                                                                          hall.source_locale)},
                                 "deliberation.hall", {"slug": hall.slug})
    session.commit()
    return member


# --- search -------------------------------------------------------------------------------------

def _documents(session: Session):
    for hall in session.scalars(select(Hall)):
        yield search.Document(hall.id, title=" ".join(hall.name_i18n.values()),
                              body=" ".join(hall.purpose_i18n.values()), public=not hall.archived)


search.register("hall", 2, _documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """What the site search may show anyone of these halls: those not archived, whoever reads."""
    stmt = select(Hall.id, Hall.created_at).where(Hall.id.in_(ids), Hall.archived.is_(False))
    return dict(session.execute(scope.apply(stmt, Hall.area_id, Hall.created_at)).all())


def _site_rows(session: Session, ids) -> dict:
    from portal.core.i18n import localize

    rows = {}
    for hall in session.scalars(select(Hall).options(joinedload(Hall.area)).where(Hall.id.in_(ids))):
        name = localize(hall.name_i18n, hall.source_locale)
        purpose = localize(hall.purpose_i18n, hall.source_locale)
        rows[hall.id] = site_search.Row(name.text, purpose.text if purpose.lang == name.lang else "",
                                        name.lang, "deliberation.hall", {"slug": hall.slug},
                                        str(hall.area.name), hall.created_at)
    return rows


site_search.register(site_search.Source("hall", _l("Hall"), _site_visible, _site_rows, 20))
