"""Open311 API keys: shown once when issued, stored only as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.core import audit
from portal.core.errors import Invalid, NotFound
from portal.core.models import utcnow
from portal.feedback.models import ApiKey
from portal.responsibility.models import Department

audit.register_action("open311.key_created", _l("Open311 key issued"))
audit.register_action("open311.key_revoked", _l("Open311 key revoked"))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, actor, name: str, department: Department | None = None) -> tuple[ApiKey, str]:
    name = name.strip()
    if not name:
        raise Invalid({"name": [_l("Name the system or app that will use the key.")]})
    secret = "o311_" + secrets.token_urlsafe(32)
    key = ApiKey(name=name[:80], prefix=secret[:12], key_hash=_digest(secret),
                 department_id=department.id if department else None,
                 created_by_id=actor.id if actor else None)
    session.add(key)
    session.flush()
    audit.record(session, actor, "open311.key_created", "open311_key", key.id, name=key.name,
                 department=department.code if department else None)
    session.commit()
    return key, secret


def revoke(session: Session, actor, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound()
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(session, actor, "open311.key_revoked", "open311_key", key.id, name=key.name)
        session.commit()
    return key


def authenticate(session: Session, secret: str | None) -> ApiKey | None:
    if not secret:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(secret.strip())))
    if key is None or key.revoked_at is not None:
        return None
    return key


def all_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).options(joinedload(ApiKey.department))
                                .order_by(ApiKey.id.desc())))
