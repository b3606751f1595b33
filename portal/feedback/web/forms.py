"""One form per action of the request tracker."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    validators,
)

from portal.core.fields import LocalizedDecimalField
from portal.core.forms import PortalForm, length, required
from portal.core.gallery import MultiCheckboxField
from portal.core.i18n import localize
from portal.responsibility.models import ServiceCategory

# --- submission ----------------------------------------------------------------------------


class _Required:
    """Marks a field as required (no "(optional)" beside its label) without checking it:
    the route or the service checks it and says what is missing."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class CategorySearchForm(PortalForm):
    """Step 1, a GET form: find a category by words."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search by words"), validators=[validators.Optional(), length(100)],
        description=_l("For example: street light, rubbish, leak."),
    )


class CategoryForm(PortalForm):
    """Step 1: the categories as radios, a group (fieldset) per category group. Every group's
    radios share the name ``category``, so exactly one category can be chosen."""

    def groups(self) -> list[RadioField]:
        return [f for name, f in self._fields.items() if name.startswith("group_")]

    def chosen(self) -> str | None:
        for field in self.groups():
            if field.data:
                return str(field.data)
        return None

    def missing(self, message) -> None:
        """Put an error on the first group, where the summary's link leads."""
        fields = self.groups()
        if fields:
            fields[0].errors = [*fields[0].errors, str(message)]
        else:
            self.form_errors.append(str(message))


def category_form(grouped: list[tuple], chosen: str | None = None) -> CategoryForm:
    """``grouped``: ``(group, [(category, label), ...])`` in display order. ``chosen`` is the
    draft's category, shown selected when the page is not a submission."""
    fields = {}
    for i, (group, options) in enumerate(grouped):
        fields[f"group_{i}"] = RadioField(
            group.name, name="category", id=f"category-{group.code}",
            choices=[SelectChoice(c.service_code, label) for c, label in options],
            validators=[_Required()], validate_choice=False,
        )
    form_class = type("CategoryStepForm", (CategoryForm,), fields)
    return form_class(data=dict.fromkeys(fields, chosen) if chosen else None)


def _coordinate(label, low: int, high: int, message):
    return LocalizedDecimalField(
        label, invalid_value_message=message,
        validators=[validators.Optional(), validators.NumberRange(low, high, message=message)],
    )


class DetailsForm(PortalForm):
    """Step 2: what, where, the category's own questions, and (for visitors) who."""

    title = StringField(
        _l("Title"), validators=[validators.Optional(), length(140)],
        description=_l("A few words. If you leave it empty, the start of the description is used."),
    )
    description = TextAreaField(
        _l("Describe the problem"),
        validators=[required(_l("Describe the problem.")), length(5000)],
        description=_l("What is wrong, since when, and anything that helps to find it."),
    )
    location_text = StringField(
        _l("Where is it?"), validators=[_Required(), length(300)],
        description=_l("An address, or a description of the place, like “outside the library, "
                       "by the bus stop”."),
    )
    area = SelectField(
        _l("Area"), validators=[required(_l("Choose the area, or “anywhere in the city”."))],
        invalid_choice_message=_l("Choose one of the listed areas."),
        description=_l("The district or community where it is. If you are not sure, choose "
                       "“anywhere in the city”."),
    )
    latitude = _coordinate(_l("Latitude"), -90, 90,
                           _l("Enter the latitude as a number from -90 to 90, like 31.2304."))
    longitude = _coordinate(_l("Longitude"), -180, 180,
                            _l("Enter the longitude as a number from -180 to 180, like 121.4737."))
    show_name = BooleanField(
        _l("Show my name publicly with this request"),
        description=_l("If you leave this unticked, the public sees “A resident”."),
    )
    contact_email = EmailField(
        _l("Email address"),
        validators=[
            required(_l("Enter your email address so we can confirm the request.")), length(254),
            validators.Email(message=_l("Enter an email address in the right format, like "
                                        "name@example.com."), check_deliverability=False),
        ],
        description=_l("We email you a link. The request is held until you follow it."),
    )
    contact_name = StringField(
        _l("Your name"), validators=[validators.Optional(), length(120)],
        description=_l("Only shown publicly if you tick the box below, under “Your name in public”."),
    )
    contact_phone = TelField(
        _l("Phone number"), validators=[validators.Optional(), length(40)],
        description=_l("Only the department sees it, to call you if they need to."),
    )

    VISITOR_FIELDS = ("contact_email", "contact_name", "contact_phone")

    def questions(self) -> list:
        return [f for name, f in self._fields.items() if name.startswith("attr_")]


def attribute_field_name(code: str) -> str:
    return "attr_" + re.sub(r"\W", "_", str(code))


def _question(attribute: dict, source: str):
    """A WTForms field for one Open311 attribute of a category."""
    label = localize(attribute.get("description_i18n"), source)
    label = label if label.text else attribute["code"]
    checks = ([required(_l("Answer this question."))] if attribute.get("required")
              else [validators.Optional()])
    name, datatype = attribute_field_name(attribute["code"]), attribute.get("datatype", "string")
    values = [SelectChoice(str(v["key"]), localize(v.get("name_i18n"), source) or str(v["key"]))
              for v in attribute.get("values") or []]
    if datatype == "singlevaluelist":
        return RadioField(label, id=name, choices=values, validators=checks, validate_choice=False)
    if datatype == "multivaluelist":
        return MultiCheckboxField(label, id=name, choices=values, validators=checks,
                                  validate_choice=False)
    if datatype == "text":
        return TextAreaField(label, id=name, validators=[*checks, length(2000)])
    if datatype == "number":
        return StringField(label, id=name, validators=[*checks, length(40)],
                           render_kw={"inputmode": "decimal"})
    if datatype == "datetime":
        return StringField(label, id=name, validators=[*checks, length(40)],
                           render_kw={"type": "datetime-local"})
    return StringField(label, id=name, validators=[*checks, length(500)])


def details_form(category: ServiceCategory, visitor: bool, area_choices: list[SelectChoice],
                 data: dict | None = None) -> DetailsForm:
    """The details form for ``category``: its extra questions in their order, the areas, and
    the contact fields for a visitor only."""
    fields = {}
    for attribute in sorted(category.attributes or [], key=lambda a: a.get("order", 0)):
        fields[attribute_field_name(attribute["code"])] = _question(attribute, category.source_locale)
    form = type("DetailsStepForm", (DetailsForm,), fields)(data=data)
    form.area.choices = area_choices
    if not visitor:
        for name in DetailsForm.VISITOR_FIELDS:
            delattr(form, name)
    return form


class FilesForm(PortalForm):
    """Step 3: photos or PDFs, added a few at a time and kept with the draft."""

    files = MultipleFileField(
        _l("Add photos or PDFs"),
        description=_l("Up to 5 files: photos (JPEG, PNG or WebP) or PDFs, each up to 5 MB. "
                       "We remove the location and camera details from photos."),
    )


# --- public and resident ---------------------------------------------------------------
# Owner: the public tracker (web/public.py). The submission helper rebuilt this section
# once after a simultaneous create; this is the owner's version again.


def _public_state_choices():
    from portal.feedback import states as st

    return [SelectChoice("", _l("Any status"))] + [
        SelectChoice(code, st.TYPE_LABELS[code]) for code in st.PUBLIC_TYPES]


class RequestSearchForm(PortalForm):
    """The public list's filters: a GET form bound to ``request.args``."""

    class Meta:
        csrf = False

    q = SearchField(_l("Words or tracking code"), validators=[validators.Optional(), length(100)])
    category = SelectField(_l("Category"), validate_choice=False)
    area = SelectField(_l("Area"), validate_choice=False)
    state = SelectField(_l("Status"), choices=_public_state_choices(), validate_choice=False)
    department = SelectField(_l("Department"), validate_choice=False)


class FindRequestForm(PortalForm):
    """The home page's box: a tracking code finds its request; words search the list."""

    class Meta:
        csrf = False

    code = SearchField(
        _l("Find a request by its tracking code"),
        validators=[required(_l("Enter a tracking code, like R-2026-000042.")), length(100)],
        description=_l("For example R-2026-000042. Words search all requests."),
    )


class ProvideInformationForm(PortalForm):
    text = TextAreaField(
        _l("Your answer"),
        validators=[required(_l("Write your answer.")), length(5000)],
        description=_l("It is shown on the request's public page."),
    )


class AddInformationForm(PortalForm):
    """The resident adds to their open request: a text, photos or PDFs, or both."""

    text = TextAreaField(
        _l("What you want to add"),
        validators=[validators.Optional(), length(5000)],
        description=_l("For example, that it has got worse, or a better description of the "
                       "place. It is shown on the request's public page."),
    )
    files = MultipleFileField(
        _l("Photos or PDFs"),
        description=_l("Photos (JPEG, PNG or WebP) or PDFs, each up to 5 MB; up to 5 files for "
                       "the whole request. We remove the location and camera details from photos."),
    )


SATISFACTION_CHOICES = [
    SelectChoice(1, _l("1 – Very dissatisfied")),
    SelectChoice(2, _l("2 – Dissatisfied")),
    SelectChoice(3, _l("3 – Neither satisfied nor dissatisfied")),
    SelectChoice(4, _l("4 – Satisfied")),
    SelectChoice(5, _l("5 – Very satisfied")),
]


class RespondForm(PortalForm):
    """Two separate questions: was it resolved, and how satisfied are you."""

    resolved = RadioField(
        _l("Was the problem resolved?"),
        choices=[SelectChoice("yes", _l("Yes, it is resolved")),
                 SelectChoice("no", _l("No, it is not resolved"))],
        validators=[required(_l("Say whether the problem was resolved."))],
        description=_l("If it is not resolved, the request is reopened and goes back to the "
                       "department with priority."),
    )
    satisfaction = RadioField(
        _l("How satisfied are you with how your request was handled?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        validators=[required(_l("Choose how satisfied you are, from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[validators.Optional(), length(2000)],
        description=_l("It is shown on the request's public page."),
    )


class WithdrawForm(PortalForm):
    reason = TextAreaField(
        _l("Why are you withdrawing it?"),
        validators=[validators.Optional(), length(1000)],
        description=_l("It is shown on the request's public page."),
    )
