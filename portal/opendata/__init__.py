"""Open data: the downloads, the data dictionary and the read-only JSON API at /api/v1/.

Everything here reads the classification table (``portal.core.datasets``), where each
module registers its datasets next to its code (``portal/<module>/open_data.py``). A domain
of its own rather than a part of ``transparency``: it publishes every module's data (the
tracker's, deliberation's, responsibility's, transparency's), and it must be initialised
after all of them, since the API has one resource per dataset registered (it is last in
``portal.DOMAINS``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.opendata import services
    from portal.opendata.api import register_routes
    from portal.opendata.routes import bp

    app.config.setdefault("OPENDATA_RATE_LIMIT", "120 per minute;3000 per hour")
    app.config.setdefault("OPENDATA_EXPORT_ROWS", services.EXPORT_MAX_ROWS)
    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    register_routes(app)
