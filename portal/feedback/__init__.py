"""Requests and complaints: the closed loop, deadlines, the staff's work, Open311.

The package's rooms: the domain at the top (``models``, ``states``, ``services``,
``attachments``, ``metrics``, ``tasks``, ``seed``), residents' and the public's pages in
``web/``, the staff's pages, reply templates and queue items in ``staff/``, and the Open311
GeoReport v2 API with its keys in ``open311/``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.extensions import csrf
    from portal.feedback import (
        open_data,  # noqa: F401  (its datasets: portal.core.datasets)
        privacy,  # noqa: F401  (its parts of a resident's data: portal.core.privacy)
        tasks,  # noqa: F401  (registers the Celery tasks)
    )
    from portal.feedback.cli import init_cli
    from portal.feedback.open311.admin_routes import bp as open311_admin_bp
    from portal.feedback.open311.api import bp as open311_bp
    from portal.feedback.open311.cli import init_cli as init_open311_cli
    from portal.feedback.staff.routes import bp as staff_bp
    from portal.feedback.web.routes import bp as public_bp

    app.register_blueprint(public_bp, url_prefix="/<lc:locale>/requests")
    app.register_blueprint(staff_bp, url_prefix="/<lc:locale>/staff/requests")
    app.register_blueprint(open311_bp, url_prefix="/open311/v2")
    app.register_blueprint(open311_admin_bp, url_prefix="/<lc:locale>/admin/open311")
    csrf.exempt(open311_bp)  # API clients authenticate with keys, not sessions
    init_cli(app)
    init_open311_cli(app)
    register_home_card(app, HomeCard("requests", "feedback/_home_card.html", order=10))
    register_home_card(app, HomeCard("metrics", "feedback/_home_card_metrics.html", order=30))
