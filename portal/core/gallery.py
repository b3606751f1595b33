"""The component gallery: every macro in every state, for designers and the axe crawl."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.forms import PortalForm, length, required
from portal.core.pagination import Page


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GalleryForm(PortalForm):
    full_name = StringField(
        _l("Full name"), validators=[required(), length(80)],
        description=_l("As it appears on your documents."),
    )
    story = TextAreaField(
        _l("Describe the problem"), validators=[required(), length(2000, 10)],
        description=_l("Say what, where and since when."),
    )
    district = SelectField(
        _l("District"),
        choices=[SelectChoice("", _l("Choose a district")),
                 SelectChoice("north", _l("North District")),
                 SelectChoice("old-town", _l("Old Town"))],
        validators=[required(_l("Choose a district."))],
    )
    contact = RadioField(
        _l("How should we contact you?"),
        choices=[SelectChoice("email", _l("Email")), SelectChoice("phone", _l("Phone")),
                 SelectChoice("none", _l("Do not contact me"))],
        validators=[required(_l("Choose how we should contact you."))],
    )
    topics = MultiCheckboxField(
        _l("Topics you follow"),
        choices=[SelectChoice("roads", _l("Roads")), SelectChoice("water", _l("Water")),
                 SelectChoice("parks", _l("Parks"))],
        validators=[validators.InputRequired(message=_l("Choose at least one topic."))],
    )
    visit_date = DateField(
        _l("Date of the visit"), validators=[required(_l("Enter a real date."))],
        description=_l("For example, 2026-03-27."),
    )
    photo = FileField(
        _l("Photo"), validators=[FileAllowed(["jpg", "jpeg", "png"], _l("Choose a JPEG or PNG."))],
        description=_l("A JPEG or PNG, at most 10 MB."),
    )
    agree = BooleanField(_l("I agree to the terms of use"), validators=[
        validators.InputRequired(message=_l("Agree to the terms to continue."))])


def errored_example() -> GalleryForm:
    """The gallery form after a submission with mistakes, under its own id prefix."""
    form = GalleryForm(
        formdata=MultiDict({"example-full_name": "", "example-story": "Short",
                            "example-visit_date": "2026-02-31"}),
        prefix="example", meta={"csrf": False},
    )
    form.validate()
    return form


def sample_page() -> Page:
    return Page(items=[], newer=40, older=20)
