"""Co-handling departments: they see the request in their queue (marked as co-handling), are
notified like the lead, and the timeline names the department each staff member acted under."""

import pytest
from sqlalchemy import select

from portal.core.notifications import Notification
from portal.feedback import services
from portal.feedback.models import RequestEvent
from portal.moderation import services as queue
from portal.moderation.models import QueueItem, queue_item_co_department


@pytest.fixture
def loop(city, db_session, app):
    city.session = db_session
    with app.test_request_context():
        yield city


def pothole_in_old_town(loop):
    return services.submit(loop.session, loop.users["resident"], services.Submission(
        category=loop.categories["pothole"], area=loop.areas["old-bridge"], title="Hole on the bridge",
        description="A deep hole at the east end of the stone bridge.", location_text="Stone Bridge",
        answers={"size": "medium"}))


def queue_item(session, item) -> QueueItem:
    return session.scalar(select(QueueItem).where(QueueItem.module == "feedback",
                                                  QueueItem.item_id == item.id))


def visible_ids(session, user, **filters) -> set[int]:
    rows, _cursor = queue.page(session, user, queue.QueueFilter(**filters), per_page=100)
    return {row.item_id for row in rows}


def for_department(session, user, item) -> list[str]:
    return [n.params["event"]["key"] for n in session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.key == "feedback.for_department")
        .order_by(Notification.id)) if n.params["code"] == item.tracking_code]


def test_the_co_handling_department_sees_it_in_its_queue_marked_as_co_handling(loop, db_session):
    item = pothole_in_old_town(loop)
    roads, oldtown, water = loop.users["roads"], loop.users["oldtown"], loop.users["water"]
    assert item.lead_department.code == "old-town-office"
    row = queue_item(db_session, item)
    assert queue.co_department_ids(db_session, row) == {loop.departments["roads"].id}
    assert item.id in visible_ids(db_session, roads)
    assert item.id in visible_ids(db_session, oldtown)
    assert item.id not in visible_ids(db_session, water)
    assert queue.co_handled(db_session, roads, [row]) == {row.id}
    assert queue.co_handled(db_session, oldtown, [row]) == set()  # the lead's own
    # the department filter finds what a department leads and what it co-handles
    assert item.id in visible_ids(db_session, roads, department_id=loop.departments["roads"].id)
    assert queue.get_visible(db_session, roads, row.id) == row


def test_returning_it_takes_it_out_of_the_co_handlers_queue(loop, db_session):
    item = pothole_in_old_town(loop)
    roads = loop.users["roads"]
    services.return_to_dispatcher(db_session, loop.users["oldtown"], item, "Heritage trust's road.")
    assert item.id not in visible_ids(db_session, roads)
    assert item.id in visible_ids(db_session, loop.users["dispatcher"])
    assert db_session.scalars(select(queue_item_co_department).where(
        queue_item_co_department.c.queue_item_id == queue_item(db_session, item).id)).all() == []


def test_the_lead_and_the_co_handlers_are_notified_alike(loop, db_session):
    item = pothole_in_old_town(loop)
    roads, oldtown, resident = loop.users["roads"], loop.users["oldtown"], loop.users["resident"]
    assert for_department(db_session, oldtown, item) == ["feedback.event.routed"]
    assert for_department(db_session, roads, item) == ["feedback.event.routed"]
    services.answer(db_session, roads, item, "The hole was filled on Tuesday morning.")
    services.respond(db_session, resident, item, False, 2, "It has opened again.")
    assert for_department(db_session, oldtown, item)[-1] == "feedback.event.reopened"
    assert for_department(db_session, roads, item)[-1] == "feedback.event.reopened"
    # nobody is told about what they did themselves
    assert "feedback.event.answered" not in for_department(db_session, roads, item)
    note = db_session.scalar(select(Notification).where(Notification.user_id == roads.id,
                                                        Notification.key == "feedback.for_department"))
    assert note.endpoint == "feedback_staff.detail"


def test_events_store_the_department_the_staff_member_acted_under(loop, db_session):
    item = pothole_in_old_town(loop)
    roads, oldtown = loop.users["roads"], loop.users["oldtown"]
    ack = services.acknowledge(db_session, oldtown, item, "We have it.")
    answer = services.answer(db_session, roads, item, "The roads bureau filled the hole.")
    assert ack.data["acting_department"] == "old-town-office"
    assert answer.data["acting_department"] == "roads"  # a co-handler, not the lead
    submitted = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                             RequestEvent.kind == "submitted"))
    assert "acting_department" not in submitted.data  # residents act for nobody
    assert services.verify(db_session, item).ok  # and it is part of the hashed event


def test_returning_and_reassigning_name_the_department_before_the_change(loop, db_session):
    item = pothole_in_old_town(loop)
    returned = services.return_to_dispatcher(db_session, loop.users["roads"], item, "Not ours at all.")
    assert returned.data["acting_department"] == "roads"
    reassigned = services.reassign(db_session, loop.users["dispatcher"], item,
                                   loop.departments["water"], "It is a water main.")
    assert reassigned.data["acting_department"] == "dispatch"
