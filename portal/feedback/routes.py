"""Residents' and the public's pages of the request tracker."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from portal.extensions import db
from portal.feedback import services

bp = Blueprint("feedback", __name__)


@bp.get("/<code>")
def detail(code: str):
    request_ = services.by_code(db.session, code)
    return render_template("feedback/detail.html", item=request_,
                           events=services.timeline(db.session, request_))


@bp.get("/confirm/<token>")
def confirm_visitor(token: str):
    request_ = services.confirm_visitor(db.session, token)
    return redirect(url_for("feedback.detail", code=request_.tracking_code), code=303)
