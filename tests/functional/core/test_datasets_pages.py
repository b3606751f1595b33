"""The public pages of requests and disclosure requests print a field only if the
classification table (``portal.core.datasets``) lets their reader read it: the demo's personal
values for anonymous readers, another resident, the person it is about, staff of the handling
department, staff of another one and an administrator; and a field the table re-classifies
disappears from the pages, which proves they read the table."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from portal.core import datasets as ds
from portal.core.models import User
from portal.feedback import services
from portal.feedback.models import Request
from portal.seed import DEMO_PASSWORD
from portal.transparency import services as svc
from tests.functional.support import page

READERS = ("anonymous", "resident.zh", "resident", "roads", "water", "admin")


@pytest.fixture
def demo(app, db_session):
    """The demo city, and a client per reader (``None``: anonymous)."""
    from portal.seed import seed

    with app.test_request_context():
        seed(db_session)
    db_session.commit()
    users = {u.email.split("@")[0]: u for u in db_session.scalars(select(User))}

    def client(name):
        browser = app.test_client()
        if name != "anonymous":
            response = browser.post("/en/account/login", data={"email": users[name].email,
                                                               "password": DEMO_PASSWORD})
            assert response.status_code == 303
        return browser

    return users, client


def _main(browser, url) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    return page(response).one("main").text  # not the header, which names who is signed in


def reclassify(monkeypatch, key: str, name: str, cls: str) -> None:
    """The registered dataset ``key`` with field ``name`` moved to class ``cls``."""
    data = ds.get(key)
    fields = tuple(dataclasses.replace(f, cls=cls) if f.name == name else f for f in data.fields)
    monkeypatch.setitem(ds._REGISTRY, key, dataclasses.replace(data, fields=fields))


# --- the tracker's request page ---------------------------------------------------------------

def _resident_request(app, db_session, users):
    """The demo resident's pothole on Hillside Road (routed to the roads bureau), with a phone
    number and an exact point, name not shown."""
    from portal.responsibility.models import Area, ServiceCategory

    pothole = db_session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "pothole"))
    with app.test_request_context():
        item = services.submit(db_session, users["resident"], services.Submission(
            category=pothole,
            area=db_session.scalar(select(Area).where(Area.code == "north-hill")),
            title="Sunken drain cover", description="The drain cover has sunk and cars bang into it.",
            location_text="88 Elm Street, flat 5", answers={"size": "small"},
            contact_phone="+1 555 0199 321", latitude=47.04123, longitude=8.05678))
    db_session.commit()
    return item


# who may read the exact address the resident gave (personal): the resident and the staff
# handling the request (the roads bureau, administrators); the page never prints the email,
# the phone or the exact point
EXACT_ADDRESS = {"resident", "roads", "admin"}


def test_the_request_page_shows_personal_data_only_to_whom_the_table_allows(app, db_session, demo):
    users, client = demo
    item = _resident_request(app, db_session, users)
    demo_request = db_session.scalar(select(Request).where(Request.title.startswith("Deep pothole")))
    for reader in READERS:
        browser = client(reader)
        text = _main(browser, f"/en/requests/{item.tracking_code}")
        assert "Sunken drain cover" in text and "## Elm Street, flat #" in text, reader  # public
        assert ("88 Elm Street, flat 5" in text) is (reader in EXACT_ADDRESS), reader
        for secret in ("Rami Resident", users["resident"].email, "555 0199", "47.041", "8.056"):
            assert secret not in text, (reader, secret)
        # the demo's own request: its exact address likewise; its resident chose to show their name
        text = _main(browser, f"/en/requests/{demo_request.tracking_code}")
        assert ("12 Hillside Road" in text) is (reader in EXACT_ADDRESS), reader
        assert "## Hillside Road" in text and "Rami Resident" in text, reader
        assert users["resident"].email not in text, reader
        # the public list: never the exact address
        listing = _main(browser, "/en/requests")
        assert "Sunken drain cover" in listing and "88 Elm" not in listing, reader


def test_a_field_the_table_makes_internal_leaves_the_request_pages(app, db_session, demo, monkeypatch):
    users, client = demo
    item = _resident_request(app, db_session, users)
    category = str(item.category.name)
    anonymous, staff = client("anonymous"), client("roads")
    assert category in _main(anonymous, f"/en/requests/{item.tracking_code}")
    reclassify(monkeypatch, "requests", "category_name", ds.INTERNAL)
    reclassify(monkeypatch, "requests", "state_label", ds.INTERNAL)
    doc = page(anonymous.get(f"/en/requests/{item.tracking_code}"))
    assert category not in doc.one("main").text
    assert "Category" not in [dt.text for dt in doc.find_all("dt")]
    assert doc.one("p", class_="request__status").find("strong") is None  # no state's tag
    listing = page(anonymous.get("/en/requests"))
    assert "Category" not in [th.text for th in listing.find_all("th")]
    assert "Status" not in [th.text for th in listing.find_all("th")]
    # staff may read internal fields: they still see both
    doc = page(staff.get(f"/en/requests/{item.tracking_code}"))
    assert category in doc.one("main").text
    assert "Category" in [dt.text for dt in doc.find_all("dt")]


def test_priority_is_internal_on_the_request_page(app, db_session, demo):
    users, client = demo
    item = _resident_request(app, db_session, users)
    item.priority = True
    db_session.commit()
    url = f"/en/requests/{item.tracking_code}"
    for reader in READERS:
        status = page(client(reader).get(url)).one("p", class_="request__status").text
        assert ("Priority" in status) is (reader in {"roads", "water", "admin"}), reader


# --- a disclosure request's page --------------------------------------------------------------

def _disclosure(app, db_session, users):
    """The demo resident's public request to the roads bureau, with its purpose."""
    from portal.responsibility.models import Department

    roads = db_session.scalar(select(Department).where(Department.code == "roads"))
    with app.test_request_context("/en/"):
        req = svc.ask(db_session, users["resident"], svc.AskData(
            description="The contracts for the Stone Bridge repairs in 2026.",
            purpose="For the residents' association meeting in March.", delivery="online",
            public=True, department_id=roads.id, source_locale="en"))
    db_session.commit()
    return req, str(roads.name)


# the purpose (personal): the requester and the department's staff (administrators too);
# who asked (personal): the page names them to the department only
PURPOSE = {"resident", "roads", "admin"}
REQUESTER = {"roads", "admin"}


def test_the_disclosure_page_shows_personal_data_only_to_whom_the_table_allows(
        app, db_session, demo, monkeypatch):
    users, client = demo
    req, _ = _disclosure(app, db_session, users)
    url = f"/en/disclosure/requests/{req.tracking_code}"
    browsers = {reader: client(reader) for reader in READERS}
    for reader, browser in browsers.items():
        text = _main(browser, url)
        assert "The contracts for the Stone Bridge repairs" in text, reader  # public
        assert ("residents' association meeting" in text) is (reader in PURPOSE), reader
        assert ("Rami Resident" in text) is (reader in REQUESTER), reader
        assert (users["resident"].email in text) is (reader in REQUESTER), reader
        listing = _main(browser, "/en/disclosure")
        assert "The contracts for the Stone Bridge repairs" in listing, reader
        assert "residents' association" not in listing and "Rami Resident" not in listing, reader
    # the purpose made internal: staff read it (every department's), the requester no more
    reclassify(monkeypatch, "disclosure-requests", "purpose", ds.INTERNAL)
    for reader, browser in browsers.items():
        text = _main(browser, url)
        assert ("residents' association meeting" in text) is (reader in {"roads", "water", "admin"}), reader


def test_a_field_the_table_makes_internal_leaves_the_disclosure_pages(app, db_session, demo, monkeypatch):
    users, client = demo
    req, department = _disclosure(app, db_session, users)
    url = f"/en/disclosure/requests/{req.tracking_code}"
    anonymous, staff = client("anonymous"), client("roads")
    assert department in _main(anonymous, url)
    reclassify(monkeypatch, "disclosure-requests", "department", ds.INTERNAL)
    reclassify(monkeypatch, "disclosure-requests", "description", ds.INTERNAL)
    text = _main(anonymous, url)
    assert department not in text and "The contracts for the Stone Bridge" not in text
    listing = _main(anonymous, "/en/disclosure")
    assert department not in listing and "The contracts for the Stone Bridge" not in listing
    text = _main(staff, url)
    assert department in text and "The contracts for the Stone Bridge" in text


# --- the one function pages use ---------------------------------------------------------------

def test_visible_follows_the_table_and_notices_a_new_registration(app, monkeypatch):
    owner = ds.Reader(owner=True)
    assert "code" in ds.visible("requests") and "priority" not in ds.visible("requests")
    assert "location_text" not in ds.visible("requests")
    assert "location_text" in ds.visible("requests", owner)
    assert "location_text" not in ds.visible("requests", owner, ds.EXPORT)
    assert "priority" in ds.visible("requests", ds.Reader(staff=True))
    assert ds.visible("no-such-dataset") == frozenset()
    reclassify(monkeypatch, "requests", "code", ds.INTERNAL)
    assert "code" not in ds.visible("requests")
