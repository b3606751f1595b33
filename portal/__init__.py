"""The citizen participation portal: ``create_app`` builds it."""

from __future__ import annotations

import importlib

from flask import Flask, g

from portal.config import ROOT, Config, load_config
from portal.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate

# Each domain registers its blueprints, commands and tasks in its own ``init_app(app)``.
DOMAINS = (
    "portal.core",
    "portal.accounts",
    "portal.admin",
    "portal.responsibility",
    "portal.moderation",
    "portal.feedback",
    "portal.deliberation",
    "portal.transparency",
    "portal.literacy",
    "portal.organizations",
    "portal.opendata",  # last: one API resource per dataset the others registered
)


def create_app(config: Config | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(load_config() if config is None or isinstance(config, dict) else config)
    if isinstance(config, dict):
        app.config.update(config)
    from portal.core import logs, monitoring

    logs.configure(app)  # first: every later hook and log line sees the request's id
    monitoring.init_app(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from portal.core import i18n

    app.url_map.converters["lc"] = i18n.LocaleConverter
    app.url_map.converters["unprefixed"] = i18n.UnprefixedPathConverter
    from portal.core.urls import init_converters

    init_converters(app)  # a bounded "int"
    app.url_map.strict_slashes = False

    db.init_app(app)
    with app.app_context():
        from portal.core import sqlite

        sqlite.init_app(app, db.engine)  # writers wait their turn (docs/decisions/0002)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_catalog)
    csrf.init_app(app)
    from portal.core.wtforms_i18n import install as install_form_messages

    install_form_messages()
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    _init_login(app)

    from flask_sqlalchemy.session import Session as FlaskSession

    from portal.core.outbox import install_session_hooks

    install_session_hooks(FlaskSession)

    from portal.core.cache import CompressedPages, compress_key, init_cache

    init_cache(app)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedPages)
    app.config.setdefault("COMPRESS_CACHE_KEY", compress_key)
    compress.init_app(app)

    from portal.core.errors_http import init_errors
    from portal.core.rendering import init_rendering
    from portal.core.security import init_security

    init_rendering(app)
    init_security(app)
    init_errors(app)
    _init_locale_urls(app)

    from portal.celery_app import celery_init_app
    from portal.cli import init_cli

    celery_init_app(app)
    for domain in DOMAINS:
        importlib.import_module(domain).init_app(app)
    init_cli(app)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.services import load_user

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load(login_id: str):
        return load_user(db.session, login_id)


def _init_locale_urls(app: Flask) -> None:
    from portal.core import i18n

    @app.url_value_preprocessor
    def pull_locale(endpoint, values):
        if values and "locale" in values:
            g.locale = values.pop("locale")

    @app.url_defaults
    def add_locale(endpoint, values):
        if "locale" in values or not app.url_map.is_endpoint_expecting(endpoint, "locale"):
            return
        values["locale"] = g.get("locale") or i18n.DEFAULT

    # The locale cookie is set only when a reader switches language (core.switch_language):
    # a page visit sets no cookie, so anonymous pages can be cached.
