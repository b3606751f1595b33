"""Disclosure on request's published dataset (``portal.core.datasets``): the requests their
requesters made public, with their clocks and answers. Never who asked, nor their purpose
(as the public pages and the search document: ``services.search_document``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import datasets as ds
from portal.core.datasets import PERSONAL, PUBLIC, Field
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
