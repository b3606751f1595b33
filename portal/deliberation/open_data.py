"""Deliberation's published datasets (``portal.core.datasets``): halls and published
proposals, with their fields' classes. What is listed follows the site search's rule: halls
that are not archived, proposals published and not withdrawn nor hidden in such halls; never
who wrote or supported a proposal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import datasets as ds
from portal.core.datasets import PERSONAL, PUBLIC, Field
from portal.core.i18n import localize
from portal.deliberation import proposal_states


def _w3c(moment) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment is not None else None


def _keyset(session, stmt, column, query: ds.Query):
    stmt = stmt.order_by(column).limit(query.limit + 1)
    if query.cursor:
        stmt = stmt.where(column > query.cursor)
    found = list(session.execute(stmt))
    more = len(found) > query.limit
    return found[:query.limit], more


def hall_rows(session, query: ds.Query):
    from portal.core.urls import absolute_url
    from portal.deliberation.models import Hall
    from portal.responsibility.services import reference_data

    found, more = _keyset(session, select(
        Hall.id, Hall.slug, Hall.name_i18n, Hall.purpose_i18n, Hall.source_locale, Hall.area_id,
        Hall.policy, Hall.member_count, Hall.support_threshold, Hall.created_at,
        Hall.last_activity_at).where(Hall.archived.is_(False)), Hall.id, query)
    areas = {a.id: a.code for a in reference_data(session).areas}
    rows = [{"id": h.id, "slug": h.slug,
             "name": localize(h.name_i18n, h.source_locale, query.locale).text,
             "purpose": localize(h.purpose_i18n, h.source_locale, query.locale).text,
             "area": areas.get(h.area_id), "policy": h.policy, "members": h.member_count,
             "support_threshold": h.support_threshold, "created_at": _w3c(h.created_at),
             "last_activity_at": _w3c(h.last_activity_at),
             "link": absolute_url("deliberation.hall", locale=query.locale, slug=h.slug)}
            for h in found]
    return rows, (found[-1].id if more else None)


def proposal_rows(session, query: ds.Query):
    from portal.core.urls import absolute_url
    from portal.deliberation.models import Hall, Proposal
    from portal.responsibility.services import reference_data

    found, more = _keyset(session, select(
        Proposal.id, Proposal.title, Proposal.source_locale, Proposal.state, Hall.slug,
        Proposal.area_id, Proposal.category_id, Proposal.department_id, Proposal.support_count,
        Proposal.comment_count, Proposal.progress, Proposal.published_at, Proposal.answered_at,
        Proposal.author_id)
        .join(Hall, Hall.id == Proposal.hall_id)
        .where(Proposal.published.is_(True), Proposal.hidden.is_(False),
               Proposal.state.notin_(("draft", "withdrawn")), Hall.archived.is_(False)),
        Proposal.id, query)
    ref = reference_data(session)
    areas = {a.id: a.code for a in ref.areas}
    categories = {c.id: c.code for c in ref.categories}
    departments = {d.id: d.code for d in ref.departments}
    rows = [{"id": p.id, "title": p.title, "language": p.source_locale, "state": p.state,
             "state_label": str(proposal_states.STATES[p.state].label), "hall": p.slug,
             "area": areas.get(p.area_id), "category": categories.get(p.category_id),
             "department": departments.get(p.department_id), "supports": p.support_count,
             "comments": p.comment_count, "progress": p.progress,
             "published_at": _w3c(p.published_at), "answered_at": _w3c(p.answered_at),
             "link": absolute_url("deliberation.proposal", locale=query.locale, proposal_id=p.id),
             "author_id": p.author_id}
            for p in found]
    return rows, (found[-1].id if more else None)


HALLS = ds.register(ds.Dataset(
    "halls", _l("Halls"),
    _l("The deliberation halls that are open: their purpose, area and how many take part."),
    fields=(
        Field("id", PUBLIC, "integer", _l("The hall's number (the cursor pages by it).")),
        Field("slug", PUBLIC, "string", _l("Its short name in its address.")),
        Field("name", PUBLIC, "string", _l("Its name, in the language asked (else its original).")),
        Field("purpose", PUBLIC, "text", _l("What it is for.")),
        Field("area", PUBLIC, "string", _l("The area's code."), nullable=True),
        Field("policy", PUBLIC, "string", _l("Who may join: open, by request or by invitation.")),
        Field("members", PUBLIC, "integer", _l("How many members it has.")),
        Field("support_threshold", PUBLIC, "integer",
              _l("Supports a proposal needs to go to the department.")),
        Field("created_at", PUBLIC, "date-time", _l("When it opened (UTC).")),
        Field("last_activity_at", PUBLIC, "date-time", _l("When something last happened in it (UTC).")),
        Field("link", PUBLIC, "url", _l("Its public page.")),
    ),
    rows=hall_rows, topics=("deliberation", "responsibility"), position=60))

PROPOSALS = ds.register(ds.Dataset(
    "proposals", _l("Proposals"),
    _l("Published proposals: their state, supports, hall, area and dates. Never who wrote or "
       "supported them."),
    fields=(
        Field("id", PUBLIC, "integer", _l("The proposal's number (the cursor pages by it).")),
        Field("title", PUBLIC, "text", _l("Its title, as its author wrote it.")),
        Field("language", PUBLIC, "string", _l("The language it was written in.")),
        Field("state", PUBLIC, "string", _l("Its state's code."), enum=proposal_states.PUBLIC),
        Field("state_label", PUBLIC, "string", _l("Its state's name.")),
        Field("hall", PUBLIC, "string", _l("The hall's short name.")),
        Field("area", PUBLIC, "string", _l("The area's code."), nullable=True),
        Field("category", PUBLIC, "string", _l("The service category's code."), nullable=True),
        Field("department", PUBLIC, "string",
              _l("The code of the department that answers it."), nullable=True),
        Field("supports", PUBLIC, "integer", _l("How many people support it.")),
        Field("comments", PUBLIC, "integer", _l("How many comments it has.")),
        Field("progress", PUBLIC, "integer", _l("How far its work has gone, in percent.")),
        Field("published_at", PUBLIC, "date-time", _l("When it was published (UTC)."), nullable=True),
        Field("answered_at", PUBLIC, "date-time", _l("When the department answered it."), nullable=True),
        Field("link", PUBLIC, "url", _l("Its public page.")),
        Field("author_id", PERSONAL, "integer", _l("Who wrote it (their account).")),
    ),
    rows=proposal_rows, topics=("deliberation", "responsibility"), position=70))
