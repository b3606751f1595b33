"""The public list and request pages, and what residents do with their own requests."""

from __future__ import annotations

from flask import render_template

from portal.extensions import db
from portal.feedback import services
from portal.feedback.routes import bp


@bp.get("/<code>")
def detail(code: str):
    item = services.by_code(db.session, code)
    return render_template("feedback/detail.html", item=item,
                           events=services.timeline(db.session, item))
