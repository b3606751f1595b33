"""Raising a request: a form in steps that works without JavaScript."""

from __future__ import annotations

from flask import redirect, url_for

from portal.extensions import db
from portal.feedback import services
from portal.feedback.routes import bp


@bp.get("/confirm/<token>")
def confirm_visitor(token: str):
    item = services.confirm_visitor(db.session, token)
    return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)
