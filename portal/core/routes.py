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


@root_bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
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
    from portal.responsibility.services import city_overview

    return render_template("core/home.html", overview=city_overview(db.session))


@bp.get("/accessibility")
def accessibility():
    return render_template("core/accessibility.html")


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
