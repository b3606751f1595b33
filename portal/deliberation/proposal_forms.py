"""Forms of proposals: one per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField, validators

from portal.core.forms import PortalForm, length, optional_int, required
from portal.deliberation import proposal_states as st
from portal.deliberation.proposals import BODY_MAX, NOTE_MAX, REASON_MAX, TITLE_MAX
from portal.responsibility.forms import DateField, IntegerField, source_field


class ProposalForm(PortalForm):
    title = StringField(_l("Title"), validators=[
        required(_l("Enter the proposal's title.")), length(TITLE_MAX)])
    body = TextAreaField(
        _l("Your proposal"), validators=[required(_l("Describe your proposal.")), length(BODY_MAX)],
        description=_l("What should change, and why. A blank line starts a new paragraph; lines "
                       "starting with “- ” or “1. ” make a list; **bold**, *italic* and "
                       "[a link](https://example.org) work too."))
    area_id = SelectField(_l("Area it concerns"), coerce=optional_int, validate_choice=False)
    category_id = SelectField(
        _l("Topic"), coerce=optional_int, validate_choice=False,
        description=_l("The topic decides which department answers. If you are not sure, the "
                       "city's dispatch centre finds the right one."))
    source_locale = source_field()


class AmendmentForm(PortalForm):
    body = TextAreaField(
        _l("Your amended text"), validators=[required(_l("Write the amended text.")), length(BODY_MAX)],
        description=_l("The whole text as you would have it. If the author accepts it, it replaces "
                       "the proposal's text."))


class WithdrawForm(PortalForm):
    reason = TextAreaField(_l("Why you withdraw it"), validators=[
        required(_l("Say why you withdraw the proposal.")), length(REASON_MAX)],
        description=_l("Shown on the proposal."))


ANSWER_LABELS = {
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected (give the reason)"),
    "evaluation": _l("Still under evaluation (leave a note)"),
}


class AnswerForm(PortalForm):
    decision = RadioField(_l("Official answer"),
                          choices=[SelectChoice(a, ANSWER_LABELS[a]) for a in st.ANSWERS],
                          validators=[required(_l("Choose the answer."))])
    note = TextAreaField(
        _l("Reason or note"), validators=[validators.Optional(), length(NOTE_MAX)],
        description=_l("Required when you reject the proposal or keep evaluating it. Public."))


class MilestoneForm(PortalForm):
    title = StringField(_l("Milestone"), validators=[required(_l("Enter the milestone.")), length(TITLE_MAX)])
    on = DateField(_l("Date"), validators=[required(_l("Enter the date."))],
                   description=_l("For example, 2026-03-27."))
    percent = IntegerField(_l("Done so far, in percent"), validators=[
        required(_l("Enter a whole number from 0 to 100.")),
        validators.NumberRange(0, 100, _l("Enter a whole number from 0 to 100."))])
    note = TextAreaField(_l("Note"), validators=[validators.Optional(), length(NOTE_MAX)])


class ProposalSearchForm(PortalForm):
    class Meta:
        csrf = False

    q = StringField(_l("Words in the proposal"), validators=[validators.Optional(), length(200)])
    state = SelectField(_l("State"), validators=[validators.Optional()], validate_choice=False)
    area_id = SelectField(_l("Area"), coerce=optional_int, validate_choice=False,
                          validators=[validators.Optional()])
    hall_id = SelectField(_l("Hall"), coerce=optional_int, validate_choice=False,
                          validators=[validators.Optional()])
    sort = SelectField(_l("Sort by"), choices=[SelectChoice("newest", _l("Newest")),
                                                  SelectChoice("supported", _l("Most supported")),
                                                  SelectChoice("commented", _l("Most commented"))],
                       validators=[validators.Optional()], validate_choice=False, default="newest")
