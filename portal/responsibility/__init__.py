"""Departments, service categories, areas, the responsibility list and routing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.responsibility.admin_routes import bp as admin_bp
    from portal.responsibility.api import bp as api_bp
    from portal.responsibility.routes import bp

    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    app.register_blueprint(admin_bp, url_prefix="/<lc:locale>/admin/responsibility")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register_home_card(app, HomeCard("responsibility", "responsibility/_home_card.html", order=20))
