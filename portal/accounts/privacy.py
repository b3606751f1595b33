"""A resident's own data: download it all, delete the account.

The modules say what is theirs through ``portal.core.privacy`` (one ``Part`` per kind of
thing); this module builds the zip from the parts and runs their erasers.

Deleting an account keeps its row as a **tombstone**: public contributions, votes, supports,
the audit log and the timelines of requests point at it with foreign keys that must stay
valid (and the timelines' hashes name the actor's id), so the row stays but holds nothing
personal: an empty display name (read as "Former participant", ``core.models.DisplayName``),
an address on the reserved ``.invalid`` domain, no usable password, ``deleted_at`` set (it
cannot sign in: ``User.is_active``).
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, undefer

from portal.accounts.models import DataExport
from portal.core import audit, outbox, privacy
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import FORMER_PARTICIPANT, AuditEvent, User, UserRole, UserSession, utcnow
from portal.core.notifications import Notification
from portal.core.passwords import verify_password
from portal.core.roles import ADMIN, MODERATOR, STAFF
from portal.core.urls import absolute_url

log = logging.getLogger(__name__)

# Roles whose holders act for the city: their accounts are not deleted by themselves (an
# administrator takes the roles away first, so nothing they answer for is left ownerless).
KEEPING_ROLES = (STAFF, MODERATOR, ADMIN)

UNUSABLE_PASSWORD = "!"  # noqa: S105  (not an Argon2 hash: no password verifies against it)

PROFILE_FIELDS = ("id", "email", "display_name", "locale", "large_text", "notify_mode",
                  "email_confirmed_at", "pending_email", "created_at", "last_login_at")


def _hours() -> int:
    return int(current_app.config.get("DATA_EXPORT_HOURS", 72))


def _check_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise Invalid({"password": [_l("Your password is not right.")]})


# --- download my data ---------------------------------------------------------------------------

def latest_export(session: Session, user: User) -> DataExport | None:
    """The person's newest export still within its time (older ones are pruned)."""
    return session.scalar(
        select(DataExport).where(DataExport.user_id == user.id, DataExport.expires_at > utcnow())
        .order_by(DataExport.id.desc()).limit(1))


def request_export(session: Session, user: User, password: str,
                   ip_address: str | None = None) -> DataExport:
    """Ask for a new zip (the previous ones go); a Celery task builds it after the commit."""
    _check_password(user, password)
    session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    export = DataExport(user_id=user.id, expires_at=utcnow() + timedelta(hours=_hours()))
    session.add(export)
    session.flush()
    audit.record(session, user, "personal.export_requested", "user", user.id, ip_address,
                 subject_id=user.id)
    session.commit()
    dispatch(export.id)
    return export


def dispatch(export_id: int) -> None:
    if not current_app.config.get("CELERY_DISPATCH", True):
        return
    from portal.accounts.tasks import build_data_export

    try:
        build_data_export.delay(export_id)
    except Exception:  # broker down: the beat task builds what is still pending
        log.warning("broker unavailable; data export %s left for the beat task", export_id)


def build_export(session: Session, export_id: int) -> bool:
    """Build one pending export's zip; False if there is nothing to do (gone, done)."""
    export = session.get(DataExport, export_id)
    if export is None or export.state != "pending":
        return False
    user = session.get(User, export.user_id)
    try:
        data = zip_for(session, user)
    except Exception:
        log.exception("data export %s failed", export_id)
        session.rollback()
        export = session.get(DataExport, export_id)
        if export is None:
            return False
        export.state = "failed"
        session.commit()
        return False
    export.data = data
    export.size = len(data)
    export.state = "ready"
    export.ready_at = utcnow()
    session.commit()
    return True


def build_pending(session: Session, limit: int = 20) -> int:
    """Beat: build exports a lost task left pending, and delete expired ones."""
    prune_exports(session)
    ids = list(session.scalars(select(DataExport.id).where(DataExport.state == "pending")
                               .order_by(DataExport.id).limit(limit)))
    return sum(1 for export_id in ids if build_export(session, export_id))


def prune_exports(session: Session) -> int:
    result = session.execute(delete(DataExport).where(DataExport.expires_at <= utcnow()))
    session.commit()
    return result.rowcount or 0


def zip_for(session: Session, user: User) -> bytes:
    """The zip: README.txt in the person's language, one ``<part>.json`` per part with
    something to say, and the uploaded files under ``files/``."""
    buffer = io.BytesIO()
    listed = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in privacy.parts():
            if part.export is not None:
                rows = part.export(session, user)
                if rows is not None:
                    archive.writestr(f"{part.key}.json", json.dumps(
                        rows, ensure_ascii=False, indent=2, default=str))
                    listed.append(part)
            if part.files is not None:
                for path, content in part.files(session, user):
                    archive.writestr(f"files/{path}", content)
        with outbox.use_locale(user.locale):
            # the template alone: a task has no request, and a README needs none of its globals
            readme = current_app.jinja_env.get_template("accounts/privacy_readme.txt").render(
                user=user, parts=listed)
        archive.writestr("README.txt", readme)
    return buffer.getvalue()


def export_for_download(session: Session, user: User, export_id: int,
                        ip_address: str | None = None) -> DataExport:
    """The owner's ready export with its bytes; anyone else's is a 404 (never a 403: it does
    not tell that the number exists)."""
    export = session.scalar(select(DataExport).options(undefer(DataExport.data)).where(
        DataExport.id == export_id, DataExport.user_id == user.id))
    if export is None or export.state != "ready" or export.expires_at <= utcnow():
        raise NotFound()
    audit.record(session, user, "personal.exported", "user", user.id, ip_address,
                 subject_id=user.id)
    session.commit()
    return export


# --- delete my account ----------------------------------------------------------------------------

def can_delete(user: User) -> bool:
    return not any(r.role in KEEPING_ROLES for r in user.roles)


def delete_account(session: Session, user: User, password: str, confirmation: str,
                   ip_address: str | None = None) -> None:
    """Delete the account: mail the old address, run every part's eraser, keep a tombstone."""
    _check_password(user, password)
    if confirmation.strip().lower() != user.email.lower():
        raise Invalid({"confirmation": [_l("Type your email address exactly as shown.")]})
    if not can_delete(user):
        raise Forbidden(_l("Accounts with staff, moderator or administrator roles cannot be "
                           "deleted here. Ask an administrator to take your roles away first."))
    outbox.enqueue_email(session, user.email, "account_deleted", user.locale, user=user,
                         register_link=absolute_url("accounts.register", locale=user.locale))
    for part in privacy.parts():
        if part.erase is not None:
            part.erase(session, user)
    user.display_name = FORMER_PARTICIPANT
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.pending_email = None
    user.password_hash = UNUSABLE_PASSWORD
    user.email_confirmed_at = None
    user.deleted_at = utcnow()
    user.login_key = None
    audit.record(session, user, "personal.erased", "user", user.id, ip_address,
                 subject_id=user.id)
    session.commit()


# --- the accounts' own parts ------------------------------------------------------------------------

def _profile(session: Session, user: User) -> list[dict]:
    return [privacy.as_dict(user, only=PROFILE_FIELDS)]


def _audit_about(session: Session, user: User) -> list[dict]:
    """What the log holds about the person: who viewed or changed their data, what they did."""
    stmt = select(AuditEvent).where(or_(
        AuditEvent.subject_id == user.id, AuditEvent.actor_id == user.id,
        (AuditEvent.target_type == "user") & (AuditEvent.target_id == user.id),
    )).order_by(AuditEvent.id)
    return [privacy.as_dict(e, leave=("ip_address",)) for e in session.scalars(stmt)]


def _erase_roles(session: Session, user: User) -> None:
    session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    session.expire(user, ["roles"])


privacy.register(privacy.Part(
    "profile", _l("Your account: name, email address, language and settings."),
    export=_profile, position=1))
privacy.register(privacy.Part(
    "sessions", _l("The browsers signed in to your account (without their keys)."),
    covers=(UserSession.user_id,), export=privacy.rows_of(UserSession.user_id),
    erase=privacy.delete_rows(UserSession.user_id), position=2))
privacy.register(privacy.Part(
    "roles", _l("The roles you hold."), covers=(UserRole.user_id,),
    export=privacy.rows_of(UserRole.user_id), erase=_erase_roles, position=3))
privacy.register(privacy.Part(
    "notifications", _l("Your notifications and how you want to hear about changes."),
    covers=(Notification.user_id,), export=privacy.rows_of(Notification.user_id),
    erase=privacy.delete_rows(Notification.user_id), position=4))
# The log keeps what happened; its actor is the tombstone once the account is deleted.
privacy.register(privacy.Part(
    "audit_log", _l("Who viewed or changed your personal data, and what you did."),
    covers=(AuditEvent.actor_id,), export=_audit_about, position=90))
# Exports are the person's: gone with the account (the foreign key cascades too).
privacy.register(privacy.Part(
    "data_exports", _l("Your earlier downloads of your data."), covers=(DataExport.user_id,),
    erase=privacy.delete_rows(DataExport.user_id), position=99))
