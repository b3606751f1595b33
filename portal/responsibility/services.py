"""Read the city's departments and areas (the responsibility list grows here)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.core import audit as _audit
from portal.core.errors import Invalid, NotFound
from portal.core.forms import at_most
from portal.core.i18n import BY_CODE
from portal.responsibility.models import (
    Area,
    CategoryGroup,
    Department,
    ResponsibilityRule,
    ServiceCategory,
)


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


def area_ids_within(session: Session, area_id: int) -> list[int]:
    """The area and every area under it (a district and its communities), in one query."""
    children: dict[int | None, list[int]] = {}
    for aid, parent in session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent, []).append(aid)
    found, stack = [], [area_id]
    while stack:
        aid = stack.pop()
        found.append(aid)
        stack.extend(children.get(aid, []))
    return found


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


# --- reference data: held per process, reloaded when an edit bumps its version ------------

@dataclass(frozen=True)
class RefItem:
    """A category, area or department as plain values, safe to share between requests."""

    id: int
    code: str
    names: dict[str, str]
    source_locale: str
    depth: int = 0
    parent_id: int | None = None
    active: bool = True
    level: str = ""  # areas and departments: city, district, community, ...
    kind: str = "government"  # departments: the kind of accountable party

    @property
    def name(self):
        from portal.core.i18n import localize

        return localize(self.names, self.source_locale)


@dataclass(frozen=True)
class ReferenceData:
    categories: tuple[RefItem, ...]  # every category, active or not, in list order
    areas: tuple[RefItem, ...]  # hierarchy order (city, districts, communities) with depth
    departments: tuple[RefItem, ...]  # hierarchy order with depth


def _load_reference(session: Session) -> ReferenceData:
    return ReferenceData(
        categories=tuple(RefItem(c.id, c.service_code, dict(c.name_i18n or {}), c.source_locale,
                                 active=bool(c.active))
                         for c in categories(session, active_only=False)),
        areas=tuple(RefItem(a.id, a.code, dict(a.name_i18n or {}), a.source_locale, depth, a.parent_id,
                            level=a.level)
                    for a, depth in area_order(session)),
        departments=tuple(RefItem(d.id, d.code, dict(d.name_i18n or {}), d.source_locale, depth,
                                  d.parent_id, level=d.level, kind=d.kind or "government")
                          for d, depth in department_tree(session)),
    )


def reference_data(session: Session) -> ReferenceData:
    """Categories, areas and departments for choices and labels: loaded once per process and
    reloaded when an administrator's edit (any write to this module's tables) bumps the
    "responsibility" version in the shared cache, which is checked once per request."""
    from portal.core.cache import reference

    return reference("responsibility.reference", lambda: _load_reference(session))


# --- the responsibility list and routing ---------------------------------------------------

DISPATCH_CODE = "dispatch"


@dataclass
class Routing:
    """Who answers for a request, and why."""

    lead: Department
    co: list[Department]
    rule: ResponsibilityRule | None
    matched_area: Area | None
    # How the request's area was found: "boundary" (the point is in it) or "chosen" (the
    # resident's choice stands); ``point_area``: the area whose boundary holds the point.
    area_by: str = ""
    point_area: Area | None = None

    def reason(self) -> dict:
        if self.rule is None:
            reason = {"rule_id": None, "fallback": "dispatch"}
        else:
            reason = {"rule_id": self.rule.id,
                      "area": self.matched_area.code if self.matched_area else None}
        if self.area_by:
            reason["area_by"] = self.area_by
        if self.point_area is not None:
            reason["point_area"] = self.point_area.code
        return reason


def _parents(session: Session) -> dict[int, int | None]:
    """Area id → its parent's id, from the reference data (held per process)."""
    return {a.id: a.parent_id for a in reference_data(session).areas}


def _chain_ids(parents: dict[int, int | None], area_id: int) -> list[int]:
    chain, current = [], area_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def ancestors(session: Session, area: Area) -> list[Area]:
    """The area, then its parents up to the city: the chain from the reference data, its
    areas in one statement (not every area of the city, which may have thousands). An area
    the reference data does not know yet (written in this very transaction) falls back to
    reading its parents one by one."""
    parents = _parents(session)
    if area.id not in parents:
        chain, current = [], area
        while current is not None and current not in chain:
            chain.append(current)
            current = session.get(Area, current.parent_id) if current.parent_id else None
        return chain
    ids = _chain_ids(parents, area.id)
    by_id = {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


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


def _candidates(session: Session, category: ServiceCategory, chain: list[Area],
                on: date) -> dict[int, ResponsibilityRule]:
    """The rules in force on ``on`` for ``category`` in each area of ``chain``, by area id."""
    return {
        r.area_id: r
        for r in session.scalars(
            select(ResponsibilityRule)
            .options(selectinload(ResponsibilityRule.co_departments),
                     joinedload(ResponsibilityRule.lead_department))
            .where(ResponsibilityRule.category_id == category.id,
                   ResponsibilityRule.area_id.in_([a.id for a in chain]), _in_force(on))
        )
    }


def route(session: Session, category: ServiceCategory, area: Area, on: date | None = None, *,
          area_by: str = "", point_area: Area | None = None) -> Routing:
    """The most specific rule in force wins: a community's beats its district's, which beats
    the city's. With no rule at all, the city dispatcher answers. ``area_by`` and
    ``point_area`` say how ``area`` was found, for the explanation (``Routing.reason``)."""
    on = on or date.today()
    chain = ancestors(session, area)
    rules = _candidates(session, category, chain, on)
    for candidate in chain:
        rule = rules.get(candidate.id)
        if rule is not None:
            return Routing(rule.lead_department, list(rule.co_departments), rule, candidate,
                           area_by, point_area)
    return Routing(dispatcher(session), [], None, None, area_by, point_area)


def route_many(session: Session, pairs, on: date | None = None) -> dict[tuple[int, int], Routing]:
    """``route`` for many (category, area) pairs at once, in a fixed number of statements
    (the hot spots task routes every area and category of the city)."""
    on = on or date.today()
    pairs = list(pairs)
    if not pairs:
        return {}
    parents = _parents(session)
    chains = {area.id: _chain_ids(parents, area.id) if area.id in parents else None
              for _category, area in pairs}
    unknown = [area for _category, area in pairs if chains[area.id] is None]
    for area in unknown:  # not in the reference data yet: as ``route`` does
        chains[area.id] = [a.id for a in ancestors(session, area)]
    area_ids = {i for chain in chains.values() for i in chain}
    areas = {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(area_ids)))}
    rules = {
        (r.category_id, r.area_id): r
        for r in session.scalars(
            select(ResponsibilityRule)
            .options(selectinload(ResponsibilityRule.co_departments),
                     joinedload(ResponsibilityRule.lead_department))
            .where(ResponsibilityRule.category_id.in_({c.id for c, _a in pairs}),
                   ResponsibilityRule.area_id.in_(area_ids), _in_force(on)))
    }
    fallback = None
    found: dict[tuple[int, int], Routing] = {}
    for category, area in pairs:
        for area_id in chains[area.id]:
            rule = rules.get((category.id, area_id))
            if rule is not None:
                found[(category.id, area.id)] = Routing(
                    rule.lead_department, list(rule.co_departments), rule, areas.get(area_id))
                break
        else:
            fallback = fallback or dispatcher(session)
            found[(category.id, area.id)] = Routing(fallback, [], None, None)
    return found


@dataclass
class RouteStep:
    area: Area
    rule: ResponsibilityRule | None  # the rule in force for this very area, if any
    used: bool  # the rule that decided
    checked: bool  # False once a more specific area has decided


@dataclass
class RouteCheck:
    """The routing checker's answer: who handles it, and the areas walked to find out."""

    category: ServiceCategory
    area: Area
    on: date
    routing: Routing
    steps: list[RouteStep]


def explain_route(session: Session, category: ServiceCategory, area: Area,
                  on: date | None = None) -> RouteCheck:
    """``route`` with its working shown: from the area up to the city, which rule each area
    has in force and which one decided."""
    on = on or date.today()
    chain = ancestors(session, area)
    rules = _candidates(session, category, chain, on)
    routing = route(session, category, area, on)
    steps, decided = [], False
    for candidate in chain:
        rule = rules.get(candidate.id)
        used = not decided and rule is not None
        steps.append(RouteStep(candidate, rule, used, not decided))
        decided = decided or used
    return RouteCheck(category, area, on, routing, steps)


# Checks of parties that may not be chosen for a rule now (an organization's party while the
# organization is not verified): ``fn(session, department_ids) -> the unavailable ids``.
# Modules register them (portal/organizations), so this module imports none of theirs.
_PARTY_CHECKS: list = []


def register_party_check(fn) -> None:
    if fn not in _PARTY_CHECKS:
        _PARTY_CHECKS.append(fn)


def unavailable_parties(session: Session, department_ids) -> set[int]:
    ids = {d for d in department_ids if d}
    found: set[int] = set()
    for check in _PARTY_CHECKS:
        found |= set(check(session, ids)) if ids else set()
    return found


def set_rule(
    session: Session, actor, category: ServiceCategory, area: Area, lead: Department,
    co: list[Department], effective_from: date, note: str = "", ip_address: str | None = None,
) -> ResponsibilityRule:
    """Put a rule in force from ``effective_from``, ending the one it replaces."""
    from portal.core import audit

    if lead in co:
        raise Invalid({"co_departments": [_l("The lead department cannot also co-handle.")]})
    unavailable = unavailable_parties(session, [lead.id, *(d.id for d in co)])
    if unavailable:
        errors = {}
        if lead.id in unavailable:
            errors["lead_id"] = [_l("This organization is not verified: it cannot lead a rule.")]
        if unavailable - {lead.id}:
            errors["co_departments"] = [_l("An organization that is not verified cannot co-handle.")]
        raise Invalid(errors)
    # The rules still in force on the new start date (normally one, with no end; or one that
    # has an end date after it): each ends where the new one begins.
    overlapping = list(session.scalars(
        select(ResponsibilityRule).where(
            ResponsibilityRule.category_id == category.id, ResponsibilityRule.area_id == area.id,
            or_(ResponsibilityRule.effective_to.is_(None),
                ResponsibilityRule.effective_to > effective_from),
        ).order_by(ResponsibilityRule.effective_from)
    ))
    previous = overlapping[-1] if overlapping else None
    if previous is not None:
        if previous.effective_from >= effective_from:
            raise Invalid({"effective_from": [
                _l("A new rule must start after the rule it replaces (from %(date)s).",
                   date=previous.effective_from.isoformat())]})
        for rule in overlapping:
            rule.effective_to = effective_from
    rule = ResponsibilityRule(
        category=category, area=area, lead_department=lead, co_departments=list(co),
        effective_from=effective_from, note=note, created_by_id=actor.id if actor else None,
        replaces_id=previous.id if previous else None,
    )
    session.add(rule)
    session.flush()
    audit.record(session, actor, "responsibility.rule_set", "responsibility_rule", rule.id,
                 ip_address, category=category.service_code, area=area.code, lead=lead.code,
                 co=[d.code for d in co], effective_from=effective_from.isoformat())
    session.commit()
    return rule


def end_rule(session: Session, actor, rule: ResponsibilityRule, effective_to: date,
             ip_address: str | None = None) -> None:
    from portal.core import audit

    if rule.effective_to is not None:
        raise Invalid({"effective_to": [_l("This rule already has an end date (%(date)s).",
                                           date=rule.effective_to.isoformat())]})
    if effective_to <= rule.effective_from:
        raise Invalid({"effective_to": [_l("The end date must be after the start date.")]})
    rule.effective_to = effective_to
    audit.record(session, actor, "responsibility.rule_ended", "responsibility_rule", rule.id,
                 ip_address, effective_to=effective_to.isoformat())
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


# --- finding a category by words (the first step of raising a request) --------------------
#
# A query is split into words. A word written with spaces between words (English, Spanish,
# Arabic, Uyghur) matches a word of a category's name or keywords, in any language, that it
# begins ("tree" finds "trees", not "street"). Chinese has no spaces: a run of Han characters
# matches where it appears, as a whole or two characters at a time (路灯坏了 → 路灯, 灯坏, 坏了),
# never by one character alone. Tibetan separates syllables with ་: a run of syllables matches
# the same syllables in a name or keyword, as a whole or two syllables at a time. Everything is
# compared casefolded, Latin accents ignored.

_TSHEG = "\u0f0b"
_SPLIT = re.compile(r"[\s,，。、;；:：!！?？¿¡()（）\"“”«»/\u060c\u061b\u061f\u0f0d\u0f0e\u0f14]+")


def _han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


def _fold(text: str) -> str:
    """Casefolded, with the accents of Latin letters dropped (árbol → arbol); other scripts'
    marks (Arabic, Tibetan vowel signs) are letters of the word and stay."""
    out = []
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch) and out and out[-1] < "\u0250":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _syllables(word: str) -> list[str]:
    return [s for s in word.split(_TSHEG) if s]


@dataclass
class _Words:
    """A category's searchable words: space-separated words, Chinese runs, Tibetan syllables."""

    words: list[str]
    han: str
    syllables: list[list[str]]

    @classmethod
    def of(cls, texts) -> _Words:
        words, han, syllables = [], [], []
        for text in texts:
            for word in _SPLIT.split(_fold(text or "")):
                if not word:
                    continue
                if _tibetan(word):
                    syllables.append(_syllables(word))
                elif _han(word):
                    han.append(word)
                else:
                    words.append(word)
        return cls(words, " ".join(han), syllables)

    def has_prefix(self, part: str) -> bool:
        return any(word.startswith(part) for word in self.words)

    def has_syllables(self, run: list[str]) -> bool:
        n = len(run)
        return any(seq[i:i + n] == run for seq in self.syllables for i in range(len(seq) - n + 1))


def _query_parts(term: str) -> list[tuple[str, object, float]]:
    """(kind, what to look for, weight) for one query word: the word itself, then its weaker
    forms: a Chinese run two characters at a time, Tibetan syllables two at a time, a Latin
    plural without its -s (lights → light), an Arabic word without its article (الحفرة)."""
    if _tibetan(term):
        run = _syllables(term)
        parts = [("syllables", run, 1.0)] if run else []
        if len(run) > 2:
            parts += [("syllables", run[i:i + 2], 0.5) for i in range(len(run) - 1)]
        return parts
    if _han(term):
        parts = [("han", term, 1.0)] if len(term) >= 2 else []
        if len(term) > 2:
            parts += [("han", term[i:i + 2], 0.5) for i in range(len(term) - 1)]
        return parts
    if len(term) < 2:
        return []
    parts = [("prefix", term, 1.0)]
    if len(term) > 3 and term.endswith("s") and term.isascii():
        parts.append(("prefix", term[:-1], 0.8))
    if len(term) > 3 and term.startswith("\u0627\u0644"):
        parts.append(("prefix", term[2:], 0.8))
    return parts


def _found(words: _Words, kind: str, what) -> bool:
    if kind == "prefix":
        return words.has_prefix(what)
    if kind == "han":
        return what in words.han
    return words.has_syllables(what)


def search_categories(session: Session, q: str) -> list[ServiceCategory]:
    """Active categories whose name or keywords (in any language) match the words of ``q``,
    best first: a name counts more than a keyword. With no words, every active category."""
    terms = [t for t in _SPLIT.split(_fold((q or "").strip())) if t][:8]
    parts = [p for t in terms for p in _query_parts(t)]
    everything = categories(session)
    if not terms:
        return everything
    scored: list[tuple[float, ServiceCategory]] = []
    for category in everything:
        names = _Words.of((category.name_i18n or {}).values())
        keywords = _Words.of([*(category.keywords_i18n or {}).values(), category.service_code])
        score = sum(weight * (3 * _found(names, kind, what) + 2 * _found(keywords, kind, what))
                    for kind, what, weight in parts)
        if score:
            scored.append((score, category))
    if not scored:
        return []
    best = max(score for score, _category in scored)
    # Keep the clear matches: a word that only a weaker form of the query found adds little.
    return [c for score, c in sorted(scored, key=lambda sc: -sc[0]) if score * 2 >= best]


# --- reading the list: rules in force, coming and ended ------------------------------------

def area_order(session: Session) -> list[tuple[Area, int]]:
    """Every area in hierarchy order (city, its districts, each one's communities), with its
    depth: for lists, selects and sorting."""
    ordered: list[tuple[Area, int]] = []

    def walk(nodes: list[AreaNode], depth: int) -> None:
        for node in nodes:
            ordered.append((node.area, depth))
            walk(node.children, depth + 1)

    walk(area_tree(session), 0)
    return ordered


def _rule_options():
    return (joinedload(ResponsibilityRule.category), joinedload(ResponsibilityRule.area),
            joinedload(ResponsibilityRule.lead_department),
            selectinload(ResponsibilityRule.co_departments))


def upcoming_rules(session: Session, on: date | None = None) -> list[ResponsibilityRule]:
    """Rules set to start after ``on``."""
    on = on or date.today()
    return list(session.scalars(
        select(ResponsibilityRule).options(*_rule_options())
        .where(ResponsibilityRule.effective_from > on)
        .order_by(ResponsibilityRule.effective_from, ResponsibilityRule.id)
    ).unique())


def ended_rules(session: Session, on: date | None = None, before: int | None = None,
                after: int | None = None, per_page: int = 30):
    """The list's history: rules no longer in force on ``on``, newest first (keyset pages)."""
    from portal.core.pagination import keyset

    on = on or date.today()
    stmt = (select(ResponsibilityRule).options(*_rule_options())
            .where(ResponsibilityRule.effective_to.is_not(None),
                   ResponsibilityRule.effective_to <= on))
    return keyset(session, stmt, ResponsibilityRule.id, before, after, per_page)


def get_rule(session: Session, rule_id: int) -> ResponsibilityRule:
    rule = session.scalar(select(ResponsibilityRule).options(*_rule_options())
                          .where(ResponsibilityRule.id == rule_id))
    if rule is None:
        raise NotFound()
    return rule


@dataclass
class CategoryRules:
    category: ServiceCategory
    rules: list[ResponsibilityRule]


@dataclass
class GroupRules:
    group: CategoryGroup
    categories: list[CategoryRules]


def responsibility_list(session: Session, on: date | None = None) -> list[GroupRules]:
    """The whole list in force, per category group and category, each category's rules in
    area order (city first). Four queries whatever the size."""
    order = {a.id: n for n, (a, _depth) in enumerate(area_order(session))}
    by_category: dict[int, list[ResponsibilityRule]] = {}
    for rule in rules_in_force(session, on):
        by_category.setdefault(rule.category_id, []).append(rule)
    groups = {g.id: GroupRules(g, []) for g in all_groups(session)}
    for category in categories(session):
        rules = sorted(by_category.get(category.id, []), key=lambda r: order.get(r.area_id, 0))
        groups[category.group_id].categories.append(CategoryRules(category, rules))
    return [g for g in groups.values() if g.categories]


@dataclass
class DepartmentOverview:
    department: Department
    ancestors: list[Department]  # parent first, up to the top
    children: list[Department]
    leads: list[ResponsibilityRule]
    co_handles: list[ResponsibilityRule]


def department_by_code(session: Session, code: str) -> Department:
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound()
    return department


def department_overview(session: Session, code: str, on: date | None = None) -> DepartmentOverview:
    """What one department answers for (as lead and as co-handler) and its place in the
    hierarchy."""
    from portal.responsibility.models import rule_co_department

    on = on or date.today()
    department = department_by_code(session, code)
    everyone = {d.id: d for d in session.scalars(select(Department).order_by(Department.code))}
    chain, parent_id = [], department.parent_id
    while parent_id and parent_id in everyone and everyone[parent_id] not in chain:
        chain.append(everyone[parent_id])
        parent_id = everyone[parent_id].parent_id
    children = [d for d in everyone.values() if d.parent_id == department.id]
    order = {a.id: n for n, (a, _depth) in enumerate(area_order(session))}

    def rules(condition):
        found = session.scalars(
            select(ResponsibilityRule).options(*_rule_options())
            .join(ServiceCategory, ServiceCategory.id == ResponsibilityRule.category_id)
            .where(condition, _in_force(on), ServiceCategory.active.is_(True))
        ).unique()
        return sorted(found, key=lambda r: (r.category.group.position, r.category.service_code,
                                            order.get(r.area_id, 0)))

    co_rule_ids = select(rule_co_department.c.rule_id).where(
        rule_co_department.c.department_id == department.id)
    return DepartmentOverview(
        department, chain, children,
        rules(ResponsibilityRule.lead_department_id == department.id),
        rules(ResponsibilityRule.id.in_(co_rule_ids)),
    )


@dataclass
class CategoryOverview:
    category: ServiceCategory
    rules: list[ResponsibilityRule]
    changes: list[ResponsibilityRule]  # the latest rules no longer in force


def category_overview(session: Session, service_code: str, on: date | None = None,
                      changes: int = 20) -> CategoryOverview:
    on = on or date.today()
    category = category_by_code(session, service_code)
    if not category.active:
        raise NotFound()
    order = {a.id: n for n, (a, _depth) in enumerate(area_order(session))}
    in_force = session.scalars(
        select(ResponsibilityRule).options(*_rule_options())
        .where(ResponsibilityRule.category_id == category.id, _in_force(on))).unique()
    ended = session.scalars(
        select(ResponsibilityRule).options(*_rule_options())
        .where(ResponsibilityRule.category_id == category.id,
               ResponsibilityRule.effective_to.is_not(None), ResponsibilityRule.effective_to <= on)
        .order_by(ResponsibilityRule.effective_to.desc(), ResponsibilityRule.id.desc())
        .limit(changes)).unique()
    return CategoryOverview(category, sorted(in_force, key=lambda r: order.get(r.area_id, 0)),
                            list(ended))


# --- administrators edit departments, areas, category groups and categories ----------------

LEVELS = {
    "city": _l("City"),
    "district": _l("District"),
    "street": _l("Street office"),
    "community": _l("Community"),
}
DEPARTMENT_LEVELS = ("city", "district", "street", "community")
AREA_LEVELS = ("city", "district", "community")

DATATYPES = {
    "string": _l("Short text"),
    "text": _l("Long text"),
    "number": _l("Number"),
    "datetime": _l("Date and time"),
    "singlevaluelist": _l("Choose one answer from a list"),
    "multivaluelist": _l("Choose any answers from a list"),
}
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

for _action, _label in {
    "responsibility.rule_set": _l("Responsibility rule set"),
    "responsibility.rule_ended": _l("Responsibility rule ended"),
    "department.created": _l("Department created"),
    "department.updated": _l("Department changed"),
    "area.created": _l("Area created"),
    "area.updated": _l("Area changed"),
    "category_group.created": _l("Category group created"),
    "category_group.updated": _l("Category group changed"),
    "category.created": _l("Category created"),
    "category.updated": _l("Category changed"),
    "category.question_saved": _l("Category question saved"),
    "category.question_removed": _l("Category question removed"),
}.items():
    _audit.register_action(_action, _label)


def field_name(prefix: str, locale: str) -> str:
    """The form field of one language's version: ``name`` + ``zh-Hans`` → ``name_zh_Hans``."""
    return f"{prefix}_{BY_CODE[locale].catalog}"


def clean_versions(versions: dict[str, str] | None) -> dict[str, str]:
    """Only the portal's languages, trimmed, empty ones dropped."""
    return {code: text.strip() for code, text in (versions or {}).items()
            if code in BY_CODE and text and text.strip()}


def check_versions(errors: dict, prefix: str, versions: dict[str, str], source: str,
                    limit: int, required: bool = True) -> None:
    for code, text in versions.items():
        if len(text) > limit:
            errors[field_name(prefix, code)] = [at_most(limit)]
    if required and source in BY_CODE and not versions.get(source):
        errors.setdefault(field_name(prefix, source), []).append(
            _l("Enter this in the language you wrote in."))


def check_source(errors: dict, source: str) -> None:
    if source not in BY_CODE:
        errors["source_locale"] = [_l("Choose the language you wrote in.")]


def _check_code(session: Session, errors: dict, column, code: str, current_id: int | None,
                field: str = "code") -> None:
    if not _CODE.match(code or "") or len(code) > 32:
        errors[field] = [_l("Use at most 32 lowercase letters, digits, hyphens or underscores.")]
        return
    owner = session.scalar(select(column.class_.id).where(column == code))
    if owner is not None and owner != current_id:
        errors[field] = [_l("This code is already in use.")]


def _check_parent(session: Session, errors: dict, model, parent_id: int | None,
                  current_id: int | None):
    """The parent, if any; never the item itself or one of its descendants."""
    if parent_id is None:
        return None
    parents = dict(session.execute(select(model.id, model.parent_id)).all())
    if parent_id not in parents:
        errors["parent_id"] = [_l("Choose from the list.")]
        return None
    seen, walker = set(), parent_id
    while walker is not None and walker not in seen:
        if walker == current_id:
            errors["parent_id"] = [_l("An item cannot sit under itself or under one of its own parts.")]
            return None
        seen.add(walker)
        walker = parents.get(walker)
    return session.get(model, parent_id)


def apply_changes(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; the names of the attributes that changed."""
    changed = []
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


@dataclass
class DepartmentData:
    code: str
    level: str
    names: dict[str, str]
    source_locale: str
    parent_id: int | None = None
    email: str | None = None
    phone: str | None = None
    supervisor_email: str | None = None


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound()
    return department


def supervisor(session: Session, department: Department):
    """The staff member told when the department misses a deadline, if any."""
    from portal.core.models import User

    return session.get(User, department.supervisor_id) if department.supervisor_id else None


def _department_values(session: Session, data: DepartmentData, current: Department | None) -> dict:
    from portal.core.models import User
    from portal.core.roles import STAFF

    errors: dict[str, list] = {}
    code = (data.code or "").strip().lower()
    _check_code(session, errors, Department.code, code, current.id if current else None)
    if current is not None and current.code == DISPATCH_CODE and code != DISPATCH_CODE:
        errors["code"] = [_l("The dispatcher keeps its code: requests without a rule go to it.")]
    if data.level not in DEPARTMENT_LEVELS:
        errors["level"] = [_l("Choose from the list.")]
    check_source(errors, data.source_locale)
    names = clean_versions(data.names)
    check_versions(errors, "name", names, data.source_locale, 200)
    parent = _check_parent(session, errors, Department, data.parent_id,
                           current.id if current else None)
    supervisor_id = None
    if data.supervisor_email and data.supervisor_email.strip():
        supervisor = session.scalar(
            select(User).where(User.email == data.supervisor_email.strip().lower()))
        if supervisor is None or not supervisor.has_role(STAFF):
            errors["supervisor_email"] = [_l("No staff account has this email address.")]
        else:
            supervisor_id = supervisor.id
    if errors:
        raise Invalid(errors)
    return {"code": code, "level": data.level, "name_i18n": names,
            "source_locale": data.source_locale, "parent_id": parent.id if parent else None,
            "email": (data.email or "").strip().lower() or None,
            "phone": (data.phone or "").strip() or None, "supervisor_id": supervisor_id}


def create_department(session: Session, actor, data: DepartmentData,
                      ip_address: str | None = None) -> Department:
    values = _department_values(session, data, None)
    department = Department(**values)
    session.add(department)
    session.flush()
    _audit.record(session, actor, "department.created", "department", department.id, ip_address,
                  code=department.code)
    session.commit()
    return department


def update_department(session: Session, actor, department: Department, data: DepartmentData,
                      ip_address: str | None = None) -> list[str]:
    changed = apply_changes(department, _department_values(session, data, department))
    if changed:
        _audit.record(session, actor, "department.updated", "department", department.id,
                      ip_address, code=department.code, fields=changed)
    session.commit()
    return changed


@dataclass
class AreaData:
    code: str
    level: str
    names: dict[str, str]
    source_locale: str
    parent_id: int | None = None


def get_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound()
    return area


def _area_values(session: Session, data: AreaData, current: Area | None) -> dict:
    errors: dict[str, list] = {}
    code = (data.code or "").strip().lower()
    _check_code(session, errors, Area.code, code, current.id if current else None)
    if data.level not in AREA_LEVELS:
        errors["level"] = [_l("Choose from the list.")]
    check_source(errors, data.source_locale)
    names = clean_versions(data.names)
    check_versions(errors, "name", names, data.source_locale, 200)
    parent = _check_parent(session, errors, Area, data.parent_id, current.id if current else None)
    if errors:
        raise Invalid(errors)
    return {"code": code, "level": data.level, "name_i18n": names,
            "source_locale": data.source_locale, "parent_id": parent.id if parent else None}


def create_area(session: Session, actor, data: AreaData, ip_address: str | None = None) -> Area:
    area = Area(**_area_values(session, data, None))
    session.add(area)
    session.flush()
    _audit.record(session, actor, "area.created", "area", area.id, ip_address, code=area.code)
    session.commit()
    return area


def update_area(session: Session, actor, area: Area, data: AreaData,
                ip_address: str | None = None) -> list[str]:
    changed = apply_changes(area, _area_values(session, data, area))
    if changed:
        _audit.record(session, actor, "area.updated", "area", area.id, ip_address,
                      code=area.code, fields=changed)
    session.commit()
    return changed


@dataclass
class GroupData:
    code: str
    names: dict[str, str]
    source_locale: str
    position: int = 0


def all_groups(session: Session) -> list[CategoryGroup]:
    return list(session.scalars(select(CategoryGroup).order_by(CategoryGroup.position,
                                                               CategoryGroup.code)))


def get_group(session: Session, group_id: int) -> CategoryGroup:
    group = session.get(CategoryGroup, group_id)
    if group is None:
        raise NotFound()
    return group


def _group_values(session: Session, data: GroupData, current: CategoryGroup | None) -> dict:
    errors: dict[str, list] = {}
    code = (data.code or "").strip().lower()
    _check_code(session, errors, CategoryGroup.code, code, current.id if current else None)
    check_source(errors, data.source_locale)
    names = clean_versions(data.names)
    check_versions(errors, "name", names, data.source_locale, 200)
    if errors:
        raise Invalid(errors)
    return {"code": code, "name_i18n": names, "source_locale": data.source_locale,
            "position": data.position or 0}


def create_group(session: Session, actor, data: GroupData,
                 ip_address: str | None = None) -> CategoryGroup:
    group = CategoryGroup(**_group_values(session, data, None))
    session.add(group)
    session.flush()
    _audit.record(session, actor, "category_group.created", "category_group", group.id,
                  ip_address, code=group.code)
    session.commit()
    return group


def update_group(session: Session, actor, group: CategoryGroup, data: GroupData,
                 ip_address: str | None = None) -> list[str]:
    changed = apply_changes(group, _group_values(session, data, group))
    if changed:
        _audit.record(session, actor, "category_group.updated", "category_group", group.id,
                      ip_address, code=group.code, fields=changed)
    session.commit()
    return changed


@dataclass
class CategoryData:
    service_code: str
    group_id: int | None
    names: dict[str, str]
    descriptions: dict[str, str]
    source_locale: str
    keywords: dict[str, str] | str = field(default_factory=dict)  # {locale: "words"}
    ack_hours: int | None = 8
    resolve_days: int | None = 10
    active: bool = True


def get_category(session: Session, category_id: int) -> ServiceCategory:
    category = session.get(ServiceCategory, category_id)
    if category is None:
        raise NotFound()
    return category


def _category_values(session: Session, data: CategoryData, current: ServiceCategory | None) -> dict:
    errors: dict[str, list] = {}
    code = (data.service_code or "").strip().lower()
    _check_code(session, errors, ServiceCategory.service_code, code,
                current.id if current else None, field="service_code")
    if data.group_id is None or session.get(CategoryGroup, data.group_id) is None:
        errors["group_id"] = [_l("Choose from the list.")]
    check_source(errors, data.source_locale)
    names = clean_versions(data.names)
    descriptions = clean_versions(data.descriptions)
    check_versions(errors, "name", names, data.source_locale, 200)
    check_versions(errors, "description", descriptions, data.source_locale, 2000, required=False)
    if data.ack_hours is None or not 1 <= data.ack_hours <= 400:
        errors["ack_hours"] = [_l("Enter a whole number from %(min)d to %(max)d.", min=1, max=400)]
    if data.resolve_days is None or not 1 <= data.resolve_days <= 365:
        errors["resolve_days"] = [_l("Enter a whole number from %(min)d to %(max)d.", min=1, max=365)]
    given = data.keywords if isinstance(data.keywords, dict) else {data.source_locale: data.keywords}
    keywords = {code: " ".join(words.split()) for code, words in clean_versions(given).items()}
    check_versions(errors, "keywords", keywords, data.source_locale, 1000, required=False)
    if errors:
        raise Invalid(errors)
    return {"service_code": code, "group_id": data.group_id, "name_i18n": names,
            "description_i18n": descriptions, "source_locale": data.source_locale,
            "keywords_i18n": keywords, "ack_hours": data.ack_hours, "resolve_days": data.resolve_days,
            "active": bool(data.active)}


def create_category(session: Session, actor, data: CategoryData,
                    ip_address: str | None = None) -> ServiceCategory:
    category = ServiceCategory(attributes=[], **_category_values(session, data, None))
    session.add(category)
    session.flush()
    _audit.record(session, actor, "category.created", "service_category", category.id,
                  ip_address, code=category.service_code)
    session.commit()
    return category


def update_category(session: Session, actor, category: ServiceCategory, data: CategoryData,
                    ip_address: str | None = None) -> list[str]:
    changed = apply_changes(category, _category_values(session, data, category))
    if changed:
        _audit.record(session, actor, "category.updated", "service_category", category.id,
                      ip_address, code=category.service_code, fields=changed)
    session.commit()
    return changed


# --- a category's extra questions (Open311 attributes) -------------------------------------

@dataclass
class AttributeData:
    code: str
    datatype: str
    descriptions: dict[str, str]
    required: bool = False
    order: int | None = None
    values: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (key, names)


def attribute(category: ServiceCategory, code: str) -> dict:
    for item in category.attributes or []:
        if item["code"] == code:
            return item
    raise NotFound()


def save_attribute(session: Session, actor, category: ServiceCategory, data: AttributeData,
                   original_code: str | None = None, ip_address: str | None = None) -> dict:
    """Add a question to a category, or change one (``original_code``). Its text and its
    answers' names are needed at least in the category's own language."""
    existing = list(category.attributes or [])
    if original_code is not None:
        attribute(category, original_code)  # NotFound if it is not there
    source = category.source_locale
    errors: dict[str, list] = {}
    code = (data.code or "").strip()
    if not _CODE.match(code.lower()) or len(code) > 32:
        errors["code"] = [_l("Use at most 32 lowercase letters, digits, hyphens or underscores.")]
    elif any(a["code"] == code and a["code"] != original_code for a in existing):
        errors["code"] = [_l("This category already has a question with this code.")]
    if data.datatype not in DATATYPES:
        errors["datatype"] = [_l("Choose from the list.")]
    descriptions = clean_versions(data.descriptions)
    check_versions(errors, "description", descriptions, source, 500)
    values, keys = [], set()
    for n, (key, names) in enumerate(data.values):
        key, names = (key or "").strip(), clean_versions(names)
        if not key and not names:
            continue  # an empty row
        if not _CODE.match(key.lower()) or len(key) > 32:
            errors[f"value_{n}_key"] = [
                _l("Use at most 32 lowercase letters, digits, hyphens or underscores.")]
        elif key in keys:
            errors[f"value_{n}_key"] = [_l("Each answer needs its own key.")]
        keys.add(key)
        check_versions(errors, f"value_{n}_name", names, source, 200)
        values.append({"key": key, "name_i18n": names})
    if data.datatype in LIST_DATATYPES and not values:
        errors["value_0_key"] = [_l("A list question needs at least one answer to choose from.")]
    if data.datatype in DATATYPES and data.datatype not in LIST_DATATYPES and values:
        errors["datatype"] = [_l("Only list questions have answers to choose from: "
                                 "choose a list type or empty the answers.")]
    if errors:
        raise Invalid(errors)
    item = {"code": code, "datatype": data.datatype, "required": bool(data.required),
            "description_i18n": descriptions, "values": values,
            "order": data.order if data.order is not None else len(existing) + 1}
    if original_code is None:
        existing.append(item)
    else:
        existing = [item if a["code"] == original_code else a for a in existing]
    category.attributes = sorted(existing, key=lambda a: (a.get("order") or 0, a["code"]))
    _audit.record(session, actor, "category.question_saved", "service_category", category.id,
                  ip_address, code=category.service_code, question=code,
                  new=original_code is None)
    session.commit()
    return item


def remove_attribute(session: Session, actor, category: ServiceCategory, code: str,
                     ip_address: str | None = None) -> None:
    attribute(category, code)
    category.attributes = [a for a in category.attributes if a["code"] != code]
    _audit.record(session, actor, "category.question_removed", "service_category", category.id,
                  ip_address, code=category.service_code, question=code)
    session.commit()
