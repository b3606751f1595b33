"""The administrators' responsibility pages: who may see them, and every create and edit
flow with its errors beside the fields, values kept and audit entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.models import AuditEvent
from portal.responsibility.models import Area, CategoryGroup, Department, ResponsibilityRule, ServiceCategory
from tests.functional.support import page, title

PREFIX = "/en/admin/responsibility"
NAMES = {"name_en": "", "name_zh_Hans": "", "name_zh_Hant": "", "name_es": "", "name_ar": "",
         "name_bo": "", "name_ug": ""}


def sample_args(world) -> dict:
    return {"department_id": world.roads.id, "area_id": world.north.id, "group_id": world.group.id,
            "category_id": world.category.id, "attribute_code": "size", "rule_id": world.city_rule.id,
            "year": 2026, "day": "2026-10-01"}


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("responsibility_admin.")]


def paths(app, world, method):
    args = sample_args(world)
    found = []
    for rule in admin_rules(app):
        if method not in rule.methods:
            continue
        values = {a: args[a] for a in rule.arguments if a != "locale"}
        found.append((rule.endpoint, rule.build({"locale": "en", **values}, append_unknown=False)[1]))
    return found


def audit(db_session, action):
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def error_beside(html_page, field_id) -> str:
    node = html_page.by_id(f"{field_id}-error")
    assert node is not None, f"no error beside {field_id}"
    assert html_page.by_id(field_id).get("aria-invalid") == "true"
    return node.text


# --- permissions ---------------------------------------------------------------------------

def test_every_page_has_sample_arguments(app, world):
    args = sample_args(world)
    for rule in admin_rules(app):
        assert rule.arguments - {"locale"} <= set(args), rule.rule


@pytest.mark.parametrize("role", ["resident", "staff", "moderator"])
def test_everyone_but_administrators_is_refused(client, factories, login, world, app, db_session, role):
    login(factories.user(roles=() if role == "resident" else (role,)))
    for endpoint, path in paths(app, world, "GET"):
        assert client.get(path).status_code == 403, endpoint
    for endpoint, path in paths(app, world, "POST"):
        assert client.post(path, data={"code": "x"}).status_code == 403, endpoint
    db_session.expire_all()
    assert db_session.scalars(select(AuditEvent)).first() is None
    assert db_session.get(ServiceCategory, world.category.id).attributes[0]["code"] == "size"


def test_visitors_are_sent_to_log_in(client, world, app):
    for endpoint, path in paths(app, world, "GET") + paths(app, world, "POST"):
        method = client.get if endpoint not in POST_ONLY else client.post
        response = method(path)
        assert response.status_code == 302, endpoint
        assert "/en/account/login" in response.headers["Location"], endpoint


POST_ONLY = {"responsibility_admin.attribute_remove", "responsibility_admin.calendar_remove",
             "responsibility_admin.boundaries_confirm"}


def test_administrators_see_every_page(client, factories, login, world, app):
    login(factories.admin())
    for endpoint, path in paths(app, world, "GET"):
        response = client.get(path)
        if endpoint == "responsibility_admin.calendar_now":
            assert response.status_code == 303
            assert response.headers["Location"].endswith(f"/calendar/{date.today().year}")
            continue
        if endpoint == "responsibility_admin.boundaries_preview":  # no upload to preview
            assert response.status_code == 303
            assert response.headers["Location"].endswith("/admin/responsibility/boundaries")
            continue
        assert response.status_code == 200, endpoint
        doc = page(response)
        assert len(doc.find_all("h1")) == 1, endpoint
        for table in doc.find_all("table"):
            assert table.find("caption") is not None, endpoint


@pytest.fixture
def admin(factories, login, world):
    return login(factories.admin())


# --- departments ---------------------------------------------------------------------------

def department_form(**kw):
    data = {"code": "w-parks", "level": "city", "parent_id": "", "source_locale": "en", **NAMES,
            "name_en": "Parks Office", "name_es": "Oficina de Parques", "email": "", "phone": "",
            "supervisor_email": ""}
    data.update(kw)
    return data


def test_departments_list_links_every_department(client, admin, world):
    doc = page(client.get(f"{PREFIX}/departments"))
    links = {a.text: a.get("href") for a in doc.find("table").find_all("a")}
    assert links["Roads Bureau"] == f"{PREFIX}/departments/{world.roads.id}"
    north = doc.find("a", href=f"{PREFIX}/departments/{world.north_office.id}")
    assert north.one("span", lang="zh-Hans").text == "北区政府"  # falls back, marked


def test_create_a_department(client, admin, world, db_session):
    response = client.post(f"{PREFIX}/departments/new", data=department_form(
        parent_id=str(world.roads.id), email="parks@example.org", phone="+1 555 0199",
        supervisor_email=admin.email))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PREFIX}/departments")
    department = db_session.scalar(select(Department).where(Department.code == "w-parks"))
    assert department.name_i18n == {"en": "Parks Office", "es": "Oficina de Parques"}
    assert department.parent_id == world.roads.id and department.supervisor_id == admin.id
    assert department.email == "parks@example.org" and department.phone == "+1 555 0199"
    [entry] = audit(db_session, "department.created")
    assert entry.actor_id == admin.id and entry.target_id == department.id
    listing = client.get(f"{PREFIX}/departments").get_data(as_text=True)
    assert "The department Parks Office is saved." in listing


def test_department_errors_are_beside_the_fields_and_values_kept(client, admin, world, db_session):
    response = client.post(f"{PREFIX}/departments/new", data=department_form(
        code="w-roads", source_locale="es", name_es=""))
    assert response.status_code == 422
    doc = page(response)
    assert title(response).startswith("Error:")
    assert "already in use" in error_beside(doc, "code")
    assert "language you wrote in" in error_beside(doc, "name_es")
    summary = doc.one(class_="error-summary")
    assert {a.get("href") for a in summary.find_all("a")} == {"#code", "#name_es"}
    assert doc.by_id("name_en").get("value") == "Parks Office"  # what was typed is kept
    assert doc.by_id("name_es").get("lang") == "es"
    assert doc.by_id("code").get("value") == "w-roads"
    assert "checked" in doc.by_id("source_locale-3").attrs  # es
    response = client.post(f"{PREFIX}/departments/new", data=department_form(email="not-an-email"))
    assert "name@example.org" in error_beside(page(response), "email")
    response = client.post(f"{PREFIX}/departments/new", data=department_form(
        supervisor_email="nobody@example.org"))
    assert "No staff account" in error_beside(page(response), "supervisor_email")
    assert db_session.scalar(select(Department).where(Department.code == "w-parks")) is None
    assert audit(db_session, "department.created") == []


def test_edit_a_department(client, admin, world, db_session):
    doc = page(client.get(f"{PREFIX}/departments/{world.north_office.id}"))
    assert doc.by_id("name_zh_Hans").get("value") == "北区政府"
    assert "checked" in doc.by_id("source_locale-0").attrs  # "en", the stored default
    parent = doc.by_id("parent_id")
    assert str(world.north_office.id) not in [o.get("value") for o in parent.find_all("option")]
    response = client.post(f"{PREFIX}/departments/{world.north_office.id}", data=department_form(
        code="w-north-office", level="district", source_locale="zh-Hans", name_en="North Office",
        name_es="", name_zh_Hans="北区政府", parent_id=str(world.roads.id)))
    assert response.status_code == 303
    db_session.expire_all()
    department = db_session.get(Department, world.north_office.id)
    assert department.name_i18n == {"en": "North Office", "zh-Hans": "北区政府"}
    assert department.source_locale == "zh-Hans" and department.level == "district"
    [entry] = audit(db_session, "department.updated")
    assert set(entry.details["fields"]) == {"name_i18n", "source_locale", "level", "parent_id"}


def test_a_department_cannot_be_put_under_itself(client, admin, world, db_session):
    child = Department(code="w-child", level="street", parent=world.roads, name_i18n={"en": "Child"})
    db_session.add(child)
    db_session.commit()
    response = client.post(f"{PREFIX}/departments/{world.roads.id}", data=department_form(
        code="w-roads", name_en="Roads Bureau", parent_id=str(child.id)))
    assert response.status_code == 422
    assert "cannot sit under itself" in error_beside(page(response), "parent_id")


# --- areas ---------------------------------------------------------------------------------

def test_create_and_edit_an_area(client, admin, world, db_session):
    doc = page(client.get(f"{PREFIX}/areas"))
    assert doc.find("a", href=f"{PREFIX}/areas/{world.maple.id}") is not None
    data = {"code": "w-hill", "level": "community", "parent_id": str(world.north.id),
            "source_locale": "ug", **NAMES, "name_ug": "ئېدىر"}
    assert client.post(f"{PREFIX}/areas/new", data=data).status_code == 303
    area = db_session.scalar(select(Area).where(Area.code == "w-hill"))
    assert area.name_i18n == {"ug": "ئېدىر"} and area.parent_id == world.north.id
    assert audit(db_session, "area.created")[0].target_id == area.id
    response = client.post(f"{PREFIX}/areas/{area.id}", data={**data, "name_ug": "", "name_en": "Hill"})
    assert response.status_code == 422
    assert error_beside(page(response), "name_ug")
    assert page(response).by_id("name_en").get("value") == "Hill"
    assert client.post(f"{PREFIX}/areas/{area.id}", data={**data, "name_en": "Hill"}).status_code == 303
    db_session.expire_all()
    assert db_session.get(Area, area.id).name_i18n == {"ug": "ئېدىر", "en": "Hill"}
    assert audit(db_session, "area.updated")[0].details["fields"] == ["name_i18n"]


def test_an_area_cannot_be_put_under_its_own_community(client, admin, world):
    data = {"code": "w-north", "level": "district", "parent_id": str(world.maple.id),
            "source_locale": "en", **NAMES, "name_en": "North District"}
    response = client.post(f"{PREFIX}/areas/{world.north.id}", data=data)
    assert response.status_code == 422
    assert error_beside(page(response), "parent_id")


# --- groups, categories and their questions ------------------------------------------------

def category_form(world, **kw):
    data = {"service_code": "w-tree", "group_id": str(world.group.id), "source_locale": "en", **NAMES,
            "name_en": "Fallen tree", "description_en": "A tree or branch is down.", "keywords_en": "tree",
            "ack_hours": "4", "resolve_days": "2", "active": "y"}
    for loc in ("zh_Hans", "zh_Hant", "es", "ar", "bo", "ug"):
        data.setdefault(f"description_{loc}", "")
    data.update(kw)
    return data


def test_create_a_group(client, admin, world, db_session):
    response = client.post(f"{PREFIX}/groups/new", data={"code": "w-water", "position": "2",
                                                         "source_locale": "en", **NAMES, "name_en": "Water"})
    assert response.status_code == 303
    group = db_session.scalar(select(CategoryGroup).where(CategoryGroup.code == "w-water"))
    assert group.position == 2 and group.name_i18n == {"en": "Water"}
    assert audit(db_session, "category_group.created")[0].target_id == group.id
    response = client.post(f"{PREFIX}/groups/{group.id}", data={
        "code": "w-water", "position": "two", "source_locale": "en", **NAMES, "name_en": "Water"})
    assert response.status_code == 422
    assert error_beside(page(response), "position") == "Error: Enter a whole number."


def test_create_and_edit_a_category(client, admin, world, db_session):
    response = client.post(f"{PREFIX}/categories/new", data=category_form(world))
    category = db_session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "w-tree"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PREFIX}/categories/{category.id}")
    assert (category.ack_hours, category.resolve_days, category.active) == (4, 2, True)
    assert category.description_i18n == {"en": "A tree or branch is down."}
    assert audit(db_session, "category.created")[0].target_id == category.id
    response = client.post(f"{PREFIX}/categories/{category.id}", data=category_form(
        world, ack_hours="0", resolve_days="many", active=""))
    assert response.status_code == 422
    doc = page(response)
    assert "from 1 to 400" in error_beside(doc, "ack_hours")
    assert "whole number" in error_beside(doc, "resolve_days")
    data = category_form(world, ack_hours="6")
    data.pop("active")  # an unticked box is not sent
    assert client.post(f"{PREFIX}/categories/{category.id}", data=data).status_code == 303
    db_session.expire_all()
    category = db_session.get(ServiceCategory, category.id)
    assert category.ack_hours == 6 and category.active is False
    assert set(audit(db_session, "category.updated")[0].details["fields"]) == {"ack_hours", "active"}
    listing = page(client.get(f"{PREFIX}/categories"))
    assert "Not taking requests" in listing.text


def test_a_category_needs_a_group_and_a_free_code(client, admin, world):
    response = client.post(f"{PREFIX}/categories/new", data=category_form(
        world, service_code="w-pothole", group_id=""))
    assert response.status_code == 422
    doc = page(response)
    assert error_beside(doc, "group_id")
    response = client.post(f"{PREFIX}/categories/new", data=category_form(world, service_code="w-pothole"))
    assert "already in use" in error_beside(page(response), "service_code")


def question_form(rows=2, **kw):
    data = {"rows": str(rows), "code": "colour", "datatype": "singlevaluelist", "required_answer": "y",
            "order": "", **{k.replace("name", "description"): v for k, v in NAMES.items()},
            "description_en": "What colour is it?"}
    for n in range(rows):
        data[f"value_{n}_key"] = ""
        data.update({k.replace("name", f"value_{n}_name"): "" for k in NAMES})
    data.update(kw)
    return data


def test_add_a_question_one_answer_row_at_a_time(client, admin, world, db_session):
    url = f"{PREFIX}/categories/{world.category.id}/questions/new"
    doc = page(client.get(url))
    assert doc.by_id("value_0_key") is not None and doc.by_id("value_1_key") is None
    # "Add another answer" works without JavaScript: the page comes back with one more row,
    # and what was typed is kept.
    response = client.post(url, data=question_form(rows=1, add_row="1", value_0_key="red",
                                                   value_0_name_en="Red"))
    assert response.status_code == 200
    doc = page(response)
    assert doc.by_id("value_1_key") is not None and doc.by_id("rows").get("value") == "2"
    assert doc.by_id("value_0_name_en").get("value") == "Red"
    assert [f.find("legend").text for f in doc.find_all("fieldset", class_="answer")] == [
        "Answer 1", "Answer 2"]
    response = client.post(url, data=question_form(
        rows=2, value_0_key="red", value_0_name_en="Red", value_1_key="blue", value_1_name_en="Blue",
        value_1_name_es="Azul"))
    assert response.status_code == 303
    db_session.expire_all()
    attributes = db_session.get(ServiceCategory, world.category.id).attributes
    assert attributes[1] == {
        "code": "colour", "datatype": "singlevaluelist", "required": True, "order": 2,
        "description_i18n": {"en": "What colour is it?"},
        "values": [{"key": "red", "name_i18n": {"en": "Red"}},
                   {"key": "blue", "name_i18n": {"en": "Blue", "es": "Azul"}}]}
    assert audit(db_session, "category.question_saved")[0].details == {
        "code": "w-pothole", "question": "colour", "new": True}


def test_question_errors_are_beside_the_fields(client, admin, world, db_session):
    url = f"{PREFIX}/categories/{world.category.id}/questions/new"
    response = client.post(url, data=question_form(code="size", value_0_key="a", value_0_name_en=""))
    assert response.status_code == 422
    doc = page(response)
    assert "already has a question" in error_beside(doc, "code")
    assert error_beside(doc, "value_0_name_en")
    response = client.post(url, data=question_form(code="weight", datatype="number", value_0_key="a",
                                                   value_0_name_en="A"))
    assert "Only list questions" in " ".join(page(response).by_id("datatype-field").text.split())
    db_session.expire_all()
    assert len(db_session.get(ServiceCategory, world.category.id).attributes) == 1


def test_edit_and_remove_a_question(client, admin, world, db_session):
    url = f"{PREFIX}/categories/{world.category.id}/questions/size"
    doc = page(client.get(url))
    assert doc.by_id("value_1_key").get("value") == "large"
    assert doc.by_id("value_2_key").get("value") == ""  # one empty row to add an answer
    response = client.post(url, data=question_form(
        rows=3, code="size", description_en="How large is it?", value_0_key="small", value_0_name_en="Small",
        value_1_key="", value_2_key="huge", value_2_name_en="Huge"))
    assert response.status_code == 303
    db_session.expire_all()
    [size] = db_session.get(ServiceCategory, world.category.id).attributes
    assert [v["key"] for v in size["values"]] == ["small", "huge"]  # an emptied row is removed
    assert size["description_i18n"] == {"en": "How large is it?"}
    assert client.get(f"{PREFIX}/categories/{world.category.id}/questions/nothing").status_code == 404
    response = client.post(f"{url}/remove")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(ServiceCategory, world.category.id).attributes == []
    assert audit(db_session, "category.question_removed")[0].details["question"] == "size"


# --- rules ---------------------------------------------------------------------------------

def test_rules_page_shows_the_list_and_its_history(client, admin, world, db_session, factories):
    ended = factories.responsibility_rule(world.category, world.maple, world.roads,
                                          effective_from=date(2025, 1, 1), effective_to=date(2026, 1, 1),
                                          note="Moved to the district")
    later = factories.responsibility_rule(world.category, world.maple, world.north_office,
                                          effective_from=date.today() + timedelta(days=10))
    doc = page(client.get(f"{PREFIX}/rules"))
    tables = doc.find_all("table")
    in_force, upcoming, history = tables
    assert [th.text for th in in_force.find("tbody").find_all("th")] == [
        str(world.city_rule.id), str(world.district_rule.id)]
    assert in_force.find("a", href=f"{PREFIX}/rules/{world.city_rule.id}/end") is not None
    assert upcoming.find("tbody").find("th").text == str(later.id)
    assert history.find("tbody").find("th").text == str(ended.id)
    assert "Moved to the district" in history.text


def rule_form(world, **kw):
    data = {"category_id": str(world.category.id), "area_id": str(world.maple.id),
            "lead_id": str(world.north_office.id), "co_departments": [str(world.roads.id)],
            "effective_from": (date.today() + timedelta(days=1)).isoformat(), "note": "Local office"}
    data.update(kw)
    return data


def test_set_a_rule(client, admin, world, db_session):
    doc = page(client.get(f"{PREFIX}/rules/new?category={world.category.id}&area={world.maple.id}"))
    assert doc.by_id("category_id").find("option", selected=True).get("value") == str(world.category.id)
    assert doc.by_id("effective_from").get("value") == date.today().isoformat()
    response = client.post(f"{PREFIX}/rules/new", data=rule_form(world))
    assert response.status_code == 303
    rule = db_session.scalar(select(ResponsibilityRule).where(ResponsibilityRule.area_id == world.maple.id))
    assert rule.lead_department_id == world.north_office.id
    assert [d.id for d in rule.co_departments] == [world.roads.id] and rule.note == "Local office"
    assert rule.created_by_id == admin.id
    assert audit(db_session, "responsibility.rule_set")[0].target_id == rule.id


def test_rule_errors_are_beside_the_fields(client, admin, world, db_session):
    response = client.post(f"{PREFIX}/rules/new", data=rule_form(
        world, lead_id=str(world.roads.id), note="Keep me"))
    assert response.status_code == 422
    doc = page(response)
    assert "cannot also co-handle" in doc.by_id("co_departments-field").text
    assert doc.by_id("note").text == "Keep me"
    response = client.post(f"{PREFIX}/rules/new", data=rule_form(
        world, area_id=str(world.north.id), effective_from="2025-06-01"))
    assert "must start after" in error_beside(page(response), "effective_from")
    response = client.post(f"{PREFIX}/rules/new",
                           data=rule_form(world, category_id="", effective_from="soon"))
    doc = page(response)
    assert error_beside(doc, "category_id") and "real date" in error_beside(doc, "effective_from")
    db_session.expire_all()
    maple = select(ResponsibilityRule).where(ResponsibilityRule.area_id == world.maple.id)
    assert db_session.scalar(maple) is None


def test_end_a_rule(client, admin, world, db_session):
    url = f"{PREFIX}/rules/{world.district_rule.id}/end"
    doc = page(client.get(url))
    assert doc.by_id("effective_to").get("value") == date.today().isoformat()
    response = client.post(url, data={"effective_to": "2025-01-01"})
    assert response.status_code == 422
    assert "after the start date" in error_beside(page(response), "effective_to")
    response = client.post(url, data={"effective_to": date.today().isoformat()})
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(ResponsibilityRule, world.district_rule.id).effective_to == date.today()
    assert audit(db_session, "responsibility.rule_ended")[0].target_id == world.district_rule.id
    assert "already has an end date" in page(client.get(url)).text
    assert client.get(f"{PREFIX}/rules/999999/end").status_code == 404


# --- the routing checker -------------------------------------------------------------------

def test_check_explains_the_rule_that_decides(client, admin, world):
    response = client.get(f"{PREFIX}/check?category={world.category.id}&area={world.maple.id}")
    assert response.status_code == 200
    doc = page(response)
    answer = doc.one("p", class_="lead").text
    assert f"by rule {world.district_rule.id} for North District" in answer
    assert "the most specific rule in force" in answer
    rows = doc.by_id("route-check").find("table").find("tbody").find_all("tr")
    assert [r.find("th").text for r in rows] == ["Maple Court", "North District", "Town"]
    assert "Decides" in rows[1].text and "Not needed" in rows[2].text
    assert doc.find("a", href=f"{PREFIX}/rules/new?category={world.category.id}&area={world.maple.id}")


def test_check_without_a_rule_names_the_dispatcher(client, admin, world, factories):
    other = factories.service_category("w-noise", en="Noise")
    doc = page(client.get(f"{PREFIX}/check?category={other.id}&area={world.maple.id}&on=2026-03-01"))
    answer = doc.one("p", class_="lead").text
    assert "No rule is in force" in answer and "Dispatch Centre, the city dispatcher" in answer
    assert doc.one("p", class_="lead").find("time", datetime="2026-03-01") is not None


def test_check_with_htmx_returns_the_fragment(client, admin, world):
    response = client.get(f"{PREFIX}/check?category={world.category.id}&area={world.north.id}",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert page(response).one("div", id="route-check")
    assert f"by rule {world.district_rule.id}" in html


def test_check_errors(client, admin, world):
    response = client.get(f"{PREFIX}/check?category=&area={world.north.id}&on=tomorrow")
    assert response.status_code == 422
    doc = page(response)
    assert error_beside(doc, "category") and "real date" in error_beside(doc, "on")
    assert client.get(f"{PREFIX}/check").status_code == 200  # the empty form, no errors
    # htmx swaps only successful answers in: the fragment comes back with its errors.
    response = client.get(f"{PREFIX}/check?category=&area={world.north.id}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert error_beside(page(response), "category")


def test_every_change_needs_the_csrf_token(client, admin, world, app, db_session, monkeypatch):
    from tests.conftest import csrf_token_from

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    checked = 0
    for endpoint, path in paths(app, world, "GET"):
        for form in page(client.get(path)).find_all("form", method="post"):
            assert form.find("input", name="csrf_token") is not None, (endpoint, form.get("action"))
            checked += 1
    assert checked > 30
    response = client.post(f"{PREFIX}/departments/new", data=department_form())
    assert response.status_code == 400
    assert client.post(f"{PREFIX}/calendar/days/2026-10-01/remove").status_code == 400
    token = csrf_token_from(client.get(f"{PREFIX}/departments/new").get_data(as_text=True))
    response = client.post(f"{PREFIX}/departments/new", data={**department_form(), "csrf_token": token})
    assert response.status_code == 303


def test_category_keywords_are_kept_per_language(client, admin, world, db_session):
    data = category_form(world, keywords_en="tree  branch", keywords_zh_Hans="树木 树枝",
                         keywords_bo="ལྗོན་ཤིང་", keywords_es="x" * 1001)
    response = client.post(f"{PREFIX}/categories/new", data=data)
    assert response.status_code == 422
    doc = page(response)
    assert error_beside(doc, "keywords_es")
    assert doc.by_id("keywords_zh_Hans").get("value") == "树木 树枝"  # what was typed stays
    assert doc.by_id("keywords_bo").get("lang") == "bo"
    data["keywords_es"] = "árbol rama"
    assert client.post(f"{PREFIX}/categories/new", data=data).status_code == 303
    category = db_session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == "w-tree"))
    assert category.keywords_i18n == {"en": "tree branch", "zh-Hans": "树木 树枝", "es": "árbol rama",
                                      "bo": "ལྗོན་ཤིང་"}
    doc = page(client.get(f"{PREFIX}/categories/{category.id}"))
    assert doc.by_id("keywords_es").get("value") == "árbol rama"
