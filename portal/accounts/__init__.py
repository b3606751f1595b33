"""Accounts: registration, confirmation, login, password reset, settings, notifications."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts.routes import bp

    app.register_blueprint(bp, url_prefix="/<lc:locale>/account")
