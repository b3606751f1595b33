"""Administrators' pages: users and roles, the audit log, the calendar, the mailbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.admin.routes import bp

    app.register_blueprint(bp, url_prefix="/<lc:locale>/admin")
