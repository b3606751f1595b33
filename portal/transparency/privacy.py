"""Disclosure requests in a requester's data download, and when their account is deleted
(portal.core.privacy)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.core import privacy
from portal.transparency.models import (
    DisclosureEvent,
    DisclosureRequest,
    Publication,
    PublicationVersion,
)

EVENT_FIELDS = ("created_at", "kind", "state", "role", "note")


def _requests(session: Session, user) -> list[dict]:
    out = []
    for item in session.scalars(select(DisclosureRequest)
                                .where(DisclosureRequest.requester_id == user.id)
                                .order_by(DisclosureRequest.id)):
        row = privacy.as_dict(item)
        # Their own steps and the public ones (staff's notes to colleagues are not theirs).
        row["timeline"] = [privacy.as_dict(e, only=EVENT_FIELDS) for e in session.scalars(
            select(DisclosureEvent).where(DisclosureEvent.request_id == item.id,
                                          DisclosureEvent.role != "staff")
            .order_by(DisclosureEvent.id))]
        out.append(row)
    return out


def _erase(session: Session, user) -> None:
    """The request and its answer stay (the department's record, public if it was made
    public); why they asked and what they wrote in corrections go."""
    mine = select(DisclosureRequest.id).where(DisclosureRequest.requester_id == user.id)
    session.execute(update(DisclosureRequest).where(DisclosureRequest.requester_id == user.id)
                    .values(purpose=""))
    session.execute(update(DisclosureEvent).where(DisclosureEvent.request_id.in_(mine),
                                                  DisclosureEvent.role == "requester")
                    .values(note=""))


privacy.register(privacy.Part(
    "disclosure_requests", _l("Your requests for information, with their steps and answers."),
    covers=(DisclosureRequest.requester_id,), export=_requests, erase=_erase, position=30))
privacy.register(privacy.Part(
    "publication_work",
    covers=(DisclosureEvent.actor_id, Publication.created_by_id, PublicationVersion.author_id,
            PublicationVersion.reviewer_id)))
