"""The staff queue: who sees what, filters, sorting, pages, bulk and row actions, htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.core.models import utcnow
from portal.feedback.models import Request
from portal.moderation import services as queue
from portal.moderation.models import QueueItem
from tests.functional.support import page


def codes(response) -> list[str]:
    """The tracking codes of the rows, in order."""
    tree = page(response)
    return [th.text for th in tree.find_all("th", scope="row")]


@pytest.fixture
def spread(world):
    """One routed request for roads and one for water, one back with the dispatcher."""
    roads = world.request("roads")
    water = world.request("water")
    returned = world.request("dispatch", state="returned")
    return {"roads": roads, "water": water, "returned": returned}


def test_queue_needs_login_and_a_staff_role(world, client_for):
    response = client_for(None).get("/en/staff/queue/")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]
    for name in ("resident", "organization_member"):
        assert client_for(world.users[name]).get("/en/staff/queue/").status_code == 403


@pytest.mark.parametrize("role, sees", [
    ("lead_staff", {"roads"}),
    ("other_staff", {"water"}),
    ("dispatcher", {"returned"}),
    ("moderator", {"roads", "water", "returned"}),
    ("administrator", {"roads", "water", "returned"}),
])
def test_each_role_sees_its_part_of_the_queue(world, spread, client_for, db_session, role, sees):
    user = world.users[role]
    response = client_for(user).get("/en/staff/queue/")
    assert response.status_code == 200
    assert set(codes(response)) == {spread[k].tracking_code for k in sees}
    # the service says the same thing the page shows
    rows = db_session.scalars(queue.visible(db_session, user)).all()
    assert {r.reference for r in rows} == {spread[k].tracking_code for k in sees}


def test_staff_without_department_and_residents_see_nothing(world, spread, factories, db_session):
    lonely = factories.user(roles=("staff",))
    assert db_session.scalars(queue.visible(db_session, lonely)).all() == []
    assert db_session.scalars(queue.visible(db_session, world.users["resident"])).all() == []


def test_returned_request_leaves_the_department_queue(world, spread, client_for, db_session, app):
    from portal.feedback import services

    item = spread["roads"]
    with app.test_request_context():
        services.return_to_dispatcher(db_session, world.users["lead_staff"], item, "Private road.")
    assert item.tracking_code not in codes(client_for(world.users["lead_staff"]).get("/en/staff/queue/"))
    assert item.tracking_code in codes(client_for(world.users["dispatcher"]).get("/en/staff/queue/"))


def test_rows_show_what_staff_need(world, client_for, db_session):
    item = world.request(priority=True, state="reopened", assigned_user_id=world.users["colleague"].id)
    db_session.execute(QueueItem.__table__.update().where(QueueItem.item_id == item.id)
                       .values(due_at=utcnow() - timedelta(hours=2)))
    db_session.commit()
    response = client_for(world.users["lead_staff"]).get("/en/staff/queue/")
    row = page(response).one("tr", id=f"queue-row-{db_session.scalar(select(QueueItem.id))}")
    text = row.text
    for expected in (item.tracking_code, item.title, "Pothole", "Riverside", "Roads office",
                     "Reopened", "Priority", "Overdue", "Colleague"):
        assert expected in text, expected
    link = row.one("a")
    assert link.get("href") == f"/en/staff/requests/{item.tracking_code}"
    assert row.one("time").get("datetime").endswith("Z")
    assert row.find("td", lang="en") is not None  # the resident's title keeps its language
    checkbox = row.one("input", type="checkbox")
    label = row.one("label")
    assert label.get("for") == checkbox.get("id") and item.tracking_code in label.text


def test_filters(world, client_for, db_session, factories):
    community = factories.area(code="riverside-east", parent=world.area, en="Riverside East")
    other = factories.service_category(code="litter", en="Litter")
    a = world.request()
    b = world.request(state="in_progress")
    from portal.feedback.staff.queue import sync_queue

    made = factories.feedback_requests(1, other, community, world.departments["roads"],
                                       resident=world.users["resident"], state="routed")
    sync_queue(db_session, made[0])
    answered = world.request(state="answered")
    mine = world.request(assigned_user_id=world.users["lead_staff"].id)
    db_session.commit()
    client = client_for(world.users["lead_staff"])

    def shown(**args):
        return set(codes(client.get("/en/staff/queue/", query_string=args)))

    everything = {a.tracking_code, b.tracking_code, made[0].tracking_code, mine.tracking_code}
    assert shown() == everything  # the answered one has nothing left to do
    assert answered.tracking_code in shown(done="y")
    assert shown(category=str(other.id)) == {made[0].tracking_code}
    assert shown(area=str(community.id)) == {made[0].tracking_code}
    assert shown(area=str(world.area.id)) == everything  # a district includes its communities
    assert shown(state="in_progress") == {b.tracking_code}
    assert shown(department=str(world.departments["water"].id)) == set()
    assert shown(mine="y") == {mine.tracking_code}
    assert shown(overdue="y") == set()
    db_session.execute(QueueItem.__table__.update().where(QueueItem.item_id == b.id)
                       .values(due_at=utcnow() - timedelta(minutes=5)))
    db_session.commit()
    assert shown(overdue="y") == {b.tracking_code}
    # the filter form keeps what was chosen
    response = client.get("/en/staff/queue/", query_string={"state": "in_progress", "mine": "y"})
    tree = page(response)
    assert "selected" in tree.one("select", id="state").find("option", value="in_progress").attrs
    assert "checked" in tree.one("input", id="mine").attrs
    # malformed values are ignored, not a 500
    assert client.get("/en/staff/queue/?department=x&area=&after=zzz&sort=nope").status_code == 200


def test_sorting_by_deadline_puts_priority_first_then_soonest(world, client_for, db_session):
    late, soon, urgent = world.requests(3)
    now = utcnow()
    for item, due, priority in ((late, now + timedelta(days=9), False),
                                (soon, now + timedelta(days=1), False),
                                (urgent, now + timedelta(days=20), True)):
        db_session.execute(QueueItem.__table__.update().where(QueueItem.item_id == item.id)
                           .values(due_at=due, due_sort=due, priority=priority,
                                   sort_rank=0 if priority else 1, updated_at=due))
    db_session.commit()
    client = client_for(world.users["lead_staff"])
    assert codes(client.get("/en/staff/queue/")) == [
        urgent.tracking_code, soon.tracking_code, late.tracking_code]
    assert codes(client.get("/en/staff/queue/?sort=updated")) == [
        urgent.tracking_code, late.tracking_code, soon.tracking_code]


@pytest.mark.parametrize("sort", ["due", "updated"])
def test_pages_follow_each_other_without_gaps_or_repeats(world, client_for, db_session, sort):
    made = world.requests(30)  # same deadline for all: the id breaks the ties
    priority = {m.id for m in made[::7]}
    db_session.execute(QueueItem.__table__.update().where(QueueItem.item_id.in_(priority))
                       .values(priority=True, sort_rank=0))
    db_session.commit()
    client = client_for(world.users["lead_staff"])
    seen, url, pages = [], f"/en/staff/queue/?sort={sort}", 0
    while url:
        response = client.get(url)
        seen += codes(response)
        pages += 1
        nxt = page(response).find("a", rel="next")
        url = nxt.get("href") if nxt else None
    assert pages == 2
    assert sorted(seen) == sorted(m.tracking_code for m in made) and len(seen) == len(set(seen))
    if sort == "due":
        assert set(seen[:len(priority)]) == {m.tracking_code for m in made if m.id in priority}


def _ids(db_session, *requests):
    return [db_session.scalar(select(QueueItem.id).where(QueueItem.item_id == r.id)) for r in requests]


def test_bulk_assign_to_me_and_to_a_colleague(world, client_for, db_session):
    a, b, c = world.requests(3)
    client = client_for(world.users["lead_staff"])
    response = client.post("/en/staff/queue/bulk?state=routed",
                           data={"items": _ids(db_session, a, b), "action": "assign_me"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/staff/queue/?state=routed"  # filters kept
    db_session.expire_all()
    assert a.assigned_user_id == b.assigned_user_id == world.users["lead_staff"].id
    assert c.assigned_user_id is None
    assert "2 items updated." in client.get(response.headers["Location"]).get_data(as_text=True)

    colleague = world.users["colleague"]
    response = client.post("/en/staff/queue/bulk", data={
        "items": _ids(db_session, b, c), "action": "assign_to", "assignee": colleague.id})
    assert response.status_code == 303
    db_session.expire_all()
    assert b.assigned_user_id == c.assigned_user_id == colleague.id
    row = db_session.scalar(select(QueueItem).where(QueueItem.item_id == c.id))
    assert row.assigned_user_id == colleague.id


def test_bulk_acknowledge_reports_what_could_not_be_done(world, client_for, db_session):
    routed = world.request()
    working = world.request(state="in_progress")
    client = client_for(world.users["lead_staff"])
    response = client.post("/en/staff/queue/bulk", data={
        "items": _ids(db_session, routed, working), "action": "acknowledge"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    db_session.expire_all()
    assert routed.state == "acknowledged" and working.state == "in_progress"
    assert "1 item updated." in html and working.tracking_code in html


def test_bulk_cannot_touch_items_outside_ones_queue(world, client_for, db_session):
    water = world.request("water")
    response = client_for(world.users["lead_staff"]).post(
        "/en/staff/queue/bulk", data={"items": _ids(db_session, water), "action": "assign_me"},
        follow_redirects=True)
    db_session.expire_all()
    assert water.assigned_user_id is None
    assert "not in your queue" in response.get_data(as_text=True)


def test_bulk_errors_are_shown_beside_the_fields(world, client_for, db_session):
    a = world.request()
    client = client_for(world.users["lead_staff"])
    response = client.post("/en/staff/queue/bulk", data={"action": "assign_me"})
    assert response.status_code == 422
    tree = page(response)
    assert tree.one("title").text.startswith("Error:")
    summary = tree.one("div", class_="error-summary")
    assert summary.one("a").get("href") == "#items-0" and tree.by_id("items-0") is not None
    assert "Select at least one item." in tree.by_id("items-0").text

    response = client.post("/en/staff/queue/bulk",
                           data={"items": _ids(db_session, a), "action": "assign_to"})
    assert response.status_code == 422
    tree = page(response)
    assert "Choose the colleague" in tree.by_id("assignee-field").text
    # what was ticked and chosen is kept
    assert "checked" in tree.one("input", value=str(_ids(db_session, a)[0]), type="checkbox").attrs
    assert "checked" in tree.one("input", id="action-1").attrs

    stranger = world.users["other_staff"]
    response = client.post("/en/staff/queue/bulk", data={
        "items": _ids(db_session, a), "action": "assign_to", "assignee": stranger.id})
    assert response.status_code == 422
    assert "Choose a colleague from the list." in page(response).by_id("assignee-field").text


def test_row_action_without_and_with_htmx(world, client_for, db_session):
    a, b = world.requests(2)
    client = client_for(world.users["lead_staff"])
    row_a, row_b = _ids(db_session, a, b)
    response = client.post(f"/en/staff/queue/{row_a}/acknowledge?mine=", data={})
    assert response.status_code == 303
    db_session.expire_all()
    assert a.state == "acknowledged"

    response = client.post(f"/en/staff/queue/{row_b}/assign_me", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="queue-table"' in html
    assert 'hx-swap-oob="true"' in html and "1 item updated." in html
    db_session.expire_all()
    assert b.assigned_user_id == world.users["lead_staff"].id
    # a row one cannot see is not found
    water = world.request("water")
    assert client.post(f"/en/staff/queue/{_ids(db_session, water)[0]}/assign_me").status_code == 404


def test_htmx_filters_and_bulk_return_the_table(world, client_for, db_session):
    a = world.request()
    client = client_for(world.users["lead_staff"])
    response = client.get("/en/staff/queue/?state=routed", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and a.tracking_code in html
    response = client.post("/en/staff/queue/bulk", data={"action": "acknowledge"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx only swaps 2xx: the fragment carries the error
    assert "Select at least one item." in response.get_data(as_text=True)


def test_queue_posts_need_the_csrf_token(world, client, db_session, app, monkeypatch):
    from tests.conftest import csrf_token_from
    from tests.factories import PASSWORD

    a = world.request()
    (row,) = _ids(db_session, a)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    user = world.users["lead_staff"]
    assert client.post("/en/account/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 303
    response = client.post("/en/staff/queue/bulk", data={"items": [row], "action": "assign_me"})
    assert response.status_code == 400
    assert client.post(f"/en/staff/queue/{row}/assign_me").status_code == 400
    db_session.expire_all()
    assert a.assigned_user_id is None
    token = csrf_token_from(client.get("/en/staff/queue/").get_data(as_text=True))
    response = client.post("/en/staff/queue/bulk",
                           data={"items": [row], "action": "assign_me", "csrf_token": token})
    assert response.status_code == 303
    db_session.expire_all()
    assert a.assigned_user_id == user.id


def test_the_queue_page_makes_the_same_number_of_queries_for_10_or_500(world, client_for, db_session, app):
    from portal.extensions import db

    client = client_for(world.users["lead_staff"])
    assignee = world.users["colleague"].id

    def queries() -> list[str]:
        statements = []

        def on_execute(conn, cursor, statement, *args):
            if "SAVEPOINT" not in statement:  # the test's own transaction handling
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            response = client.get("/en/staff/queue/")
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('<tr id="queue-row-') == min(rows, 25)
        return statements

    world.requests(5)
    world.requests(5, assigned_user_id=assignee)
    rows = 10
    small = queries()
    world.requests(245)
    world.requests(245, assigned_user_id=assignee)
    rows = 500
    assert db_session.scalar(select(Request.id).order_by(Request.id.desc()).limit(1)) >= 500
    big = queries()
    assert len(small) == len(big), "\n".join(s[:80] for s in big)
