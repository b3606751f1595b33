"""The audit log."""

from __future__ import annotations

from portal.core import audit
from portal.core.models import AuditEvent


def test_record(db_session, factories):
    actor, target = factories.admin(), factories.user()
    event = audit.record(db_session, actor, "role.granted", "user", target.id, "10.0.0.1",
                         role="staff")
    db_session.commit()
    stored = db_session.get(AuditEvent, event.id)
    assert (stored.actor_id, stored.action, stored.target_type, stored.target_id) == (
        actor.id, "role.granted", "user", target.id)
    assert stored.details == {"role": "staff"}
    assert stored.ip_address == "10.0.0.1"
    assert stored.created_at is not None
    assert stored.actor.display_name == actor.display_name


def test_record_by_the_portal_itself(db_session):
    event = audit.record(db_session, None, "account.blocked", "user", None)
    db_session.commit()
    assert event.actor_id is None and event.details == {}


def test_register_action(monkeypatch):
    monkeypatch.setattr(audit, "ACTION_LABELS", dict(audit.ACTION_LABELS))
    audit.register_action("thing.done", "Thing done")
    assert audit.ACTION_LABELS["thing.done"] == "Thing done"


def test_every_built_in_action_has_a_label():
    assert {"role.granted", "role.revoked", "account.blocked", "account.unblocked",
            "account.departments_changed"} <= set(audit.ACTION_LABELS)
