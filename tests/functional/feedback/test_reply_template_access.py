"""Reply templates are edited only by their department's staff and by administrators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.feedback.models import ReplyTemplate
from tests.functional.moderation.support import build_world, clients
from tests.functional.support import page

BASE = "/en/staff/requests/reply-templates"


@pytest.fixture
def world(db_session, factories):
    return build_world(db_session, factories)


@pytest.fixture
def client_for(app, db_session):
    return clients(app)


def data(**overrides):
    return {"source_locale": "en", "title_en": "Repaired", "body_en": "We repaired the road.",
            **overrides}


@pytest.fixture
def roads_template(world, client_for, db_session):
    response = client_for(world.users["lead_staff"]).post(f"{BASE}/new", data=data())
    assert response.status_code == 303
    template = db_session.scalar(select(ReplyTemplate))
    assert template.department_id == world.departments["roads"].id  # filed under theirs
    return template


@pytest.mark.parametrize("who", ["other_staff", "dispatcher", "moderator"])
def test_staff_of_another_department_get_403_on_every_page_and_post(world, client_for, db_session,
                                                                   roads_template, who):
    client = client_for(world.users[who])
    edit = f"{BASE}/{roads_template.id}"
    assert client.get(edit).status_code == 403
    assert client.post(edit, data=data(title_en="Taken over")).status_code == 403
    assert client.post(f"{edit}/delete").status_code == 403
    roads = world.departments["roads"].id
    assert client.post(f"{BASE}/new", data=data(department=roads)).status_code == 403
    db_session.expire_all()
    assert [t.title_i18n["en"] for t in db_session.scalars(select(ReplyTemplate))] == ["Repaired"]
    listing = page(client.get(BASE))
    assert listing.find("a", href=edit) is None and "Repaired" in listing.text
    # only staff with a department write templates
    assert (listing.find("a", href=f"{BASE}/new") is None) == (who == "moderator")


def test_the_departments_colleague_and_administrators_may_edit(world, client_for, db_session,
                                                              roads_template):
    edit = f"{BASE}/{roads_template.id}"
    colleague = client_for(world.users["colleague"])
    assert page(colleague.get(BASE)).find("a", href=edit) is not None
    assert colleague.get(edit).status_code == 200
    assert colleague.post(edit, data=data(title_en="Road repaired")).status_code == 303
    admin = client_for(world.users["administrator"])
    assert admin.get(edit).status_code == 200
    assert admin.post(edit, data=data(title_en="Road resurfaced",
                                      department=roads_template.department_id)).status_code == 303
    db_session.expire_all()
    assert roads_template.title_i18n["en"] == "Road resurfaced"
    assert roads_template.department_id == world.departments["roads"].id
    assert admin.post(f"{edit}/delete").status_code == 303


def test_the_department_choice_offers_only_ones_own(world, client_for):
    select_ = page(client_for(world.users["lead_staff"]).get(f"{BASE}/new")).one("select", id="department")
    assert [o.text for o in select_.find_all("option")] == ["Roads office"]
    select_ = page(client_for(world.users["administrator"]).get(f"{BASE}/new")).one("select", id="department")
    assert len(select_.find_all("option")) == 5  # the four departments, or administrators only


def test_a_template_from_before_departments_is_for_administrators(world, client_for, db_session):
    legacy = ReplyTemplate(source_locale="en", title_i18n={"en": "Old"}, body_i18n={"en": "Old text"})
    db_session.add(legacy)
    db_session.commit()
    assert client_for(world.users["lead_staff"]).get(f"{BASE}/{legacy.id}").status_code == 403
    assert client_for(world.users["administrator"]).get(f"{BASE}/{legacy.id}").status_code == 200
