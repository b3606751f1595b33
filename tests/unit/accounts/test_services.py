"""Account services: what people do with their accounts, and what administrators do."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from portal.accounts import services
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import AuditEvent, OutboxMessage, User, UserRole, UserSession
from portal.core.passwords import verify_password
from portal.core.roles import ADMIN, MODERATOR, ORG_MEMBER, STAFF
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def ctx(app, db_session):
    with app.test_request_context("/en/"):
        yield


def outbox_to(session, recipient) -> list[OutboxMessage]:
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ))


def token_from(message: OutboxMessage, kind: str) -> str:
    match = re.search(rf"/account/{kind}/([\w.\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def audit_events(session, target=None) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if target is not None:
        stmt = stmt.where(AuditEvent.target_id == target.id)
    return list(session.scalars(stmt))


@pytest.fixture
def old_timestamps(monkeypatch):
    """Sign tokens as if ``seconds`` ago: ``old_timestamps(seconds)``."""

    def _at(seconds):
        monkeypatch.setattr(TimestampSigner, "get_timestamp",
                            lambda self: int(time.time()) - seconds)

    yield _at
    monkeypatch.undo()


# --- registration --------------------------------------------------------------------------

@pytest.fixture
def base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "http://portal.test")


def test_register(ctx, db_session, base_url):
    user = services.register(db_session, "Lin@Example.ORG", "a long enough pw", "  Lin  ", "es")
    assert user.id is not None
    assert user.email == "Lin@example.org"  # the domain is case-insensitive, the local part kept
    assert user.display_name == "Lin"
    assert user.locale == "es"
    assert user.email_confirmed_at is None
    assert user.password_hash != "a long enough pw"
    assert verify_password(user.password_hash, "a long enough pw")
    assert user.role_names == {"resident"}
    (mail,) = outbox_to(db_session, "Lin@example.org")
    assert mail.locale == "es"
    assert "/es/account/confirm/" in mail.body
    # on the configured address, not the request's host (localhost here)
    assert mail.body.count("http://portal.test/es/account/confirm/") == 1


def test_register_unknown_locale_falls_back_to_english(ctx, db_session):
    assert services.register(db_session, "x@example.org", "a long enough pw", "X", "fr").locale == "en"


@pytest.mark.parametrize("email", ["taken@example.org", "TAKEN@example.org", "taken@EXAMPLE.org",
                                   " taken@example.org "])
def test_register_with_a_taken_address_mails_its_owner(ctx, db_session, factories, email, base_url):
    """No error (that would tell who has an account): the owner hears instead."""
    factories.user(email="taken@example.org", locale="ar")
    assert services.register(db_session, email, "a long enough pw", "Dup", "en") is None
    assert db_session.scalar(select(User).where(User.display_name == "Dup")) is None
    (mail,) = outbox_to(db_session, "taken@example.org")
    assert mail.locale == "ar"
    assert "http://portal.test/ar/account/login" in mail.body
    assert "http://portal.test/ar/account/forgot-password" in mail.body
    assert "/account/confirm/" not in mail.body


def test_register_hashes_once_whether_the_address_is_taken_or_not(ctx, db_session, factories,
                                                                  monkeypatch):
    factories.user(email="taken@example.org")
    calls = []
    real = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda pw: calls.append(pw) or real(pw))
    services.register(db_session, "taken@example.org", "a long enough pw", "Dup", "en")
    services.register(db_session, "free@example.org", "a long enough pw", "New", "en")
    assert len(calls) == 2
    assert len(outbox_to(db_session, "taken@example.org")) == 1
    assert len(outbox_to(db_session, "free@example.org")) == 1


def test_normalize_email():
    assert services.normalize_email("  Ana.B@Example.COM ") == "Ana.B@example.com"


# --- confirmation --------------------------------------------------------------------------

def test_confirm_email(ctx, db_session):
    user = services.register(db_session, "c@example.org", "a long enough pw", "C", "en")
    token = token_from(outbox_to(db_session, "c@example.org")[0], "confirm")
    assert services.confirm_email(db_session, token).id == user.id
    assert user.email_confirmed_at is not None
    first = user.email_confirmed_at
    services.confirm_email(db_session, token)  # following the link twice is harmless
    assert user.email_confirmed_at == first


def test_confirm_email_expired(ctx, db_session, factories, old_timestamps):
    user = factories.user(confirmed=False)
    old_timestamps(services.CONFIRM_MAX_AGE + 60)
    services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    token = token_from(outbox_to(db_session, user.email)[-1], "confirm")
    old_timestamps(0)
    with pytest.raises(Invalid, match="expired"):
        services.confirm_email(db_session, token)
    assert user.email_confirmed_at is None


def test_confirm_email_just_before_it_expires(ctx, db_session, factories, old_timestamps):
    user = factories.user(confirmed=False)
    old_timestamps(services.CONFIRM_MAX_AGE - 60)
    services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    old_timestamps(0)
    services.confirm_email(db_session, token_from(outbox_to(db_session, user.email)[-1], "confirm"))
    assert user.email_confirmed_at is not None


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" + t,
    lambda t: "nonsense",
])
def test_confirm_email_tampered(ctx, db_session, factories, tamper):
    user = factories.user(confirmed=False)
    services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    token = token_from(outbox_to(db_session, user.email)[-1], "confirm")
    with pytest.raises(Invalid, match="not valid"):
        services.confirm_email(db_session, tamper(token))
    assert user.email_confirmed_at is None


def test_a_reset_token_is_not_a_confirmation_token(ctx, db_session, factories):
    user = factories.user(confirmed=False)
    services.request_password_reset(db_session, user.email)
    reset_token = token_from(outbox_to(db_session, user.email)[-1], "reset")
    with pytest.raises(Invalid):
        services.confirm_email(db_session, reset_token)


def test_confirm_email_of_a_deleted_account(ctx, db_session, factories):
    user = factories.user(confirmed=False)
    services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    token = token_from(outbox_to(db_session, user.email)[-1], "confirm")
    db_session.delete(user)
    db_session.commit()
    with pytest.raises(NotFound):
        services.confirm_email(db_session, token)


def test_resend_confirmation(ctx, db_session, factories):
    unconfirmed = factories.user(confirmed=False, locale="ar")
    services.resend_confirmation(db_session, unconfirmed)
    (mail,) = outbox_to(db_session, unconfirmed.email)
    assert mail.locale == "ar" and "/ar/account/confirm/" in mail.body
    confirmed = factories.user()
    services.resend_confirmation(db_session, confirmed)
    assert outbox_to(db_session, confirmed.email) == []


# --- logging in ----------------------------------------------------------------------------

def test_authenticate(ctx, db_session, factories):
    user = factories.user(email="Log@example.org")
    assert user.last_login_at is None
    assert services.authenticate(db_session, "log@EXAMPLE.org", PASSWORD).id == user.id
    assert user.last_login_at is not None


@pytest.mark.parametrize(("email", "password"), [
    ("known@example.org", "wrong password"),
    ("unknown@example.org", PASSWORD),
])
def test_authenticate_says_the_same_for_a_wrong_password_and_an_unknown_address(
        ctx, db_session, factories, email, password):
    factories.user(email="known@example.org")
    with pytest.raises(Invalid) as exc:
        services.authenticate(db_session, email, password)
    assert str(exc.value) == "The email address or password is not right."


def test_authenticate_blocked(ctx, db_session, factories):
    user = factories.blocked_user()
    with pytest.raises(Forbidden):
        services.authenticate(db_session, user.email, PASSWORD)
    # a wrong password does not reveal that the account is blocked
    with pytest.raises(Invalid):
        services.authenticate(db_session, user.email, "wrong password")


def test_authenticate_rehashes_old_parameters(ctx, db_session, factories, monkeypatch):
    user = factories.user()
    old_hash = user.password_hash
    monkeypatch.setattr(services, "needs_rehash", lambda stored: True)
    services.authenticate(db_session, user.email, PASSWORD)
    assert user.password_hash != old_hash
    assert verify_password(user.password_hash, PASSWORD)


def test_load_user(ctx, db_session, factories):
    user = factories.user()
    services.start_session(db_session, user)
    assert services.load_user(db_session, user.get_id()) is user
    assert services.load_user(db_session, f"{user.id}:wrong-token") is None
    assert services.load_user(db_session, f"{user.id}") is None
    assert services.load_user(db_session, "abc:def") is None
    assert services.load_user(db_session, "999999:x") is None
    user.blocked_at = user.created_at
    db_session.commit()
    assert services.load_user(db_session, user.get_id()) is None


# --- sessions ------------------------------------------------------------------------------

def sessions_of(session, user) -> list[str]:
    session.expire_all()
    return list(session.scalars(
        select(UserSession.key).where(UserSession.user_id == user.id).order_by(UserSession.id)))


def test_each_login_is_its_own_session(ctx, db_session, factories):
    user = factories.user()
    first = services.start_session(db_session, user)
    first_id = user.get_id()
    second = services.start_session(db_session, user)
    assert first != second and user.get_id() == f"{user.id}:{second}"
    services.end_session(db_session, first)
    assert services.load_user(db_session, first_id) is None  # that browser is logged out
    assert services.load_user(db_session, f"{user.id}:{second}") is user  # not this one
    assert sessions_of(db_session, user) == [second]


def test_a_session_lasts_as_long_as_its_cookie(ctx, app, db_session, factories):
    user = factories.user()
    services.start_session(db_session, user, remember=False)
    services.start_session(db_session, user, remember=True)
    rows = db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id)).all()
    lifetimes = [row.expires_at - row.created_at for row in rows]
    assert abs(lifetimes[0] - app.config["PERMANENT_SESSION_LIFETIME"]).total_seconds() < 5
    assert abs(lifetimes[1] - app.config["REMEMBER_COOKIE_DURATION"]).total_seconds() < 5


def test_expired_sessions_are_refused_and_pruned(ctx, db_session, factories):
    from datetime import timedelta

    user = factories.user()
    key = services.start_session(db_session, user)
    row = db_session.scalar(select(UserSession).where(UserSession.key == key))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db_session.commit()
    assert services.load_user(db_session, f"{user.id}:{key}") is None
    services.start_session(db_session, factories.user())  # anyone's login prunes
    assert key not in sessions_of(db_session, user)


def test_an_old_style_login_id_is_refused(ctx, db_session, factories):
    user = factories.user()
    assert services.load_user(db_session, f"{user.id}:") is None


# --- forgotten password --------------------------------------------------------------------

def test_request_password_reset(ctx, db_session, factories):
    user = factories.user(locale="zh-Hant")
    services.request_password_reset(db_session, user.email.upper())
    (mail,) = outbox_to(db_session, user.email)
    assert mail.locale == "zh-Hant"
    assert "/zh-Hant/account/reset/" in mail.body


def test_request_password_reset_for_unknown_or_blocked_sends_no_link(ctx, db_session, factories,
                                                                      base_url):
    blocked = factories.blocked_user()
    services.request_password_reset(db_session, "Nobody@Example.org", "es")
    services.request_password_reset(db_session, blocked.email, "es")
    for address in ("Nobody@example.org", blocked.email):
        (mail,) = outbox_to(db_session, address)
        assert "/account/reset/" not in mail.body
        assert mail.locale == "es"
        assert "http://portal.test/es/account/register" in mail.body


def _statements(session, action) -> list[str]:
    from sqlalchemy import event

    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(statement.split()[0])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return [s for s in seen if s not in ("SAVEPOINT", "RELEASE")]


def test_request_password_reset_does_the_same_work_for_any_address(ctx, db_session, factories):
    """One lookup and one outbox row either way: the time taken does not tell."""
    email = factories.user().email
    db_session.expunge_all()  # as a new request finds it
    known = _statements(db_session, lambda: services.request_password_reset(db_session, email))
    db_session.expunge_all()
    unknown = _statements(db_session,
                          lambda: services.request_password_reset(db_session, "no@example.org"))
    assert known == unknown
    assert known.count("INSERT") == 1 and known.count("SELECT") == 1


def _reset_token(session, user) -> str:
    services.request_password_reset(session, user.email)
    return token_from(outbox_to(session, user.email)[-1], "reset")


def test_reset_password_works_once(ctx, db_session, factories):
    user = factories.user(confirmed=False)
    services.start_session(db_session, user)
    token = _reset_token(db_session, user)
    assert services.user_for_reset(db_session, token) is user
    services.reset_password(db_session, token, NEW_PASSWORD)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert sessions_of(db_session, user) == []  # every session ends
    assert user.email_confirmed_at is not None  # the link proved the address
    with pytest.raises(Invalid):
        services.user_for_reset(db_session, token)
    with pytest.raises(Invalid):
        services.reset_password(db_session, token, "another new passphrase")
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_newer_reset_link_does_not_revive_an_older_one(ctx, db_session, factories):
    user = factories.user()
    first = _reset_token(db_session, user)
    second = _reset_token(db_session, user)
    services.reset_password(db_session, second, NEW_PASSWORD)
    with pytest.raises(Invalid):
        services.reset_password(db_session, first, "yet another passphrase")


def test_reset_link_expires(ctx, db_session, factories, old_timestamps):
    user = factories.user()
    old_timestamps(services.RESET_MAX_AGE + 1)
    token = _reset_token(db_session, user)
    old_timestamps(0)
    with pytest.raises(Invalid, match="expired"):
        services.user_for_reset(db_session, token)


def test_reset_link_tampered(ctx, db_session, factories):
    token = _reset_token(db_session, factories.user())
    with pytest.raises(Invalid):
        services.user_for_reset(db_session, token[:-3] + "abc")


def test_a_confirmation_token_is_not_a_reset_token(ctx, db_session, factories):
    user = factories.user(confirmed=False)
    services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    with pytest.raises(Invalid):
        services.user_for_reset(db_session, token_from(outbox_to(db_session, user.email)[-1],
                                                       "confirm"))


# --- settings ------------------------------------------------------------------------------

def test_change_password(ctx, db_session, factories):
    user = factories.user()
    services.start_session(db_session, user)
    services.change_password(db_session, user, PASSWORD, NEW_PASSWORD)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert sessions_of(db_session, user) == []


def test_change_password_needs_the_current_one(ctx, db_session, factories):
    user = factories.user()
    key = services.start_session(db_session, user)
    old_hash = user.password_hash
    with pytest.raises(Invalid) as exc:
        services.change_password(db_session, user, "wrong", NEW_PASSWORD)
    assert list(exc.value.errors) == ["current_password"]
    assert user.password_hash == old_hash
    assert sessions_of(db_session, user) == [key]


def test_email_change_waits_for_the_link(ctx, db_session, factories):
    user = factories.user(email="old@example.org", locale="es")
    services.request_email_change(db_session, user, "New@Example.org", PASSWORD)
    assert user.email == "old@example.org"
    assert user.pending_email == "New@example.org"
    assert outbox_to(db_session, "old@example.org") == []
    (mail,) = outbox_to(db_session, "New@example.org")
    assert mail.locale == "es"
    services.confirm_email(db_session, token_from(mail, "confirm"))
    assert user.email == "New@example.org"
    assert user.pending_email is None


@pytest.mark.parametrize(("new", "password", "field"), [
    ("new@example.org", "wrong", "password"),
    ("OLD@example.org", PASSWORD, "email"),
])
def test_email_change_refused(ctx, db_session, factories, new, password, field):
    factories.user(email="other@example.org")
    user = factories.user(email="old@example.org")
    with pytest.raises(Invalid) as exc:
        services.request_email_change(db_session, user, new, password)
    assert list(exc.value.errors) == [field]
    assert user.pending_email is None
    assert outbox_to(db_session, new) == []


def test_email_change_to_a_taken_address_looks_the_same_and_mails_its_owner(ctx, db_session,
                                                                            factories):
    other = factories.user(email="other@example.org")
    user = factories.user(email="old@example.org")
    services.request_email_change(db_session, user, "Other@example.org", PASSWORD)
    assert user.pending_email == "Other@example.org"  # as for a free address
    (mail,) = outbox_to(db_session, other.email)
    assert "/account/confirm/" not in mail.body  # nothing to confirm: the owner is told
    assert user.email == "old@example.org"


def test_email_change_link_when_the_address_was_taken_meanwhile(ctx, db_session, factories):
    user = factories.user(email="old@example.org")
    services.request_email_change(db_session, user, "wanted@example.org", PASSWORD)
    token = token_from(outbox_to(db_session, "wanted@example.org")[0], "confirm")
    factories.user(email="wanted@example.org")
    with pytest.raises(Invalid):
        services.confirm_email(db_session, token)
    assert user.email == "old@example.org"


def test_an_old_confirmation_link_for_a_replaced_address(ctx, db_session, factories):
    user = factories.user(email="first@example.org", confirmed=False)
    services.send_confirmation(db_session, user, user.email)
    db_session.commit()
    old_token = token_from(outbox_to(db_session, "first@example.org")[0], "confirm")
    services.request_email_change(db_session, user, "second@example.org", PASSWORD)
    services.confirm_email(db_session, token_from(outbox_to(db_session, "second@example.org")[0],
                                                  "confirm"))
    with pytest.raises(Invalid):
        services.confirm_email(db_session, old_token)


def test_update_preferences(ctx, db_session, factories):
    user = factories.user()
    services.update_preferences(db_session, user, " Ana ", "ug", True)
    assert (user.display_name, user.locale, user.large_text) == ("Ana", "ug", True)
    with pytest.raises(Invalid) as exc:
        services.update_preferences(db_session, user, "Ana", "fr", False)
    assert list(exc.value.errors) == ["locale"]
    db_session.refresh(user)
    assert user.locale == "ug"


# --- administration ------------------------------------------------------------------------

def test_set_roles_grants_and_revokes_with_audit(ctx, db_session, factories):
    admin = factories.admin()
    user = factories.user(roles=[MODERATOR])
    services.set_roles(db_session, admin, user, {ORG_MEMBER, STAFF}, set(), "10.1.1.1")
    assert user.role_names == {"resident", ORG_MEMBER, STAFF}
    events = [(e.actor_id, e.action, e.target_type, e.target_id, e.details, e.ip_address)
              for e in audit_events(db_session, user)]
    assert events == [
        (admin.id, "role.granted", "user", user.id, {"role": ORG_MEMBER}, "10.1.1.1"),
        (admin.id, "role.granted", "user", user.id, {"role": STAFF}, "10.1.1.1"),
        (admin.id, "role.revoked", "user", user.id, {"role": MODERATOR}, "10.1.1.1"),
    ]


def test_set_roles_without_changes_writes_nothing(ctx, db_session, factories):
    admin = factories.admin()
    user = factories.user(roles=[STAFF])
    services.set_roles(db_session, admin, user, {STAFF}, set())
    assert audit_events(db_session, user) == []


def test_set_roles_departments(ctx, db_session, factories):
    admin = factories.admin()
    roads, water, parks = (factories.department() for _ in range(3))
    user = factories.user(roles=[STAFF], departments=[roads])
    services.set_roles(db_session, admin, user, {STAFF}, {water.id, parks.id})
    assert set(services.user_department_ids(db_session, user)) == {water.id, parks.id}
    (event,) = audit_events(db_session, user)
    assert event.action == "account.departments_changed"
    assert event.actor_id == admin.id
    assert event.details == {"added": sorted([water.id, parks.id]), "removed": [roads.id]}


def test_departments_only_for_staff(ctx, db_session, factories):
    admin = factories.admin()
    roads = factories.department()
    user = factories.user(roles=[STAFF], departments=[roads])
    services.set_roles(db_session, admin, user, {MODERATOR}, {roads.id})
    assert services.user_department_ids(db_session, user) == []
    actions = [e.action for e in audit_events(db_session, user)]
    assert actions == ["role.granted", "role.revoked", "account.departments_changed"]


def test_set_roles_unknown_department(ctx, db_session, factories):
    admin, user = factories.admin(), factories.user()
    with pytest.raises(Invalid) as exc:
        services.set_roles(db_session, admin, user, {STAFF}, {999999})
    assert list(exc.value.errors) == ["departments"]


@pytest.mark.parametrize("role", ["resident", "superuser", ""])
def test_set_roles_unknown_role(ctx, db_session, factories, role):
    admin, user = factories.admin(), factories.user()
    with pytest.raises(Invalid) as exc:
        services.set_roles(db_session, admin, user, {role}, set())
    assert list(exc.value.errors) == ["roles"]


def test_admin_cannot_remove_their_own_admin_role(ctx, db_session, factories):
    admin = factories.admin()
    with pytest.raises(Invalid) as exc:
        services.set_roles(db_session, admin, admin, {STAFF}, set())
    assert list(exc.value.errors) == ["roles"]
    assert admin.has_role(ADMIN)
    assert audit_events(db_session) == []
    services.set_roles(db_session, admin, admin, {ADMIN, STAFF}, set())  # keeping it is fine
    assert admin.role_names == {"resident", ADMIN, STAFF}


def test_another_admin_can_remove_an_admin_role(ctx, db_session, factories):
    first, second = factories.admin(), factories.admin()
    services.set_roles(db_session, first, second, set(), set())
    assert not second.has_role(ADMIN)
    assert db_session.scalars(select(UserRole).where(UserRole.user_id == second.id)).all() == []


@pytest.mark.parametrize("role", [None, ORG_MEMBER, STAFF, MODERATOR])
def test_only_admins_administer(ctx, db_session, factories, role):
    actor = factories.user(roles=[role] if role else [])
    user = factories.user()
    with pytest.raises(Forbidden):
        services.set_roles(db_session, actor, user, {STAFF}, set())
    with pytest.raises(Forbidden):
        services.set_blocked(db_session, actor, user, True)
    assert not user.has_role(STAFF) and user.blocked_at is None


def test_block_and_unblock(ctx, db_session, factories):
    admin, user = factories.admin(), factories.user()
    services.start_session(db_session, user)
    services.start_session(db_session, user)
    services.set_blocked(db_session, admin, user, True, "10.0.0.9")
    assert user.blocked_at is not None and not user.is_active
    assert sessions_of(db_session, user) == []  # every session ends at once
    services.set_blocked(db_session, admin, user, True)  # again: nothing new
    services.set_blocked(db_session, admin, user, False)
    assert user.blocked_at is None and user.is_active
    services.set_blocked(db_session, admin, user, False)
    events = [(e.actor_id, e.action, e.target_id) for e in audit_events(db_session, user)]
    assert events == [(admin.id, "account.blocked", user.id),
                      (admin.id, "account.unblocked", user.id)]


def test_admin_cannot_block_themselves(ctx, db_session, factories):
    admin = factories.admin()
    with pytest.raises(Invalid):
        services.set_blocked(db_session, admin, admin, True)
    assert admin.blocked_at is None


def test_get_user(ctx, db_session, factories):
    user = factories.user()
    assert services.get_user(db_session, user.id) is user
    with pytest.raises(NotFound):
        services.get_user(db_session, 999999)
