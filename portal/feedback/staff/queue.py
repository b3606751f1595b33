"""What the request tracker puts in the staff queue, and what the queue may do with it."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import Session

from portal.core.errors import NotFound
from portal.core.models import User
from portal.feedback import states as st
from portal.feedback.models import Request
from portal.moderation import services as queue
from portal.moderation.models import QueueItem

MODULE = "feedback"
ACKNOWLEDGEABLE = ("routed", "reopened", "returned")  # as services.acknowledge allows


def sync_queue(session: Session, request: Request) -> None:
    """Keep the request's queue row in step with it: due date, department, state, assignee.
    Nothing is left for staff once it is answered, closed or waiting for the resident."""
    active = request.state in st.ACTIVE
    due = None
    if request.state in ("routed", "returned", "reopened") and request.acknowledged_at is None:
        due = request.ack_due_at
    elif active:
        due = request.resolve_due_at
    queue.upsert(
        session, MODULE, request.id, title=request.title[:200], lang=request.source_locale,
        reference=request.tracking_code or "", state=request.state,
        department_id=None if request.state == "returned" else request.lead_department_id,
        co_department_ids=[] if request.state == "returned" else list(request.co_department_ids or []),
        category_id=request.category_id, area_id=request.area_id,
        assigned_user_id=request.assigned_user_id, due_at=due, overdue=request.overdue,
        priority=request.priority, done=not active or request.state == "waiting",
    )


def _request(session: Session, item: QueueItem) -> Request:
    request = session.get(Request, item.item_id)
    if request is None:
        raise NotFound()
    return request


def _assign(session: Session, actor: User, item: QueueItem, assignee: User | None) -> None:
    from portal.feedback import services

    services.assign(session, actor, _request(session, item), assignee)


def _acknowledge(session: Session, actor: User, item: QueueItem, assignee: User | None) -> None:
    from portal.feedback import services

    services.acknowledge(session, actor, _request(session, item))


queue.register_module(MODULE, queue.Module(
    link=lambda item: url_for("feedback_staff.detail", code=item.reference),
    link_pattern=lambda: url_for("feedback_staff.detail", code="REFERENCE").replace(
        "/REFERENCE", "/{reference}"),
    states={code: queue.StateInfo(s.label, s.tag) for code, s in st.STATES.items()},
    actions={"assign": _assign, "acknowledge": _acknowledge},
    offers=lambda item: ["acknowledge"] if item.state in ACKNOWLEDGEABLE else [],
))
