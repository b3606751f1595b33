"""Forms of course authoring: one per action (docs/literacy.md, Authoring)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from portal.core.forms import PortalForm, length, optional_int
from portal.core.gallery import MultiCheckboxField
from portal.literacy import manage
from portal.literacy.digcomp import COMPETENCES
from portal.literacy.models import LEVELS
from portal.responsibility.forms import IntegerField, source_field, translatable, versions

LEVEL_LABELS = {"beginner": _l("Beginner"), "intermediate": _l("Intermediate"),
                "advanced": _l("Advanced")}
PRACTICE_LABELS = {"request": _l("Raising a request"), "comment": _l("Commenting in a hall"),
                   "disclosure": _l("Asking for information")}
KIND_LABELS = {"text": _l("Text, picture and sound"), "practice": _l("Practice on a form"),
               "quiz": _l("Quiz")}


@translatable
class CourseForm(PortalForm):
    source_locale = source_field()
    _versions = (versions("title", max_len=manage.TITLE_MAX),
                 versions("summary", True, manage.SUMMARY_MAX))
    level = RadioField(_l("Level"), choices=[SelectChoice(code, LEVEL_LABELS[code]) for code in LEVELS],
                       default="beginner", validate_choice=False)
    minutes = IntegerField(_l("Time it takes, in minutes"), default=15,
                           validators=[validators.Optional()],
                           description=_l("A whole number from 1 to 600."))
    competences = MultiCheckboxField(
        _l("DigComp competences it teaches"), validate_choice=False,
        choices=[SelectChoice(code, _l("%(code)s %(name)s", code=code, name=c.name))
                 for code, c in COMPETENCES.items()])
    pass_mark = IntegerField(_l("Pass mark, in percent of quiz questions right"), default=70,
                             validators=[validators.Optional()],
                             description=_l("A whole number from 0 to 100."))
    author_department_id = SelectField(_l("Who authors it"), coerce=optional_int,
                                       validate_choice=False)


class LessonForm(PortalForm):
    title = StringField(_l("Title of the lesson"), validators=[length(manage.TITLE_MAX)])


class StepForm(PortalForm):
    title = StringField(_l("Title of the step"), validators=[length(manage.TITLE_MAX)])
    body = TextAreaField(_l("What the step says"), validators=[length(manage.BODY_MAX)],
                         description=_l("Short sentences in plain language: one task a page."))
    image = FileField(_l("Picture"), description=_l(
        "PNG, JPEG or WebP. Big pictures are made smaller; once ready a picture must be at "
        "most 150 KB."))
    image_alt = StringField(_l("Description of the picture"), validators=[length(manage.ALT_MAX)],
                            description=_l("Needed with a picture: what it shows, for people "
                                           "who cannot see it."))
    remove_image = BooleanField(_l("Remove the picture"))
    audio = FileField(_l("Sound recording"), description=_l("MP3, Ogg or M4A, at most 5 MB."))
    transcript = TextAreaField(_l("Transcript of the recording"),
                               validators=[length(manage.TRANSCRIPT_MAX)],
                               description=_l("Needed with a recording: every word it says."))
    remove_audio = BooleanField(_l("Remove the recording"))
    practice = RadioField(_l("Form to practise on"), validate_choice=False,
                          choices=[SelectChoice(p, PRACTICE_LABELS[p]) for p in manage.PRACTICES])


def _choice_fields(cls):
    for n in range(1, manage.MAX_CHOICES + 1):
        setattr(cls, f"choice_{n}", StringField(_l("Answer %(num)d", num=n),
                                                validators=[length(manage.CHOICE_MAX)]))
        setattr(cls, f"correct_{n}", BooleanField(_l("This answer is right")))
    return cls


@_choice_fields
class QuestionForm(PortalForm):
    text = StringField(_l("Question"), validators=[length(manage.QUESTION_MAX)])
    multiple = BooleanField(_l("More than one answer is right (learners tick boxes)"))
    explanation = TextAreaField(_l("Explanation shown after answering"),
                                validators=[length(manage.EXPLANATION_MAX)])

    def choices_data(self) -> list[tuple[str, bool]]:
        return [(self[f"choice_{n}"].data or "", bool(self[f"correct_{n}"].data))
                for n in range(1, manage.MAX_CHOICES + 1)]
