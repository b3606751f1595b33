"""Requests and complaints in a resident's data download, and when their account is deleted
(portal.core.privacy)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, undefer

from portal.core import privacy
from portal.feedback import services
from portal.feedback import states as st
from portal.feedback.models import (
    ApiKey,
    Attachment,
    FeedbackDraft,
    Follower,
    HotspotAlert,
    Request,
    RequestEvent,
)

# What a resident sees of their request's timeline: no internal note, no staff data.
EVENT_FIELDS = ("seq", "created_at", "actor_role", "kind", "from_state", "to_state",
                "public_text")
REQUEST_LEAVE = ("assigned_user_id", "routing_rule_id", "escalation_level",
                 "deadline_explanation", "co_department_ids")


def _requests(session: Session, user) -> list[dict]:
    out = []
    for request in session.scalars(
            select(Request).where(Request.resident_id == user.id).order_by(Request.id)):
        row = privacy.as_dict(request, leave=REQUEST_LEAVE)
        row["timeline"] = [privacy.as_dict(e, only=EVENT_FIELDS)
                           for e in services.timeline(session, request)]
        out.append(row)
    return out


def _attachments(session: Session, user):
    """The files the resident sent: with their request or on its timeline, not staff's."""
    own = select(Request.id).where(Request.resident_id == user.id)
    by_them = select(RequestEvent.id).where(RequestEvent.actor_id == user.id)
    stmt = (select(Attachment).options(undefer(Attachment.data))
            .where(Attachment.request_id.in_(own),
                   or_(Attachment.event_id.is_(None), Attachment.event_id.in_(by_them)))
            .order_by(Attachment.id).execution_options(yield_per=20))
    for item in session.scalars(stmt):
        yield f"requests/{item.request_id}/{item.id}-{item.filename}", item.data


def _erase_requests(session: Session, user) -> None:
    """Requests stay (they are public, and an open one is still handled): the contact
    details and the exact address go; an open one keeps its place to about 100 m."""
    for request in session.scalars(select(Request).where(Request.resident_id == user.id)):
        services.clear_personal_fields(request, keep_area_point=request.state_type != st.CLOSED)
        services.index_request(session, request)


def _erase_follows(session: Session, user) -> None:
    followed = list(session.scalars(select(Follower.request_id).where(Follower.user_id == user.id)))
    if followed:
        session.execute(update(Request).where(Request.id.in_(followed))
                        .values(followers_count=Request.followers_count - 1))
        privacy.delete_rows(Follower.user_id)(session, user)


privacy.register(privacy.Part(
    "requests", _l("Your requests and complaints with their public timelines; the files you "
                   "sent are under files/requests/."),
    covers=(Request.resident_id,), export=_requests, files=_attachments,
    erase=_erase_requests, position=10))
privacy.register(privacy.Part(
    "followed_requests", _l("The requests you follow."), covers=(Follower.user_id,),
    export=privacy.rows_of(Follower.user_id), erase=_erase_follows, position=11))
privacy.register(privacy.Part(
    "request_drafts", _l("Requests you started and did not send."),
    covers=(FeedbackDraft.user_id,), export=privacy.rows_of(FeedbackDraft.user_id),
    erase=privacy.delete_rows(FeedbackDraft.user_id), position=12))
# Staff's work: the rows stay with the tombstone (staff accounts are not deleted anyway).
privacy.register(privacy.Part(
    "request_handling",
    covers=(Request.assigned_user_id, RequestEvent.actor_id, ApiKey.created_by_id,
            HotspotAlert.supervisor_id)))
