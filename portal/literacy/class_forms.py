"""Forms of facilitators' classes: one per action (docs/literacy.md, Classes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from portal.core.forms import PortalForm, length, optional_int
from portal.literacy.classes import NAME_MAX


class ClassForm(PortalForm):
    name = StringField(_l("Name of the class"), validators=[length(NAME_MAX)],
                       description=_l("For example: Tuesday mornings at the library."))
    course_id = SelectField(_l("Course"), coerce=optional_int, validate_choice=False)
    department_id = SelectField(_l("Who you teach for"), coerce=optional_int,
                                validate_choice=False)


class JoinForm(PortalForm):
    code = StringField(_l("Class code"), validators=[length(20)],
                       description=_l("The 8 letters and digits your facilitator gave you."))
