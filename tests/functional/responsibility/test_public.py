"""The public responsibility pages, in two languages: the whole list, one department, one
category, and the departments page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from tests.functional.support import page, title


def test_the_list_per_group_and_category(client, world):
    response = client.get("/en/responsibility")
    assert response.status_code == 200
    assert title(response).startswith("Responsibility list")
    doc = page(response)
    assert doc.one("h2", id="group-w-streets").text == "Streets"
    heading = doc.one("h3", id="category-w-pothole")
    assert heading.one("a").get("href") == "/en/responsibility/categories/w-pothole"
    table = doc.find("table")
    assert table.find("caption").text == "Who handles Pothole, by area"
    assert [th.get("scope") for th in table.find("thead").find_all("th")] == ["col"] * 4
    rows = table.find("tbody").find_all("tr")
    assert [r.find("th").text for r in rows] == ["Town", "North District"]
    assert rows[0].find("a").get("href") == "/en/responsibility/departments/w-roads"
    assert "Roads Bureau" in rows[1].text  # co-handling
    assert rows[0].find("time", datetime="2026-01-01") is not None
    assert "To be acknowledged within 8 working hours." in doc.text
    assert "To be answered within 10 working days." in doc.text
    dispatcher = doc.find("a", href="/en/responsibility/departments/dispatch")
    assert dispatcher is not None and dispatcher.text == "Dispatch Centre"


def test_the_list_in_spanish_marks_names_that_fall_back(client, world):
    doc = page(client.get("/es/responsibility"))
    assert doc.one("html").get("lang") == "es"
    assert doc.one("h2", id="group-w-streets").text == "Calles"
    rows = doc.find("table").find("tbody").find_all("tr")
    assert rows[0].find("th").text == "Ciudad"
    assert "Oficina de Vías" in rows[0].text
    fallback = rows[1].find("td").find("span", lang="zh-Hans")
    assert fallback is not None and fallback.text == "北区政府"
    assert rows[1].find("th").text == "Distrito Norte"


def test_an_area_named_only_in_english_is_marked_on_a_spanish_page(client, world, factories):
    factories.responsibility_rule(world.category, world.maple, world.roads)
    rows = page(client.get("/es/responsibility")).find("table").find("tbody").find_all("tr")
    maple = rows[2].find("th")
    assert maple.one("span", lang="en").text == "Maple Court"
    assert maple.one("span", lang="en").get("dir") == "ltr"


def test_the_pages_go_through_the_catalogs(client, world, pseudo_catalogs):
    for path in ("/es/responsibility", "/es/responsibility/departments/w-roads",
                 "/es/responsibility/categories/w-pothole"):
        doc = page(client.get(path))
        assert doc.one("h1").text and "[es]" in doc.text, path
    assert page(client.get("/es/responsibility")).one("h1").text == "[es] Responsibility list"


def test_a_department_page(client, world):
    response = client.get("/en/responsibility/departments/w-roads")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "Roads Bureau"
    lead, co = doc.find_all("table")
    assert [r.find("th").text for r in lead.find("tbody").find_all("tr")] == ["Pothole"]
    assert "Town" in lead.find("tbody").text
    co_row = co.find("tbody").find("tr")
    assert "North District" in co_row.text
    assert co_row.find("a", href="/en/responsibility/departments/w-north-office") is not None
    assert "Part of" not in doc.text  # a top-level department


def test_a_department_page_shows_its_place_and_contact(client, world, db_session):
    world.north_office.parent = world.roads
    world.north_office.email = "north@example.org"
    world.north_office.phone = "+1 555 0200"
    db_session.commit()
    doc = page(client.get("/en/responsibility/departments/w-north-office"))
    assert doc.one("h1").one("span", lang="zh-Hans").text == "北区政府"
    assert doc.find("a", href="mailto:north@example.org") is not None
    assert [s.text for s in doc.find_all("span", dir="ltr") if not s.get("lang")] == ["+1 555 0200"]
    assert doc.find("a", href="/en/responsibility/departments/w-roads") is not None
    doc = page(client.get("/zh-Hans/responsibility/departments/w-north-office"))
    assert doc.one("h1").text == "北区政府" and doc.one("h1").find("span") is None
    roads = page(client.get("/en/responsibility/departments/w-roads"))
    assert roads.find("a", href="/en/responsibility/departments/w-north-office") is not None  # a unit


def test_a_category_page(client, world, factories):
    factories.responsibility_rule(world.category, world.maple, world.roads,
                                  effective_from=date(2025, 1, 1), effective_to=date(2026, 1, 1))
    response = client.get("/en/responsibility/categories/w-pothole")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "Pothole"
    assert "How big is it?" in doc.text and "(must be answered)" in doc.text and "Small, Large" in doc.text
    in_force, earlier = doc.find_all("table")
    assert [r.find("th").text for r in in_force.find("tbody").find_all("tr")] == ["Town", "North District"]
    assert "Maple Court (North District)" in earlier.find("tbody").find("th").text
    assert earlier.find("time", datetime="2026-01-01") is not None


def test_unknown_or_retired_pages_are_not_found(client, world, db_session):
    assert client.get("/en/responsibility/departments/nobody").status_code == 404
    assert client.get("/en/responsibility/categories/nothing").status_code == 404
    world.category.active = False
    db_session.commit()
    assert client.get("/en/responsibility/categories/w-pothole").status_code == 404
    assert "Pothole" not in page(client.get("/en/responsibility")).text


def test_the_departments_page_links_the_departments(client, world):
    doc = page(client.get("/en/departments"))
    assert doc.find("a", href="/en/responsibility/departments/w-roads").text == "Roads Bureau"
    assert doc.find("a", href="/en/responsibility") is not None


def test_an_empty_list(client, db_session):
    doc = page(client.get("/en/responsibility"))
    assert "No categories have been entered yet." in doc.text


def test_the_list_costs_the_same_queries_whatever_its_size(client, world, factories):
    from portal.extensions import db

    def queries(path):
        statements = []

        def count(*args):
            if not args[2].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(args[2])

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return statements

    paths = ("/en/responsibility", "/en/responsibility/departments/w-roads",
             "/en/responsibility/categories/w-pothole")
    before = {path: len(queries(path)) for path in paths}
    for n in range(6):
        area = factories.area(f"w-extra-{n}", parent=world.north, en=f"Extra {n}")
        category = factories.service_category(f"w-extra-{n}", group=world.group)
        factories.responsibility_rule(category, area, world.roads, co=[world.north_office])
        factories.responsibility_rule(world.category, area, world.north_office, co=[world.roads])
    after = {path: queries(path) for path in paths}
    assert {path: len(q) for path, q in after.items()} == before
    assert before["/en/responsibility"] <= 7, after["/en/responsibility"]
