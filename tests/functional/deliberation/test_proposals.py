"""Proposals: drafts, publishing, supports past the threshold, routing, the official answer,
the progress record; the permission matrix, sanitizing, concurrency and query counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.notifications import Notification
from portal.deliberation import proposals as svc
from portal.deliberation import services
from portal.deliberation.models import HallEvent, Proposal, ProposalSupport
from portal.moderation.models import QueueItem
from tests.functional.support import page


@pytest.fixture
def world(db_session, factories):
    city = factories.area(code="city", en="Riverbend")
    bridge = factories.area(code="bridge", parent=city, en="Stone Bridge")
    other = factories.area(code="elsewhere", en="Elsewhere")
    factories.department(code="dispatch", en="Dispatch centre")
    parks = factories.department(code="parks", en="Parks department")
    roads = factories.department(code="roads", en="Roads department")
    category = factories.service_category(code="park-upkeep", en="Park upkeep")
    factories.responsibility_rule(category, city, parks)
    host = factories.user(roles=["staff"], display_name="Hana Host")
    hall = services.create_hall(db_session, host, services.HallData(
        slug="forum", area_id=city.id, source_locale="en", names={"en": "Forum"},
        purposes={"en": "For all"}, support_threshold=2))
    author, member, member2, outsider = (
        factories.user(display_name=n) for n in ("Ann", "Ben", "Cy", "Out"))
    for person in (author, member, member2):
        services.join(db_session, person, hall)
    return {"city": city, "bridge": bridge, "other": other, "hall": hall, "category": category,
            "parks": parks, "roads": roads, "host": host, "author": author, "member": member,
            "member2": member2, "outsider": outsider,
            "parks_staff": factories.user(roles=["staff"], departments=[parks]),
            "roads_staff": factories.user(roles=["staff"], departments=[roads]),
            "admin": factories.user(roles=["administrator"])}


def _data(world, **over):
    values = {"title": "More benches by the river", "body": "We need **benches**.\n\n- one\n- two",
              "area_id": world["bridge"].id, "category_id": world["category"].id, "source_locale": "en"}
    values.update(over)
    return svc.ProposalData(**values)


def _form(world, **over):
    values = {"title": "More benches by the river", "body": "Benches, please.",
              "area_id": str(world["bridge"].id), "category_id": str(world["category"].id),
              "source_locale": "en", "action": "publish"}
    values.update(over)
    return values


def _published(db_session, world, **over):
    return svc.create_proposal(db_session, world["author"], world["hall"], _data(world, **over), publish=True)


def test_the_journey_from_draft_to_progress(client, world, login, db_session):
    login(world["author"])
    response = client.post("/en/halls/forum/proposals/new", data=_form(world, action="draft"))
    assert response.status_code == 303
    proposal = db_session.scalar(select(Proposal))
    assert proposal.state == "draft" and not proposal.published
    url = f"/en/proposals/{proposal.id}"
    assert client.post(f"{url}/publish").status_code == 303
    db_session.expire_all()
    assert proposal.state == "published"
    # two members support: the threshold (2) is reached
    for person in (world["member"], world["member2"]):
        client.post("/en/account/logout")
        login(person)
        assert client.post(f"{url}/support").status_code == 303
    db_session.expire_all()
    assert proposal.state == "evaluation" and proposal.support_count == 2
    assert proposal.department_id == world["parks"].id  # routed by the responsibility list
    item = db_session.scalar(select(QueueItem).where(QueueItem.module == "proposal"))
    assert item.item_id == proposal.id and item.department_id == world["parks"].id and not item.done
    # the routed department's staff see it in their queue and answer from the proposal page
    client.post("/en/account/logout")
    login(world["parks_staff"])
    queue = client.get("/en/staff/queue").get_data(as_text=True)
    assert "More benches by the river" in queue and url in queue
    assert "Give the official answer" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/answer", data={"decision": "accepted", "note": ""}).status_code == 303
    db_session.expire_all()
    assert proposal.state == "accepted" and proposal.answered_at is not None
    assert db_session.scalar(select(QueueItem.done).where(QueueItem.id == item.id))
    assert db_session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == world["author"].id, Notification.key == "proposal.accepted")) == 1
    kinds = list(db_session.scalars(select(HallEvent.kind).where(HallEvent.hall_id == world["hall"].id)))
    assert {"proposal_published", "proposal_evaluation", "proposal_answered"} <= set(kinds)
    response = client.post(f"{url}/milestones", data={"title": "Benches ordered", "on": "2027-03-01",
                                                       "percent": "40", "note": "Twelve of them."})
    assert response.status_code == 303
    client.post("/en/account/logout")
    doc = page(client.get(url))
    text = doc.one("main").text
    assert "Accepted" in text and "Benches ordered" in text and "40% done" in text
    assert doc.one("progress").get("value") == "40"
    assert "A proposal reached its supports" in client.get("/en/halls/forum").get_data(as_text=True)


def test_a_proposal_without_a_topic_goes_to_the_dispatcher(app, db_session, world):
    from portal.responsibility.services import dispatcher

    proposal = _published(db_session, world, category_id=None)
    with app.test_request_context("/en/"):
        for person in (world["member"], world["member2"]):
            svc.support(db_session, person, proposal)
    assert proposal.state == "evaluation"
    assert proposal.department_id == dispatcher(db_session).id
    assert db_session.scalar(select(QueueItem.department_id).where(
        QueueItem.module == "proposal", QueueItem.item_id == proposal.id)) == proposal.department_id


def test_editing_is_locked_after_the_first_support(client, world, login, db_session):
    proposal = _published(db_session, world)
    login(world["author"])
    url = f"/en/proposals/{proposal.id}"
    assert client.get(f"{url}/edit").status_code == 200
    assert client.post(f"{url}/edit", data=_form(world, title="Better benches")).status_code == 303
    svc.support(db_session, world["member"], proposal)
    assert client.get(f"{url}/edit").status_code == 403
    assert client.post(f"{url}/edit", data=_form(world, title="Sneaky")).status_code == 403
    db_session.expire_all()
    assert proposal.title == "Better benches"


def test_a_support_is_counted_once_and_can_be_taken_back_under_the_threshold(
        client, world, login, db_session):
    proposal = _published(db_session, world)
    login(world["member"])
    url = f"/en/proposals/{proposal.id}"
    client.post(f"{url}/support")
    client.post(f"{url}/support")
    db_session.expire_all()
    assert proposal.support_count == 1
    assert "Take back my support" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/unsupport")
    db_session.expire_all()
    assert proposal.support_count == 0
    assert db_session.scalar(select(func.count()).select_from(ProposalSupport)) == 0


def test_the_author_withdraws_with_a_reason_shown(client, world, login, db_session):
    proposal = _published(db_session, world)
    login(world["author"])
    url = f"/en/proposals/{proposal.id}"
    response = client.post(f"{url}/withdraw", data={"reason": ""})
    assert response.status_code == 422
    assert "Say why you withdraw the proposal." in response.get_data(as_text=True)
    assert client.post(f"{url}/withdraw", data={"reason": "The city did it already."}).status_code == 303
    db_session.expire_all()
    assert proposal.state == "withdrawn"
    assert "The city did it already." in client.get(url).get_data(as_text=True)
    with pytest.raises(svc.Forbidden):
        svc.withdraw(db_session, world["author"], proposal, "again")


def test_drafts_are_private_to_their_author(client, world, login, db_session):
    draft = svc.create_proposal(db_session, world["author"], world["hall"], _data(world))
    url = f"/en/proposals/{draft.id}"
    assert client.get(url).status_code == 404
    login(world["member"])
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/publish").status_code == 404
    assert "More benches" not in client.get("/en/proposals").get_data(as_text=True)


@pytest.mark.parametrize("who,propose,answer", [
    ("anonymous", 302, 302), ("outsider", 403, 403), ("member", 200, 403),
    ("roads_staff", 403, 403), ("parks_staff", 403, 303), ("admin", 403, 303)])
def test_the_permission_matrix(app, client, world, login, db_session, who, propose, answer):
    proposal = _published(db_session, world)
    with app.test_request_context("/en/"):
        for person in (world["member"], world["member2"]):
            svc.support(db_session, person, proposal)
    if who != "anonymous":
        login(world[who])
    assert client.get("/en/halls/forum/proposals/new").status_code == propose
    assert client.post(f"/en/proposals/{proposal.id}/answer",
                       data={"decision": "rejected", "note": "No budget."}).status_code == answer
    assert client.post(f"/en/proposals/{proposal.id}/edit", data=_form(world)).status_code in (302, 403)
    assert client.post(f"/en/proposals/{proposal.id}/withdraw",
                       data={"reason": "x"}).status_code in (302, 403)
    if who == "outsider":
        assert client.post(f"/en/proposals/{proposal.id}/support").status_code == 403
    db_session.expire_all()
    assert proposal.state == ("rejected" if answer == 303 else "evaluation")


def test_the_body_is_sanitized(db_session, world):
    hostile = ('<script>alert(1)</script><img src=x onerror="alert(2)">'
               '<a href="javascript:alert(3)">click</a> [site](javascript:alert(4)) '
               '<p onclick="x">**bold** *it* [ok](https://example.org)</p>')
    proposal = _published(db_session, world, body=hostile)
    html = proposal.body_html
    assert "<script" not in html and "alert(1)" not in html and "onerror" not in html
    assert 'href="javascript' not in html
    assert "onclick" not in html and "<img" not in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">ok</a>' in html


@pytest.mark.parametrize("field,value", [
    ("title", ""), ("title", "x" * 151), ("title", "a\x00b"), ("body", ""), ("body", "x\x07"),
    ("body", "<script>only a script</script>"), ("source_locale", "xx")])
def test_hostile_input_is_refused_beside_the_field_keeping_what_was_typed(
        client, world, login, db_session, field, value):
    login(world["author"])
    data = _form(world, title="Kept title")
    data[field] = value
    response = client.post("/en/halls/forum/proposals/new", data=data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.find(id=f"{field}-error") is not None
    if field != "title":
        assert doc.find(id="title").get("value") == "Kept title"
    assert db_session.scalar(select(func.count()).select_from(Proposal)) == 0


@pytest.mark.parametrize("field,value", [
    ("area_id", "999999999999999999999"), ("area_id", "-1"), ("category_id", "abc"),
    ("category_id", "99999999999")])
def test_absurd_choices_never_give_a_500(client, world, login, db_session, field, value):
    login(world["author"])
    response = client.post("/en/halls/forum/proposals/new", data=_form(world, **{field: value}))
    assert response.status_code in (303, 422)
    if response.status_code == 422:
        assert page(response).find(id=f"{field}-error") is not None


def test_a_published_proposal_is_cacheable_for_anonymous_readers(client, world, db_session):
    proposal = _published(db_session, world)
    response = client.get(f"/en/proposals/{proposal.id}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "public" in response.headers["Cache-Control"]
    assert page(response).find("form", method="post") is None
    assert client.get("/en/proposals/99999999999999999999999").status_code == 404
    assert "Log in to support this proposal." in response.get_data(as_text=True)
    # Withdrawn (or answered), it takes no supports: no invitation to log in and support.
    svc.withdraw(db_session, world["author"], proposal, "Done another way.")
    assert "Log in to support" not in client.get(f"/en/proposals/{proposal.id}").get_data(as_text=True)


def test_an_area_outside_the_halls_area_is_refused(db_session, world):
    hall = services.create_hall(db_session, world["host"], services.HallData(
        slug="bridge-hall", area_id=world["bridge"].id, source_locale="en", names={"en": "B"},
        purposes={"en": "B"}))
    services.join(db_session, world["author"], hall)
    with pytest.raises(svc.Invalid) as exc:
        svc.create_proposal(db_session, world["author"], hall, _data(world, area_id=world["city"].id))
    assert "area_id" in exc.value.errors


def test_the_hall_sets_the_threshold(client, world, login, db_session):
    login(world["host"])
    doc = page(client.get("/en/halls/forum/settings"))
    assert doc.find(id="support_threshold").get("value") == "2"
    data = {"slug": "forum", "area_id": str(world["city"].id), "policy": "open", "source_locale": "en",
            "name_en": "Forum", "purpose_en": "For all", "support_threshold": "0"}
    response = client.post("/en/halls/forum/settings", data=data)
    assert response.status_code == 422
    data["support_threshold"] = "25"
    assert client.post("/en/halls/forum/settings", data=data).status_code == 303
    db_session.expire_all()
    assert world["hall"].support_threshold == 25


def test_the_list_filters_sorts_pages_and_is_cacheable(client, world, db_session):
    a = _published(db_session, world, title="Benches")
    b = _published(db_session, world, title="Lights", area_id=world["city"].id)
    svc.support(db_session, world["member"], b)
    response = client.get("/en/proposals")
    assert "Set-Cookie" not in response.headers and "public" in response.headers["Cache-Control"]
    titles = [h.text.strip() for h in page(response).find_all("h2", class_="proposal-summary__title")]
    assert titles == ["Lights", "Benches"]
    text = client.get(f"/en/proposals?area_id={world['bridge'].id}").get_data(as_text=True)
    assert "Benches" in text and "Lights" not in text
    supported = page(client.get("/en/proposals?sort=supported"))
    first = supported.find("h2", class_="proposal-summary__title")
    assert first.text.strip() == "Lights"
    assert client.get("/en/proposals?state=nonsense&area_id=x&hall_id=99999999999999999999"
                      "&sort=%00&after=zz-9").status_code == 200
    assert a.id and client.get(f"/en/proposals?hall_id={world['hall'].id}&state=published").status_code == 200


def test_the_list_pages_by_keyset_with_constant_queries(client, world, db_session):
    from datetime import timedelta

    from portal.core.models import utcnow
    from portal.extensions import db
    from tests.functional.support import QueryCounter

    world["author"].created_at = utcnow() - timedelta(days=2)  # past the new accounts' pace
    for n in range(5):
        _published(db_session, world, title=f"Few {n}")
    db_session.commit()
    with QueryCounter(db.engine) as few:
        client.get("/en/proposals?sort=supported")
    for n in range(45):
        _published(db_session, world, title=f"Many {n}")
    db_session.commit()
    with QueryCounter(db.engine) as many:
        doc = page(client.get("/en/proposals?sort=supported"))
    assert len(many.statements) == len(few.statements)
    more = doc.find("a", rel="next").get("href")
    second = page(client.get(more))
    assert len(second.find_all("h2", class_="proposal-summary__title")) == 20


def test_proposals_are_found_by_the_search_service(client, world, db_session):
    _published(db_session, world, title="河边增加长椅", source_locale="zh-Hans")
    _published(db_session, world, title="Lights")
    text = client.get("/en/proposals?q=长椅").get_data(as_text=True)
    assert "河边增加长椅" in text and "Lights" not in text


def test_a_hall_shows_its_proposals_and_members_a_link_to_write_one(client, world, login, db_session):
    _published(db_session, world, title="Benches")
    text = client.get("/en/halls/forum").get_data(as_text=True)
    assert "Benches" in text and "Write a proposal" not in text
    login(world["member"])
    assert "Write a proposal" in client.get("/en/halls/forum").get_data(as_text=True)


def test_proposal_posts_need_the_csrf_token(client, world, app, monkeypatch, db_session, login):
    proposal = _published(db_session, world)
    login(world["member"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/en/proposals/{proposal.id}/support").status_code == 400
    db_session.expire_all()
    assert proposal.support_count == 0


@pytest.mark.postgres_only
def test_concurrent_supports_are_counted_exactly_once(app):
    import threading

    from sqlalchemy.orm import Session

    from portal.core.models import User
    from portal.deliberation.models import Hall, HallMember
    from portal.extensions import db
    from portal.responsibility.models import Area, Department

    with app.app_context():
        engine = db.engine
        with Session(engine, expire_on_commit=False) as s:
            area = Area(code="conc-area", level="city", name_i18n={"en": "C"}, source_locale="en")
            dispatch = s.scalar(select(Department).where(Department.code == "dispatch"))
            made_dispatch = dispatch is None
            if made_dispatch:
                dispatch = Department(code="dispatch", level="city", name_i18n={"en": "D"},
                                      source_locale="en")
                s.add(dispatch)
            s.add(area)
            s.flush()
            people = [User(email=f"conc{n}@example.org", display_name=f"C{n}", password_hash="x")
                      for n in range(6)]
            s.add_all(people)
            s.flush()
            hall = Hall(slug="conc-hall", area_id=area.id, name_i18n={"en": "C"}, tools=["proposals"],
                        support_threshold=3)
            s.add(hall)
            s.flush()
            s.add_all([HallMember(hall_id=hall.id, user_id=p.id) for p in people])
            proposal = Proposal(hall_id=hall.id, author_id=people[0].id, area_id=area.id, title="C",
                                body="c", body_html="<p>c</p>", state="published", published=True)
            s.add(proposal)
            s.commit()
            ids = (proposal.id, [p.id for p in people])
        try:
            barrier = threading.Barrier(12)
            errors = []

            def work(user_id):
                with app.test_request_context("/en/"), Session(engine) as s:
                    p = s.get(Proposal, ids[0])
                    user = s.get(User, user_id)
                    barrier.wait()
                    try:
                        svc.support(s, user, p)
                    except Exception as exc:  # reported below
                        errors.append(exc)

            threads = [threading.Thread(target=work, args=(uid,)) for uid in ids[1] * 2]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            with Session(engine) as s:
                p = s.get(Proposal, ids[0])
                rows = s.scalar(select(func.count()).select_from(ProposalSupport)
                                .where(ProposalSupport.proposal_id == p.id))
                assert p.support_count == rows == 6
                assert p.state == "evaluation"
                from portal.deliberation.models import ProposalEvent
                assert s.scalar(select(func.count()).select_from(ProposalEvent).where(
                    ProposalEvent.proposal_id == p.id, ProposalEvent.kind == "evaluation")) == 1
        finally:
            with Session(engine) as s:
                from sqlalchemy import delete

                from portal.deliberation.models import ProposalEvent
                s.execute(delete(QueueItem).where(QueueItem.module == "proposal",
                                                  QueueItem.item_id == ids[0]))
                s.execute(delete(Notification).where(Notification.user_id.in_(ids[1])))
                s.execute(delete(ProposalEvent).where(ProposalEvent.proposal_id == ids[0]))
                s.execute(delete(ProposalSupport).where(ProposalSupport.proposal_id == ids[0]))
                s.execute(delete(Proposal).where(Proposal.id == ids[0]))
                s.execute(delete(HallEvent).where(
                    HallEvent.hall_id.in_(select(Hall.id).where(Hall.slug == "conc-hall"))))
                s.execute(delete(HallMember).where(HallMember.user_id.in_(ids[1])))
                s.execute(delete(Hall).where(Hall.slug == "conc-hall"))
                s.execute(delete(User).where(User.id.in_(ids[1])))
                s.execute(delete(Area).where(Area.code == "conc-area"))
                if made_dispatch:
                    s.execute(delete(Department).where(Department.code == "dispatch"))
                s.commit()


def test_the_demo_seed_has_a_proposal_in_each_stage(app, client, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
    states = set(db_session.scalars(select(Proposal.state)))
    assert {"published", "evaluation", "accepted"} <= states
    for proposal in db_session.scalars(select(Proposal)):
        assert client.get(f"/en/proposals/{proposal.id}").status_code == 200
    accepted = db_session.scalar(select(Proposal).where(Proposal.state == "accepted"))
    assert page(client.get(f"/zh-Hant/proposals/{accepted.id}")).one("progress").get("value") == "50"
    assert client.get("/ar/proposals").status_code == 200


def test_a_member_amends_and_the_author_accepts_or_rejects(client, world, login, db_session):
    from portal.deliberation.models import ProposalAmendment, ProposalEvent

    proposal = _published(db_session, world, body="Old text.")
    url = f"/en/proposals/{proposal.id}"
    login(world["member"])
    assert client.post(f"{url}/amendments", data={"body": ""}).status_code == 422
    assert client.post(f"{url}/amendments", data={"body": "New **text**."}).status_code == 303
    assert client.post(f"{url}/amendments", data={"body": "<script>x</script>Other."}).status_code == 303
    first, second = db_session.scalars(select(ProposalAmendment).order_by(ProposalAmendment.id)).all()
    assert "<script" not in second.body_html
    assert client.post(f"{url}/amendments/{first.id}/accept").status_code == 403  # not the author
    client.post("/en/account/logout")
    login(world["outsider"])
    assert client.post(f"{url}/amendments", data={"body": "Mine."}).status_code == 403
    client.post("/en/account/logout")
    login(world["author"])
    assert client.post(f"{url}/amendments", data={"body": "Own."}).status_code == 403
    assert "Accept: use this text" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/amendments/{first.id}/accept").status_code == 303
    assert client.post(f"{url}/amendments/{second.id}/reject").status_code == 303
    db_session.expire_all()
    assert proposal.body == "New **text**." and "<strong>text</strong>" in proposal.body_html
    assert (first.state, second.state) == ("accepted", "rejected")
    event = db_session.scalar(select(ProposalEvent).where(ProposalEvent.kind == "amendment_accepted"))
    assert event.data["previous_body"] == "Old text."
    assert client.post(f"{url}/amendments/999999/accept").status_code == 404


def test_a_proposal_page_costs_the_same_queries_with_1_or_30_milestones(app, client, world, db_session,
                                                                      login):
    from datetime import date

    from portal.extensions import db
    from tests.functional.support import QueryCounter

    proposal = _published(db_session, world)
    with app.test_request_context("/en/"):
        for person in (world["member"], world["member2"]):
            svc.support(db_session, person, proposal)
        svc.answer(db_session, world["parks_staff"], proposal, "accepted", "")
    svc.add_milestone(db_session, world["parks_staff"], proposal, "Step 0", date(2027, 1, 1), 5)
    login(world["member"])
    url = f"/en/proposals/{proposal.id}"
    client.get(url)
    db_session.commit()
    with QueryCounter(db.engine) as few:
        client.get(url)
    for n in range(1, 30):
        svc.add_milestone(db_session, world["parks_staff"], proposal, f"Step {n}", date(2027, 1, 1), n)
    db_session.commit()
    with QueryCounter(db.engine) as many:
        assert "Step 29" in client.get(url).get_data(as_text=True)
    assert len(many.statements) == len(few.statements)


def test_other_departments_staff_do_not_see_the_proposal_in_their_queue(app, client, world, db_session,
                                                                      login):
    proposal = _published(db_session, world, title="Only for parks")
    with app.test_request_context("/en/"):
        for person in (world["member"], world["member2"]):
            svc.support(db_session, person, proposal)
    login(world["roads_staff"])
    assert "Only for parks" not in client.get("/en/staff/queue").get_data(as_text=True)
    assert "Give the official answer" not in client.get(f"/en/proposals/{proposal.id}").get_data(as_text=True)


def test_the_halls_timeline_names_the_proposal_in_its_language(client, world, db_session):
    proposal = _published(db_session, world, title="Más bancos junto al río", source_locale="es")
    doc = page(client.get(f"/en/halls/{world['hall'].slug}"))
    entry = [li for li in doc.find_all("li") if "A proposal was published" in li.text]
    assert entry, "no timeline entry for the proposal"
    named = entry[0].find("span", lang="es")
    assert named is not None and named.text == proposal.title
