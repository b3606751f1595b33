"""Forms of the organizations: one per action. The services check the values again (and give
the translated errors for what a form cannot know); the forms bound every text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from portal.core.forms import PortalForm, length, optional_int, required
from portal.core.gallery import MultiCheckboxField
from portal.organizations import services as svc
from portal.responsibility.forms import source_field


class OrganizationForm(PortalForm):
    name = StringField(_l("Name of the organization"), validators=[
        required(_l("Enter the organization's name.")), length(svc.NAME_MAX)])
    kind = RadioField(_l("Kind of organization"), default="social_organization",
                      choices=[SelectChoice(k, label) for k, label in svc.KINDS.items()],
                      validators=[required(_l("Choose the kind of organization."))])
    description = TextAreaField(
        _l("What it does"), validators=[required(_l("Say what the organization does.")),
                                        length(svc.DESCRIPTION_MAX)],
        description=_l("In a few sentences, in plain language."))
    source_locale = source_field()
    service_kinds = MultiCheckboxField(_l("Kinds of service it offers"), validate_choice=False)
    area_ids = MultiCheckboxField(_l("Areas it serves"), coerce=optional_int, validate_choice=False)
    languages = StringField(
        _l("Languages it serves people in"), validators=[validators.Optional(), length(200)],
        description=_l("Language tags separated by commas, for example: en, zh-Hans, ug, pt-BR."))
    email = EmailField(_l("Email address"), validators=[
        required(_l("Enter the email address.")), length(254)])
    phone = StringField(_l("Phone number"), validators=[validators.Optional(), length(svc.PHONE_MAX)])
    website = StringField(_l("Website"), validators=[validators.Optional(), length(svc.WEBSITE_MAX)],
                          description=_l("Starting with https://"))
    address = StringField(_l("Address"), validators=[validators.Optional(), length(svc.ADDRESS_MAX)])


class DecisionForm(PortalForm):
    reason = TextAreaField(_l("Reason"), validators=[validators.Optional(), length(svc.REASON_MAX)],
                           description=_l("Needed to reject or suspend: the applicant reads it."))


class InviteForm(PortalForm):
    email = EmailField(_l("Email address of the person to invite"), validators=[
        required(_l("Enter the email address of the person to invite.")), length(254)])


class ServiceForm(PortalForm):
    kind = SelectField(_l("Kind of service"), validate_choice=False,
                       validators=[required(_l("Choose the kind of service."))])
    what = TextAreaField(_l("What it is"), validators=[
        required(_l("Say what the service is.")), length(svc.SERVICE_TEXT_MAX)])
    for_whom = TextAreaField(_l("For whom"), validators=[validators.Optional(), length(svc.SERVICE_TEXT_MAX)])
    where = TextAreaField(_l("Where"), validators=[validators.Optional(), length(svc.SERVICE_TEXT_MAX)])
    when = TextAreaField(_l("When"), validators=[validators.Optional(), length(svc.SERVICE_TEXT_MAX)])
    how = TextAreaField(_l("How to reach them"), validators=[
        required(_l("Say how people reach the service.")), length(svc.SERVICE_TEXT_MAX)])
    source_locale = source_field()
    languages = StringField(
        _l("Languages the service is given in"), validators=[validators.Optional(), length(200)],
        description=_l("Language tags separated by commas, for example: en, zh-Hans, ug."))
    area_id = SelectField(_l("Area"), coerce=optional_int, validate_choice=False)


class DirectoryForm(PortalForm):
    """The directory's filters: a GET form bound to ``request.args``."""

    class Meta:
        csrf = False

    q = SearchField(_l("Words"), validators=[validators.Optional(), length(100)])
    area = SelectField(_l("Area"), validate_choice=False)
    kind = SelectField(_l("Kind of service"), validate_choice=False)


class RequestInviteForm(PortalForm):
    """On a staff request page: invite a verified organization to help handle it."""

    organization = SelectField(_l("Organization"), coerce=optional_int, validate_choice=False,
                               validators=[required(_l("Choose the organization."))])
    note = TextAreaField(_l("Note for the organization"), validators=[
        validators.Optional(), length(svc.NOTE_MAX)],
        description=_l("What you would like them to do. Only the people handling the request read it."))
