"""Disclosure on request's published dataset (``portal.core.datasets``): the requests their
requesters made public, with their clocks and answers. Never who asked, nor their purpose
(as the public pages and the search document: ``services.search_document``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import datasets as ds
from portal.core.datasets import INTERNAL, PERSONAL, PUBLIC, Field
from portal.transparency import rules


def _w3c(moment) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment is not None else None


def disclosure_rows(session, query: ds.Query):
    from portal.core.urls import absolute_url
    from portal.responsibility.services import reference_data
    from portal.transparency.models import DisclosureRequest as D

    stmt = (select(D.id, D.tracking_code, D.description, D.source_locale, D.department_id,
                   D.state, D.created_at, D.clock_started_at, D.due_at, D.extension_days,
                   D.paused_days, D.answer_type, D.answered_at, D.overdue, D.requester_id,
                   D.purpose)
            .where(D.public.is_(True)).order_by(D.id).limit(query.limit + 1))
    if query.cursor:
        stmt = stmt.where(D.id > query.cursor)
    found = list(session.execute(stmt))
    more = len(found) > query.limit
    found = found[:query.limit]
    departments = {d.id: d.code for d in reference_data(session).departments}
    rows = [{"id": r.id, "code": r.tracking_code, "description": r.description,
             "language": r.source_locale, "department": departments.get(r.department_id),
             "state": r.state, "created_at": _w3c(r.created_at),
             "clock_started_at": _w3c(r.clock_started_at), "due_at": _w3c(r.due_at),
             "extension_days": r.extension_days, "paused_days": r.paused_days,
             "answer_type": r.answer_type, "answered_at": _w3c(r.answered_at),
             "overdue": bool(r.overdue),
             "link": absolute_url("transparency.detail", locale=query.locale, code=r.tracking_code),
             "requester_id": r.requester_id, "purpose": r.purpose or None}
            for r in found]
    return rows, (found[-1].id if more else None)


DISCLOSURE_REQUESTS = ds.register(ds.Dataset(
    "disclosure-requests", _l("Disclosure requests"),
    _l("Requests for government information that their requesters made public: to which "
       "department, their deadline and the kind of answer. Never who asked, nor why."),
    fields=(
        Field("id", PUBLIC, "integer", _l("The request's number (the cursor pages by it).")),
        Field("code", PUBLIC, "string", _l("Its tracking code.")),
        Field("description", PUBLIC, "text", _l("The information asked for, as the requester wrote it.")),
        Field("language", PUBLIC, "string", _l("The language it was written in.")),
        Field("department", PUBLIC, "string", _l("The code of the department asked."), nullable=True),
        Field("state", PUBLIC, "string", _l("Its state's code."), enum=tuple(rules.STATES)),
        Field("created_at", PUBLIC, "date-time", _l("When it was received (UTC).")),
        Field("clock_started_at", PUBLIC, "date-time", _l("When its clock (re)started (UTC).")),
        Field("due_at", PUBLIC, "date-time", _l("When the answer is due; empty while the clock is stopped."),
              nullable=True),
        Field("extension_days", PUBLIC, "integer", _l("Working days of extension.")),
        Field("paused_days", PUBLIC, "integer",
              _l("Working days spent consulting third parties, not counted.")),
        Field("answer_type", PUBLIC, "string", _l("The kind of answer."), nullable=True,
              enum=tuple(rules.ANSWER_TYPES)),
        Field("answered_at", PUBLIC, "date-time", _l("When it was answered (UTC)."), nullable=True),
        Field("overdue", PUBLIC, "boolean", _l("Whether its answer is late.")),
        Field("link", PUBLIC, "url", _l("Its public page.")),
        Field("requester_id", PERSONAL, "integer", _l("Who asked (their account).")),
        Field("purpose", PERSONAL, "text", _l("Why they asked."), nullable=True),
    ),
    rows=disclosure_rows, topics=("transparency", "responsibility"), position=80))


def publication_rows(session, query: ds.Query):
    from portal.core.urls import absolute_url
    from portal.responsibility.services import reference_data
    from portal.transparency.models import Publication as P

    stmt = (select(P.id, P.document_number, P.department_id, P.category, P.title_i18n,
                   P.summary_i18n, P.source_locale, P.state, P.first_published_at, P.published_at,
                   P.year, P.version_count, P.withdrawn_at, P.created_by_id)
            .where(P.state.in_(("published", "withdrawn"))).order_by(P.id).limit(query.limit + 1))
    if query.cursor:
        stmt = stmt.where(P.id > query.cursor)
    found = list(session.execute(stmt))
    more = len(found) > query.limit
    found = found[:query.limit]
    departments = {d.id: d.code for d in reference_data(session).departments}

    def text(values, source):
        return (values or {}).get(query.locale) or (values or {}).get(source) or ""

    rows = [{"id": r.id, "document_number": r.document_number,
             "department": departments.get(r.department_id), "category": r.category,
             "title": text(r.title_i18n, r.source_locale),
             "summary": text(r.summary_i18n, r.source_locale), "language": r.source_locale,
             "state": r.state, "first_published_at": _w3c(r.first_published_at),
             "published_at": _w3c(r.published_at), "year": r.year, "versions": r.version_count,
             "withdrawn_at": _w3c(r.withdrawn_at),
             "link": absolute_url("transparency.publication", locale=query.locale,
                                  publication_id=r.id),
             "created_by_id": r.created_by_id}
            for r in found]
    return rows, (found[-1].id if more else None)


PUBLICATIONS = ds.register(ds.Dataset(
    "publications", _l("Publications"),
    _l("The disclosure catalog: what the departments published, in which category, when, and "
       "its current version. Withdrawn publications stay listed, marked as withdrawn."),
    fields=(
        Field("id", PUBLIC, "integer", _l("The publication's number (the cursor pages by it).")),
        Field("document_number", PUBLIC, "string", _l("The department's document number."),
              nullable=True),
        Field("department", PUBLIC, "string", _l("The code of the department that published it."),
              nullable=True),
        Field("category", PUBLIC, "string", _l("The code of its disclosure category.")),
        Field("title", PUBLIC, "text", _l("Its title, in the language asked for when it has one.")),
        Field("summary", PUBLIC, "text", _l("Its summary, in the language asked for when it has one.")),
        Field("language", PUBLIC, "string", _l("The language it was written in.")),
        Field("state", PUBLIC, "string", _l("Published or withdrawn."),
              enum=("published", "withdrawn")),
        Field("first_published_at", PUBLIC, "date-time", _l("When it was first published (UTC)."),
              nullable=True),
        Field("published_at", PUBLIC, "date-time",
              _l("When its current version was published (UTC)."), nullable=True),
        Field("year", PUBLIC, "integer", _l("The year it was first published."), nullable=True),
        Field("versions", PUBLIC, "integer", _l("How many versions were published.")),
        Field("withdrawn_at", PUBLIC, "date-time", _l("When it was withdrawn (UTC)."),
              nullable=True),
        Field("link", PUBLIC, "url", _l("Its permanent page.")),
        Field("created_by_id", INTERNAL, "integer", _l("The staff member who drafted it."),
              nullable=True),
    ),
    rows=publication_rows, topics=("catalog", "responsibility"), position=75))
