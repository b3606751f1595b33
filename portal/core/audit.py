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
}


def register_action(action: str, label) -> None:
    ACTION_LABELS[action] = label


def record(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    ip_address: str | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details,
        ip_address=ip_address,
    )
    session.add(event)
    return event
