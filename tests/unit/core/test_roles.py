"""Roles: every account is a resident; administrators hold every role."""

from __future__ import annotations

import pytest

from portal.core import roles


def test_resident_is_implicit(db_session, factories):
    user = factories.user()
    assert user.role_names == {roles.RESIDENT}
    assert user.has_role(roles.RESIDENT)
    assert not user.has_role(roles.STAFF, roles.ADMIN)


@pytest.mark.parametrize("role", roles.GRANTABLE)
def test_granted_role(db_session, factories, role):
    user = factories.user(roles=[role])
    assert user.role_names == {roles.RESIDENT, role}
    assert user.has_role(role)
    others = [r for r in roles.GRANTABLE if r != role]
    assert user.has_role(*others) is (role == roles.ADMIN)


def test_every_role_has_a_label():
    assert set(roles.LABELS) == set(roles.ALL)
    assert set(roles.GRANTABLE) == set(roles.ALL) - {roles.RESIDENT}


def test_get_id_carries_the_login_key(app, db_session, factories):
    from portal.accounts.services import start_session

    user = factories.user()
    with pytest.raises(RuntimeError):
        user.get_id()  # no session started: no login id to hand out
    with app.test_request_context("/en/"):
        key = start_session(db_session, user)
    assert user.get_id() == f"{user.id}:{key}"
    assert len(key) >= 24


def test_blocked_user_is_not_active(db_session, factories):
    assert factories.user().is_active
    assert not factories.blocked_user().is_active
