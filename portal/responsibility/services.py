"""Read the city's departments and areas (the responsibility list grows here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.core.errors import Invalid, NotFound
from portal.responsibility.models import Area, Department, ResponsibilityRule, ServiceCategory


@dataclass
class AreaNode:
    area: Area
    children: list[AreaNode]


def area_tree(session: Session) -> list[AreaNode]:
    """All areas as a tree, in one query."""
    areas = list(session.scalars(select(Area).order_by(Area.code)))
    nodes = {a.id: AreaNode(a, []) for a in areas}
    roots = []
    for a in areas:
        if a.parent_id and a.parent_id in nodes:
            nodes[a.parent_id].children.append(nodes[a.id])
        else:
            roots.append(nodes[a.id])
    return roots


def department_tree(session: Session) -> list[tuple[Department, int]]:
    """Departments in hierarchy order with their depth, in one query."""
    departments = list(session.scalars(select(Department).order_by(Department.code)))
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    ordered: list[tuple[Department, int]] = []

    def walk(parent_id, depth):
        for d in children.get(parent_id, []):
            ordered.append((d, depth))
            walk(d.id, depth + 1)

    walk(None, 0)
    return ordered


@dataclass
class CityOverview:
    city: Area | None
    districts: list[AreaNode]
    department_count: int


def city_overview(session: Session) -> CityOverview:
    tree = area_tree(session)
    city = tree[0] if tree else None
    departments = department_tree(session)
    return CityOverview(
        city=city.area if city else None,
        districts=city.children if city else [],
        department_count=len(departments),
    )


# --- the responsibility list and routing ---------------------------------------------------

DISPATCH_CODE = "dispatch"


@dataclass
class Routing:
    """Who answers for a request, and why."""

    lead: Department
    co: list[Department]
    rule: ResponsibilityRule | None
    matched_area: Area | None

    def reason(self) -> dict:
        if self.rule is None:
            return {"rule_id": None, "fallback": "dispatch"}
        return {"rule_id": self.rule.id, "area": self.matched_area.code if self.matched_area else None}


def ancestors(session: Session, area: Area) -> list[Area]:
    """The area, then its parents up to the city."""
    by_id = {a.id: a for a in session.scalars(select(Area))}
    chain = []
    current = by_id.get(area.id)
    while current is not None and current not in chain:
        chain.append(current)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return chain


def _in_force(on: date):
    return and_(
        ResponsibilityRule.effective_from <= on,
        or_(ResponsibilityRule.effective_to.is_(None), ResponsibilityRule.effective_to > on),
    )


def dispatcher(session: Session) -> Department:
    department = session.scalar(select(Department).where(Department.code == DISPATCH_CODE))
    if department is None:
        raise NotFound()
    return department


def route(session: Session, category: ServiceCategory, area: Area, on: date | None = None) -> Routing:
    """The most specific rule in force wins: a community's beats its district's, which beats
    the city's. With no rule at all, the city dispatcher answers."""
    on = on or date.today()
    chain = ancestors(session, area)
    rules = {
        r.area_id: r
        for r in session.scalars(
            select(ResponsibilityRule)
            .options(selectinload(ResponsibilityRule.co_departments),
                     joinedload(ResponsibilityRule.lead_department))
            .where(ResponsibilityRule.category_id == category.id,
                   ResponsibilityRule.area_id.in_([a.id for a in chain]), _in_force(on))
        )
    }
    for candidate in chain:
        rule = rules.get(candidate.id)
        if rule is not None:
            return Routing(rule.lead_department, list(rule.co_departments), rule, candidate)
    return Routing(dispatcher(session), [], None, None)


def set_rule(
    session: Session, actor, category: ServiceCategory, area: Area, lead: Department,
    co: list[Department], effective_from: date, note: str = "",
) -> ResponsibilityRule:
    """Put a rule in force from ``effective_from``, ending the one it replaces."""
    from portal.core import audit

    if lead in co:
        raise Invalid({"co_departments": [_l("The lead department cannot also co-handle.")]})
    previous = session.scalar(
        select(ResponsibilityRule).where(
            ResponsibilityRule.category_id == category.id, ResponsibilityRule.area_id == area.id,
            ResponsibilityRule.effective_to.is_(None),
        )
    )
    if previous is not None:
        if previous.effective_from >= effective_from:
            raise Invalid({"effective_from": [
                _l("A new rule must start after the rule it replaces (from %(date)s).",
                   date=previous.effective_from.isoformat())]})
        previous.effective_to = effective_from
    rule = ResponsibilityRule(
        category=category, area=area, lead_department=lead, co_departments=list(co),
        effective_from=effective_from, note=note, created_by_id=actor.id if actor else None,
        replaces_id=previous.id if previous else None,
    )
    session.add(rule)
    session.flush()
    audit.record(session, actor, "responsibility.rule_set", "responsibility_rule", rule.id,
                 category=category.service_code, area=area.code, lead=lead.code,
                 co=[d.code for d in co], effective_from=effective_from.isoformat())
    session.commit()
    return rule


def end_rule(session: Session, actor, rule: ResponsibilityRule, effective_to: date) -> None:
    from portal.core import audit

    if effective_to <= rule.effective_from:
        raise Invalid({"effective_to": [_l("The end date must be after the start date.")]})
    rule.effective_to = effective_to
    audit.record(session, actor, "responsibility.rule_ended", "responsibility_rule", rule.id,
                 effective_to=effective_to.isoformat())
    session.commit()


def rules_in_force(session: Session, on: date | None = None) -> list[ResponsibilityRule]:
    """The whole list as it stands on a day, for the public page and the admin page."""
    on = on or date.today()
    return list(session.scalars(
        select(ResponsibilityRule)
        .options(joinedload(ResponsibilityRule.category), joinedload(ResponsibilityRule.area),
                 joinedload(ResponsibilityRule.lead_department),
                 selectinload(ResponsibilityRule.co_departments))
        .where(_in_force(on))
        .order_by(ResponsibilityRule.category_id, ResponsibilityRule.area_id)
    ).unique())


def categories(session: Session, active_only: bool = True) -> list[ServiceCategory]:
    stmt = select(ServiceCategory).order_by(ServiceCategory.group_id, ServiceCategory.service_code)
    if active_only:
        stmt = stmt.where(ServiceCategory.active.is_(True))
    return list(session.scalars(stmt).unique())


def category_by_code(session: Session, code: str) -> ServiceCategory:
    category = session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == code))
    if category is None:
        raise NotFound()
    return category
