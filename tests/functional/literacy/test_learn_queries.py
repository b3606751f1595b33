"""Each learner page costs a constant number of statements: 3 or 30 steps, 2 or 20 courses."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from
from tests.functional.literacy.conftest import step_url
from tests.functional.support import QueryCounter


@pytest.fixture
def uncached(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)


def _count(client, path) -> list[str]:
    from portal.extensions import db

    with QueryCounter(db.engine) as counted:
        response = client.get(path)
    assert response.status_code == 200, path
    return counted.statements


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_a_step_and_the_course_cost_the_same_for_3_or_30_steps(
        client, factories, login, uncached, who):
    small = factories.course(steps=3, slug="small-course")
    big = factories.course(steps=30, slug="big-course")
    if who == "learner":
        login(factories.user())
        for course in (small, big):  # progress in both
            token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
            client.post(step_url(course) + "/done", data={"csrf_token": token})
    for path in ("/en/learn/{}", "/en/learn/{}/lesson-1/2", "/en/learn/{}/lesson-1/print"):
        few = _count(client, path.format("small-course"))
        many = _count(client, path.format("big-course"))
        assert len(few) == len(many), (path, many)
    quiz_few = _count(client, step_url(small, position=4))
    quiz_many = _count(client, step_url(big, position=31))
    assert len(quiz_few) == len(quiz_many) <= 12, quiz_many


def test_the_catalogue_costs_the_same_for_2_or_20_courses(client, factories, uncached):
    for _ in range(2):
        factories.course()
    few = _count(client, "/en/learn/")
    for _ in range(18):
        factories.course()
    many = _count(client, "/en/learn/")
    assert len(few) == len(many) <= 3, many


def test_my_learning_costs_the_same_for_1_or_5_courses(client, factories, login, uncached):
    login(factories.user())
    courses = [factories.course(steps=2) for _ in range(5)]

    def start(course):
        token = csrf_token_from(client.get(step_url(course)).get_data(as_text=True))
        client.post(step_url(course) + "/done", data={"csrf_token": token})

    start(courses[0])
    few = _count(client, "/en/learn/mine")
    for course in courses[1:]:
        start(course)
    many = _count(client, "/en/learn/mine")
    assert len(few) == len(many), many
