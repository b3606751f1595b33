"""The demo catalog, and the catalog's pages rendering in English and Arabic for each kind of
reader (the browser crawl runs axe over the same pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.seed import DEMO_PASSWORD
from portal.transparency.models import Publication, PublicationFile
from tests.functional.support import page


@pytest.fixture
def city(app, db_session):
    from portal.seed import seed

    with app.test_request_context("/"):
        seed(db_session)
    return list(db_session.scalars(select(Publication).order_by(Publication.id)))


def test_the_demo_catalog(city, db_session):
    assert len(city) == 12
    assert {p.state for p in city} == {"published", "withdrawn"}
    assert sum(p.state == "withdrawn" for p in city) == 1
    assert [p.version_count for p in city if p.version_count > 1] == [2]
    assert len({p.category for p in city}) >= 10 and len({p.department_id for p in city}) >= 4
    assert len({p.year for p in city}) == 2
    assert {"en", "es", "ar", "zh-Hans", "zh-Hant", "ug"} <= {p.source_locale for p in city}
    [pdf] = db_session.scalars(select(PublicationFile)).all()
    assert pdf.content_type == "application/pdf" and b"Staff member" not in pdf.data
    from portal.transparency.catalog_seed import seed

    assert seed(db_session) == 0  # once


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("who", [None, "resident@riverbend.example.org", "roads@riverbend.example.org",
                                 "admin@riverbend.example.org"])
def test_the_pages_render_for_every_reader(app, city, locale, who):
    client = app.test_client()
    if who:
        login = client.post("/en/account/login", data={"email": who, "password": DEMO_PASSWORD})
        assert login.status_code == 303
    first = city[0]
    paths = [f"/{locale}/publications", f"/{locale}/publications/guide",
             f"/{locale}/publications?q=plan&category=plans",
             *(f"/{locale}/publications/{p.id}" for p in city),
             f"/{locale}/publications/{first.id}/versions/1", f"/{locale}/publications/{first.id}/versions/2"]
    if who and who != "resident@riverbend.example.org":
        paths += [f"/{locale}/publications/mine", f"/{locale}/publications/new",
                  f"/{locale}/publications/{first.id}/manage", f"/{locale}/publications/{first.id}/edit"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        doc = page(response)
        assert doc.one("html").get("lang") == locale and len(doc.find_all("h1")) == 1, path
