"""The staff queue: one inbox fed by every module's queue items; reports of content."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.moderation import (
        privacy,  # noqa: F401  (its parts: portal.core.privacy)
        report_routes,  # its queue page registers on bp
    )
    from portal.moderation.routes import bp

    report_routes.init_app(app)
    app.register_blueprint(bp, url_prefix="/<lc:locale>/staff/queue")
    app.register_blueprint(report_routes.bp, url_prefix="/<lc:locale>/report")
