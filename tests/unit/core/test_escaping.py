"""Translatable values are escaped exactly once, by Jinja or inside ``Markup.format``."""

from __future__ import annotations

from markupsafe import Markup

from portal.core.i18n import Localized


def test_a_localized_name_is_escaped_once_in_markup_format(app):
    with app.test_request_context("/en/"):
        from flask import g

        g.locale = "en"
        same = Localized("Fish & <Chips>", "en", False)
        assert Markup("<b>{}</b>").format(same) == "<b>Fish &amp; &lt;Chips&gt;</b>"
        other = Localized("Fish & <Chips>", "es", True)
        assert Markup("{}").format(other) == '<span lang="es" dir="ltr">Fish &amp; &lt;Chips&gt;</span>'
        template = app.jinja_env.from_string("{{ name }}")
        assert template.render(name=same) == "Fish &amp; &lt;Chips&gt;"
