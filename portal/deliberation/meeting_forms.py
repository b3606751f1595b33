"""Forms of the meetings: one per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.validators import StopValidation

from portal.core.forms import PortalForm, length, optional_int, required
from portal.deliberation import meetings as svc
from portal.deliberation.models import MEETING_FORMATS
from portal.responsibility.forms import IntegerField, source_field


class LocalMoment:
    """A ``datetime-local`` value the service can read (the city's time, to the minute)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if (field.data or "").strip() and svc.parse_local(field.data) is None:
            raise StopValidation(str(self.message))


def _moment_field(label, example):
    return StringField(label, validators=[required(_l("Enter a date and a time.")), length(19),
                                          LocalMoment(_l("Enter a date and a time like %(example)s.",
                                                         example=example))],
                       render_kw={"type": "datetime-local"},
                       description=_l("In the city's time zone."))


class MeetingForm(PortalForm):
    title = StringField(_l("Title"), validators=[required(), length(svc.TITLE_MAX)],
                        description=_l("On one line: what the meeting is about."))
    description = TextAreaField(_l("Description"), validators=[length(svc.DESCRIPTION_MAX)],
                                description=_l("Plain text: who should come, what to bring."))
    source_locale = source_field()
    starts_at = _moment_field(_l("Starts"), "2027-03-04 18:30")
    ends_at = _moment_field(_l("Ends"), "2027-03-04 20:00")
    format = RadioField(_l("Where"), choices=[SelectChoice(f, svc.FORMAT_LABELS[f]) for f in MEETING_FORMATS],
                        validators=[required(_l("Choose whether the meeting is in person, online or both."))],
                        default="in_person", validate_choice=False)
    address = StringField(_l("Address"), validators=[length(svc.ADDRESS_MAX)],
                          description=_l("For a meeting in person: the place, on one line."))
    online_url = StringField(_l("Link to the online meeting"), validators=[length(svc.URL_MAX)],
                             render_kw={"type": "url", "inputmode": "url"},
                             description=_l("For a meeting online: a web address starting with https://. "
                                            "Only registered people see it."))
    capacity = IntegerField(
        _l("Places"), default=0,
        validators=[validators.Optional(), validators.NumberRange(
            0, svc.CAPACITY_MAX, _l("Enter a whole number from 0 (no limit) to 100,000."))],
        description=_l("0 for no limit. When the places are taken, people join a waiting list."))
    registration_open = BooleanField(_l("Registration is open"), default=True)


class CancelForm(PortalForm):
    reason = TextAreaField(_l("Why is the meeting cancelled?"), validators=[
        required(_l("Say why the meeting is cancelled.")), length(svc.REASON_MAX)],
        description=_l("Everyone registered is told, with this reason."))


def _proposal_field(label):
    return SelectField(label, coerce=optional_int, validate_choice=False,
                       validators=[validators.Optional()])


class AgendaItemForm(PortalForm):
    title = StringField(_l("Agenda item"), validators=[required(), length(svc.ITEM_MAX)])
    duration_minutes = IntegerField(
        _l("Minutes it takes"), validators=[validators.Optional(), validators.NumberRange(
            1, svc.DURATION_MAX, _l("Enter a number of minutes from 1 to 1,440, or leave it empty."))])
    proposal_id = _proposal_field(_l("About the proposal"))


class MinutesForm(PortalForm):
    minutes = TextAreaField(_l("Minutes"), validators=[
        required(_l("Write the minutes.")), length(svc.MINUTES_MAX)],
        description=_l("Plain text: who spoke, what was said, what comes next. Everyone can read them."))


class DecisionForm(PortalForm):
    text = TextAreaField(_l("Decision"), validators=[
        required(_l("Write the decision.")), length(svc.DECISION_MAX)])
    proposal_id = _proposal_field(_l("About the proposal"))


def proposal_choices(form_field, proposals) -> None:
    form_field.choices = [SelectChoice("", _l("None"))] + [
        SelectChoice(p.id, p.title, render_kw={"lang": p.source_locale}) for p in proposals]
