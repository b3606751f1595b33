"""The tracker's search: what is indexed (public text only), kept in step by the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core import search
from portal.core.search import SearchDocument
from portal.feedback import services
from tests.unit.feedback.test_loop import submit


@pytest.fixture
def loop(city, db_session):
    city.session = db_session
    return city


def found(session, query, **filters):
    page = services.public_list(session, services.ListFilter(q=query, **filters))
    return [r.tracking_code for r in page.items]


def test_title_description_location_and_codes_are_found(loop, db_session):
    item = submit(loop, loop.users["resident"], title="Sunken manhole cover",
                  description="The cover rattles every time a bus passes.",
                  location_text="12 Quarry Lane, by the bakery")
    code = item.tracking_code
    assert found(db_session, "manhole") == [code]
    assert found(db_session, "rattles bus") == [code]
    assert found(db_session, "quarry bakery") == [code]  # words of the (public) location
    assert found(db_session, code) == [code]
    assert found(db_session, code.lower()) == [code]
    digits = code.rsplit("-", 1)[1]
    assert found(db_session, digits) == [code]  # "000012" finds R-2026-000012
    assert code in found(db_session, digits.lstrip("0"))
    assert found(db_session, f"{code} manhole") == [code]
    assert found(db_session, f"{code} bicycle") == []


def test_no_personal_data_is_found(loop, db_session):
    resident = loop.users["resident"]
    submit(loop, resident, title="Broken railing", description="The railing on the steps is loose.",
           location_text="88 Elm Street, flat 5", contact_phone="+1 555 0199 321",
           contact_name="Wilhelmina Quarterstaff", show_name=True)
    assert found(db_session, "railing")
    for private in ("88", "flat 5", "0199", "555", "Wilhelmina", "Quarterstaff",
                    resident.email, resident.email.split("@")[0], resident.display_name):
        hits = found(db_session, private)
        # digits also find a tracking code that contains them (R-2026-001988 for "88"): that is
        # the partial-code search, not the address; the ids vary with the database's sequences
        assert hits == [] or (private.isdigit() and all(private in code for code in hits)), private
    document = db_session.scalar(select(SearchDocument).where(SearchDocument.kind == "request")
                                 .order_by(SearchDocument.id.desc()).limit(1))
    stored = " ".join([document.title, document.body, document.extra])
    assert "88" not in stored.split() and "wilhelmina" not in stored


def test_a_visitors_request_is_found_only_once_confirmed(loop, db_session):
    item = submit(loop, None, title="Overflowing gully", contact_email="visitor@example.org")
    assert found(db_session, "gully") == []
    assert search.search(db_session, "request", "gully") == []
    services.confirm_visitor(db_session, item.visitor_token)
    assert found(db_session, "gully") == [item.tracking_code]


def test_changes_through_the_services_keep_the_index_in_step(loop, db_session):
    item = submit(loop, loop.users["resident"], title="Cracked slab",
                  location_text="7 Mill Road near the quarry")
    # A later change of the text (an edit) reaches the index with the next change the
    # services make, in the same transaction.
    item.title = "Tilted paving slab"
    services.acknowledge(db_session, loop.users["roads"], item, "Seen")
    assert found(db_session, "tilted") == [item.tracking_code]
    assert found(db_session, "cracked") == []
    # Removing personal details masks the location; it stays findable by its words.
    services.withdraw(db_session, loop.users["resident"], item, "Fixed by a neighbour")
    services.remove_personal_data(db_session, loop.users["resident"], item)
    assert found(db_session, "quarry") == [item.tracking_code]
    assert found(db_session, "7") == []
    # Deleting a record removes its document.
    search.remove(db_session, "request", item.id)
    assert found(db_session, "tilted") == []


def test_titles_rank_above_descriptions_and_filters_still_apply(loop, db_session):
    body = submit(loop, loop.users["resident"], title="Loose stones",
                  description="Gravel everywhere since the resurfacing of the lane.")
    titled = submit(loop, loop.users["resident"], title="Gravel left after resurfacing",
                    description="Piles by the kerb.", category="litter", area="north-maple")
    newer = submit(loop, loop.users["resident"], title="Loose kerb",
                   description="More gravel near the bus stop.")
    assert found(db_session, "gravel") == [titled.tracking_code, newer.tracking_code, body.tracking_code]
    pothole = loop.categories["pothole"].id
    assert found(db_session, "gravel", category_id=pothole) == [newer.tracking_code, body.tracking_code]
    assert found(db_session, "gravel", state_type="closed") == []


def test_ranked_pages_use_id_cursors_both_ways(loop, db_session, factories):
    roads, hill = loop.departments["roads"], loop.areas["north-hill"]
    made = factories.feedback_requests(7, loop.categories["streetlight"], hill, roads, title="Lumenpost",
                                       description="dark corner")
    titled = made[2]
    titled.title = "Flickerzz lumenpost"
    db_session.flush()
    services.index_request(db_session, titled)
    first = services.public_list(db_session, services.ListFilter(q="flickerzz"), per_page=3)
    assert [r.id for r in first.items] == [titled.id]
    q = services.ListFilter(q="lumenpost")
    page1 = services.public_list(db_session, q, per_page=3)
    order = [r.id for r in page1.items]
    assert order == [made[6].id, made[5].id, made[4].id] and page1.newer is None
    page2 = services.public_list(db_session, q, before=page1.older, per_page=3)
    assert [r.id for r in page2.items] == [made[3].id, made[2].id, made[1].id]
    page3 = services.public_list(db_session, q, before=page2.older, per_page=3)
    assert [r.id for r in page3.items] == [made[0].id] and page3.older is None
    back = services.public_list(db_session, q, after=page3.newer, per_page=3)
    assert [r.id for r in back.items] == [r.id for r in page2.items]
    # A cursor that is not among the results starts again from the first page.
    assert services.public_list(db_session, q, before=10**9,
                                per_page=3).items == page1.items


def test_reindex_rebuilds_the_requests_from_the_records(loop, db_session):
    item = submit(loop, loop.users["resident"], title="Sagging cable")
    db_session.execute(SearchDocument.__table__.delete().where(SearchDocument.kind == "request"))
    assert found(db_session, "sagging") == []
    count = search.reindex(db_session, "request")
    assert count >= 1 and found(db_session, "sagging") == [item.tracking_code]


def test_reindex_command(app, loop, db_session):
    item = submit(loop, loop.users["resident"], title="Humming transformer")
    db_session.execute(SearchDocument.__table__.delete().where(SearchDocument.kind == "request"))
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex", "request"])
    assert result.exit_code == 0, result.output
    assert "request:" in result.output and "documents indexed" in result.output
    assert found(db_session, "humming") == [item.tracking_code]
    result = app.test_cli_runner().invoke(args=["search", "reindex", "nothing"])
    assert result.exit_code == 2 and "unknown kind" in result.output
