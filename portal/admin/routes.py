"""Administrators' pages: users and roles, the audit log, the local mailbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.accounts import services as accounts
from portal.admin import forms, services
from portal.core import audit as audit_log
from portal.core.audit import ACTION_LABELS
from portal.core.auth import role_required
from portal.core.errors import Forbidden, Invalid
from portal.core.forms import EmptyForm, int_arg
from portal.core.models import MailboxMessage
from portal.core.roles import ADMIN
from portal.core.views import apply_errors
from portal.extensions import db
from portal.responsibility.services import department_tree

bp = Blueprint("admin", __name__)


@bp.get("/users")
@role_required(ADMIN)
def users():
    form = forms.UserSearchForm(request.args)
    form.validate_search()
    page = services.search_users(
        db.session, form.q.data or "", form.role.data or "",
        before=int_arg(request.args.get("before")), after=int_arg(request.args.get("after")),
    )
    return render_template("admin/users.html", search=form, page=page)


def _roles_form(user, formdata=None):
    form = forms.UserRolesForm(
        formdata=formdata,
        data=None if formdata else {
            "roles": sorted(r.role for r in user.roles),
            "departments": accounts.user_department_ids(db.session, user),
        },
    )
    form.departments.choices = [
        SelectChoice(d.id, ("— " * depth) + str(d.name))
        for d, depth in department_tree(db.session) if d.kind == "government"
    ]
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def user(user_id: int):
    target = accounts.get_user(db.session, user_id)
    form = _roles_form(target, request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                accounts.set_roles(
                    db.session, current_user, target, set(form.roles.data or []),
                    set(form.departments.data or []), request.remote_addr,
                )
            except Invalid as exc:
                apply_errors(form, exc)
            except Forbidden:
                abort(403)
            else:
                flash(_l("The roles of %(name)s are saved.", name=target.display_name), "success")
                return redirect(url_for("admin.user", user_id=target.id), code=303)
        status = 422
    page = render_template("admin/user.html", target=target, form=form, block_form=EmptyForm())
    if request.method == "GET":  # after rendering: the commit expires nothing the page reads
        audit_log.viewed(db.session, current_user, "user", target.id, target.id, request.remote_addr)
    return page, status


@bp.post("/users/<int:user_id>/block")
@role_required(ADMIN)
def block(user_id: int):
    target = accounts.get_user(db.session, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    blocked = request.form.get("action") == "block"
    try:
        accounts.set_blocked(db.session, current_user, target, blocked, request.remote_addr)
    except Invalid as exc:
        messages = [m for msgs in exc.errors.values() for m in msgs]
        flash(messages[0] if len(messages) == 1 else str(exc), "error")
    else:
        flash(
            _l("%(name)s is blocked.", name=target.display_name) if blocked
            else _l("%(name)s is unblocked.", name=target.display_name),
            "success",
        )
    return redirect(url_for("admin.user", user_id=target.id), code=303)


@bp.get("/audit")
@role_required(ADMIN)
def audit():
    page = services.audit_page(
        db.session, before=int_arg(request.args.get("before")), after=int_arg(request.args.get("after"))
    )
    return render_template(
        "admin/audit.html", page=page, labels=ACTION_LABELS,
        names=services.target_names(db.session, page.items),
    )


# Everybody's mail, confirmation and reset links included: administrators only, in every
# profile. A newcomer reads the message they caused through accounts.sent_mail_message.
@bp.get("/mailbox")
@role_required(ADMIN)
def mailbox():
    page = services.mailbox_page(
        db.session, before=int_arg(request.args.get("before")), after=int_arg(request.args.get("after"))
    )
    return render_template("admin/mailbox.html", page=page)


@bp.get("/mailbox/<int:message_id>")
@role_required(ADMIN)
def mailbox_message(message_id: int):
    message = db.session.scalar(select(MailboxMessage).where(MailboxMessage.id == message_id))
    if message is None:
        abort(404)
    page = render_template("admin/mailbox_message.html", message=message)
    owner = accounts.find_by_email(db.session, message.recipient)
    audit_log.viewed(db.session, current_user, "mail", message.id, owner.id if owner else None,
                     request.remote_addr)
    return page


@bp.get("/audit/personal-data")
@role_required(ADMIN)
def personal_data_log():
    form = forms.PersonalDataLogForm(request.args)
    form.validate_search()
    page = services.personal_data_page(
        db.session, subject=form.person.data or "", actor=form.staff.data or "",
        start=form.start.data, end=form.end.data,
        before=int_arg(request.args.get("before")), after=int_arg(request.args.get("after")))
    return render_template("admin/personal_data_log.html", search=form, page=page,
                           labels=ACTION_LABELS, names=services.subject_names(db.session, page.items))


@bp.get("/")
@role_required(ADMIN)
def index():
    """Every administrative page, in one place."""
    return render_template("admin/index.html")
