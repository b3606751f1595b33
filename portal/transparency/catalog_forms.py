"""Forms of the disclosure catalog: one per action; the choices are filled by the routes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, TextAreaField, validators

from portal.core.forms import PortalForm, length, optional_int, required
from portal.core.i18n import LOCALES
from portal.transparency.catalog import NOTE_MAX, NUMBER_MAX, SUMMARY_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX


def locale_choices():
    return [SelectChoice(loc.code, loc.native_name) for loc in LOCALES]


class BrowseForm(PortalForm):
    """The index's filters and word search (a GET: bound to the query string)."""

    class Meta:
        csrf = False

    q = StringField(_l("Words"), validators=[validators.Optional(), length(200)])
    category = SelectField(_l("Category"), validate_choice=False, validators=[validators.Optional()])
    department_id = SelectField(_l("Department"), coerce=optional_int, validate_choice=False,
                                validators=[validators.Optional()])
    year = SelectField(_l("Year of publication"), coerce=optional_int, validate_choice=False,
                       validators=[validators.Optional()])


class PublicationForm(PortalForm):
    department_id = SelectField(_l("Department"), coerce=optional_int, validate_choice=False,
                                validators=[required(_l("Choose the department."))])
    category = SelectField(_l("Category"), validate_choice=False,
                           validators=[required(_l("Choose a category from the list."))])
    source_locale = SelectField(_l("Language it is written in"), choices=locale_choices(),
                                validate_choice=False,
                                validators=[required(_l("Choose the language it is written in."))])
    title = StringField(_l("Title"), validators=[required(_l("Enter the title.")), length(TITLE_MAX)])
    summary = TextAreaField(_l("Summary"), validators=[required(_l("Write a summary.")), length(SUMMARY_MAX)],
                            description=_l("What the document is about, in plain words."))
    document_number = StringField(_l("Document number"), validators=[validators.Optional(),
                                                                     length(NUMBER_MAX)],
                                  description=_l("If the document has one. Unique in the department."))
    made_on = StringField(_l("Date it was made"), validators=[validators.Optional(), length(10)],
                          description=_l("For example 2026-03-31."))
    valid_until = StringField(_l("Valid until"), validators=[validators.Optional(), length(10)],
                              description=_l("Leave empty if it has no end date."))
    tags = StringField(_l("Tags"), validators=[validators.Optional(), length(TAGS_MAX * (TAG_MAX + 2))],
                       description=_l("Separated by commas; at most %(num)d.", num=TAGS_MAX))
    change_note = TextAreaField(_l("What changed in this version"),
                                validators=[validators.Optional(), length(NOTE_MAX)],
                                description=_l("Needed for every version after the first: readers see it "
                                               "in the list of versions."))


class TranslationForm(PortalForm):
    locale = SelectField(_l("Language"), choices=locale_choices(), validate_choice=False,
                         validators=[required(_l("Choose a language other than the one it is written in."))])
    title = StringField(_l("Title in that language"), validators=[validators.Optional(), length(TITLE_MAX)])
    summary = TextAreaField(_l("Summary in that language"),
                            validators=[validators.Optional(), length(SUMMARY_MAX)],
                            description=_l("Leave both empty to remove that language's translation."))


class FileForm(PortalForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))],
                     description=_l("A PDF, an office document (docx, xlsx, pptx, odt, ods) or a CSV file "
                                    "in UTF-8. The author's name is removed from the file."))


class WithdrawForm(PortalForm):
    note = TextAreaField(_l("Why it is withdrawn"),
                         validators=[required(_l("Say why it is withdrawn.")), length(NOTE_MAX)],
                         description=_l("Readers see this notice on the publication's page."))
