"""Account pages: register, confirm, log in and out, reset, settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from portal.accounts import forms, services
from portal.core import i18n, sent_mail
from portal.core.errors import Forbidden, Invalid
from portal.core.forms import EmptyForm
from portal.core.models import OutboxMessage
from portal.core.views import apply_errors, fresh_session, is_safe_next
from portal.extensions import db, htmx, limiter

bp = Blueprint("accounts", __name__)

# Flash lazy strings (``_l``): they are translated on the page that shows them, in its
# language (portal.core.flashes).


def _auth_limit():
    return current_app.config["AUTH_RATE_LIMIT"]


def _account_key() -> str:
    """Limits on a signed-in person's own forms count per account (guessing the current
    password from many addresses is limited too), else per address."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return get_remote_address()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            # None for a taken address: the same answer, its owner is mailed instead.
            services.register(
                db.session, form.email.data, form.password.data, form.display_name.data,
                i18n.current().code,
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            email = services.normalize_email(form.email.data)
            session["pending_email"] = email
            sent_mail.keep(email)
            return redirect(url_for("accounts.check_email"), code=303)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


# The inline check runs as each field is left: generous for a person, not for a script.
CHECK_RATE_LIMIT = "30 per minute;300 per hour"


@bp.post("/register/check")
@limiter.limit(CHECK_RATE_LIMIT)
def register_check():
    """htmx: validate one registration field and return it re-rendered.

    Only the format is checked: whether an address has an account is never told.
    """
    field = request.args.get("field", "")
    form = forms.RegisterForm()
    if field not in ("display_name", "email", "password", "confirm"):
        abort(400)
    form.validate()
    template = "accounts/_register_field.html"
    if htmx:
        return render_template(template, form=form, name=field)
    return redirect(url_for("accounts.register"), code=303)


@bp.get("/check-email")
def check_email():
    return render_template("accounts/check_email.html", email=session.get("pending_email"))


@bp.get("/mail/<int:outbox_id>")
def sent_mail_message(outbox_id: int):
    """Embedded profile: a message this browser caused (its id is in the session), and no
    other. Everybody's mail is in the administrators' mailbox."""
    message = None
    if sent_mail.allowed(outbox_id):
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == outbox_id))
    if message is None:
        abort(404)
    return render_template("accounts/sent_mail.html", message=message)


@bp.get("/confirm/<token>")
def confirm(token: str):
    try:
        user = services.confirm_email(db.session, token)
    except Invalid as exc:
        return render_template("accounts/confirm_failed.html", message=str(exc)), 400
    flash(_l("Your email address %(email)s is confirmed.", email=user.email), "success")
    target = "accounts.settings" if current_user.is_authenticated else "accounts.login"
    return redirect(url_for(target), code=303)


@bp.post("/confirm/resend")
@login_required
def resend_confirmation():
    if EmptyForm().validate_on_submit():
        services.resend_confirmation(db.session, current_user)
        sent_mail.keep(current_user.email)
        flash(_l("We have sent a new confirmation link to %(email)s.", email=current_user.email),
              "success")
    return redirect(url_for("accounts.settings"), code=303)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data)
        except (Invalid, Forbidden) as exc:
            form.form_errors.append(str(exc))
        else:
            # A fresh session on every login: nothing from before survives (fixation),
            # but for the few keys modules declare (portal.core.views.KEEP_ON_LOGIN).
            fresh_session()
            remember = bool(form.remember.data)
            services.start_session(db.session, user, remember)
            login_user(user, remember=remember)
            session.permanent = remember
            flash(_l("You are logged in."), "success")
            if next_url and is_safe_next(next_url):
                return redirect(next_url, code=303)
            return redirect(url_for("core.home", locale=user.locale), code=303)
    status = 422 if (form.errors or form.form_errors) else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    if not EmptyForm().validate_on_submit():
        abort(400)
    key = current_user.login_key if current_user.is_authenticated else None
    # Clear first: logout_user() marks the remember-me cookie for deletion in the session.
    session.clear()
    logout_user()
    # And on the server: a copy of the session or remember-me cookie no longer works.
    services.end_session(db.session, key)
    flash(_l("You are logged out."), "success")
    return redirect(url_for("core.home"), code=303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data, i18n.current().code)
        sent_mail.keep(services.normalize_email(form.email.data))
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset(db.session, token)
    except Invalid as exc:
        return render_template("accounts/confirm_failed.html", message=str(exc)), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(db.session, token, form.password.data)
        session.clear()
        logout_user()  # after clear(): it marks the remember-me cookie for deletion
        flash(_l("Your password has been changed. Log in with your new password."), "success")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


def _settings_forms(**bound):
    user = current_user
    prefs = bound.get("preferences") or forms.PreferencesForm(
        formdata=None,
        data={"display_name": user.display_name, "locale": user.locale, "large_text": user.large_text,
              "notify_mode": user.notify_mode},
        prefix="prefs",
    )
    password = bound.get("password") or forms.ChangePasswordForm(formdata=None, prefix="pw")
    email = bound.get("email") or forms.ChangeEmailForm(formdata=None, prefix="em")
    return {"preferences": prefs, "password_form": password, "email_form": email}


def _render_settings(status=200, form=None, **bound):
    return render_template(
        "accounts/settings.html", form=form, resend_form=EmptyForm(), **_settings_forms(**bound)
    ), status


@bp.get("/settings")
@login_required
def settings():
    return _render_settings()


@bp.post("/settings/preferences")
@login_required
def save_preferences():
    form = forms.PreferencesForm(prefix="prefs")
    if form.validate_on_submit():
        try:
            services.update_preferences(
                db.session, current_user, form.display_name.data, form.locale.data,
                form.large_text.data, form.notify_mode.data or None,
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_l("Your preferences are saved."), "success")
            return redirect(url_for("accounts.settings", locale=current_user.locale), code=303)
    return _render_settings(422, form=form, preferences=form)


@bp.post("/settings/password")
@login_required
@limiter.limit(_auth_limit, key_func=_account_key)
def change_password():
    form = forms.ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session, current_user, form.current_password.data, form.password.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            # Every session ended: log in again on this device, with a new one.
            user = current_user._get_current_object()
            remember = bool(session.permanent)
            services.start_session(db.session, user, remember)
            login_user(user, remember=remember)
            flash(_l("Your password has been changed."), "success")
            return redirect(url_for("accounts.settings"), code=303)
    return _render_settings(422, form=form, password=form)


@bp.post("/settings/email")
@login_required
@limiter.limit(_auth_limit, key_func=_account_key)
def change_email():
    form = forms.ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            services.request_email_change(
                db.session, current_user, form.email.data, form.password.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            sent_mail.keep(services.normalize_email(form.email.data))
            flash(
                _l("We have sent a confirmation link to %(email)s. Your address changes when you follow it.",
                   email=form.email.data),
                "success",
            )
            return redirect(url_for("accounts.settings"), code=303)
    return _render_settings(422, form=form, email=form)


from portal.accounts import notifications as _notifications  # noqa: E402, F401  (adds its routes)
from portal.accounts import privacy_routes as _privacy_routes  # noqa: E402, F401  (adds its routes)
