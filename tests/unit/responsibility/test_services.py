"""The responsibility list: routing by the most specific rule, effective dates and history,
the checker's explanation, the public views, and what administrators edit."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.errors import Invalid, NotFound
from portal.core.models import AuditEvent
from portal.responsibility import services
from portal.responsibility.models import ResponsibilityRule

TODAY = date.today()
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture
def city(factories):
    """A city with two districts; the north district has two communities."""

    class City:
        root = factories.area("t-city", en="Town")
        north = factories.area("t-north", parent=root, en="North")
        south = factories.area("t-south", parent=root, en="South")
        maple = factories.area("t-maple", parent=north, en="Maple")
        hill = factories.area("t-hill", parent=north, en="Hill")
        dispatch = factories.department("dispatch", en="Dispatch")
        roads = factories.department("t-roads", en="Roads")
        north_office = factories.department("t-north-office", en="North Office")
        maple_committee = factories.department("t-maple-committee", parent=north_office, en="Maple Committee")
        category = factories.service_category("t-pothole", en="Pothole")

    return City


def audit(db_session, action):
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


# --- routing -------------------------------------------------------------------------------

def test_community_rule_beats_district_beats_city(db_session, factories, city):
    factories.responsibility_rule(city.category, city.root, city.roads)
    factories.responsibility_rule(city.category, city.north, city.north_office, co=[city.roads])
    community = factories.responsibility_rule(city.category, city.maple, city.maple_committee)

    maple = services.route(db_session, city.category, city.maple)
    assert maple.lead == city.maple_committee and maple.rule == community
    assert maple.matched_area == city.maple and maple.co == []
    hill = services.route(db_session, city.category, city.hill)
    assert hill.lead == city.north_office and hill.matched_area == city.north and hill.co == [city.roads]
    south = services.route(db_session, city.category, city.south)
    assert south.lead == city.roads and south.matched_area == city.root
    assert south.reason() == {"rule_id": south.rule.id, "area": "t-city"}


def test_route_many_routes_every_pair_as_route_does(db_session, factories, city):
    other = factories.service_category("t-noise")
    factories.responsibility_rule(city.category, city.root, city.roads)
    factories.responsibility_rule(city.category, city.north, city.north_office, co=[city.roads])
    factories.responsibility_rule(other, city.maple, city.maple_committee)
    pairs = [(c, a) for c in (city.category, other)
             for a in (city.root, city.north, city.south, city.maple, city.hill)]
    many = services.route_many(db_session, pairs)
    for category, area in pairs:
        one = services.route(db_session, category, area)
        got = many[(category.id, area.id)]
        assert (got.lead, got.co, got.rule, got.matched_area) == (
            one.lead, one.co, one.rule, one.matched_area), (category.service_code, area.code)


def test_routing_reads_the_areas_chain_not_every_area(db_session, factories, city, app,
                                                     monkeypatch):
    """A city of thousands of areas: with the reference data held (as in production), route()
    reads the area's chain, never every area; route_many runs the same statements for 2 pairs
    or 22."""
    from sqlalchemy import event

    from portal.core.cache import clear_local
    from portal.extensions import db

    monkeypatch.setitem(app.config, "REFERENCE_CACHE", True)
    clear_local()
    factories.responsibility_rule(city.category, city.root, city.roads)
    extra = [factories.area(f"t-extra-{n}", parent=city.south) for n in range(20)]
    db_session.commit()
    services.reference_data(db_session)  # held from here on
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert services.route(db_session, city.category, extra[0]).lead == city.roads
        reads = [s for s in statements if " FROM area" in s]
        assert reads and all(" WHERE area.id IN " in s for s in reads), reads
        statements.clear()
        services.route_many(db_session, [(city.category, a) for a in extra[:2]])
        few = len(statements)
        statements.clear()
        services.route_many(db_session, [(city.category, a) for a in extra] +
                            [(city.category, city.maple), (city.category, city.hill)])
        assert len(statements) == few
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        clear_local()


def test_no_rule_goes_to_the_dispatcher(db_session, factories, city):
    other = factories.service_category("t-noise")
    factories.responsibility_rule(city.category, city.root, city.roads)
    routing = services.route(db_session, other, city.maple)
    assert routing.lead == city.dispatch and routing.rule is None and routing.matched_area is None
    assert routing.reason() == {"rule_id": None, "fallback": "dispatch"}


def test_a_rule_ending_today_does_not_apply_tomorrow(db_session, factories, city):
    factories.responsibility_rule(city.category, city.root, city.roads)
    rule = factories.responsibility_rule(city.category, city.north, city.north_office,
                                         effective_from=TODAY - timedelta(days=30))
    # "Ends today": today is its last day, so it is no longer in force from tomorrow.
    services.end_rule(db_session, factories.admin(), rule, TOMORROW)
    assert services.route(db_session, city.category, city.hill, TODAY).rule == rule
    after = services.route(db_session, city.category, city.hill, TOMORROW)
    assert after.lead == city.roads and after.matched_area == city.root
    assert rule not in services.rules_in_force(db_session, TOMORROW)
    assert rule in services.rules_in_force(db_session, TODAY)


def test_a_rule_is_not_in_force_before_it_starts(db_session, factories, city):
    factories.responsibility_rule(city.category, city.maple, city.maple_committee, effective_from=TOMORROW)
    assert services.route(db_session, city.category, city.maple, TODAY).lead == city.dispatch
    assert services.route(db_session, city.category, city.maple, TOMORROW).lead == city.maple_committee


def test_set_rule_keeps_the_history(db_session, factories, city):
    admin = factories.admin()
    first = services.set_rule(db_session, admin, city.category, city.north, city.roads, [],
                              date(2026, 1, 1), "First", "10.0.0.1")
    second = services.set_rule(db_session, admin, city.category, city.north, city.north_office,
                               [city.roads], date(2026, 6, 1), "Handed to the district")
    assert first.effective_to == date(2026, 6, 1) and second.effective_to is None
    assert second.replaces_id == first.id and second.created_by_id == admin.id
    assert services.route(db_session, city.category, city.hill, date(2026, 5, 31)).rule == first
    assert services.route(db_session, city.category, city.hill, date(2026, 6, 1)).rule == second
    rows = db_session.scalars(select(ResponsibilityRule).where(ResponsibilityRule.area_id == city.north.id))
    assert len(list(rows)) == 2
    events = audit(db_session, "responsibility.rule_set")
    assert [e.target_id for e in events] == [first.id, second.id]
    assert events[0].ip_address == "10.0.0.1"
    assert events[1].details == {"category": "t-pothole", "area": "t-north", "lead": "t-north-office",
                                 "co": ["t-roads"], "effective_from": "2026-06-01"}
    assert services.ended_rules(db_session, date(2026, 7, 1)).items == [first]
    assert services.ended_rules(db_session, date(2026, 5, 1)).items == []


def test_set_rule_must_start_after_the_rule_it_replaces(db_session, factories, city):
    admin = factories.admin()
    services.set_rule(db_session, admin, city.category, city.north, city.roads, [], date(2026, 6, 1))
    with pytest.raises(Invalid) as exc:
        services.set_rule(db_session, admin, city.category, city.north, city.roads, [], date(2026, 6, 1))
    assert list(exc.value.errors) == ["effective_from"]


def test_set_rule_cuts_a_rule_that_already_has_a_later_end(db_session, factories, city):
    admin = factories.admin()
    old = factories.responsibility_rule(city.category, city.north, city.roads,
                                        effective_from=date(2026, 1, 1), effective_to=date(2026, 12, 1))
    new = services.set_rule(db_session, admin, city.category, city.north, city.north_office, [],
                            date(2026, 6, 1))
    assert old.effective_to == date(2026, 6, 1) and new.replaces_id == old.id
    assert services.route(db_session, city.category, city.north, date(2026, 7, 1)).rule == new


def test_the_lead_cannot_also_co_handle(db_session, factories, city):
    with pytest.raises(Invalid) as exc:
        services.set_rule(db_session, factories.admin(), city.category, city.north, city.roads,
                          [city.roads], date(2026, 1, 1))
    assert list(exc.value.errors) == ["co_departments"]


def test_end_rule_checks_its_date_and_audits(db_session, factories, city):
    admin = factories.admin()
    rule = factories.responsibility_rule(city.category, city.north, city.roads,
                                         effective_from=date(2026, 3, 1))
    with pytest.raises(Invalid) as exc:
        services.end_rule(db_session, admin, rule, date(2026, 3, 1))
    assert list(exc.value.errors) == ["effective_to"]
    services.end_rule(db_session, admin, rule, date(2026, 4, 1), "10.0.0.3")
    assert rule.effective_to == date(2026, 4, 1)
    [event] = audit(db_session, "responsibility.rule_ended")
    assert event.target_id == rule.id and event.details == {"effective_to": "2026-04-01"}
    with pytest.raises(Invalid):
        services.end_rule(db_session, admin, rule, date(2026, 5, 1))  # already ended


def test_explain_route_shows_the_areas_walked(db_session, factories, city):
    city_rule = factories.responsibility_rule(city.category, city.root, city.roads)
    district_rule = factories.responsibility_rule(city.category, city.north, city.north_office)
    check = services.explain_route(db_session, city.category, city.hill, TODAY)
    assert check.routing.rule == district_rule and check.on == TODAY
    assert [(s.area, s.rule, s.used, s.checked) for s in check.steps] == [
        (city.hill, None, False, True),
        (city.north, district_rule, True, True),
        (city.root, city_rule, False, False),
    ]
    nothing = services.explain_route(db_session, factories.service_category("t-other"), city.maple)
    assert nothing.routing.lead == city.dispatch
    assert [s.used for s in nothing.steps] == [False, False, False]
    assert all(s.checked for s in nothing.steps)


# --- the public views of the list ----------------------------------------------------------

def test_responsibility_list_groups_categories_and_orders_areas(db_session, factories, city):
    water = factories.category_group("t-water", position=-1, en="Water")
    leak = factories.service_category("t-leak", group=water, en="Leak")
    retired = factories.service_category("t-retired", group=water, en="Retired")
    retired.active = False
    db_session.commit()
    factories.responsibility_rule(city.category, city.maple, city.maple_committee)
    factories.responsibility_rule(city.category, city.root, city.roads)
    factories.responsibility_rule(city.category, city.north, city.north_office)
    ended = factories.responsibility_rule(city.category, city.south, city.roads,
                                          effective_to=TODAY)
    listing = services.responsibility_list(db_session)
    assert listing[0].group == water  # position -1 comes first
    assert [c.category for c in listing[0].categories] == [leak]
    assert listing[0].categories[0].rules == []
    pothole = next(c for g in listing for c in g.categories if c.category == city.category)
    assert [r.area for r in pothole.rules] == [city.root, city.north, city.maple]
    assert ended not in pothole.rules


def test_department_overview(db_session, factories, city):
    lead = factories.responsibility_rule(city.category, city.maple, city.maple_committee, co=[city.roads])
    factories.responsibility_rule(city.category, city.root, city.roads)
    overview = services.department_overview(db_session, "t-maple-committee")
    assert overview.department == city.maple_committee
    assert overview.ancestors == [city.north_office] and overview.children == []
    assert overview.leads == [lead] and overview.co_handles == []
    roads = services.department_overview(db_session, "t-roads")
    assert roads.co_handles == [lead] and [r.area for r in roads.leads] == [city.root]
    assert services.department_overview(db_session, "t-north-office").children == [city.maple_committee]
    with pytest.raises(NotFound):
        services.department_overview(db_session, "nobody")


def test_category_overview(db_session, factories, city):
    old = factories.responsibility_rule(city.category, city.root, city.roads,
                                        effective_from=date(2025, 1, 1), effective_to=date(2026, 1, 1))
    new = factories.responsibility_rule(city.category, city.root, city.north_office)
    overview = services.category_overview(db_session, "t-pothole")
    assert overview.rules == [new] and overview.changes == [old]
    city.category.active = False
    db_session.commit()
    with pytest.raises(NotFound):
        services.category_overview(db_session, "t-pothole")


# --- what administrators edit --------------------------------------------------------------

def department_data(**kw):
    values = {"code": "t-parks", "level": "city", "names": {"en": "Parks", "zh-Hans": "园林"},
              "source_locale": "en"}
    values.update(kw)
    return services.DepartmentData(**values)


def test_create_and_update_a_department(db_session, factories, city):
    admin = factories.admin()
    supervisor = factories.user(roles=("staff",), email="boss@example.org")
    department = services.create_department(db_session, admin, department_data(
        code=" T-Parks ", names={"en": " Parks ", "es": "", "zh-Hans": "园林"}, parent_id=city.roads.id,
        email="Parks@Example.org", phone=" 555 ", supervisor_email="boss@example.org"), "10.0.0.4")
    assert department.code == "t-parks" and department.name_i18n == {"en": "Parks", "zh-Hans": "园林"}
    assert department.parent_id == city.roads.id and department.email == "parks@example.org"
    assert department.phone == "555" and department.supervisor_id == supervisor.id
    [created] = audit(db_session, "department.created")
    assert created.target_id == department.id and created.ip_address == "10.0.0.4"
    changed = services.update_department(db_session, admin, department, department_data(
        names={"en": "Parks and Gardens"}, supervisor_email="boss@example.org", parent_id=city.roads.id,
        email="parks@example.org", phone="555"))
    assert changed == ["name_i18n"]
    assert audit(db_session, "department.updated")[0].details == {"code": "t-parks", "fields": ["name_i18n"]}
    assert services.update_department(db_session, admin, department, department_data(
        names={"en": "Parks and Gardens"}, supervisor_email="boss@example.org", parent_id=city.roads.id,
        email="parks@example.org", phone="555")) == []
    assert len(audit(db_session, "department.updated")) == 1  # no change, no entry


@pytest.mark.parametrize(("changes", "field"), [
    ({"code": "t-roads"}, "code"),  # taken
    ({"code": "Bad code!"}, "code"),
    ({"level": "galaxy"}, "level"),
    ({"names": {"en": "Parks"}, "source_locale": "zh-Hant"}, "name_zh_Hant"),
    ({"names": {"en": "x" * 201}}, "name_en"),
    ({"source_locale": "xx"}, "source_locale"),
    ({"parent_id": 999999}, "parent_id"),
    ({"supervisor_email": "nobody@example.org"}, "supervisor_email"),
])
def test_department_errors_name_their_field(db_session, factories, city, changes, field):
    with pytest.raises(Invalid) as exc:
        services.create_department(db_session, factories.admin(), department_data(**changes))
    assert field in exc.value.errors


def test_a_department_cannot_sit_under_its_own_unit(db_session, factories, city):
    with pytest.raises(Invalid) as exc:
        services.update_department(db_session, factories.admin(), city.north_office, department_data(
            code="t-north-office", level="district", parent_id=city.maple_committee.id))
    assert list(exc.value.errors) == ["parent_id"]


def test_the_dispatch_centre_keeps_its_code(db_session, factories, city):
    with pytest.raises(Invalid) as exc:
        services.update_department(db_session, factories.admin(), city.dispatch,
                                   department_data(code="dispatch-2"))
    assert list(exc.value.errors) == ["code"]


def test_a_resident_cannot_supervise(db_session, factories, city):
    factories.user(email="resident@example.org")
    with pytest.raises(Invalid) as exc:
        services.create_department(db_session, factories.admin(),
                                   department_data(supervisor_email="resident@example.org"))
    assert list(exc.value.errors) == ["supervisor_email"]


def test_create_and_update_an_area(db_session, factories, city):
    admin = factories.admin()
    area = services.create_area(db_session, admin, services.AreaData(
        "t-pine", "community", {"zh-Hans": "松林社区"}, "zh-Hans", city.south.id))
    assert area.parent == city.south and area.name.text == "松林社区"
    assert audit(db_session, "area.created")[0].target_id == area.id
    with pytest.raises(Invalid) as exc:  # the north district under its own community
        services.update_area(db_session, admin, city.north, services.AreaData(
            "t-north", "district", {"en": "North"}, "en", city.maple.id))
    assert list(exc.value.errors) == ["parent_id"]
    changed = services.update_area(db_session, admin, area, services.AreaData(
        "t-pine", "community", {"zh-Hans": "松林社区", "en": "Pine"}, "zh-Hans", city.south.id))
    assert changed == ["name_i18n"]


def test_groups_and_categories(db_session, factories, city):
    admin = factories.admin()
    group = services.create_group(db_session, admin, services.GroupData("t-green", {"en": "Green"}, "en", 3))
    data = services.CategoryData("t-tree", group.id, {"en": "Fallen tree"}, {"en": "A tree is down."},
                                 "en", keywords="  tree   branch ", ack_hours=4, resolve_days=2)
    category = services.create_category(db_session, admin, data)
    assert category.keywords == "tree branch" and category.attributes == [] and category.active
    assert [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "category_group.created", "category.created"]
    data.ack_hours, data.active = 6, False
    assert services.update_category(db_session, admin, category, data) == ["ack_hours", "active"]
    bad = services.CategoryData("t-pothole", None, {}, {"en": "x" * 2001}, "en",
                                ack_hours=0, resolve_days=400)
    with pytest.raises(Invalid) as exc:
        services.create_category(db_session, admin, bad)
    assert set(exc.value.errors) == {"service_code", "group_id", "name_en", "description_en",
                                     "ack_hours", "resolve_days"}


def question(**kw):
    values = {"code": "size", "datatype": "singlevaluelist",
              "descriptions": {"en": "How big is it?", "es": "¿Qué tamaño tiene?"}, "required": True,
              "values": [("small", {"en": "Small"}), ("", {}), ("large", {"en": "Large", "es": "Grande"})]}
    values.update(kw)
    return services.AttributeData(**values)


def test_questions_are_open311_attributes(db_session, factories, city):
    admin = factories.admin()
    category = city.category
    services.save_attribute(db_session, admin, category, question())
    services.save_attribute(db_session, admin, category, question(
        code="since", datatype="string", required=False, descriptions={"en": "Since when?"}, values=[],
        order=0))
    assert category.attributes == [
        {"code": "since", "datatype": "string", "required": False,
         "description_i18n": {"en": "Since when?"}, "values": [], "order": 0},
        {"code": "size", "datatype": "singlevaluelist", "required": True,
         "description_i18n": {"en": "How big is it?", "es": "¿Qué tamaño tiene?"},
         "values": [{"key": "small", "name_i18n": {"en": "Small"}},
                    {"key": "large", "name_i18n": {"en": "Large", "es": "Grande"}}], "order": 1},
    ]
    # The answers residents give are checked against them.
    from portal.feedback.services import check_answers

    assert check_answers(category, {"size": "small"}) == {}
    assert "attribute[size]" in check_answers(category, {"size": "huge"})
    services.save_attribute(db_session, admin, category, question(code="bigness"), original_code="size")
    assert [a["code"] for a in category.attributes] == ["since", "bigness"]
    services.remove_attribute(db_session, admin, category, "since")
    assert [a["code"] for a in category.attributes] == ["bigness"]
    assert [e.details["question"] for e in audit(db_session, "category.question_saved")] == [
        "size", "since", "bigness"]
    assert audit(db_session, "category.question_removed")[0].details == {"code": "t-pothole",
                                                                         "question": "since"}
    with pytest.raises(NotFound):
        services.remove_attribute(db_session, admin, category, "since")


@pytest.mark.parametrize(("changes", "fields"), [
    ({"code": "bad code"}, {"code"}),
    ({"datatype": "colour"}, {"datatype"}),
    ({"descriptions": {"es": "¿Qué tamaño?"}}, {"description_en"}),
    ({"values": []}, {"value_0_key"}),  # a list needs answers
    ({"datatype": "number"}, {"datatype"}),  # and only lists have them
    ({"values": [("a", {"en": "A"}), ("a", {"en": "B"})]}, {"value_1_key"}),
    ({"values": [("a", {"es": "A"})]}, {"value_0_name_en"}),
])
def test_question_errors_name_their_field(db_session, factories, city, changes, fields):
    with pytest.raises(Invalid) as exc:
        services.save_attribute(db_session, factories.admin(), city.category, question(**changes))
    assert set(exc.value.errors) == fields
    assert city.category.attributes == []


def test_a_question_code_is_unique_in_its_category(db_session, factories, city):
    admin = factories.admin()
    services.save_attribute(db_session, admin, city.category, question())
    with pytest.raises(Invalid) as exc:
        services.save_attribute(db_session, admin, city.category, question())
    assert list(exc.value.errors) == ["code"]
