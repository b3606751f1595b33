"""Content of every kind the site search finds, visible and not, for its tests."""

from __future__ import annotations

from datetime import timedelta

from portal.core import search
from portal.core.models import utcnow
from portal.deliberation import debates
from portal.deliberation import proposals as proposal_svc
from portal.deliberation import services as halls
from portal.feedback import services as feedback


def build_world(session, factories) -> dict:
    """A city with a district; in it a hall, a proposal, a debate and a request about
    "riverside", each also in a form nobody but its author or staff may see (archived hall,
    draft and withdrawn proposals, a debate of an archived hall, a request waiting for
    confirmation with a name in it)."""
    city = factories.area(code="city", en="Riverbend")
    north = factories.area(code="north", parent=city, en="North bank")
    south = factories.area(code="south", parent=city, en="South bank")
    factories.department(code="dispatch", en="Dispatch centre")
    roads = factories.department(code="roads", en="Roads department")
    category = factories.service_category(code="lights", en="Street lights")
    factories.responsibility_rule(category, city, roads)
    host = factories.user(roles=["staff"], display_name="Hana Host")
    author = factories.user(display_name="Ann Author")
    author.created_at = utcnow() - timedelta(days=2)  # past the new accounts' pace (limits)
    staff = factories.user(roles=["staff"], departments=[roads], display_name="Sam Staff")
    resident = factories.user(display_name="Rex Resident")

    hall = halls.create_hall(session, host, halls.HallData(
        slug="riverside-forum", area_id=north.id, source_locale="en",
        names={"en": "Riverside forum"}, purposes={"en": "Benches and trees along the water"},
        support_threshold=5))
    closed = halls.create_hall(session, host, halls.HallData(
        slug="riverside-archive", area_id=south.id, source_locale="en",
        names={"en": "Riverside archive"}, purposes={"en": "An old forum"}))
    halls.join(session, author, hall)
    halls.join(session, author, closed)

    def proposal(title, body, publish=True, hall_=hall, area=north):
        return proposal_svc.create_proposal(session, author, hall_, proposal_svc.ProposalData(
            title=title, body=body, area_id=area.id, category_id=None, source_locale="en"),
            publish=publish)

    published = proposal("Riverside benches", "Put <b>benches</b> & bins by the river.")
    draft = proposal("Riverside draft idea", "Not ready yet.", publish=False)
    withdrawn = proposal("Riverside withdrawn idea", "Changed my mind.")
    proposal_svc.withdraw(session, author, withdrawn, "Changed my mind")
    in_archive = proposal("Riverside archived proposal", "Old.", hall_=closed, area=south)

    debate = debates.open_debate(session, host, hall, "Riverside trees: which kinds?",
                                 "Oaks or willows along the riverside path.", "en")
    old_debate = debates.open_debate(session, host, closed, "Riverside archived debate",
                                     "Long ago.", "en")
    closed.archived = True
    halls.index_hall(session, closed)
    session.commit()

    [request] = factories.feedback_requests(1, category, north, roads, title="Riverside lamp broken",
                                            description="The lamp on the riverside path is dark.")
    [pending] = factories.feedback_requests(1, category, north, roads, state="unconfirmed",
                                            title="Riverside pending lamp",
                                            description="Waiting for its email confirmation.")
    [named] = factories.feedback_requests(1, category, south, roads, title="Bench missing",
                                          description="The bench by the school is gone.")
    named.contact_name, named.contact_phone = "Zebulon Quist", "+1 555 0199"
    feedback.index_request(session, named)
    session.commit()
    assert search.KINDS  # the kinds are registered by their modules
    return {"city": city, "north": north, "south": south, "hall": hall, "closed": closed,
            "proposal": published, "draft": draft, "withdrawn": withdrawn,
            "archived_proposal": in_archive, "debate": debate, "old_debate": old_debate,
            "request": request, "pending": pending, "named": named, "category": category,
            "host": host, "author": author, "staff": staff, "resident": resident}
