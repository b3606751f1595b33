"""The open-data pages through axe in Chromium (the checks of the full crawl,
``test_accessibility.check_page``), in a left-to-right and a right-to-left locale, for an
anonymous reader and an administrator (who sees internal columns)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ADMIN
from tests.browser.test_accessibility import axe_context, check_page

pytestmark = pytest.mark.browser

PATHS = ["/{}/open-data", "/{}/open-data/dictionary", "/{}/open-data/requests",
         "/{}/open-data/metrics", "/{}/open-data/disclosure-requests", "/{}/open-data/proposals"]


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_open_data_pages_are_accessible(locale, role, live_server, new_context, login_as):
    context = login_as(ADMIN, bypass_csp=True) if role == "admin" else new_context(bypass_csp=True)
    page = axe_context(context).new_page()
    problems = []
    for path in PATHS:
        response = page.goto(live_server.url(path.format(locale)))
        assert response is not None and response.status == 200, path
        found, _links = check_page(page, locale)
        problems += found
    assert not problems, "\n".join(problems)
