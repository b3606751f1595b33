"""Transparency: government information disclosure.

Disclosure on request: ``models`` (requests and their events),
``rules`` (states, kinds of answer, legal grounds, time limits from the settings),
``services`` (the rules and the clock), ``forms``, ``routes`` (the pages), ``tasks`` (the
overdue check) and ``seed`` (the demo requests). The catalog: ``catalog`` (its rules), ``catalog_forms``,
``catalog_routes``, ``catalog_feeds`` (Atom) and ``catalog_seed`` (see docs/transparency.md).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.transparency import (  # noqa: F401
        catalog_routes,  # the catalog's pages (on bp)
        dashboard_routes,  # the dashboard's pages (on bp)
        open_data,  # its datasets: portal.core.datasets
        privacy,  # its parts of a resident's data: portal.core.privacy
        tasks,  # registers the Celery tasks
    )
    from portal.transparency.routes import bp
    from portal.transparency.services import register_queue

    register_queue()
    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    register_home_card(app, HomeCard("disclosure", "transparency/_home_card.html", order=30))
    register_home_card(app, HomeCard("catalog", "transparency/catalog/_home_card.html", order=31))
