"""Administrators issue and revoke Open311 API keys (blueprint ``open311_admin``, mounted at
/<locale>/admin/open311). A new key is shown once, on the page that answers the form: it is
stored only as a hash, and never put in the session cookie or a redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice, SelectField, StringField

from portal.core.auth import role_required
from portal.core.errors import Invalid
from portal.core.forms import EmptyForm, PortalForm, length, required
from portal.core.roles import ADMIN
from portal.core.views import apply_errors
from portal.extensions import db
from portal.feedback.open311 import apikeys
from portal.responsibility.models import Department
from portal.responsibility.services import department_tree

bp = Blueprint("open311_admin", __name__)


class KeyForm(PortalForm):
    name = StringField(
        _l("Name of the system or app"),
        validators=[required(_l("Name the system or app that will use the key.")), length(80)],
        description=_l("For example “Roads bureau works system” or “Riverbend repair app”."),
    )
    department = SelectField(
        _l("Department"),
        description=_l("A department's key is trusted: its requests are routed at once, and it can "
                       "update the requests its department leads. Leave it empty for other apps."),
    )


def _key_form(formdata=None) -> KeyForm:
    form = KeyForm(formdata=formdata)
    form.department.choices = [SelectChoice("", _l("No department"))] + [
        SelectChoice(str(d.id), ("— " * depth) + str(d.name)) for d, depth in department_tree(db.session)
    ]
    return form


def _page(form: KeyForm, status: int = 200, new_key=None, secret: str | None = None):
    response = make_response(render_template(
        "admin/open311_keys.html", form=form, keys=apikeys.all_keys(db.session),
        revoke_form=EmptyForm(), new_key=new_key, secret=secret,
    ), status)
    response.headers["Cache-Control"] = "no-store"  # the new key must not stay in a cache
    return response


@bp.get("/keys")
@role_required(ADMIN)
def keys():
    return _page(_key_form())


@bp.post("/keys")
@role_required(ADMIN)
def create():
    form = _key_form(request.form)
    if form.validate_on_submit():
        department = db.session.get(Department, int(form.department.data)) if form.department.data else None
        try:
            key, secret = apikeys.create(db.session, current_user, form.name.data or "", department)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            return _page(_key_form(), new_key=key, secret=secret)
    return _page(form, 422)


@bp.post("/keys/<int:key_id>/revoke")
@role_required(ADMIN)
def revoke(key_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    key = apikeys.revoke(db.session, current_user, key_id)
    flash(_l("The key for %(name)s is revoked: it no longer works.", name=key.name), "success")
    return redirect(url_for("open311_admin.keys"), code=303)
