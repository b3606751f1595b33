"""Keyset pagination, newest first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.models import User
from portal.core.pagination import keyset


@pytest.fixture
def users(db_session, factories):
    return factories.users(45, prefix="pager")


def _page(session, **kwargs):
    stmt = select(User).where(User.email.like("pager%"))
    return keyset(session, stmt, User.id, per_page=20, **kwargs)


def ids(page):
    return [u.id for u in page.items]


def test_pages_forward_and_back(db_session, users):
    newest_first = sorted((u.id for u in users), reverse=True)

    first = _page(db_session)
    assert ids(first) == newest_first[:20]
    assert first.newer is None
    assert first.older == newest_first[19]

    second = _page(db_session, before=first.older)
    assert ids(second) == newest_first[20:40]
    assert second.newer == newest_first[20]
    assert second.older == newest_first[39]

    last = _page(db_session, before=second.older)
    assert ids(last) == newest_first[40:]
    assert last.older is None
    assert last.newer == newest_first[40]

    back = _page(db_session, after=last.newer)
    assert ids(back) == ids(second)
    assert (back.newer, back.older) == (second.newer, second.older)

    back_to_first = _page(db_session, after=back.newer)
    assert ids(back_to_first) == ids(first)
    assert back_to_first.newer is None
    assert back_to_first.older == first.older


def test_every_row_once(db_session, users):
    seen, cursor = [], None
    while True:
        page = _page(db_session, before=cursor)
        seen += ids(page)
        if page.older is None:
            break
        cursor = page.older
    assert sorted(seen) == sorted(u.id for u in users)
    assert len(seen) == len(set(seen))


def test_exactly_one_page(db_session, factories):
    factories.users(20, prefix="pager")
    page = _page(db_session)
    assert len(page.items) == 20
    assert page.newer is None and page.older is None


def test_empty(db_session):
    page = _page(db_session)
    assert page.items == [] and page.newer is None and page.older is None


def test_after_the_newest_row(db_session, users):
    page = _page(db_session, after=max(u.id for u in users))
    assert page.items == [] and page.newer is None and page.older is None


def test_partial_page_going_back(db_session, users):
    newest_first = sorted((u.id for u in users), reverse=True)
    # five rows newer than the cursor: one short page, no newer page beyond it
    page = _page(db_session, after=newest_first[5])
    assert ids(page) == newest_first[:5]
    assert page.newer is None
    assert page.older == newest_first[4]
