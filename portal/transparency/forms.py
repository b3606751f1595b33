"""Forms of disclosure requests: one per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField, validators

from portal.core.forms import PortalForm, length, optional_int, required
from portal.responsibility.forms import IntegerField
from portal.transparency import rules
from portal.transparency.services import (
    DESCRIPTION_MAX,
    LINK_MAX,
    NAME_MAX,
    NOTE_MAX,
    PURPOSE_MAX,
)

VISIBILITY = {
    "private": _l("Private: only you and the department see it"),
    "public": _l("Public: anyone may read the request and its answer (never your name or email)"),
}


class SearchForm(PortalForm):
    class Meta:
        csrf = False

    q = StringField(_l("Words in the request or its answer"), validators=[validators.Optional(), length(200)])


class FindDepartmentForm(PortalForm):
    """The responsibility list's lookup: a topic and an area name the department (a GET)."""

    class Meta:
        csrf = False

    category_id = SelectField(_l("Topic"), coerce=optional_int, validate_choice=False,
                              validators=[validators.Optional()])
    area_id = SelectField(_l("Area"), coerce=optional_int, validate_choice=False,
                          validators=[validators.Optional()])


class AskForm(PortalForm):
    description = TextAreaField(
        _l("The information you ask for"),
        validators=[required(_l("Describe the information you ask for.")), length(DESCRIPTION_MAX)],
        description=_l("As precisely as you can: the subject, the period, the document's name or "
                       "number if you know it."))
    purpose = TextAreaField(
        _l("What you need it for"), validators=[validators.Optional(), length(PURPOSE_MAX)],
        description=_l("You do not have to say. It can help the department find the right documents."))
    department_id = SelectField(
        _l("The department you ask"), coerce=optional_int, validate_choice=False,
        validators=[required(_l("Choose the department you ask."))],
        description=_l("Not sure? Use “Find the department” above: the responsibility list names it."))
    delivery = RadioField(
        _l("How you want to receive it"),
        choices=[SelectChoice(code, label) for code, label in rules.DELIVERY.items()], validate_choice=False,
        validators=[required(_l("Choose how you want to receive the information."))], default="online")
    visibility = RadioField(
        _l("Who may read the request and its answer"),
        choices=[SelectChoice(code, label) for code, label in VISIBILITY.items()], validate_choice=False,
        validators=[required(_l("Choose who may read the request."))], default="private")
    category_id = SelectField(coerce=optional_int, validate_choice=False,
                              validators=[validators.Optional()])
    area_id = SelectField(coerce=optional_int, validate_choice=False,
                          validators=[validators.Optional()])


class CorrectionForm(PortalForm):
    missing = TextAreaField(
        _l("What is missing or unclear"),
        validators=[required(_l("Say what is missing or unclear.")), length(NOTE_MAX)],
        description=_l("The requester sees this. The clock stops until they reply, then starts again."))


class ReplyForm(PortalForm):
    text = TextAreaField(_l("Your correction"),
                         validators=[required(_l("Write your correction.")), length(DESCRIPTION_MAX)],
                         description=_l("When you send it, the department's time to answer starts again."))


class ExtendForm(PortalForm):
    days = IntegerField(_l("Extra working days"), validators=[
        required(_l("Enter the number of working days."))])
    reason = TextAreaField(_l("Reason"), validators=[
        required(_l("Give the reason for the extension.")), length(NOTE_MAX)],
        description=_l("Shown to the requester (and publicly, if the request is public)."))


class PauseForm(PortalForm):
    third_party = StringField(
        _l("Whom you consult"),
        validators=[required(_l("Say whom you consult (a company, a person's role, another office)."
                                )), length(NAME_MAX)],
        description=_l("No personal names: a company, a role, another office."))


class AnswerForm(PortalForm):
    answer_type = RadioField(_l("The answer"), validate_choice=False,
                             validators=[required(_l("Choose the kind of answer."))])
    link = StringField(_l("Link"), validators=[validators.Optional(), length(LINK_MAX)],
                       description=_l("Needed when the information is published already or provided: "
                                      "where it can be read or downloaded."))
    provided = TextAreaField(_l("What is provided"), validators=[validators.Optional(), length(NOTE_MAX)],
                             description=_l("Needed for a partial answer."))
    withheld = TextAreaField(_l("What is withheld, and why"),
                             validators=[validators.Optional(), length(NOTE_MAX)],
                             description=_l("Needed for a partial answer."))
    ground = SelectField(_l("Legal ground"), validate_choice=False, validators=[validators.Optional()],
                         description=_l("Needed when disclosure is refused, wholly or in part."))
    holder = StringField(_l("Who holds the information"),
                         validators=[validators.Optional(), length(NAME_MAX)],
                         description=_l("Needed when the information is not held by this department."))
    earlier_code = StringField(_l("The earlier request's code"),
                               validators=[validators.Optional(), length(40)],
                               description=_l("Needed for a repeated request, like D-2026-000042."))
    note = TextAreaField(_l("Note to the requester"), validators=[validators.Optional(), length(NOTE_MAX)])

    def fill_choices(self) -> None:
        limits = rules.limits()
        self.answer_type.choices = [SelectChoice(t, rules.ANSWER_TYPES[t]) for t in limits.answer_types]
        self.ground.choices = [SelectChoice("", _l("Choose a ground"))] + [
            SelectChoice(g, rules.GROUNDS[g]) for g in limits.grounds]
