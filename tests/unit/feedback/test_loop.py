"""The closed loop through the services: every transition, its event and its side effects."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.core.errors import Forbidden, Invalid
from portal.core.models import OutboxMessage
from portal.core.notifications import Notification
from portal.feedback import services
from portal.feedback.models import Request, RequestEvent
from portal.moderation.models import QueueItem


def submit(city, user, category="pothole", area="north-hill", **kw):
    return services.submit(city.session, user, services.Submission(
        category=city.categories[category], area=city.areas[area], title=kw.pop("title", "Hole"),
        description=kw.pop("description", "A deep hole in the road near the school."),
        location_text=kw.pop("location_text", "12 Hillside Road"),
        answers=kw.pop("answers", {"size": "small"}),
        **kw))


@pytest.fixture
def loop(city, db_session):
    city.session = db_session
    return city


def kinds(session, request):
    return [e.kind for e in session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(RequestEvent.seq))]


def test_submit_routes_by_most_specific_rule_and_explains(loop, db_session):
    resident = loop.users["resident"]
    item = submit(loop, resident, area="old-market")  # community in Old Town: the district rule
    assert item.state == "routed" and item.state_type == "open"
    assert item.lead_department.code == "old-town-office"
    assert list(item.co_department_ids) == [loop.departments["roads"].id]
    routed = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                          RequestEvent.kind == "routed"))
    assert routed.data["rule_id"] == item.routing_rule_id and routed.data["area"] == "old-town"
    assert item.tracking_code == f"R-{item.created_at.year}-{item.id:06d}"
    assert item.ack_due_at and item.resolve_due_at > item.ack_due_at
    assert item.deadline_explanation["resolve"]["unit"] == "working_days"
    queue = db_session.scalar(select(QueueItem).where(QueueItem.item_id == item.id))
    assert queue.department_id == item.lead_department_id and not queue.done
    assert queue.due_at == item.ack_due_at
    mails = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == resident.email))
    assert any(item.tracking_code in m.subject for m in mails)


def test_city_rule_applies_when_no_area_rule(loop):
    item = submit(loop, loop.users["resident"], area="harbour-quay")
    assert item.lead_department.code == "roads"


def test_no_rule_goes_to_dispatcher(loop, db_session):
    from datetime import date

    from portal.responsibility.models import ResponsibilityRule
    from portal.responsibility.services import end_rule

    for rule in db_session.scalars(select(ResponsibilityRule).where(
            ResponsibilityRule.category_id == loop.categories["noise"].id)):
        end_rule(db_session, loop.users["admin"], rule, date.today())  # ends today: out of force
    item = submit(loop, loop.users["resident"], category="noise", answers={})
    assert item.lead_department.code == "dispatch" and item.routing_rule_id is None


def test_required_extra_question_and_location(loop):
    with pytest.raises(Invalid) as exc:
        submit(loop, loop.users["resident"], answers={}, location_text="")
    assert "attribute[size]" in exc.value.errors and "location_text" in exc.value.errors


def test_whole_loop_resolved_with_hash_chain(loop, db_session):
    resident, roads = loop.users["resident"], loop.users["roads"]
    item = submit(loop, resident)
    services.acknowledge(db_session, roads, item, "We will look at it.")
    services.start_work(db_session, roads, item)
    services.answer(db_session, roads, item, "The hole was filled on Tuesday.")
    assert item.state == "answered" and item.confirm_due_at
    services.respond(db_session, resident, item, True, 4, "Thanks")
    assert item.state == "closed_resolved" and item.resolved and item.satisfaction == 4
    assert kinds(db_session, item) == ["submitted", "routed", "acknowledged", "started", "answered",
                                        "resolved_confirmed"]
    assert services.verify(db_session, item).ok
    assert db_session.scalar(select(QueueItem.done).where(QueueItem.item_id == item.id))


def test_unresolved_reopens_with_priority_and_new_deadlines(loop, db_session):
    resident, roads = loop.users["resident"], loop.users["roads"]
    item = submit(loop, resident)
    services.answer(db_session, roads, item, "Filled it, should be fine now.")
    services.respond(db_session, resident, item, False, 2, "Still broken")
    assert item.state == "reopened" and item.priority and item.resolved is False
    assert item.acknowledged_at is None
    assert db_session.scalar(select(QueueItem.priority).where(QueueItem.item_id == item.id))
    services.acknowledge(db_session, roads, item)
    assert item.state == "acknowledged"


def test_only_the_resident_answers_and_only_handlers_act(loop, db_session):
    item = submit(loop, loop.users["resident"])
    with pytest.raises(Forbidden):
        services.acknowledge(db_session, loop.users["water"], item)  # another department
    with pytest.raises(Forbidden):
        services.acknowledge(db_session, loop.users["resident"], item)
    services.acknowledge(db_session, loop.users["moderator"], item)  # moderators see all
    services.answer(db_session, loop.users["roads"], item, "Done and dusted now.")
    with pytest.raises(Forbidden):
        services.respond(db_session, loop.users["resident.zh"], item, True, 5)


def test_pause_moves_the_deadline_by_the_working_days_waited(loop, db_session, monkeypatch):
    resident, roads = loop.users["resident"], loop.users["roads"]
    item = submit(loop, resident)
    due = item.resolve_due_at
    services.ask_for_information(db_session, roads, item, "Which side of the road?")
    assert item.state == "waiting" and item.paused_at
    assert db_session.scalar(select(QueueItem.done).where(QueueItem.item_id == item.id))
    later = item.paused_at + timedelta(days=7)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    services.provide_information(db_session, resident, item, "The north side.")
    assert item.state == "in_progress" and item.paused_at is None
    assert item.resolve_due_at > due
    change = item.deadline_explanation["changes"][-1]
    assert change["kind"] == "paused" and change["working_days"] >= 4


def test_extend_once_with_public_reason(loop, db_session):
    roads = loop.users["roads"]
    item = submit(loop, loop.users["resident"])
    due = item.resolve_due_at
    with pytest.raises(Invalid):
        services.extend(db_session, roads, item, 5, "  ")
    services.extend(db_session, roads, item, 5, "Waiting for asphalt delivery.")
    assert item.resolve_due_at > due and item.extended
    with pytest.raises(Invalid) as exc:
        services.extend(db_session, roads, item, 3, "Again")
    assert "days" in exc.value.errors


def test_return_to_dispatcher_then_reassign(loop, db_session):
    item = submit(loop, loop.users["resident"])
    services.return_to_dispatcher(db_session, loop.users["roads"], item, "Private road.")
    assert item.state == "returned" and item.lead_department.code == "dispatch"
    queue = db_session.scalar(select(QueueItem).where(QueueItem.item_id == item.id))
    assert queue.department_id is None and not queue.done  # nobody's but the dispatcher's
    with pytest.raises(Forbidden):
        services.acknowledge(db_session, loop.users["roads"], item)
    services.reassign(db_session, loop.users["dispatcher"], item, loop.departments["north-office"],
                      "The district maintains private access roads.")
    assert item.state == "routed" and item.lead_department.code == "north-office"


def test_close_as_duplicate_links_and_follows_original(loop, db_session):
    original = submit(loop, loop.users["resident.zh"])
    copy = submit(loop, loop.users["resident"])
    services.close(db_session, loop.users["roads"], copy, "closed_duplicate", "Reported already",
                   duplicate_of=original)
    assert copy.state == "closed_duplicate" and copy.duplicate_of_id == original.id
    assert services.is_following(db_session, loop.users["resident"], original)
    assert original.followers_count == 1


def test_followers_are_notified_of_public_changes_only(loop, db_session):
    item = submit(loop, loop.users["resident"])
    follower = loop.users["resident.ug"]
    services.follow(db_session, follower, item)

    def about_item():
        return [n for n in db_session.scalars(select(Notification).where(Notification.user_id == follower.id))
                if n.params.get("code") == item.tracking_code]

    services.note(db_session, loop.users["roads"], item, "Internal only")
    assert about_item() == []
    services.acknowledge(db_session, loop.users["roads"], item)
    notes = about_item()
    assert len(notes) == 1 and notes[0].key == "feedback.followed_changed"


def test_escalation_and_closing_without_confirmation(loop, db_session):
    item = submit(loop, loop.users["resident"])
    late = item.ack_due_at + timedelta(hours=1)
    counts = services.check_deadlines(db_session, now=late)
    assert counts["escalated"] >= 1 and item.overdue and item.escalation_level == 1
    assert services.check_deadlines(db_session, now=late)["escalated"] == 0  # once per level
    services.check_deadlines(db_session, now=late + timedelta(days=1))
    assert item.escalation_level == 2
    supervisor = loop.users["roads"]
    assert db_session.scalar(select(Notification).where(Notification.user_id == supervisor.id,
                                                        Notification.key == "feedback.escalated"))
    services.answer(db_session, loop.users["roads"], item, "Fixed it this morning.")
    counts = services.check_deadlines(db_session, now=item.confirm_due_at + timedelta(minutes=1))
    assert counts["closed"] >= 1 and item.state == "closed_unconfirmed"


def test_withdraw_and_remove_personal_data(loop, db_session):
    resident = loop.users["resident"]
    item = submit(loop, resident, contact_phone="555 0199", show_name=True)
    with pytest.raises(Invalid):
        services.remove_personal_data(db_session, resident, item)
    services.withdraw(db_session, resident, item, "Fixed by a neighbour")
    services.remove_personal_data(db_session, resident, item)
    assert item.contact_email is None and item.contact_phone is None and not item.show_name
    assert "12" not in item.location_text
    assert str(services.public_name(item)) == "A resident"


def test_visitor_request_held_until_confirmed(loop, db_session):
    item = submit(loop, None, contact_email="visitor@example.org")
    assert item.state == "unconfirmed" and item.lead_department_id is None
    with pytest.raises(services.NotFound):
        services.by_code(db_session, item.tracking_code)
    services.confirm_visitor(db_session, item.visitor_token)
    assert item.state == "routed" and services.by_code(db_session, item.tracking_code) is item


def test_tampering_breaks_the_chain(loop, db_session):
    item = submit(loop, loop.users["resident"])
    services.acknowledge(db_session, loop.users["roads"], item, "Seen")
    event = db_session.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                         RequestEvent.kind == "acknowledged"))
    event.public_text = "Something else"
    db_session.flush()
    result = services.verify(db_session, item)
    assert not result.ok and result.broken_at == event.seq


def test_similar_open_requests_and_search(loop, db_session):
    first = submit(loop, loop.users["resident"], title="路灯不亮",
                   description="学校门口的路灯不亮了，晚上很黑。")
    similar = services.similar_open(db_session, loop.categories["pothole"], loop.areas["north-hill"],
                                    "路灯坏了")
    assert first in similar
    page = services.public_list(db_session, services.ListFilter(q="路灯"))
    assert first in page.items
    assert all(r.state_type != "pending" for r in page.items)
    assert isinstance(first.created_at, datetime)
    assert db_session.get(Request, first.id) is first


def test_metrics_snapshot_matches_the_exact_figures_and_is_replaced(loop, db_session):
    from portal.feedback import metrics
    from portal.feedback.models import MetricsSnapshot

    item = submit(loop, loop.users["resident"])
    services.answer(db_session, loop.users["roads"], item, "Filled and sealed today.")
    services.respond(db_session, loop.users["resident"], item, True, 5)
    exact, groups = metrics.compute(db_session, "category")
    assert metrics.latest(db_session, "category") is None  # never computed on a read
    metrics.refresh(db_session)
    total, snap_groups, computed_at = metrics.latest(db_session, "category")
    assert computed_at is not None
    assert total == metrics.Summary.of(exact)
    assert snap_groups == {k: metrics.Summary.of(f) for k, f in groups.items()}
    assert total.resolution_rate == exact.resolution_rate
    metrics.refresh(db_session)
    assert db_session.query(MetricsSnapshot).count() == 1  # the older one is gone
