"""Pages every portal has: home, health, accessibility statement, component gallery."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from portal.core import i18n
from portal.core.auth import public_or_role
from portal.core.cache import cached_page
from portal.core.forms import EmptyForm
from portal.core.rendering import LARGE_TEXT_COOKIE, large_text_enabled
from portal.core.roles import ADMIN, STAFF
from portal.core.views import is_safe_next
from portal.extensions import db

root_bp = Blueprint("root", __name__)
bp = Blueprint("core", __name__)


@root_bp.record_once
def _remember_start(state):
    """The web process's start: the worker's grace period before its first heartbeat."""
    from portal.core.models import utcnow

    state.app.extensions["portal_started_at"] = utcnow()


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return False
    return True


@root_bp.get("/healthz")
def healthz():
    """Which parts are up: the database, the worker and beat (their heartbeats, see
    ``core.heartbeat``). 503 when the database does not answer or a part has not been seen for
    ``HEALTH_WORKER_MINUTES`` (0: not checked), counted from this process's start."""
    from datetime import timedelta

    from portal.core import heartbeat

    if not _database_answers():
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    body = {"status": "ok", "database": "ok"}
    minutes = float(current_app.config.get("HEALTH_WORKER_MINUTES", 5))
    if minutes > 0:
        for part in heartbeat.PARTS:
            state = heartbeat.status(db.session, part, current_app.extensions["portal_started_at"],
                                     timedelta(minutes=minutes))
            body[part] = state.state
            body[f"{part}_seen_at"] = state.seen_at.isoformat() + "Z" if state.seen_at else None
            if not state.healthy:
                body["status"] = "unavailable"
    return jsonify(body), 200 if body["status"] == "ok" else 503


@root_bp.get("/healthz/web")
def healthz_web():
    """The load balancer's check: this web process answers and reaches the database. A stopped
    worker or beat does not take every web node out of the pool (``/healthz`` says so)."""
    if not _database_answers():
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def _redirect_to_locale(path: str):
    locale = i18n.preferred_locale(current_user)
    target = f"/{locale}/{path}" if path else f"/{locale}/"
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(target, method="GET")
    except NotFound:
        abort(404)
    except (MethodNotAllowed, RequestRedirect):
        pass  # the page exists (for another method, or behind a trailing-slash redirect)
    query = request.query_string.decode()
    response = redirect(f"{target}?{query}" if query else target, code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@root_bp.get("/")
def root():
    return _redirect_to_locale("")


@root_bp.get("/<unprefixed:path>")
def unprefixed(path: str):
    first = path.split("/", 1)[0]
    if first in i18n.BY_CODE or first in ("api", "open311", "static"):
        abort(404)
    return _redirect_to_locale(path)


@bp.get("/")
@cached_page("feedback", "responsibility")
def home():
    from portal.core.home import home_cards
    from portal.responsibility.services import city_overview

    return render_template("core/home.html", overview=city_overview(db.session),
                           cards=home_cards(db.session))


@bp.get("/accessibility")
def accessibility():
    try:
        reviewed = date.fromisoformat(str(current_app.config.get("ACCESSIBILITY_REVIEWED") or ""))
    except ValueError:
        reviewed = None  # a misconfigured date leaves the sentence out rather than failing
    return render_template("core/accessibility.html", reviewed=reviewed)


def _preference_cookie(response, name: str, value: str):
    response.set_cookie(
        name, value, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def _next_or_home() -> str:
    target = request.args.get("next") or ""
    return target if is_safe_next(target) else url_for("core.home")


@bp.get("/language")
def switch_language():
    """The language switcher's links come through here: remember the choice in a cookie (for
    ``/``), then show the page. Visiting a page in a language sets no cookie."""
    response = redirect(_next_or_home(), code=303)
    return _preference_cookie(response, i18n.COOKIE, str(g.locale))


@bp.get("/text-size", endpoint="text_size_link")
def text_size_link():
    """Larger text for anonymous readers, without a session: a display preference in a cookie,
    like the language. Signed-in people use the form below (it is saved on their account)."""
    enable = request.args.get("large") == "1"
    response = redirect(_next_or_home(), code=303)
    return _preference_cookie(response, LARGE_TEXT_COOKIE, "1" if enable else "0")


@bp.post("/text-size")
def text_size():
    """Toggle larger text without JavaScript: saved on the account, or in a cookie."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    enable = not large_text_enabled()
    if current_user.is_authenticated:
        current_user.large_text = enable
        db.session.commit()
    target = request.form.get("next") or ""
    if not is_safe_next(target):
        target = url_for("core.home")
    response = redirect(target, code=303)
    response.set_cookie(
        LARGE_TEXT_COOKIE, "1" if enable else "0", max_age=365 * 24 * 3600, samesite="Lax",
        httponly=True, secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


@bp.route("/components", methods=["GET", "POST"])
@public_or_role("GALLERY_PUBLIC", STAFF, ADMIN)
def gallery():
    from portal.core.gallery import GalleryForm, errored_example, sample_page

    form = GalleryForm()
    submitted = request.method == "POST"
    if submitted:
        form.validate()
    return render_template(
        "core/gallery.html", form=form, submitted=submitted, page=sample_page(),
        today=date.today(), errored=errored_example(),
    )
