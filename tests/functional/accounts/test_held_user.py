"""The signed-in user is held per process (``accounts.services.load_user``, ``cache.held``):
no query on a signed-in request once held, and a logout, a role change, a block or an expiry
in any process (two apps on one shared cache backend here) takes effect on the next request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.accounts import services
from portal.core import cache as page_cache
from portal.core.models import utcnow
from portal.extensions import db
from tests.functional.support import QueryCounter

SETTINGS = "/en/account/settings"
ADMIN_PAGE = "/en/admin/users"


@pytest.fixture
def apps(make_app, tmp_path):
    """The reader's process and another one, sharing the file-system cache as web workers do."""
    page_cache.clear_local()
    backend = {"PAGE_CACHE": True, "REFERENCE_CACHE": True, "CACHE_TYPE": "FileSystemCache",
               "CACHE_DIR": str(tmp_path / "cache")}
    yield make_app(**backend), make_app(**backend)
    page_cache.clear_local()


@pytest.fixture
def reader(apps, db_session, factories):
    first, _ = apps
    user = factories.user()
    db_session.commit()
    client = first.test_client()
    response = client.post("/en/account/login",
                           data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 303
    assert client.get(SETTINGS).status_code == 200  # the user is held from here on
    return client, user


def _user_queries(client, path: str) -> tuple[int, list[str]]:
    with QueryCounter(db.engine) as counted:
        status = client.get(path).status_code
    return status, [s for s in counted.statements if "FROM user_account" in s]


def _login_key(db_session, user) -> str:
    from sqlalchemy import select

    from portal.core.models import UserSession

    return db_session.scalars(select(UserSession.key).where(UserSession.user_id == user.id)).one()


def test_a_held_user_costs_no_query(reader):
    client, _user = reader
    status, queries = _user_queries(client, SETTINGS)
    assert status == 200
    assert queries == []


def test_logging_out_in_another_process_ends_the_held_session(apps, reader, db_session):
    client, user = reader
    key = _login_key(db_session, user)
    with apps[1].test_request_context("/en/"):
        services.end_session(db.session, key)
    assert client.get(SETTINGS).status_code == 302  # to the login page: signed out


def test_logging_out_here_ends_the_held_session(reader):
    client, _user = reader
    assert client.post("/en/account/logout").status_code in (302, 303)
    assert client.get(SETTINGS).status_code == 302


def test_a_role_granted_in_another_process_shows_at_once(apps, reader, db_session, factories):
    client, user = reader
    assert client.get(ADMIN_PAGE).status_code == 403
    admin = factories.user(roles=("administrator",))
    db_session.commit()
    with apps[1].test_request_context("/en/"):
        services.set_roles(db.session, db.session.merge(admin), db.session.merge(user),
                           {"administrator"}, set())
        db.session.commit()
    assert client.get(ADMIN_PAGE).status_code == 200
    with apps[1].test_request_context("/en/"):
        services.set_roles(db.session, db.session.merge(admin), db.session.merge(user), set(), set())
        db.session.commit()
    assert client.get(ADMIN_PAGE).status_code == 403


def test_a_block_in_another_process_signs_the_user_out(apps, reader, db_session, factories):
    client, user = reader
    admin = factories.user(roles=("administrator",))
    db_session.commit()
    with apps[1].test_request_context("/en/"):
        services.set_blocked(db.session, db.session.merge(admin), db.session.merge(user), True)
    assert client.get(SETTINGS).status_code == 302


def test_a_held_session_still_expires(reader, monkeypatch):
    client, _user = reader
    later = utcnow() + timedelta(days=400)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    assert client.get(SETTINGS).status_code == 302


def test_the_held_user_is_the_sessions_own_object(apps, reader, db_session):
    """Merged into each request's session: relationships and ``session.get`` see one object."""
    _client, user = reader
    first, _ = apps
    with first.test_request_context("/en/"):
        from portal.core.models import User

        login_id = f"{user.id}:{_login_key(db_session, user)}"
        roles = {r.role for r in user.roles}
        db.session.expunge_all()  # a new request's session: nothing loaded yet
        with QueryCounter(db.engine) as counted:
            loaded = services.load_user(db.session, login_id)
            assert loaded is not None and loaded.id == user.id
            assert db.session.get(User, user.id) is loaded
            assert {r.role for r in loaded.roles} == roles
            assert loaded in db.session
        assert counted.statements == []
