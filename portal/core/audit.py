"""The audit log: every administrative action, readable by administrators."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.core.models import AuditEvent, User

# Human labels for actions; modules add theirs with ``register_action``.
ACTION_LABELS: dict[str, Any] = {
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role revoked"),
    "account.blocked": _l("Account blocked"),
    "account.unblocked": _l("Account unblocked"),
    "account.departments_changed": _l("Departments changed"),
    "personal.viewed": _l("Personal data viewed"),
    "personal.changed": _l("Personal data changed"),
    "personal.export_requested": _l("Data download asked for"),
    "personal.exported": _l("Data downloaded"),
    "personal.erased": _l("Account deleted"),
}

# The personal-data log (the administrators' page) lists these, and the role changes,
# blocks and other actions about a person's account (``subject_id`` set).
PERSONAL_ACTIONS = ("personal.viewed", "personal.changed", "personal.export_requested",
                    "personal.exported", "personal.erased")


def register_action(action: str, label) -> None:
    ACTION_LABELS[action] = label


def record(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    ip_address: str | None = None,
    subject_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        subject_id=subject_id,
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details,
        ip_address=ip_address,
    )
    session.add(event)
    return event


def viewed(session: Session, actor: User, target_type: str, target_id: int | None,
           subject_id: int | None, ip_address: str | None = None, **details: Any) -> None:
    """Record that ``actor`` (staff, an administrator) was shown ``subject_id``'s personal
    data, and commit: one insert per page view, only on pages that show it to a signed-in
    member of staff (never cached, never anonymous)."""
    if subject_id is None or subject_id == actor.id:
        return
    record(session, actor, "personal.viewed", target_type, target_id, ip_address,
           subject_id=subject_id, **details)
    # What the request loaded stays loaded: the view costs its INSERT, no reloading after it.
    inner = session() if callable(session) else session
    keep = inner.expire_on_commit
    inner.expire_on_commit = False
    try:
        session.commit()
    finally:
        inner.expire_on_commit = keep
