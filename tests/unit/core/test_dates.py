"""Dates and times: one unambiguous format per locale, with the year, times to the minute."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import g, render_template_string

from portal.core import i18n

MOMENT = datetime(2026, 3, 4, 14, 5, 9)
EXPECTED = {
    "en": ("Mar 4, 2026, 2:05\u202fPM", "Mar 4, 2026"),
    "zh-Hans": ("2026年3月4日 14:05", "2026年3月4日"),
    "zh-Hant": ("2026年3月4日 下午2:05", "2026年3月4日"),
    "es": ("4 mar 2026, 14:05", "4 mar 2026"),
    "ar": ("4 مارس 2026، 2:05 م", "4 مارس 2026"),
    "bo": ("སྤྱི་ལོ་2026 ཟླ་བ་གསུམ་པའི་ཚེས་4 14:05", "སྤྱི་ལོ་2026 ཟླ་བ་གསུམ་པའི་ཚེས་4"),
    "ug": ("4-مارت، 2026، 14:05", "4-مارت، 2026"),
}


@pytest.mark.parametrize("code", [loc.code for loc in i18n.LOCALES])
def test_every_filter_gives_the_one_format(app, code):
    moment, day = EXPECTED[code]
    with app.test_request_context(f"/{code}/"):
        g.locale = code
        shown = render_template_string(
            "{{ m | datetime }}|{{ m | datetime('short') }}|{{ m | datetime('medium') }}|"
            "{{ d | date }}|{{ d | date('short') }}|{{ d | date('medium') }}", m=MOMENT, d=MOMENT.date())
        assert shown.split("|") == [moment] * 3 + [day] * 3
        assert "2026" in shown and ":09" not in shown  # the full year; no seconds
        # a weekday where a deadline counts working days
        assert "2026" in render_template_string("{{ d | date('full') }}", d=date(2026, 3, 4))


def test_a_remembered_moment_follows_the_locale_and_the_time_zone(app):
    """format_moment remembers what Babel gave (a queue shows the same deadlines on every
    visit): the locale and the time zone are part of what it remembers by."""
    from flask_babel import force_locale

    with app.test_request_context("/es/"):
        g.locale = "es"
        first = i18n.format_moment(MOMENT)
        assert first == i18n.format_moment(MOMENT) == EXPECTED["es"][0]
        with force_locale("ar"):  # mail in the recipient's language, inside a request
            assert "مارس" in i18n.format_moment(MOMENT)  # Babel's Arabic month, not "mar"
        assert i18n.format_moment(MOMENT) == first


def test_the_templates_catalog_switches_with_force_locale(app):
    """The templates' _() finds the catalog once per request and locale (portal.core.rendering):
    a mail rendered in another language inside a request is still translated to that one."""
    from flask_babel import force_locale

    with app.test_request_context("/es/"):
        g.locale = "es"
        spanish = render_template_string("{{ _('Home') }}")
        assert spanish == render_template_string("{{ _('Home') }}") != "Home"
        with force_locale("ar"):
            arabic = render_template_string("{{ _('Home') }}")
        assert arabic not in (spanish, "Home")
        assert render_template_string("{{ _('Home') }}") == spanish
