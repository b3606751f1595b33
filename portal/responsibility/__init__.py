"""Departments, service categories, areas, the responsibility list and routing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.responsibility import (
        boundaries,
        boundary_routes,  # noqa: F401 (its pages join admin_bp)
        open_data,  # noqa: F401  (its datasets: portal.core.datasets)
        privacy,  # noqa: F401  (its parts: portal.core.privacy)
    )
    from portal.responsibility.admin_routes import bp as admin_bp
    from portal.responsibility.api import bp as api_bp
    from portal.responsibility.cli import init_cli
    from portal.responsibility.models import PARTY_KINDS
    from portal.responsibility.routes import bp

    app.config.setdefault("BOUNDARY_IMPORT_MAX_BYTES", boundaries.MAX_BYTES)
    app.config.setdefault("BOUNDARY_IMPORT_MAX_FEATURES", boundaries.MAX_FEATURES)
    app.config.setdefault("BOUNDARY_IMPORT_MAX_VERTICES", boundaries.MAX_VERTICES)
    app.config.setdefault("BOUNDARY_UPLOAD_HOURS", boundaries.UPLOAD_HOURS)
    init_cli(app)
    app.jinja_env.globals["party_kind_label"] = lambda kind: PARTY_KINDS.get(kind or "government", kind)
    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    app.register_blueprint(admin_bp, url_prefix="/<lc:locale>/admin/responsibility")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register_home_card(app, HomeCard("responsibility", "responsibility/_home_card.html", order=20))
