"""Forms of the halls: one per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, SelectField, StringField, validators

from portal.core.forms import PortalForm, length, optional_int, required
from portal.deliberation.models import POLICIES
from portal.deliberation.services import NAME_MAX, POLICY_LABELS, PURPOSE_MAX, RULES_MAX
from portal.responsibility.forms import IntegerField, source_field, translatable, versions


@translatable
class HallForm(PortalForm):
    slug = StringField(
        _l("Web address"), validators=[required(), length(64)],
        description=_l("The end of the hall's address: lowercase letters, digits and hyphens, "
                       "for example stone-bridge-residents."))
    area_id = SelectField(_l("Area"), coerce=optional_int, validate_choice=False,
                          validators=[required(_l("Choose the area the hall belongs to."))])
    policy = RadioField(
        _l("Who may join"), choices=[SelectChoice(p, POLICY_LABELS[p]) for p in POLICIES],
        validators=[required(_l("Choose who may join."))], default="open")
    support_threshold = IntegerField(
        _l("Supports a proposal needs"), default=10,
        validators=[validators.Optional(),
                    validators.NumberRange(1, 100000, _l("Enter a whole number from 1 to 100,000."))],
        description=_l("When a proposal has this many supports, it goes to the responsible department."))
    source_locale = source_field()
    _versions = (versions("name", max_len=NAME_MAX), versions("purpose", True, PURPOSE_MAX),
                 versions("rules", True, RULES_MAX))


class JoinForm(PortalForm):
    declared_area = BooleanField(_l("I live, work or study in this area"))


class InviteForm(PortalForm):
    email = EmailField(_l("Email address of the person to invite"), validators=[
        required(_l("Enter the email address of the person to invite.")), length(254),
        validators.Email(message=_l("Enter an email address like name@example.org."))])
