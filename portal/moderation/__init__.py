"""The staff queue: one inbox fed by every module's queue items."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.moderation.routes import bp

    app.register_blueprint(bp, url_prefix="/<lc:locale>/staff/queue")
