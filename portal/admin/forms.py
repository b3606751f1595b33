"""Forms of the administrators' pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField

from portal.core.gallery import MultiCheckboxField
from portal.core.roles import GRANTABLE, LABELS


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search bound to request.args

    q = SearchField(_l("Name or email address"))
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Any role"))]
        + [SelectChoice(r, LABELS[r]) for r in GRANTABLE],
    )


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"), choices=[SelectChoice(r, LABELS[r]) for r in GRANTABLE]
    )
    departments = MultiCheckboxField(
        _l("Departments"),
        coerce=int,
        description=_l("Staff answer for the departments ticked here."),
    )
