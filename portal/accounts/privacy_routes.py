"""The resident's own data on the account pages: download it all, delete the account."""

from __future__ import annotations

from flask import Response, abort, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from portal.accounts import forms, privacy
from portal.accounts.routes import _account_key, _auth_limit, bp
from portal.core.errors import NotFound
from portal.core.views import save_form
from portal.extensions import db, htmx, limiter


def _render(status: int = 200, export_form=None, delete_form=None):
    export = privacy.latest_export(db.session, current_user)
    if htmx and request.method == "GET":
        return render_template("accounts/_data_export.html", export=export), status
    return render_template(
        "accounts/privacy.html", export=export, can_delete=privacy.can_delete(current_user),
        export_form=export_form or forms.DataExportForm(formdata=None, prefix="ex"),
        delete_form=delete_form or forms.DeleteAccountForm(formdata=None, prefix="del"),
        form=export_form if status != 200 and export_form else delete_form,
    ), status


@bp.get("/privacy")
@login_required
def privacy_page():
    return _render()


@bp.post("/privacy/export")
@login_required
@limiter.limit(_auth_limit, key_func=_account_key)
def request_data_export():
    form = forms.DataExportForm(prefix="ex")
    answer = save_form(
        form, lambda f: privacy.request_export(db.session, current_user, f.password.data,
                                               request.remote_addr),
        saved=_l("Your data is being gathered. The download appears on this page."),
        next_url=lambda export: url_for("accounts.privacy_page"))
    return answer or _render(422, export_form=form)


@bp.get("/privacy/export/<int:export_id>")
@login_required
def download_data_export(export_id: int):
    try:
        export = privacy.export_for_download(db.session, current_user, export_id,
                                             request.remote_addr)
    except NotFound:
        abort(404)
    response = Response(export.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="portal-data-{export.created_at:%Y-%m-%d}.zip"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/privacy/delete")
@login_required
@limiter.limit(_auth_limit, key_func=_account_key)
def delete_account():
    form = forms.DeleteAccountForm(prefix="del")

    def save(f):
        privacy.delete_account(db.session, current_user, f.password.data, f.confirmation.data,
                               request.remote_addr)
        session.clear()
        logout_user()  # after clear(): it marks the remember-me cookie for deletion

    answer = save_form(form, save, saved=_l("Your account has been deleted."),
                       next_url=lambda _: url_for("core.home"))
    return answer or _render(422, delete_form=form)
