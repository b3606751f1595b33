"""What every module shares: locales, roles, audit log, outbox, errors, shared pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import (
        backup,
        flashes,
        heartbeat,  # noqa: F401  (its table, so `flask db migrate` never drops it)
        memory,
        search,
        search_page,  # noqa: F401  (the site search page, on bp)
        tasks,  # noqa: F401  (registers the Celery tasks)
    )
    from portal.core.routes import bp, root_bp

    memory.init_app(app)  # the garbage collector leaves the app's lasting objects alone
    flashes.init_app(app)  # flashes translated in the language of the page that shows them

    app.register_blueprint(root_bp)
    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    search.init_cli(app)
    backup.init_cli(app)  # flask backup create/restore
