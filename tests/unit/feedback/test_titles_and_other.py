"""Titles made from the description are cut at a word; "Something else, or not sure" goes to
the dispatch centre by a rule of the responsibility list."""

import pytest
from sqlalchemy import select

from portal.feedback import services
from portal.moderation import services as queue
from portal.responsibility.services import search_categories


@pytest.fixture
def loop(city, db_session, app):
    city.session = db_session
    with app.test_request_context():
        yield city


def submit(loop, description, locale="en", category="pothole", title=""):
    return services.submit(loop.session, loop.users["resident"], services.Submission(
        category=loop.categories[category], area=loop.areas["north-hill"], title=title,
        description=description, location_text="Hillside", answers={"size": "small"}, locale=locale))


@pytest.mark.parametrize(("locale", "description", "expected"), [
    ("en", "The pavement outside number twelve has sunk and water collects in it every time it "
           "rains, so people walk in the road.",
     "The pavement outside number twelve has sunk and water collects in it every time…"),
    ("zh-Hans", "市场入口处路面塌陷，雨天积水很深，行人很难通过，老人和孩子只能绕到机动车道上走，非常危险，"
                "希望尽快派人修补路面并设置警示标志，谢谢。另外附近的排水口也堵住了，需要一起清理干净，以免再次积水。",
     None),
    ("bo", "ཚོང་རའི་རྗེས་སུ་གད་སྙིགས་མང་པོ་ཡོད་པས་ལམ་ཁ་བཀག་འདུག་ ཉིན་ལྟར་མི་མང་པོས་ལམ་འདི་བེད་སྤྱོད་བྱེད་ཀྱི་ཡོད། "
           "མྱུར་དུ་གཙང་སེལ་བྱེད་རོགས། ཐུགས་རྗེ་ཆེ།",
     None),
])
def test_a_title_made_from_the_description_is_cut_at_a_word(loop, locale, description, expected):
    item = submit(loop, description, locale)
    assert len(item.title) <= services.TITLE_FROM_DESCRIPTION and item.title.endswith("…")
    head = item.title[:-1]
    assert description.startswith(head)
    if expected:
        assert item.title == expected
    if locale == "bo":
        assert description[len(head)] == "་"  # at a syllable
    assert services.title_of(services.Submission(
        category=loop.categories["pothole"], area=loop.areas["north-hill"], title="",
        description=description, locale=locale)) == item.title


def test_a_title_given_is_kept(loop):
    assert submit(loop, "A long description of the problem.", title="Sunken kerb").title == "Sunken kerb"


def test_something_else_goes_to_the_dispatch_centre_by_a_rule(loop, db_session):
    item = submit(loop, "A tree has fallen across the footpath by the river.", category="other")
    assert item.lead_department.code == "dispatch"
    assert item.routing_rule_id is not None  # a rule of the list, not the fallback
    rows, _cursor = queue.page(db_session, loop.users["dispatcher"], queue.QueueFilter())
    assert item.id in {r.item_id for r in rows}
    assert [c.service_code for c in search_categories(db_session, "fallen tree")] == ["other"]
    assert [c.service_code for c in search_categories(db_session, "graffiti")] == ["other"]
    assert "streetlight" not in {c.service_code for c in search_categories(db_session, "tree")}
    other = loop.categories["other"]
    assert set(other.keywords_i18n) == {"en", "zh-Hans", "zh-Hant", "es", "ar", "bo", "ug"}
    assert all(set(c.keywords_i18n) == set(other.keywords_i18n)
               for c in db_session.scalars(select(type(other))))
