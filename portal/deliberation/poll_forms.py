"""Forms of the votes: the poll editor (questions and options as lists of rows, with "add
another" buttons that work without JavaScript), the ballot (built for each poll) and closing."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from wtforms import DateTimeLocalField as _DateTimeLocalField
from wtforms import (
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    validators,
)

from portal.core.forms import PortalForm, length, required
from portal.core.gallery import MultiCheckboxField
from portal.deliberation import polls
from portal.deliberation.models import POLL_RESULTS, QUESTION_KINDS
from portal.responsibility.forms import IntegerField, source_field

NEW_OPTIONS = 4  # blank option rows a new question starts with


class MomentField(_DateTimeLocalField):
    """A day and a time to the minute (the browser's date-and-time control), in the city's
    time zone; a translated message for anything else, years 2000 to 2999 only."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter a day and a time, for example 2027-03-27 18:00.")) from exc
        if isinstance(self.data, datetime) and not 2000 <= self.data.year <= 2999:
            self.data = None
            raise ValueError(_("Enter a day and a time, for example 2027-03-27 18:00."))


class QuestionForm(PortalForm):
    class Meta:
        csrf = False

    text = StringField(_l("Question"), validators=[validators.Optional(), length(polls.QUESTION_MAX)])
    kind = RadioField(_l("Answers"), choices=[SelectChoice(k, polls.KIND_LABELS[k]) for k in QUESTION_KINDS],
                      default="single", validate_choice=False)
    max_choices = IntegerField(
        _l("Most choices a voter may make"), validators=[validators.Optional()],
        description=_l("Only for several choices. Leave it blank to allow all the options."))
    options = FieldList(StringField(_l("Option"), validators=[validators.Optional(),
                                                              length(polls.OPTION_MAX)]),
                        min_entries=polls.OPTIONS_MIN, max_entries=polls.OPTIONS_MAX)


class PollForm(PortalForm):
    title = StringField(_l("Title"), validators=[required(_l("Enter the poll's title.")),
                                                 length(polls.TITLE_MAX)])
    description = TextAreaField(
        _l("Description"), validators=[validators.Optional(), length(polls.DESCRIPTION_MAX)],
        description=_l("What the poll decides, and what the hosts will do with its result."))
    source_locale = source_field()
    opens_at = MomentField(_l("Opens"), validators=[required(_l("Enter when the poll opens."))])
    closes_at = MomentField(_l("Closes"), validators=[required(_l("Enter when the poll closes."))])
    results = RadioField(_l("Results are shown"),
                         choices=[SelectChoice(r, polls.RESULTS_LABELS[r]) for r in POLL_RESULTS],
                         default="after_close",
                         validators=[required(_l("Choose when the results are shown."))])
    questions = FieldList(FormField(QuestionForm), min_entries=1, max_entries=polls.QUESTIONS_MAX)

    def label_rows(self, zone: str) -> None:
        """Labels and hints that depend on the row or on the city's time zone."""
        hint = _("In the city's time (%(zone)s), for example 2027-03-27 18:00.", zone=zone)
        self.opens_at.description = hint
        self.closes_at.description = hint
        for i, question in enumerate(self.questions):
            question.form.text.label.text = _("Wording of question %(num)d", num=i + 1)
            for j, option in enumerate(question.form.options):
                option.label.text = _("Question %(question)d, option %(num)d", question=i + 1, num=j + 1)

    def add_row(self, what: str) -> int | None:
        """The "add another" buttons: a question, or an option to question ``what``. Returns the
        question's index (for the page to come back to), or None when the list is full."""
        if what == "question":
            if len(self.questions) >= polls.QUESTIONS_MAX:
                return None
            entry = self.questions.append_entry()
            for _n in range(NEW_OPTIONS - len(entry.form.options)):
                entry.form.options.append_entry()
            return len(self.questions) - 1
        index = int(what) if what.isascii() and what.isdigit() and len(what) < 3 else -1
        if not 0 <= index < len(self.questions):
            return None
        options = self.questions[index].form.options
        if len(options) >= polls.OPTIONS_MAX:
            return None
        options.append_entry()
        return index

    def data_rows(self) -> list[polls.QuestionData]:
        return [polls.QuestionData(text=q.form.text.data or "", kind=q.form.kind.data or "",
                                   max_choices=q.form.max_choices.data,
                                   options=[o.data or "" for o in q.form.options])
                for q in self.questions]


def fields_of(form):
    """Every field of ``form``, those in its lists of rows too (not the lists themselves)."""
    for f in form:
        if f.type == "FieldList":
            for entry in f:
                yield from (fields_of(entry.form) if entry.type == "FormField" else [entry])
        elif f.type == "FormField":
            yield from fields_of(f.form)
        else:
            yield f


class ErrorSummary:
    """What ``macros/forms.html`` error_summary reads, for a form with rows: each field's
    errors (nested ones included), each linking to its field, and the messages above the form."""

    def __init__(self, form):
        self.form_errors = list(form.form_errors)
        self.fields = [f for f in fields_of(form) if f.errors]
        self.errors = bool(self.fields or self.form_errors)

    def __iter__(self):
        return iter(self.fields)


class CloseForm(PortalForm):
    """Closing early: a confirmation button."""


class BallotForm(PortalForm):
    """One field per question, added by ``ballot_form``."""


def _content(text: str, lang: str) -> Markup:
    return Markup('<span lang="{}" dir="auto">{}</span>').format(lang, text)


def ballot_form(poll, formdata=None) -> BallotForm:
    """The ballot of ``poll``: a radio group per single-choice question, checkboxes per
    multiple-choice one; every question may be left blank (abstaining on it)."""
    fields = {}
    for question in poll.questions:
        choices = [SelectChoice(str(o.id), _content(o.text, poll.source_locale)) for o in question.options]
        label = _content(question.text, poll.source_locale)
        if question.kind == "single":
            hint = _("Choose one, or none to abstain on this question.")
            fields[polls.ballot_key(question)] = RadioField(
                label, choices=choices, validate_choice=False, description=hint,
                validators=[validators.Optional()])
        else:
            hint = ngettext("Choose up to %(num)d, or none to abstain on this question.",
                            "Choose up to %(num)d, or none to abstain on this question.",
                            question.max_choices)
            fields[polls.ballot_key(question)] = MultiCheckboxField(
                label, choices=choices, validate_choice=False, description=hint,
                validators=[validators.Optional()])
    cls = type("PollBallotForm", (BallotForm,), fields)
    return cls(formdata=formdata) if formdata is not None else cls()


def answers(form: BallotForm, poll) -> dict[int, list[int]]:
    """The options chosen per question, as ids (anything that is not one is dropped by the
    service's check: it says so beside the question)."""
    from portal.core.forms import int_arg

    found: dict[int, list[int]] = {}
    for question in poll.questions:
        raw = form[polls.ballot_key(question)].data
        values = raw if isinstance(raw, list) else ([raw] if raw else [])
        found[question.id] = [int_arg(str(v)) if int_arg(str(v)) is not None else -1 for v in values]
    return found
