"""What people do with their accounts, and what administrators do with them."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session, joinedload, lazyload, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from portal.core import audit, cache, outbox
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.i18n import BY_CODE
from portal.core.models import User, UserRole, UserSession, new_token, utcnow
from portal.core.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from portal.core.roles import ADMIN, GRANTABLE, STAFF
from portal.core.urls import absolute_url
from portal.responsibility.models import Department

CONFIRM_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 2 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def normalize_email(email: str) -> str:
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def find_by_email(session: Session, email: str) -> User | None:
    # Roles load only when read: whether the address exists or not costs the same queries.
    return session.scalar(
        select(User)
        .where(func.lower(User.email) == normalize_email(email).lower())
        .options(lazyload(User.roles))
    )


def email_taken(session: Session, email: str, except_user: User | None = None) -> bool:
    user = find_by_email(session, email)
    return user is not None and user is not except_user


# --- registration and confirmation ---------------------------------------------------------

def register(
    session: Session, email: str, password: str, display_name: str, locale: str
) -> User | None:
    """Create an account and mail its confirmation link.

    A taken address gets the same answer (nobody learns who has an account): its owner is
    mailed instead, and None is returned. The password is hashed either way, so the time
    taken does not tell either.
    """
    email = normalize_email(email)
    password_hash = hash_password(password)
    existing = find_by_email(session, email)
    if existing is not None:
        send_address_in_use(session, existing)
        session.commit()
        return None
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        locale=locale if locale in BY_CODE else "en",
    )
    session.add(user)
    session.flush()
    send_confirmation(session, user, email)
    session.commit()
    return user


def send_address_in_use(session: Session, owner: User) -> None:
    """Tell an address's owner that someone tried to register with it (or move to it)."""
    outbox.enqueue_email(
        session, owner.email, "address_in_use", owner.locale, user=owner,
        login_link=absolute_url("accounts.login", locale=owner.locale),
        reset_link=absolute_url("accounts.forgot_password", locale=owner.locale),
    )


def send_confirmation(session: Session, user: User, email: str) -> None:
    token = _serializer("confirm").dumps({"id": user.id, "email": email})
    link = absolute_url("accounts.confirm", token=token, locale=user.locale)
    outbox.enqueue_email(
        session, email, "confirm_email", user.locale, user=user, link=link, email=email
    )


def confirm_email(session: Session, token: str) -> User:
    try:
        data = _serializer("confirm").loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as exc:
        raise Invalid(_l("This confirmation link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise Invalid(_l("This confirmation link is not valid.")) from exc
    user = session.get(User, data.get("id"))
    if user is None:
        raise NotFound()
    email = data.get("email")
    if email == user.email:
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()
    elif email == user.pending_email:
        if email_taken(session, email, except_user=user):
            raise Invalid({"email": [_l("An account with this email address already exists.")]})
        user.email = email
        user.pending_email = None
        user.email_confirmed_at = utcnow()
    else:
        raise Invalid(_l("This confirmation link is not valid."))
    session.commit()
    return user


def resend_confirmation(session: Session, user: User) -> None:
    if user.email_confirmed_at is None:
        send_confirmation(session, user, user.email)
        session.commit()


# --- logging in ----------------------------------------------------------------------------

def authenticate(session: Session, email: str, password: str) -> User:
    """The account for these credentials. An unknown address costs one hash verification,
    like a wrong password, so the time taken does not tell which it was."""
    user = find_by_email(session, email)
    if user is None:
        dummy_verify(password)
        raise Invalid(_l("The email address or password is not right."))
    if not verify_password(user.password_hash, password):
        raise Invalid(_l("The email address or password is not right."))
    if not user.is_active:
        raise Forbidden(_l("This account has been blocked. Contact the portal's administrators."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.commit()
    return user


def _session_lifetime(remember: bool):
    cfg = current_app.config
    return cfg["REMEMBER_COOKIE_DURATION"] if remember else cfg["PERMANENT_SESSION_LIFETIME"]


def start_session(session: Session, user: User, remember: bool = False) -> str:
    """A new signed-in browser for ``user``: its key goes into the login id (``get_id``).

    The row lives as long as the cookie that carries it may (the remember-me cookie's
    duration, else the session's lifetime); expired rows of everybody are pruned here.
    """
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    key = new_token()
    session.add(UserSession(user_id=user.id, key=key, expires_at=now + _session_lifetime(remember)))
    user.login_key = key
    session.commit()
    return key


def end_session(session: Session, key: str | None) -> None:
    """Log one browser out: its session and remember-me cookies stop working."""
    if key:
        session.execute(delete(UserSession).where(UserSession.key == key))
        session.commit()


def end_all_sessions(session: Session, user: User) -> None:
    """Every browser of ``user`` is logged out (the caller commits)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.login_key = None


def load_user(session: Session, login_id: str) -> User | None:
    """The user of a signed-in browser, with their roles: one query joined to the browser's
    ``user_session`` row (``key`` is unique, so indexed), then held in this process under the
    "accounts" version (``cache.held``): logging out, a role granted or taken, a block, any
    change to the account or its sessions, in any process, replaces it. A held user is put in
    the request's session without a query (``merge(load=False)``) and its session's expiry is
    checked as the query checks it."""
    user_id, _, key = login_id.partition(":")
    if not user_id.isdigit() or not key:
        return None
    loaded: list[User] = []

    def load():
        row = session.execute(
            select(User, UserSession.expires_at)
            .join(UserSession, UserSession.user_id == User.id)
            .options(joinedload(User.roles))
            .where(User.id == int(user_id), UserSession.key == key)
        ).unique().one_or_none()
        if row is None:
            return None
        loaded.append(row[0])
        return _detached_copy(row[0]), row[1]

    kept = cache.held(cache.ACCOUNTS_TOPIC, f"user:{login_id}", load)
    if kept is None or kept[1] <= utcnow():
        return None
    if loaded:
        user = loaded[0]
    else:
        copy = kept[0]
        existing = session.identity_map.get(identity_key(User, copy.id))
        # changed in this request already: keep its changes; else the held values, no query
        user = existing if existing is not None and existing in session.dirty else (
            session.merge(copy, load=False))
    if not user.is_active:
        return None
    user.login_key = key
    return user


def _detached_copy(user: User) -> User:
    """``user`` and its roles as a detached copy that was never in a session: safe to hold
    between requests and threads, and merged into each request's session without a query."""
    def columns(obj):
        return {a.key: getattr(obj, a.key) for a in inspect(type(obj)).column_attrs}

    copy = User(**columns(user))
    copy.roles = [UserRole(**columns(role)) for role in user.roles]
    for role in copy.roles:
        make_transient_to_detached(role)
    make_transient_to_detached(copy)
    return copy


# --- forgotten password --------------------------------------------------------------------

def request_password_reset(session: Session, email: str, locale: str = "en") -> None:
    """Mail a reset link to an active account's address, and to any other address a mail
    saying there is no such account: the same work either way (one lookup, one outbox
    message, one commit), so neither the answer nor its time tells who has an account."""
    user = find_by_email(session, email)
    if user is not None and user.is_active:
        token = _serializer("reset").dumps({"id": user.id, "h": user.password_hash[-16:]})
        link = absolute_url("accounts.reset_password", token=token, locale=user.locale)
        outbox.enqueue_email(
            session, user.email, "reset_password", user.locale, user=user, link=link
        )
    else:
        email = normalize_email(email)
        locale = locale if locale in BY_CODE else "en"
        outbox.enqueue_email(
            session, email, "reset_no_account", locale, email=email,
            register_link=absolute_url("accounts.register", locale=locale),
        )
    session.commit()


def user_for_reset(session: Session, token: str) -> User:
    try:
        data = _serializer("reset").loads(token, max_age=RESET_MAX_AGE)
    except BadSignature as exc:  # SignatureExpired is a BadSignature
        raise Invalid(_l("This password reset link has expired or is not valid.")) from exc
    user = session.get(User, data.get("id"))
    # The token names the hash it was issued for, so it works once.
    if user is None or user.password_hash[-16:] != data.get("h"):
        raise Invalid(_l("This password reset link has expired or is not valid."))
    return user


def reset_password(session: Session, token: str, password: str) -> User:
    user = user_for_reset(session, token)
    _set_password(session, user, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # following the mailed link proves the address
    session.commit()
    return user


# --- settings ------------------------------------------------------------------------------

def _set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)  # every browser logs in again


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise Invalid({"current_password": [_l("Your current password is not right.")]})
    _set_password(session, user, new)
    session.commit()


def request_email_change(session: Session, user: User, new_email: str, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise Invalid({"password": [_l("Your password is not right.")]})
    new_email = normalize_email(new_email)
    if new_email.lower() == user.email.lower():
        raise Invalid({"email": [_l("This is already your email address.")]})
    user.pending_email = new_email
    owner = find_by_email(session, new_email)
    if owner is not None and owner is not user:
        # The same answer as for a free address; its owner hears instead (confirming could
        # not succeed anyway: confirm_email checks the address again).
        send_address_in_use(session, owner)
    else:
        send_confirmation(session, user, new_email)
    session.commit()


def update_preferences(
    session: Session, user: User, display_name: str, locale: str, large_text: bool,
    notify_mode: str | None = None,
) -> None:
    """``notify_mode`` None keeps the saved choice of emails."""
    from portal.core.notifications import MODES

    if locale not in BY_CODE:
        raise Invalid({"locale": [_l("Choose one of the listed languages.")]})
    if notify_mode is not None and notify_mode not in MODES:
        raise Invalid({"notify_mode": [_l("Choose one of the listed options.")]})
    user.display_name = display_name.strip()
    user.locale = locale
    user.large_text = large_text
    if notify_mode is not None:
        user.notify_mode = notify_mode
    session.commit()


# --- administration ------------------------------------------------------------------------

def _require_admin(actor: User) -> None:
    if not actor.has_role(ADMIN):
        raise Forbidden()


def set_roles(
    session: Session,
    actor: User,
    user: User,
    roles: set[str],
    department_ids: set[int],
    ip_address: str | None = None,
) -> None:
    """Grant and revoke roles and departments, writing each change to the audit log."""
    _require_admin(actor)
    unknown = roles - set(GRANTABLE)
    if unknown:
        raise Invalid({"roles": [_l("Unknown role.")]})
    if actor.id == user.id and ADMIN not in roles:
        raise Invalid({"roles": [_l("You cannot remove your own administrator role.")]})
    current = {r.role for r in user.roles}
    for role in sorted(roles - current):
        user.roles.append(UserRole(role=role))
        audit.record(session, actor, "role.granted", "user", user.id, ip_address,
                     subject_id=user.id, role=role)
    for role in sorted(current - roles):
        session.execute(delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == role))
        audit.record(session, actor, "role.revoked", "user", user.id, ip_address,
                     subject_id=user.id, role=role)
    if STAFF not in roles:
        department_ids = set()
    # Government departments only: an organization's party links follow its verification
    # (portal/organizations) and are neither shown nor changed here.
    departments = list(
        session.scalars(select(Department).where(Department.id.in_(department_ids),
                                                 Department.kind == "government"))
    ) if department_ids else []
    if len(departments) != len(department_ids):
        raise Invalid({"departments": [_l("Unknown department.")]})
    before = set(user_department_ids(session, user))
    if before != department_ids:
        from portal.responsibility.models import staff_department

        if before:
            session.execute(delete(staff_department).where(
                staff_department.c.user_id == user.id, staff_department.c.department_id.in_(before)))
        if department_ids:
            session.execute(
                staff_department.insert(),
                [{"user_id": user.id, "department_id": d} for d in sorted(department_ids)],
            )
        audit.record(
            session, actor, "account.departments_changed", "user", user.id, ip_address,
            added=sorted(department_ids - before), removed=sorted(before - department_ids),
        )
    session.commit()
    session.expire(user, ["roles"])


def user_department_ids(session: Session, user: User) -> list[int]:
    """The government departments a staff member works for (not organizations' parties)."""
    from portal.responsibility.models import staff_department

    return list(
        session.scalars(
            select(staff_department.c.department_id).join(
                Department, Department.id == staff_department.c.department_id)
            .where(staff_department.c.user_id == user.id, Department.kind == "government")
        )
    )


def set_blocked(
    session: Session, actor: User, user: User, blocked: bool, ip_address: str | None = None
) -> None:
    _require_admin(actor)
    if actor.id == user.id:
        raise Invalid(_l("You cannot block your own account."))
    if blocked and user.blocked_at is None:
        user.blocked_at = utcnow()
        end_all_sessions(session, user)
        audit.record(session, actor, "account.blocked", "user", user.id, ip_address)
    elif not blocked and user.blocked_at is not None:
        user.blocked_at = None
        audit.record(session, actor, "account.unblocked", "user", user.id, ip_address)
    session.commit()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
