"""Read the city's departments and areas (the responsibility list grows here)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.responsibility.models import Area, Department


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
