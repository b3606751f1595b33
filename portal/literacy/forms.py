"""The learner's forms: the catalogue's filter (GET), a quiz question's answer, the name on a
certificate and the verification page's code (GET)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Optional

from portal.core.forms import PortalForm, length, required
from portal.core.gallery import MultiCheckboxField
from portal.literacy.digcomp import COMPETENCES
from portal.literacy.services import LEVEL_LABELS


class CatalogueFilterForm(PortalForm):
    """GET, bound to ``request.args``: no CSRF token, so the list stays cacheable."""

    class Meta:
        csrf = False

    level = SelectField(_l("Level"), validators=[Optional()])
    competence = SelectField(_l("Digital skill"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [("", _l("Any level")), *LEVEL_LABELS.items()]
        self.competence.choices = [("", _l("Any skill")), *[
            (c.code, f"{c.code} {c.name}") for c in COMPETENCES.values()]]


class _AnswerChecks:
    """The chosen values must be identifiers of this question's choices: anything else (text,
    a huge number, another question's choice) is a clear error beside the question."""

    def pre_validate(self, form):
        values = self.raw_data or []
        allowed = {str(value) for value, _label in self.choices}
        if values and not set(values) <= allowed:
            from wtforms.validators import StopValidation

            raise StopValidation(str(_l("Choose one of the answers shown.")))


class SingleAnswer(_AnswerChecks, RadioField):
    pass


class MultipleAnswer(_AnswerChecks, MultiCheckboxField):
    pass


class SingleAnswerForm(PortalForm):
    answer = SingleAnswer(validators=[required(_l("Choose an answer."))], validate_choice=False)


class MultipleAnswerForm(PortalForm):
    answer = MultipleAnswer(validators=[required(_l("Choose at least one answer."))],
                            validate_choice=False)


def answer_form(question, formdata=None, csrf: bool = True):
    """The form of one question: radios for a single choice, checkboxes for several; its
    fields prefixed by the question, so several questions share a page."""
    cls = MultipleAnswerForm if question.multiple else SingleAnswerForm
    kwargs = {"prefix": f"q{question.id}", "meta": {"csrf": csrf}}
    if formdata is not None:
        kwargs["formdata"] = formdata
    form = cls(**kwargs)
    form.answer.label.text = question.text
    form.answer.choices = [(str(c.id), c.text) for c in question.choices]
    return form


def chosen_ids(form) -> list[int]:
    data = form.answer.data
    values = data if isinstance(data, list) else ([data] if data else [])
    return [int(v) for v in values if isinstance(v, str) and v.isdigit() and len(v) < 12]


class CertificateForm(PortalForm):
    name = StringField(
        _l("Your name on the certificate"), validators=[required(
            _l("Enter your name as it should appear on the certificate.")), length(120)],
        description=_l("As you want it printed. Anyone who checks the certificate's code sees "
                       "this name."))


class VerifyForm(PortalForm):
    """GET, bound to ``request.args``."""

    class Meta:
        csrf = False

    code = StringField(_l("Certificate code"), validators=[Optional(), length(32)],
                       description=_l("The 10 letters and digits printed on the certificate."))
