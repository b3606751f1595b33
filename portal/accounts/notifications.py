"""In-app notifications: the list (newest first), and marking them all as read."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from portal.accounts.routes import bp
from portal.core import notifications as notes
from portal.core.forms import EmptyForm, int_arg
from portal.extensions import db, htmx


def _link(note: notes.Notification) -> str | None:
    try:
        return notes.link(note)
    except (BuildError, KeyError):  # an endpoint that is no longer there
        return None


def _render(page, status: int = 200, notice: str | None = None):
    items = [(n, notes.text(n), _link(n)) for n in page.items]
    context = {"page": page, "items": items, "read_form": EmptyForm(formdata=None), "notice": notice,
               "any_unread": any(n.read_at is None for n in page.items)}
    template = "accounts/_notifications.html" if htmx else "accounts/notifications.html"
    return render_template(template, **context), status


@bp.get("/notifications")
@login_required
def notifications():
    page = notes.for_user(db.session, current_user, before=int_arg(request.args.get("before")),
                          after=int_arg(request.args.get("after")))
    return _render(page)


@bp.post("/notifications/read")
@login_required
def mark_notifications_read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    notes.mark_all_read(db.session, current_user)
    message = _l("All your notifications are marked as read.")
    if htmx:
        return _render(notes.for_user(db.session, current_user), notice=message)
    flash(message, "success")
    return redirect(url_for("accounts.notifications"), code=303)
