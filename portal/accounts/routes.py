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
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import forms, services
from portal.core import i18n
from portal.core.errors import Forbidden, Invalid
from portal.core.forms import EmptyForm
from portal.core.views import apply_errors, fresh_session, is_safe_next
from portal.extensions import db, htmx, limiter

bp = Blueprint("accounts", __name__)


def _auth_limit():
    return current_app.config["AUTH_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                db.session, form.email.data, form.password.data, form.display_name.data,
                i18n.current().code,
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            session["pending_email"] = user.email
            return redirect(url_for("accounts.check_email"), code=303)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.post("/register/check")
@limiter.limit("60 per minute")
def register_check():
    """htmx: validate one registration field and return it re-rendered."""
    field = request.args.get("field", "")
    form = forms.RegisterForm()
    if field not in ("display_name", "email", "password", "confirm"):
        abort(400)
    form.validate()
    errors = list(form[field].errors)
    if field == "email" and not errors and form.email.data and services.email_taken(
        db.session, form.email.data
    ):
        errors.append(_("An account with this email address already exists."))
    form[field].errors = errors
    template = "accounts/_register_field.html"
    if htmx:
        return render_template(template, form=form, name=field)
    return redirect(url_for("accounts.register"), code=303)


@bp.get("/check-email")
def check_email():
    return render_template("accounts/check_email.html", email=session.get("pending_email"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    try:
        user = services.confirm_email(db.session, token)
    except Invalid as exc:
        return render_template("accounts/confirm_failed.html", message=str(exc)), 400
    flash(_("Your email address %(email)s is confirmed.", email=user.email), "success")
    target = "accounts.settings" if current_user.is_authenticated else "accounts.login"
    return redirect(url_for(target), code=303)


@bp.post("/confirm/resend")
@login_required
def resend_confirmation():
    if EmptyForm().validate_on_submit():
        services.resend_confirmation(db.session, current_user)
        flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email), "success")
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
            login_user(user, remember=form.remember.data)
            session.permanent = bool(form.remember.data)
            flash(_("You are logged in."), "success")
            if next_url and is_safe_next(next_url):
                return redirect(next_url, code=303)
            return redirect(url_for("core.home", locale=user.locale), code=303)
    status = 422 if (form.errors or form.form_errors) else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    if not EmptyForm().validate_on_submit():
        abort(400)
    # Clear first: logout_user() marks the remember-me cookie for deletion in the session.
    session.clear()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"), code=303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data)
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
        flash(_("Your password has been changed. Log in with your new password."), "success")
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
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("accounts.settings", locale=current_user.locale), code=303)
    return _render_settings(422, form=form, preferences=form)


@bp.post("/settings/password")
@login_required
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
            # The session token rotated: log in again on this device with the new id.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.settings"), code=303)
    return _render_settings(422, form=form, password=form)


@bp.post("/settings/email")
@login_required
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
            flash(
                _("We have sent a confirmation link to %(email)s. Your address changes when you follow it.",
                  email=form.email.data),
                "success",
            )
            return redirect(url_for("accounts.settings"), code=303)
    return _render_settings(422, form=form, email=form)


from portal.accounts import notifications as _notifications  # noqa: E402, F401  (adds its routes)
