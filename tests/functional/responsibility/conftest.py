import pytest


@pytest.fixture
def world(factories, db_session):
    """A small city for the responsibility pages: areas, departments (one named only in
    Chinese), a category group and category with a question, rules and a calendar day."""
    from datetime import date

    from portal.core.calendar import set_day

    class World:
        root = factories.area("w-city", en="Town", es="Ciudad")
        north = factories.area("w-north", parent=root, en="North District", es="Distrito Norte")
        maple = factories.area("w-maple", parent=north, en="Maple Court")
        dispatch = factories.department("dispatch", en="Dispatch Centre")
        roads = factories.department("w-roads", en="Roads Bureau", es="Oficina de Vías")
        north_office = factories.department("w-north-office", zh_Hans="北区政府")
        group = factories.category_group("w-streets", en="Streets", es="Calles")
        category = factories.service_category("w-pothole", group=group, en="Pothole", es="Bache")
        city_rule = factories.responsibility_rule(category, root, roads, note="Citywide")
        district_rule = factories.responsibility_rule(category, north, north_office, co=[roads])

    World.category.attributes = [{
        "code": "size", "datatype": "singlevaluelist", "required": True, "order": 1,
        "description_i18n": {"en": "How big is it?"},
        "values": [{"key": "small", "name_i18n": {"en": "Small"}},
                   {"key": "large", "name_i18n": {"en": "Large"}}]}]
    set_day(db_session, date(2026, 10, 1), False, {"en": "City Day", "es": "Día de la Ciudad"})
    db_session.commit()
    return World
