"""The staff's answer: one length rule, one message, with and without JavaScript."""

from __future__ import annotations

import pytest

from portal.feedback import services
from tests.functional.feedback.test_staff import client_for, url, world  # noqa: F401
from tests.functional.support import page


@pytest.mark.parametrize("text", ["", "Too short", "   x      ", "x" * 5001])
def test_the_answer_length_reads_the_same_with_and_without_javascript(world, client_for, text):  # noqa: F811
    item = world.request()
    staff = client_for(world.users["lead_staff"])
    expected = str(services.answer_problem(text))
    said = []
    for headers in ({}, {"HX-Request": "true"}):
        response = staff.post(url(item, "answer"), data={"answer-text": text}, headers=headers)
        assert response.status_code == (200 if headers else 422)
        tree = page(response)
        error = tree.by_id("answer-text-error")
        assert error is not None
        said.append(error.text.replace("Error:", "").strip())
        summary = tree.one("div", class_="error-summary")
        assert [a.text for a in summary.find_all("a", href="#answer-text")] == [expected]
    assert said == [expected, expected]
