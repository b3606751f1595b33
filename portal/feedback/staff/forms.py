"""Forms of the staff's work on a request: one per action, and the reply templates' form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from portal.core.forms import PortalForm, length, optional_int, required
from portal.core.i18n import LOCALES
from portal.moderation.forms import QuickSelect


class AcknowledgeForm(PortalForm):
    text = TextAreaField(_l("Message to the resident"), validators=[length(2000)],
                         description=_l("Shown publicly on the request."))


class StartWorkForm(PortalForm):
    text = TextAreaField(_l("Message to the resident"), validators=[length(2000)],
                         description=_l("Shown publicly on the request."))


class AskForm(PortalForm):
    text = TextAreaField(
        _l("Your question"), validators=[required(_l("Write what you need to know.")), length(2000)],
        description=_l("Shown publicly. The deadline is paused until the resident answers."))


class _AnswerLength:
    """The answer's length rule from the service, so the page says what the service says."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        from portal.feedback.services import answer_problem

        problem = answer_problem(field.data)
        if problem:
            raise validators.StopValidation(str(problem))


class AnswerForm(PortalForm):
    text = TextAreaField(
        _l("Answer"), validators=[_AnswerLength(), length(5000)],
        description=_l("Shown publicly. The resident is then asked whether it is resolved."))
    files = MultipleFileField(_l("Photos or PDFs"),
                              description=_l("Up to 5 files; JPEG, PNG, WebP or PDF."))


class TemplatePickForm(PortalForm):
    class Meta:
        csrf = False  # a GET form: it only fills the answer in

    template = SelectField(_l("Reply template"), coerce=optional_int, validate_choice=False,
                           widget=QuickSelect())


class ExtendForm(PortalForm):
    days = IntegerField(
        _l("Working days to add"),
        validators=[required(_l("Enter a number of working days from 1 to 30.")),
                    validators.NumberRange(1, 30, message=_l("Extend by 1 to 30 working days."))],
        description=_l("The deadline can be extended once."))
    reason = TextAreaField(
        _l("Reason"), validators=[required(_l("Give the reason: it is shown publicly.")), length(2000)],
        description=_l("Shown publicly on the request."))


class AssignForm(PortalForm):
    assignee = SelectField(_l("Assign to"), coerce=optional_int, validate_choice=False,
                           widget=QuickSelect())


class NoteForm(PortalForm):
    text = TextAreaField(_l("Internal note"),
                         validators=[required(_l("Write the note.")), length(5000)],
                         description=_l("Only staff see it."))


class ReturnForm(PortalForm):
    reason = TextAreaField(
        _l("Why it is not your department's responsibility"),
        validators=[required(_l("Say why it is not your department's responsibility.")),
                    length(2000)],
        description=_l("Shown publicly. The request goes back to the dispatcher."))


class ReassignForm(PortalForm):
    department = SelectField(_l("Department"), coerce=optional_int, validate_choice=False,
                             validators=[required(_l("Choose the department."))], widget=QuickSelect())
    reason = TextAreaField(
        _l("Reason"), validators=[required(_l("Say why it goes to this department.")), length(2000)],
        description=_l("Shown publicly on the request."))


class InviteOrganizationForm(PortalForm):
    """Invite a verified organization to help handle the request (it becomes a co-handler)."""

    organization = SelectField(_l("Organization"), coerce=optional_int, validate_choice=False,
                               validators=[required(_l("Choose the organization."))])
    note = TextAreaField(
        _l("Note for the organization"), validators=[validators.Optional(), length(1000)],
        description=_l("What you would like them to do. Only the people handling the request read it."))


class CloseForm(PortalForm):
    ending = RadioField(_l("How does the request end?"), choices=[
        SelectChoice("closed_duplicate", _l("Duplicate of another request")),
        SelectChoice("closed_not_actionable", _l("Not actionable")),
    ], validators=[required(_l("Choose how the request ends."))])
    duplicate_of = StringField(
        _l("Tracking code of the original request"), validators=[length(20)],
        description=_l("Only for a duplicate. For example, R-2026-000042."))
    reason = TextAreaField(
        _l("Reason"), validators=[required(_l("Give the reason: it is shown publicly.")), length(2000)],
        description=_l("Shown publicly on the request."))


# --- reply templates -----------------------------------------------------------------------

def field_name(kind: str, code: str) -> str:
    """``title`` / ``body`` field of one language: ``title_zh_Hans``."""
    return f"{kind}_{code.replace('-', '_')}"


class ReplyTemplateForm(PortalForm):
    department = SelectField(_l("Department"), coerce=optional_int, validate_choice=False,
                             description=_l("Its staff and the administrators can change it."))
    category = SelectField(_l("Category"), coerce=optional_int, validate_choice=False,
                           description=_l("Leave it for all categories."))
    source_locale = RadioField(
        _l("Language it was written in"),
        choices=[SelectChoice(loc.code, loc.native_name) for loc in LOCALES],
        validators=[required(_l("Choose the language the template was written in."))])


for _loc in LOCALES:
    setattr(ReplyTemplateForm, field_name("title", _loc.code),
            StringField(_l("Title"), validators=[length(120)]))
    setattr(ReplyTemplateForm, field_name("body", _loc.code),
            TextAreaField(_l("Text"), validators=[length(5000)]))


class ReplyTemplateFilterForm(PortalForm):
    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
