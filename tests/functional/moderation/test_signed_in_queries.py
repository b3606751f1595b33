"""The signed-in pages of the issue "The tracker after its first users" (docs/performance.md):
the staff queue, a staff request page and "your requests" run a fixed, small number of SQL
statements whatever the number of rows they show, so a future N+1 fails here.

Reference data (categories, areas, departments) is held per process in production, so it is
turned on here: with it, none of these pages queries those tables."""

from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import event

from portal.core import cache as page_cache


@pytest.fixture
def reference_cache(app, monkeypatch):
    page_cache.clear_local()
    monkeypatch.setitem(app.config, "REFERENCE_CACHE", True)
    yield
    page_cache.clear_local()


@contextlib.contextmanager
def statements():
    from portal.extensions import db

    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        if "SAVEPOINT" not in statement:  # the test's own transaction handling
            seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _get(client, path: str, rows_marker: str | None = None, rows: int | None = None) -> list[str]:
    client.get(path)  # reference data loaded once for the process, as in production
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200
    if rows_marker:
        assert response.get_data(as_text=True).count(rows_marker) == rows
    return seen


def _describe(seen: list[str]) -> str:
    return "\n".join(s[:120] for s in seen)


def _whole_reference_tables(seen: list[str]) -> list[str]:
    """Statements reading a whole reference table (what reference_data holds)."""
    return [s for s in seen if re.search(r"FROM (department|area|service_category)\b(?! WHERE)", s)]


# The most each page may run (what they ran before this work is in brackets): the signed-in
# user is held per process (accounts.services.load_user), so none of these loads it again.
QUEUE_ADMIN = 1  # the rows; who works where and their names are held [11, then 5, then 4]
QUEUE_STAFF = 2  # + the dispatcher [13, then 6, then 5]
# the request, its timeline, files, reply templates, who may act [15, then 11], and the one
# INSERT of the personal-data log (the page shows the resident's details)
STAFF_PAGE = 11
MINE = 1  # the page of requests [3, then 2]


@pytest.mark.parametrize("who, most", [("administrator", QUEUE_ADMIN), ("lead_staff", QUEUE_STAFF)])
def test_the_staff_queue_runs_the_same_few_statements_for_5_or_25_rows(
        world, client_for, reference_cache, who, most):
    client = client_for(world.users[who])
    assignee = world.users["colleague"].id
    world.requests(3)
    world.requests(2, assigned_user_id=assignee)
    small = _get(client, "/en/staff/queue/", '<tr id="queue-row-', 5)
    world.requests(10)
    world.requests(10, assigned_user_id=world.users["lead_staff"].id)
    big = _get(client, "/en/staff/queue/", '<tr id="queue-row-', 25)
    assert len(small) == len(big) <= most, _describe(big)
    # none of the reference tables, whatever the filters ask for
    filtered = _get(client, f"/en/staff/queue/?department={world.departments['roads'].id}"
                            f"&category={world.category.id}&sort=updated")
    assert not _whole_reference_tables(filtered), _describe(filtered)


def test_a_staff_request_page_runs_the_same_statements_for_3_or_23_events(
        world, client_for, db_session, reference_cache):
    from portal.feedback import services

    staff = world.users["lead_staff"]
    client = client_for(staff)
    item = world.request(state="acknowledged")
    path = f"/en/staff/requests/{item.tracking_code}"
    small = _get(client, path)
    for n in range(20):
        services.note(db_session, staff, item, f"Checked the site, visit {n}.")
    db_session.commit()
    big = _get(client, path)
    assert "visit 19" in client.get(path).get_data(as_text=True)
    assert len(small) == len(big) <= STAFF_PAGE, _describe(big)
    assert not _whole_reference_tables(big), _describe(big)


def test_your_requests_runs_two_statements_for_5_or_25_requests(world, client_for, reference_cache):
    resident = world.users["resident"]
    client = client_for(resident)
    world.requests(5, resident=resident)
    small = _get(client, "/en/requests/mine")
    world.requests(20, resident=resident)
    big = _get(client, "/en/requests/mine")
    assert len(small) == len(big) <= MINE, _describe(big)


def test_the_held_staff_directory_follows_every_change_at_once(
        world, client_for, db_session, factories, reference_cache):
    """Who works where and their names are held per process (``services.staff_directory``):
    a colleague joining, renamed, blocked or leaving shows on the next page, for a staff
    member (their department's colleagues) and an administrator (everyone), and the rows'
    assignees keep their names."""
    from portal.accounts.services import set_roles
    from portal.core.models import utcnow
    from portal.core.roles import STAFF
    from tests.functional.support import page

    lead = world.users["lead_staff"]
    world.requests(1, assigned_user_id=world.users["colleague"].id)

    clients = {}  # signed in once: a login writes a session row, which would bump "accounts"

    def choices(user):
        if user.id not in clients:
            clients[user.id] = client_for(user)
        response = clients[user.id].get("/en/staff/queue/")
        assert response.status_code == 200
        html = page(response)
        return ([o.text.strip() for o in html.one("select", id="assignee").find_all("option")][1:],
                html.one("table").text)

    assert choices(lead)[0] == ["Colleague", "Lead Staff"]
    assert "Colleague" in choices(world.users["administrator"])[1]
    newcomer = factories.user(roles=["staff"], display_name="Ada Newcomer")
    assert choices(lead)[0] == ["Colleague", "Lead Staff"]
    admin = world.users["administrator"]
    roads = world.departments["roads"].id
    set_roles(db_session, admin, newcomer, {STAFF}, department_ids={roads})
    assert choices(lead)[0] == ["Ada Newcomer", "Colleague", "Lead Staff"]
    world.users["colleague"].display_name = "Colleague Renamed"
    newcomer.blocked_at = utcnow()
    db_session.commit()
    names, rows = choices(lead)
    assert names == ["Colleague Renamed", "Lead Staff"] and "Colleague Renamed" in rows
    assert "Ada Newcomer" not in choices(world.users["administrator"])[0]
    set_roles(db_session, admin, world.users["colleague"], {STAFF}, department_ids=set())
    names, rows = choices(lead)
    assert names == ["Lead Staff"] and "Colleague Renamed" in rows  # still the assignee
