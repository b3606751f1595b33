"""Forms of the responsibility pages: one per action.

Translatable texts (names, descriptions) get one input per language, grouped in a fieldset
by the template, with a "language it was written in" choice; the services check that the
version in that language is there.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    validators,
)
from wtforms import DateField as _DateField
from wtforms import IntegerField as _IntegerField

from portal.core.forms import PortalForm, length, optional_int, required
from portal.core.gallery import MultiCheckboxField
from portal.core.i18n import BY_CODE, LOCALES, babel_locale
from portal.responsibility.services import (
    AREA_LEVELS,
    DATATYPES,
    DEPARTMENT_LEVELS,
    LEVELS,
    field_name,
)

# --- fields with the portal's own messages -------------------------------------------------


class DateField(_DateField):
    """A date (``YYYY-MM-DD``, the browser's date control) with a translated message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter a real date, for example 2026-03-27.")) from exc


class IntegerField(_IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter a whole number.")) from exc


def whole_number(low: int, high: int):
    return validators.NumberRange(
        low, high, _l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high))


def _language_label(code: str) -> Markup:
    """The language's name in the reader's language ("Chinese (Simplified)"); where Babel has
    none, its own name, marked with its language."""
    loc = BY_CODE[code]
    name = Locale.parse(loc.catalog).get_display_name(babel_locale())
    if name:
        return escape(name[:1].upper() + name[1:])
    return Markup('<span lang="{}" dir="{}">{}</span>').format(
        code, "rtl" if loc.rtl else "ltr", loc.native_name)


def versions(prefix: str, textarea: bool = False, max_len: int = 200) -> dict:
    """One input per language: ``name_en``, ``name_zh_Hans``... (see ``field_name``)."""
    kind = TextAreaField if textarea else StringField
    return {
        field_name(prefix, loc.code): kind(
            LazyString(_language_label, loc.code),
            validators=[validators.Optional(), length(max_len)],
        )
        for loc in LOCALES
    }


def translatable(cls):
    """Install the ``versions`` a form class lists in ``_versions`` as its fields (they keep
    the order they were made in, so the error summary follows the page)."""
    for group in cls._versions:
        for name, unbound in group.items():
            setattr(cls, name, unbound)
    return cls


def read_versions(form, prefix: str) -> dict[str, str]:
    return {loc.code: form[field_name(prefix, loc.code)].data or "" for loc in LOCALES}


def fill_versions(prefix: str, values: dict[str, str] | None) -> dict[str, str]:
    """Form data for ``versions`` from a stored ``{locale: text}``."""
    return {field_name(prefix, code): text for code, text in (values or {}).items() if code in BY_CODE}


def source_field():
    return RadioField(
        _l("Language it was written in"),
        choices=[SelectChoice(loc.code, loc.native_name) for loc in LOCALES],
        validators=[required(_l("Choose the language you wrote in."))],
        description=_l("Readers whose language has no version see this one, marked with its language."),
        default="en",
    )


def code_field(label=None, description=None):
    return StringField(
        label or _l("Code"), validators=[required(), length(32)],
        description=description or _l("Lowercase letters, digits and hyphens. Other systems use it."),
    )


# --- departments, areas, category groups and categories ------------------------------------


@translatable
class DepartmentForm(PortalForm):
    code = code_field()
    level = SelectField(
        _l("Level"), choices=[SelectChoice(code, LEVELS[code]) for code in DEPARTMENT_LEVELS],
        validators=[required(_l("Choose the level."))])
    parent_id = SelectField(_l("Part of"), coerce=optional_int, validate_choice=False)
    source_locale = source_field()
    _versions = (versions("name"),)
    email = EmailField(_l("Email address"), validators=[
        validators.Optional(), validators.Email(message=_l("Enter an email address like name@example.org.")),
        length(254)])
    phone = TelField(_l("Phone number"), validators=[validators.Optional(), length(40)])
    supervisor_email = EmailField(
        _l("Supervisor's email address"), validators=[validators.Optional(), length(254)],
        description=_l("The staff member told when the department misses a deadline."),
    )


@translatable
class AreaForm(PortalForm):
    code = code_field()
    level = SelectField(
        _l("Level"), choices=[SelectChoice(code, LEVELS[code]) for code in AREA_LEVELS],
        validators=[required(_l("Choose the level."))])
    parent_id = SelectField(_l("Part of"), coerce=optional_int, validate_choice=False)
    source_locale = source_field()
    _versions = (versions("name"),)


@translatable
class GroupForm(PortalForm):
    code = code_field()
    position = IntegerField(
        _l("Position"), default=0, validators=[validators.Optional()],
        description=_l("Groups are listed from the lowest number."),
    )
    source_locale = source_field()
    _versions = (versions("name"),)


@translatable
class CategoryForm(PortalForm):
    service_code = code_field(
        _l("Service code"),
        _l("Its Open311 service code: lowercase letters, digits and hyphens. Apps use it."))
    group_id = SelectField(_l("Group"), coerce=optional_int, validate_choice=False,
                           validators=[required(_l("Choose a group."))])
    source_locale = source_field()
    _versions = (versions("name"), versions("description", textarea=True, max_len=2000),
                 versions("keywords", max_len=1000))
    ack_hours = IntegerField(
        _l("Time to acknowledge, in working hours"), default=8,
        validators=[required(), whole_number(1, 400)],
    )
    resolve_days = IntegerField(
        _l("Time to answer, in working days"), default=10,
        validators=[required(), whole_number(1, 365)],
    )
    active = BooleanField(_l("Residents can choose this category"), default=True)


class AttributeBaseForm(PortalForm):
    code = StringField(
        _l("Code"), validators=[required(), length(32)],
        description=_l("Letters, digits, hyphens or underscores. Apps send answers under this code."),
    )
    datatype = RadioField(
        _l("Kind of answer"), choices=[SelectChoice(k, v) for k, v in DATATYPES.items()],
        validators=[required(_l("Choose the kind of answer."))], default="string",
    )
    required_answer = BooleanField(_l("Residents must answer it"))
    order = IntegerField(
        _l("Position"), validators=[validators.Optional()],
        description=_l("Questions are asked from the lowest number."),
    )
    rows = HiddenField(validators=[length(3)])


@cache
def attribute_form(rows: int) -> type[AttributeBaseForm]:
    """The question form with ``rows`` answer rows: a key and one name per language each."""
    fields = dict(versions("description", max_len=500))
    for n in range(rows):
        fields[f"value_{n}_key"] = StringField(
            _l("Key"), validators=[validators.Optional(), length(32)],
            description=_l("Letters, digits, hyphens or underscores. Leave empty to remove the answer."))
        fields.update(versions(f"value_{n}_name"))
    return type(f"AttributeForm{rows}", (AttributeBaseForm,), fields)


# --- the responsibility list: set and end rules, check the routing --------------------------


class RuleForm(PortalForm):
    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=False,
                              validators=[required(_l("Choose a category."))])
    area_id = SelectField(_l("Area"), coerce=optional_int, validate_choice=False,
                          validators=[required(_l("Choose an area."))])
    lead_id = SelectField(_l("Lead department"), coerce=optional_int, validate_choice=False,
                          validators=[required(_l("Choose the lead department."))])
    co_departments = MultiCheckboxField(
        _l("Co-handling departments"), coerce=int,
        description=_l("They see the request and work on it with the lead department."),
    )
    effective_from = DateField(
        _l("In force from"), validators=[required(_l("Enter the date the rule starts."))],
        description=_l("For example, 2026-03-27. The rule it replaces ends that day."),
    )
    note = TextAreaField(
        _l("Note"), validators=[validators.Optional(), length(2000)],
        description=_l("Why the rule is set, for the history of the list."),
    )


class EndRuleForm(PortalForm):
    effective_to = DateField(
        _l("No longer in force from"), validators=[required(_l("Enter the date the rule ends."))],
        description=_l("For example, 2026-03-27. From this day, the next broader rule applies."),
    )


class CheckForm(PortalForm):
    """The routing checker: a GET form bound to the query string."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=optional_int, validate_choice=False,
                           validators=[required(_l("Choose a category."))])
    area = SelectField(_l("Area"), coerce=optional_int, validate_choice=False,
                       validators=[required(_l("Choose an area."))])
    on = DateField(_l("On"), validators=[validators.Optional()],
                   description=_l("For example, 2026-03-27. Leave empty for today."))


# --- the working-day calendar --------------------------------------------------------------


@translatable
class CalendarDayForm(PortalForm):
    day = DateField(_l("Date"), validators=[required(_l("Enter the date."))],
                    description=_l("For example, 2026-03-27."))
    is_working_day = RadioField(
        _l("What kind of day is it?"),
        choices=[SelectChoice("0", _l("A holiday on a weekday: not a working day")),
                 SelectChoice("1", _l("A weekend day that is a working day"))],
        validators=[required(_l("Choose the kind of day."))],
    )
    source_locale = source_field()
    _versions = (versions("name"),)


class WorkingDaysForm(PortalForm):
    """The "count N working days from a date" checker: a GET form."""

    class Meta:
        csrf = False

    start = DateField(_l("Start date"), validators=[required(_l("Enter the start date."))],
                      description=_l("For example, 2026-03-27."))
    days = IntegerField(_l("Working days"), validators=[
        required(_l("Enter the number of working days.")),
        whole_number(1, 365)])


# --- area boundaries: upload a GeoJSON file, confirm its preview ---------------------------


class BoundaryUploadForm(PortalForm):
    file = FileField(
        _l("GeoJSON file"),
        validators=[FileRequired(_l("Choose a GeoJSON file with the boundaries."))],
    )  # its hint names the size cap, from the configuration: see boundary_upload_hint
    code_property = StringField(
        _l("Property that holds the area code"), default="code",
        validators=[required(_l("Enter the name of the property that holds the area code.")),
                    length(64)],
        description=_l("Each feature's properties must hold its area's code under this name."),
    )


class BoundaryConfirmForm(PortalForm):
    upload = HiddenField(validators=[required(), length(64)])


def boundary_upload_hint(max_bytes: int):
    from portal.responsibility.boundaries import megabytes

    return _l("A FeatureCollection with one Polygon or MultiPolygon feature for each area, in "
              "longitude and latitude (WGS 84), at most %(size)s MB.",
              size=megabytes(max_bytes))
