"""The demo's disclosure requests, and every new page rendering in English and Arabic for
each kind of reader (the browser crawl runs axe over the same pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.seed import DEMO_PASSWORD
from portal.transparency.models import DisclosureRequest
from tests.functional.support import page


@pytest.fixture
def city(app, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
    # in the order they were made (the last of a state stands for it): PostgreSQL returns rows
    # in no set order without it, and a row it updated (a catalogued answer) moves
    return {r.state + ("-overdue" if r.overdue else ""): r
            for r in db_session.scalars(select(DisclosureRequest).order_by(DisclosureRequest.id))}


def test_the_demo_has_a_request_in_each_state(city, db_session):
    assert set(city) == {"answered", "received-overdue", "awaiting_correction", "consulting"}
    assert city["answered"].public and city["answered"].answer_type == "published"
    assert not city["awaiting_correction"].public
    from portal.transparency.seed import seed

    assert seed(db_session) == 0  # once


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("who", [None, "resident.ug@riverbend.example.org", "oldtown@riverbend.example.org"])
def test_the_pages_render_for_every_reader(app, city, locale, who):
    client = app.test_client()
    if who:
        login = client.post("/en/account/login", data={"email": who, "password": DEMO_PASSWORD})
        assert login.status_code == 303
    paths = [f"/{locale}/disclosure", *(f"/{locale}/disclosure/requests/{r.tracking_code}"
                                        for r in city.values())]
    if who:
        paths += [f"/{locale}/disclosure/mine", f"/{locale}/disclosure/ask"]
    for path in paths:
        response = client.get(path)
        if response.status_code == 404:  # a private request another reader may not see
            assert "awaiting" not in path and city["awaiting_correction"].tracking_code in path
            continue
        assert response.status_code == 200, path
        doc = page(response)
        assert doc.one("html").get("lang") == locale
        assert doc.one("html").get("dir") == ("rtl" if locale == "ar" else "ltr")
        assert len(doc.find_all("h1")) == 1
    home = page(client.get(f"/{locale}/"))
    assert home.find("a", href=f"/{locale}/disclosure") is not None
