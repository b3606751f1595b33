"""One form per account action."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    validators,
)

from portal.core.forms import PortalForm, length, required
from portal.core.i18n import LOCALES
from portal.core.notifications import MODES

PASSWORD_MIN = 10
PASSWORD_MAX = 200


def email_field(label=None, description=None):
    return EmailField(
        label or _l("Email address"),
        validators=[
            required(_l("Enter your email address.")),
            length(254),
            validators.Email(
                message=_l("Enter an email address in the right format, like name@example.com."),
                check_deliverability=False,
            ),
        ],
        description=description,
    )


def new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[
            required(_l("Enter a password.")),
            validators.Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=lazy_ngettext("Your password must be at least %(num)d character long.",
                                      "Your password must be at least %(num)d characters long.",
                                      PASSWORD_MIN),
            ),
        ],
        description=_l(
            "At least %(min)d characters. A few unrelated words make a strong password.",
            min=PASSWORD_MIN,
        ),
    )


def confirm_password_field(of: str = "password"):
    return PasswordField(
        _l("Confirm password"),
        validators=[
            required(_l("Enter the password again.")),
            length(PASSWORD_MAX),
            validators.EqualTo(of, message=_l("The passwords do not match.")),
        ],
    )


class RegisterForm(PortalForm):
    display_name = StringField(
        _l("Display name"),
        validators=[required(_l("Enter the name others will see.")), length(80, 2)],
        description=_l("Shown next to what you write in public. It can be a nickname."),
    )
    email = email_field(description=_l("We will send you a link to confirm it."))
    password = new_password_field()
    confirm = confirm_password_field()


class LoginForm(PortalForm):
    email = email_field()
    password = PasswordField(_l("Password"),
                             validators=[required(_l("Enter your password.")), length(PASSWORD_MAX)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(PortalForm):
    email = email_field()


class ResetPasswordForm(PortalForm):
    password = new_password_field(_l("New password"))
    confirm = confirm_password_field()


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"), validators=[required(_l("Enter your current password.")),
                                         length(PASSWORD_MAX)]
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_password_field()


class ChangeEmailForm(PortalForm):
    email = email_field(_l("New email address"), _l("We will send a link to the new address."))
    password = PasswordField(
        _l("Your password"), validators=[required(_l("Enter your password.")), length(PASSWORD_MAX)]
    )


class PreferencesForm(PortalForm):
    display_name = StringField(
        _l("Display name"),
        validators=[required(_l("Enter the name others will see.")), length(80, 2)],
    )
    locale = RadioField(
        _l("Language"),
        choices=[SelectChoice(loc.code, loc.native_name) for loc in LOCALES],
        validators=[required(_l("Choose one of the listed languages."))],
    )
    large_text = BooleanField(_l("Use larger text"))
    # Optional: a form without it (an older page) keeps the saved choice.
    notify_mode = RadioField(
        _l("Email about your requests and the requests you follow"),
        choices=[SelectChoice(mode, label) for mode, label in MODES.items()],
        validators=[validators.Optional()],
        description=_l("Every change is also listed on your notifications page."),
    )


def _password_field():
    return PasswordField(
        _l("Your password"), validators=[required(_l("Enter your password.")), length(PASSWORD_MAX)]
    )


class DataExportForm(PortalForm):
    password = _password_field()


class DeleteAccountForm(PortalForm):
    password = _password_field()
    confirmation = StringField(
        _l("Type your email address to confirm"),
        validators=[required(_l("Type your email address exactly as shown.")), length(254)],
    )
