"""Administrators' pages for area boundaries: upload a GeoJSON file, preview, confirm.

They live on the responsibility administration's blueprint (administrators only, see
``admin_routes.administrators_only``); the rules are in ``boundaries``.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.core.errors import Invalid, NotFound
from portal.core.views import apply_errors
from portal.extensions import db
from portal.responsibility import boundaries, forms
from portal.responsibility.admin_routes import bp

EXPIRED = _l("That file was already imported, or it waited too long. Upload it again.")


def _limits() -> boundaries.Limits:
    return boundaries.Limits.from_config(current_app.config)


def _hours() -> int:
    return int(current_app.config.get("BOUNDARY_UPLOAD_HOURS", boundaries.UPLOAD_HOURS))


def _upload_page(form, status: int = 200):
    form.file.description = forms.boundary_upload_hint(_limits().max_bytes)
    return render_template("responsibility/admin/boundaries.html", form=form), status


@bp.route("/boundaries", methods=["GET", "POST"])
def boundaries_upload():
    try:
        form = forms.BoundaryUploadForm()
    except RequestEntityTooLarge:  # past MAX_CONTENT_LENGTH: nothing of it was read
        form = forms.BoundaryUploadForm(formdata=None)
        form.file.errors = [str(_l("The file is larger than %(size)s MB. Import the boundaries "
                                   "in several files.",
                                   size=boundaries.megabytes(_limits().max_bytes)))]
        return _upload_page(form, 413)
    if not form.validate_on_submit():
        return _upload_page(form, 422 if form.errors else 200)
    limits = _limits()
    storage = form.file.data
    code_property = (form.code_property.data or "").strip() or "code"
    try:
        data = storage.stream.read(limits.max_bytes + 1)
    finally:
        storage.close()  # a large upload is a temporary file: closed now, not by the collector
    try:
        features = boundaries.read_file(data, code_property, limits)
    except Invalid as exc:
        apply_errors(form, exc)
        return _upload_page(form, 422)
    upload = boundaries.store_upload(db.session, current_user, features, storage.filename or "",
                                     code_property, _hours())
    db.session.commit()
    return redirect(url_for(".boundaries_preview", upload=upload.token), code=303)


def _preview_page(upload, result, form, status: int = 200):
    form.upload.data = upload.token
    return render_template("responsibility/admin/boundaries_preview.html", upload=upload,
                           plan=result, form=form), status


@bp.get("/boundaries/preview")
def boundaries_preview():
    try:
        upload = boundaries.get_upload(db.session, request.args.get("upload"), _hours())
    except NotFound:
        flash(EXPIRED, "warning")
        return redirect(url_for(".boundaries_upload"), code=303)
    result = boundaries.plan(db.session, upload.features, upload.code_property, _limits())
    return _preview_page(upload, result, forms.BoundaryConfirmForm())


@bp.post("/boundaries/confirm")
def boundaries_confirm():
    form = forms.BoundaryConfirmForm()
    if not form.validate_on_submit():  # no token (a missing CSRF token is refused before)
        flash(EXPIRED, "warning")
        return redirect(url_for(".boundaries_upload"), code=303)
    try:
        upload = boundaries.get_upload(db.session, form.upload.data, _hours())
    except NotFound:
        flash(EXPIRED, "warning")
        return redirect(url_for(".boundaries_upload"), code=303)
    try:
        result, _changed = boundaries.confirm(db.session, current_user, upload, _limits(),
                                              request.remote_addr)
    except Invalid:  # the boundaries in force changed since the preview
        db.session.rollback()
        result = boundaries.plan(db.session, upload.features, upload.code_property, _limits())
        return _preview_page(upload, result, form, 422)
    db.session.commit()
    flash(_l("The boundaries are imported: %(new)s new, %(changed)s changed, %(unchanged)s "
             "unchanged.", new=result.count("new"), changed=result.count("changed"),
             unchanged=result.count("unchanged")), "success")
    return redirect(url_for(".areas"), code=303)
