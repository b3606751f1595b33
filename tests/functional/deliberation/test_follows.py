"""Following halls, debates and proposals: the buttons, the automatic follows, what followers
are told (once each, never the actor), each follow's frequency, digests, and the statements
it takes to tell a thousand followers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core import notifications
from portal.core.models import OutboxMessage
from portal.core.notifications import Notification
from portal.deliberation import debates, follows, services
from portal.deliberation import proposals as svc
from portal.deliberation.models import Follow
from tests.functional.support import QueryCounter, page


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    factories.department(code="dispatch", en="Dispatch centre")
    parks = factories.department(code="parks", en="Parks department")
    category = factories.service_category(code="park-upkeep", en="Park upkeep")
    factories.responsibility_rule(category, city, parks)
    host = factories.user(roles=["staff"], display_name="Hana Host")
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", names={"en": "Forum", "es": "Foro"},
        purposes={"en": "For all"}, support_threshold=2))
    author, member, reader = (factories.user(display_name=n) for n in ("Ann", "Ben", "Rea"))
    for person in (author, member):
        services.join(db_session, person, hall)
    return {"city": city, "hall": hall, "host": host, "author": author, "member": member,
            "reader": reader, "category": category,
            "parks_staff": factories.user(roles=["staff"], departments=[parks]),
            "admin": factories.user(roles=["administrator"])}


def _proposal(db_session, world, title="More benches by the river"):
    return svc.create_proposal(db_session, world["author"], world["hall"], svc.ProposalData(
        title=title, body="Benches, please.", area_id=world["city"].id,
        category_id=world["category"].id, source_locale="en"), publish=True)


def _debate(db_session, world, title="Close the riverside road on Sundays?"):
    return debates.open_debate(db_session, world["host"], world["hall"], title, "For people on foot.", "en")


def _notes(db_session, user):
    return list(db_session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def _mails(db_session, user):
    rows = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)
                              .order_by(OutboxMessage.id))
    return list(rows)


def _chosen(doc, name):
    return doc.one("select", name=name).find("option", selected=True).get("value")


def _follows(db_session, user):
    return {(f.target_kind, f.target_id): f.frequency
            for f in db_session.scalars(select(Follow).where(Follow.user_id == user.id))}


# --- the buttons ------------------------------------------------------------------------------------

def test_anonymous_readers_get_a_link_to_log_in_and_no_form(client, world, db_session):
    proposal = _proposal(db_session, world)
    for url in ("/en/halls/forum", f"/en/proposals/{proposal.id}"):
        response = client.get(url)
        doc = page(response)
        section = doc.by_id("follow")
        assert section is not None and section.find("form") is None
        assert "/en/account/login" in section.one("a").get("href")
        assert "Set-Cookie" not in response.headers  # still cacheable
    for url in (f"/en/follow/hall/{world['hall'].id}", f"/en/follow/hall/{world['hall'].id}/unfollow",
                "/en/account/following", "/en/account/following/1", "/en/account/following/1/unfollow"):
        response = client.post(url) if url != "/en/account/following" else client.get(url)
        assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]
    assert db_session.scalar(select(func.count(Follow.id)).where(Follow.user_id == world["reader"].id)) == 0


def test_follow_change_how_often_and_unfollow_without_javascript(client, world, login, db_session, factories):
    reader = factories.user(notify_mode="daily")
    login(reader)
    hall = world["hall"]
    block = page(client.get("/en/halls/forum")).by_id("follow-block")
    # the person's account choice is the default
    assert _chosen(block, "follow-frequency") == "daily"
    response = client.post(f"/en/follow/hall/{hall.id}", data={"follow-frequency": "immediate"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/en/halls/forum#follow")
    assert _follows(db_session, reader) == {("hall", hall.id): "immediate"}
    block = page(client.get("/en/halls/forum")).by_id("follow-block")
    assert "You follow it" in block.text
    assert _chosen(block, "follow-frequency") == "immediate"
    # the same form changes how often
    client.post(f"/en/follow/hall/{hall.id}", data={"follow-frequency": "none"})
    assert _follows(db_session, reader) == {("hall", hall.id): "none"}
    response = client.post(f"/en/follow/hall/{hall.id}/unfollow")
    assert response.status_code == 303
    assert _follows(db_session, reader) == {}
    assert "Follow it to be told" in page(client.get("/en/halls/forum")).by_id("follow-block").text


def test_with_htmx_the_block_swaps_itself_and_the_live_region_says_what_changed(
        client, world, login, db_session):
    login(world["reader"])
    debate = _debate(db_session, world)
    url = f"/en/follow/debate/{debate.id}"
    response = client.post(url, data={"follow-frequency": "daily"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    doc = page(response)
    assert doc.by_id("follow-block") is not None and doc.find("html") is None
    status = doc.by_id("follow-status")
    assert status.get("role") == "status" and status.get("hx-swap-oob") == "true"
    assert "You follow it" in status.text
    response = client.post(f"{url}/unfollow", headers={"HX-Request": "true"})
    assert "You no longer follow it" in page(response).by_id("follow-status").text
    assert _follows(db_session, world["reader"]) == {}


def test_the_debate_and_proposal_pages_have_the_block_for_signed_in_readers(client, world, login, db_session):
    debate, proposal = _debate(db_session, world), _proposal(db_session, world)
    login(world["reader"])
    for url, kind, target_id in ((f"/en/halls/forum/debates/{debate.id}", "debate", debate.id),
                                 (f"/en/proposals/{proposal.id}", "proposal", proposal.id)):
        form = page(client.get(url)).by_id("follow-block").one("form")
        assert form.get("action") == f"/en/follow/{kind}/{target_id}" and form.get("method") == "post"
        assert form.get("hx-post") == form.get("action")


@pytest.mark.parametrize("url", [
    "/en/follow/hall/999999", "/en/follow/hall/99999999999999999999999",
    "/en/follow/meeting/1", "/en/follow/hall/0", "/en/follow/proposal/999999/unfollow",
    "/en/follow/debate/18446744073709551616",
])
def test_unknown_kinds_and_ids_are_not_found(client, world, login, url):
    login(world["reader"])
    assert client.post(url, data={"follow-frequency": "daily"}).status_code == 404


def test_a_draft_is_followed_only_by_its_author(client, world, login, db_session):
    draft = svc.create_proposal(db_session, world["author"], world["hall"], svc.ProposalData(
        title="Draft", body="Not yet.", area_id=world["city"].id, category_id=None, source_locale="en"))
    login(world["reader"])
    response = client.post(f"/en/follow/proposal/{draft.id}", data={"follow-frequency": "daily"})
    assert response.status_code == 404
    assert ("proposal", draft.id) in _follows(db_session, world["author"])  # it came with writing it


def test_an_unknown_frequency_is_refused_in_words(client, world, login, db_session):
    login(world["reader"])
    hall = world["hall"]
    response = client.post(f"/en/follow/hall/{hall.id}", data={"follow-frequency": "hourly"})
    assert response.status_code == 303
    assert "Choose how often you want to hear about it." in page(client.get("/en/halls/forum")).text
    assert _follows(db_session, world["reader"]) == {}
    response = client.post(f"/en/follow/hall/{hall.id}", data={"follow-frequency": "hourly"},
                           headers={"HX-Request": "true"})
    error = page(response).by_id("follow-frequency-error")
    assert response.status_code == 200 and "Choose how often" in error.text
    response = client.post(f"/en/follow/hall/{hall.id}", data={"follow-frequency": "da\x00ily"})
    assert response.status_code == 303 and _follows(db_session, world["reader"]) == {}


# --- what you follow --------------------------------------------------------------------------------

def test_the_following_page_lists_links_and_changes_each_follow(client, world, login, db_session):
    reader = world["reader"]
    debate, proposal = _debate(db_session, world), _proposal(db_session, world)
    follows.follow(db_session, reader, "hall", world["hall"].id, "daily")
    follows.follow(db_session, reader, "debate", debate.id, "immediate")
    mine = follows.follow(db_session, reader, "proposal", proposal.id, "none")
    login(reader)
    doc = page(client.get("/en/account/following"))
    links = [a.get("href") for a in doc.one("ul", class_="follow-list").find_all("a")]
    assert links == [f"/en/proposals/{proposal.id}", f"/en/halls/forum/debates/{debate.id}",
                     "/en/halls/forum"]
    assert _chosen(doc, f"follow-{mine.id}-frequency") == "none"
    response = client.post(f"/en/account/following/{mine.id}", data={f"follow-{mine.id}-frequency": "daily"})
    assert response.status_code == 303
    assert _follows(db_session, reader)[("proposal", proposal.id)] == "daily"
    response = client.post(f"/en/account/following/{mine.id}", data={f"follow-{mine.id}-frequency": "weekly"})
    assert response.status_code == 422
    doc = page(response)
    assert "Choose how often" in doc.by_id(f"follow-{mine.id}-frequency-error").text
    assert doc.one("title").text.startswith("Error")
    response = client.post(f"/en/account/following/{mine.id}/unfollow")
    assert response.status_code == 303
    assert ("proposal", proposal.id) not in _follows(db_session, reader)
    # the account page links here
    account = page(client.get("/en/account/settings"))
    assert "/en/account/following" in [a.get("href") for a in account.find_all("a")]


@pytest.mark.parametrize("who", ["reader", "host", "parks_staff", "admin"])
def test_nobody_changes_another_persons_follow(client, world, login, db_session, who):
    """Not another resident, nor the hall's host, nor staff, nor an administrator."""
    theirs = follows.follow(db_session, world["member"], "hall", world["hall"].id, "daily")
    login(world[who])
    for url, data in ((f"/en/account/following/{theirs.id}", {f"follow-{theirs.id}-frequency": "none"}),
                      (f"/en/account/following/{theirs.id}", {}),
                      (f"/en/account/following/{theirs.id}/unfollow", {}),
                      ("/en/account/following/99999999999999999999", {}),
                      ("/en/account/following/0/unfollow", {})):
        assert client.post(url, data=data).status_code == 404
    db_session.expire_all()
    assert db_session.get(Follow, theirs.id).frequency == "daily"


def test_the_following_page_pages_by_keyset_and_marks_what_is_gone(client, world, login, db_session):
    reader = world["reader"]
    halls = []
    for n in range(23):
        halls.append(services.create_hall(db_session, world["host"], services.HallData(
            slug=f"hall-{n:02d}", area_id=world["city"].id, source_locale="en", names={"en": f"Hall {n}"},
            purposes={"en": "x"})))
        follows.follow(db_session, reader, "hall", halls[-1].id, "daily")
    halls[-1].archived = True
    db_session.commit()
    login(reader)
    with QueryCounter(db_session.get_bind()) as counted:
        doc = page(client.get("/en/account/following"))
    rows = doc.find_all("li", class_="follow-row")
    assert len(rows) == follows.PER_PAGE
    assert "No longer available" in rows[0].text and rows[0].find("select") is None
    assert len(counted.statements) < 15
    older = doc.one("a", rel="next").get("href")
    assert len(page(client.get(older)).find_all("li", class_="follow-row")) == 3


# --- automatic follows ------------------------------------------------------------------------------

def test_joining_commenting_and_proposing_follow_at_the_persons_frequency(db_session, world, factories):
    hall = world["hall"]
    resident = factories.user(notify_mode="daily")
    services.join(db_session, resident, hall)
    assert _follows(db_session, resident) == {("hall", hall.id): "daily"}
    debate = _debate(db_session, world)
    debates.comment(db_session, resident, hall, debate, "Yes, please.", "for")
    assert _follows(db_session, resident)[("debate", debate.id)] == "daily"
    proposal = _proposal(db_session, world)
    assert _follows(db_session, world["author"])[("proposal", proposal.id)] == "immediate"
    # a follow the person changed is kept as they set it
    follows.follow(db_session, resident, "debate", debate.id, "none")
    debates.comment(db_session, resident, hall, debate, "And again.", "for")
    assert _follows(db_session, resident)[("debate", debate.id)] == "none"
    # leaving the hall stops following it; they may follow it again from its page
    services.leave(db_session, resident, hall)
    assert ("hall", hall.id) not in _follows(db_session, resident)


# --- what followers are told ------------------------------------------------------------------------

def test_a_hall_event_tells_its_followers_once_and_not_the_actor(app, db_session, world, factories):
    hall = world["hall"]
    both = factories.user(notify_mode="none")
    follows.follow(db_session, both, "hall", hall.id, "daily")
    proposal = _proposal(db_session, world)  # Ann publishes: the members (who follow) are told
    follows.follow(db_session, both, "proposal", proposal.id, "immediate")
    member_notes = _notes(db_session, world["member"])
    assert [n.key for n in member_notes][-1] == "follow.hall_event_item"
    assert not [n for n in _notes(db_session, world["author"]) if n.key.startswith("follow.")]
    before = len(_notes(db_session, both))
    svc.withdraw(db_session, world["author"], proposal, "Done elsewhere.")
    new = _notes(db_session, both)[before:]
    assert len(new) == 1  # follows the hall and the proposal: told once
    note = new[0]
    assert note.endpoint == "deliberation.proposal" and note.endpoint_args == {"proposal_id": proposal.id}
    assert not note.digest_pending  # the more immediate of daily and immediate
    with app.test_request_context("/en/"):
        assert notifications.text(note) == ("A proposal was withdrawn by its author: “More benches by the "
                                            "river” — in the hall “Forum”.")
        assert notifications.link(note) == f"/en/proposals/{proposal.id}"
    assert len(_mails(db_session, both)) == 1  # the withdrawal, at once


def test_a_hall_event_without_an_item_links_to_the_hall(db_session, world):
    services.update_hall(db_session, world["host"], world["hall"], services.HallData(
        slug="forum", area_id=world["city"].id, source_locale="en", names={"en": "Forum, renamed"},
        purposes={"en": "For all"}))
    note = _notes(db_session, world["member"])[-1]
    assert note.key == "follow.hall_event" and note.endpoint == "deliberation.hall"
    assert note.endpoint_args == {"slug": "forum"}
    assert not [n for n in _notes(db_session, world["host"]) if n.key.startswith("follow.")]


def test_the_author_hears_the_official_answer_in_their_own_words_only(db_session, world, factories):
    proposal = _proposal(db_session, world)
    supporter = factories.user()
    services.join(db_session, supporter, world["hall"])
    for person in (world["member"], supporter):
        svc.support(db_session, person, proposal)
    assert proposal.state == "evaluation"
    svc.answer(db_session, world["parks_staff"], proposal, "accepted", "")
    keys = [n.key for n in _notes(db_session, world["author"])]
    assert keys.count("proposal.evaluation") == 1 and keys.count("proposal.accepted") == 1
    assert "follow.hall_event_item" not in keys
    member_keys = [n.key for n in _notes(db_session, world["member"])]
    assert member_keys.count("follow.hall_event_item") >= 3  # published, evaluation, answered


def test_comments_and_accepted_amendments_tell_the_items_followers(db_session, world, factories):
    hall = world["hall"]
    debate = _debate(db_session, world)
    watcher = factories.user(notify_mode="none")
    follows.follow(db_session, watcher, "debate", debate.id)
    debates.comment(db_session, world["member"], hall, debate, "Good idea.", "for")
    notes = _notes(db_session, watcher)
    assert [n.key for n in notes] == ["follow.debate_comment"]
    assert notes[0].endpoint_args == {"slug": "forum", "debate_id": debate.id}
    assert not [n for n in _notes(db_session, world["member"]) if n.key == "follow.debate_comment"]
    # the host opened it and follows it
    assert [n.key for n in _notes(db_session, world["host"])][-1] == "follow.debate_comment"
    proposal = _proposal(db_session, world)
    follows.follow(db_session, watcher, "proposal", proposal.id)
    amendment = svc.propose_amendment(db_session, world["member"], proposal, "Benches and shade.")
    assert [n.key for n in _notes(db_session, watcher)][-1] != "follow.amendment_accepted"
    svc.decide_amendment(db_session, world["author"], proposal, amendment.id, accept=True)
    assert [n.key for n in _notes(db_session, watcher)][-1] == "follow.amendment_accepted"
    assert not [n for n in _notes(db_session, world["author"]) if n.key == "follow.amendment_accepted"]


def test_each_follows_frequency_decides_the_mail(db_session, world, factories):
    hall = world["hall"]
    people = {mode: factories.user(notify_mode="immediate") for mode in ("immediate", "daily", "none")}
    for mode, person in people.items():
        follows.follow(db_session, person, "hall", hall.id, mode)
    _debate(db_session, world)
    for mode, person in people.items():
        (note,) = _notes(db_session, person)
        assert note.digest_pending == (mode == "daily")
        assert len(_mails(db_session, person)) == (1 if mode == "immediate" else 0)


# --- digests ------------------------------------------------------------------------------------------

def test_five_events_make_no_immediate_mail_and_one_digest_of_five(db_session, world, factories):
    reader = factories.user(notify_mode="immediate")
    follows.follow(db_session, reader, "hall", world["hall"].id, "daily")
    for n in range(5):
        _debate(db_session, world, f"Question {n}?")
    assert _mails(db_session, reader) == []
    assert notifications.send_digests(db_session) == 1
    (mail,) = _mails(db_session, reader)
    assert mail.body.count("A debate opened: “Question") == 5
    for n in range(5):
        assert f"Question {n}?" in mail.body
    # nothing pending any more: the next run sends nothing
    assert notifications.send_digests(db_session) == 0
    assert len(_mails(db_session, reader)) == 1


def test_no_digest_without_something_to_tell(db_session, world, factories):
    reader = factories.user(notify_mode="daily")
    assert notifications.send_digests(db_session) == 0
    follows.follow(db_session, reader, "hall", world["hall"].id, "daily")
    debate = _debate(db_session, world)
    assert _notes(db_session, reader)[0].digest_pending
    # the only pending item is about a hall now closed: left out, and so no mail at all
    world["hall"].archived = True
    db_session.commit()
    assert debate.id
    assert notifications.send_digests(db_session) == 0
    assert _mails(db_session, reader) == []
    assert not _notes(db_session, reader)[0].digest_pending  # and not tried again tomorrow


def test_a_digest_still_lists_what_happened_before_the_person_left_the_hall(db_session, world, factories):
    reader = factories.user(notify_mode="daily")
    services.join(db_session, reader, world["hall"])
    _debate(db_session, world, "Before I left?")
    services.leave(db_session, reader, world["hall"])
    _debate(db_session, world, "After I left?")
    assert notifications.send_digests(db_session) == 1
    (mail,) = _mails(db_session, reader)
    assert "Before I left?" in mail.body and "After I left?" not in mail.body


def test_a_digest_leaves_out_a_proposal_no_longer_public_but_lists_the_rest(db_session, world, factories):
    reader = factories.user(notify_mode="daily")
    follows.follow(db_session, reader, "hall", world["hall"].id, "daily")
    gone = _proposal(db_session, world, "Soon gone")
    _proposal(db_session, world, "Still here")
    gone.published = False
    db_session.commit()
    assert notifications.send_digests(db_session) == 1
    (mail,) = _mails(db_session, reader)
    assert "Still here" in mail.body and "Soon gone" not in mail.body


def test_frequency_none_gets_the_portal_only(db_session, world, factories):
    reader = factories.user(notify_mode="daily")
    follows.follow(db_session, reader, "hall", world["hall"].id, "none")
    _debate(db_session, world)
    (note,) = _notes(db_session, reader)
    assert not note.digest_pending
    assert notifications.send_digests(db_session) == 0
    assert _mails(db_session, reader) == []


# --- a thousand followers -----------------------------------------------------------------------------

@pytest.mark.parametrize("frequency", ["daily", "none"])
def test_telling_a_thousand_followers_takes_a_bounded_number_of_statements(db_session, world, factories,
                                                                           frequency):
    people = factories.users(1000, prefix="follower", notify_mode=frequency)
    db_session.add_all([Follow(user_id=p.id, target_kind="hall", target_id=world["hall"].id,
                               frequency=frequency) for p in people])
    db_session.commit()
    with QueryCounter(db_session.get_bind()) as counted:
        _debate(db_session, world)
    told = db_session.scalar(select(func.count(Notification.id))
                             .where(Notification.key == "follow.hall_event_item"))
    assert told >= 1000
    assert len(counted.statements) <= 25, len(counted.statements)


def test_a_thousand_immediate_followers_one_outbox_row_each(db_session, world, factories):
    people = factories.users(1000, prefix="eager", notify_mode="immediate")
    db_session.add_all([Follow(user_id=p.id, target_kind="hall", target_id=world["hall"].id,
                               frequency="immediate") for p in people])
    db_session.commit()
    with QueryCounter(db_session.get_bind()) as counted:
        _debate(db_session, world)
    mails = db_session.scalar(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.recipient.like("eager%")))
    assert mails == 1000
    # one INSERT per mail (the outbox), and a bounded number besides
    others = [s for s in counted.statements if not s.startswith("INSERT INTO outbox_message")]
    assert len(others) <= 25, len(others)


def test_the_demo_residents_follow_their_halls_once(app, db_session):
    from portal.core.models import User
    from portal.deliberation.models import Hall
    from portal.seed import seed

    with app.test_request_context("/en/"):
        seed(db_session)
        count = db_session.scalar(select(func.count(Follow.id)))
        seed(db_session)
    assert db_session.scalar(select(func.count(Follow.id))) == count
    resident = db_session.scalar(select(User).where(User.email == "resident.zh@riverbend.example.org"))
    forum = db_session.scalar(select(Hall).where(Hall.slug == "riverbend-forum"))
    assert _follows(db_session, resident)[("hall", forum.id)] == "daily"
    assert any(kind == "debate" for kind, _id in _follows(db_session, resident))
