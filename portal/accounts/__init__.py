"""Accounts: registration, confirmation, login, password reset, settings, notifications."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts import privacy, tasks  # noqa: F401  (its parts, its Celery tasks)
    from portal.accounts.routes import bp
    from portal.core import sent_mail

    app.register_blueprint(bp, url_prefix="/<lc:locale>/account")
    # Pages after an action that sent mail link to it (embedded profile only).
    app.jinja_env.globals["sent_mail_ids"] = sent_mail.last
