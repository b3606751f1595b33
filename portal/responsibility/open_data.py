"""The responsibility module's published datasets (``portal.core.datasets``): departments,
areas and the responsibility list in force, with their fields' classes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core import datasets as ds
from portal.core.datasets import PUBLIC, Field
from portal.core.i18n import localize


def _name(item, locale: str) -> str:
    return localize(item.names, item.source_locale, locale).text


def _page(items: list, query: ds.Query, make) -> tuple[list[dict], int | None]:
    """Rows of an in-memory list (reference data, loaded once per process), by position."""
    start = query.cursor or 0
    chosen = items[start:start + query.limit]
    end = start + len(chosen)
    return [make(item) for item in chosen], end if end < len(items) else None


LEVEL = Field("level", PUBLIC, "string", _l("Its level: city, district, street or community."))


def department_rows(session, query: ds.Query):
    from sqlalchemy import select

    from portal.responsibility.models import Department
    from portal.responsibility.services import reference_data

    ref = reference_data(session)
    codes = {d.id: d.code for d in ref.departments}
    start = query.cursor or 0
    chosen = ref.departments[start:start + query.limit]
    contacts = {i: (e, p) for i, e, p in session.execute(
        select(Department.id, Department.email, Department.phone)
        .where(Department.id.in_([d.id for d in chosen])))} if chosen else {}
    return _page(list(ref.departments), query, lambda d: {
        "code": d.code, "name": _name(d, query.locale), "level": d.level,
        "parent": codes.get(d.parent_id), "email": contacts.get(d.id, (None, None))[0],
        "phone": contacts.get(d.id, (None, None))[1]})


def area_rows(session, query: ds.Query):
    from portal.core.urls import absolute_url
    from portal.responsibility.services import reference_data

    ref = reference_data(session)
    codes = {a.id: a.code for a in ref.areas}
    return _page(list(ref.areas), query, lambda a: {
        "code": a.code, "name": _name(a, query.locale), "level": a.level,
        "parent": codes.get(a.parent_id),
        "boundary": absolute_url("responsibility_api.area", code=a.code)})


def rule_rows(session, query: ds.Query):
    from datetime import date

    from sqlalchemy import select
    from sqlalchemy.orm import joinedload, selectinload

    from portal.responsibility.models import ResponsibilityRule
    from portal.responsibility.services import _in_force

    stmt = (select(ResponsibilityRule)
            .options(joinedload(ResponsibilityRule.category), joinedload(ResponsibilityRule.area),
                     joinedload(ResponsibilityRule.lead_department),
                     selectinload(ResponsibilityRule.co_departments))
            .where(_in_force(date.today()))
            .order_by(ResponsibilityRule.id).limit(query.limit + 1))
    if query.cursor:
        stmt = stmt.where(ResponsibilityRule.id > query.cursor)
    rules = list(session.scalars(stmt).unique())
    more = len(rules) > query.limit
    rules = rules[:query.limit]
    rows = [{"id": r.id, "category": r.category.service_code,
             "category_name": localize(r.category.name_i18n, r.category.source_locale,
                                       query.locale).text,
             "area": r.area.code, "lead_department": r.lead_department.code,
             "co_departments": sorted(d.code for d in r.co_departments),
             "effective_from": r.effective_from.isoformat(), "note": r.note or ""}
            for r in rules]
    return rows, (rules[-1].id if more else None)


DEPARTMENTS = ds.register(ds.Dataset(
    "departments", _l("Departments"),
    _l("The city's departments, from the city down to communities, with their public contacts."),
    fields=(
        Field("code", PUBLIC, "string", _l("The department's short code.")),
        Field("name", PUBLIC, "string", _l("Its name, in the language asked (else its original).")),
        LEVEL,
        Field("parent", PUBLIC, "string", _l("The code of the department above it."), nullable=True),
        Field("email", PUBLIC, "string", _l("The department's public email address."), nullable=True),
        Field("phone", PUBLIC, "string", _l("The department's public phone number."), nullable=True),
    ),
    rows=department_rows, topics=("responsibility",), position=10))

AREAS = ds.register(ds.Dataset(
    "areas", _l("Areas"),
    _l("The city's areas (city, districts, communities). Their boundaries are GeoJSON at "
       "/api/v1/areas.geojson."),
    fields=(
        Field("code", PUBLIC, "string", _l("The area's short code.")),
        Field("name", PUBLIC, "string", _l("Its name, in the language asked (else its original).")),
        Field("level", PUBLIC, "string", _l("Its level: city, district or community.")),
        Field("parent", PUBLIC, "string", _l("The code of the area it lies in."), nullable=True),
        Field("boundary", PUBLIC, "url", _l("Its boundary as GeoJSON (not found if it has none).")),
    ),
    rows=area_rows, topics=("responsibility",), position=20))

RESPONSIBILITY = ds.register(ds.Dataset(
    "responsibility", _l("Responsibility list"),
    _l("Who answers for what: for each service category and area, the lead department and the "
       "departments that handle it with them, as in force today."),
    fields=(
        Field("id", PUBLIC, "integer", _l("The rule's number.")),
        Field("category", PUBLIC, "string", _l("The service category's code.")),
        Field("category_name", PUBLIC, "string", _l("The service category's name.")),
        Field("area", PUBLIC, "string", _l("The area's code (the rule covers the areas within it).")),
        Field("lead_department", PUBLIC, "string", _l("The code of the department that leads.")),
        Field("co_departments", PUBLIC, "string-list", _l("Codes of the departments that handle it too.")),
        Field("effective_from", PUBLIC, "date", _l("The day the rule came into force.")),
        Field("note", PUBLIC, "text",
              _l("The note that explains the rule (shown when a request is routed by it).")),
    ),
    rows=rule_rows, topics=("responsibility",), position=30))
