"""The boundary import's preview with errors and with changes: axe clean, in a left-to-right
and a right-to-left locale."""

from __future__ import annotations

import json

import pytest

from portal.seed import BOUNDARIES
from tests.browser.conftest import ADMIN
from tests.browser.test_accessibility import axe_context, check_page

pytestmark = pytest.mark.browser


def _file(tmp_path, name, features):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code},
         "geometry": {"type": "Polygon", "coordinates": coords}} for code, coords in features]}))
    return path


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_preview_is_accessible(locale, live_server, login_as, tmp_path):
    context = axe_context(login_as(ADMIN, bypass_csp=True))
    page = context.new_page()
    shrunk = [[[8.0, 47.0], [8.02, 47.0], [8.02, 47.02], [8.0, 47.0]]]
    files = {
        "errors": _file(tmp_path, "errors.geojson", [("old-market", BOUNDARIES["old-bridge"]),
                                                     ("no-such-area", shrunk)]),
        "changes": _file(tmp_path, "changes.geojson", [("old-market", shrunk),
                                                       ("north", BOUNDARIES["north"])]),
    }
    for kind, path in files.items():
        page.goto(f"/{locale}/admin/responsibility/boundaries")
        page.set_input_files("#file", str(path))
        with page.expect_navigation():
            page.click("main form.form button[type=submit]")
        assert "/boundaries/preview" in page.url
        assert (page.locator("#boundary-errors").count() == 1) == (kind == "errors")
        assert (page.locator("form[action$='/boundaries/confirm']").count() == 1) == (kind == "changes")
        problems, _links = check_page(page, locale)
        assert not problems, "\n".join(problems)
    context.close()
