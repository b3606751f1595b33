"""Error pages (translated, accessible) and JSON errors under /api/ and /open311/."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError, ServiceUnavailable

from portal.core.db_errors import database_unavailable
from portal.core.errors import Invalid, ServiceError
from portal.core.i18n import BY_CODE, preferred_locale

MESSAGES = {
    400: (_l("Bad request"), _l("The portal could not understand what was sent. Go back and try again.")),
    403: (_l("You do not have access to this page"), _l("Your account does not have permission to see this page. If you think it should, contact the portal's administrators.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct. If you followed a link, the page may have moved.")),
    405: (_l("This action is not allowed here"), _l("The page does not accept this kind of request. Go back and use the page's own buttons and links.")),
    413: (_l("The file is too large"), _l("What you sent is larger than the portal accepts. Choose a smaller file and try again.")),
    429: (_l("Too many attempts"), _l("You have tried this too many times. Wait a few minutes and try again.")),
    500: (_l("Sorry, there is a problem with the portal"), _l("Try again later. What you sent has not been lost if you saw a confirmation.")),
    503: (_l("The portal is not available for a moment"), _l("Try again in a minute. What you sent before has been kept.")),
}
RETRY_AFTER = 30  # seconds: a database restart or fail-over takes about that long

log = logging.getLogger(__name__)
CSRF_MESSAGE = _l("The form had expired. Go back, reload the page and send it again.")

API_PREFIXES = ("/api/", "/open311/")


def wants_json() -> bool:
    return request.path.startswith(API_PREFIXES)


def _locale_for_error() -> None:
    if g.get("locale") is None:
        first = request.path.strip("/").split("/", 1)[0]
        if first in BY_CODE:
            g.locale = first
        else:
            from flask_login import current_user

            try:
                g.locale = preferred_locale(current_user)
            except Exception:  # the user could not be loaded (database down)
                g.locale = preferred_locale(None)


def _end_failed_transaction() -> None:
    """A statement that failed leaves PostgreSQL's transaction unusable: every later query
    (the user, the page's menus) would fail too. Nothing of it was meant to be kept."""
    from portal.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: the page is rendered without it
        logging.getLogger(__name__).warning("rollback before an error page failed", exc_info=True)


def _as_visitor() -> None:
    """The database is away: the page must not load the signed-in user (its header, its
    preferences), so it is rendered as for a visitor. The session itself is left as it is."""
    from portal.extensions import login_manager

    g._login_user = login_manager.anonymous_user()


def render_error(code: int, detail: str | None = None):
    _end_failed_transaction()
    if code == 503:
        _as_visitor()
    title, message = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify({"error": {"status": code, "title": str(title), "message": detail or str(message)}}), code
    _locale_for_error()
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def init_errors(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        detail = str(exc) if isinstance(exc, Invalid) and str(exc) else None
        return render_error(exc.status if exc.status in MESSAGES else 400, detail)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(SecurityError)
    def untrusted_host(exc):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, and no page should be.
        return "400 Bad Request: unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.teardown_appcontext
    def close_session(exc):
        """The database went away after the answer was made (a restart): ending the session's
        transaction fails, and the answer already made must still be sent. Runs before
        Flask-SQLAlchemy's own removal, which then has nothing left to do."""
        from portal.extensions import db

        try:
            db.session.remove()
        except DBAPIError as error:
            if not database_unavailable(error):
                raise
            log.warning("session not closed, the database is away: %s", error.orig)
            db.session.registry.clear()

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        if not database_unavailable(exc):
            raise exc  # a real error: the 500 page, and the traceback in the log
        log.warning("database unavailable: %s", exc.orig)
        # As an HTTP error, so that a blueprint's own handler (Open311) gives its own shape.
        return app.handle_http_exception(ServiceUnavailable(retry_after=RETRY_AFTER))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code if exc.code in MESSAGES else (500 if (exc.code or 500) >= 500 else 400)
        response = app.make_response(render_error(code))
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        if code == 503:
            response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        return render_error(500)
