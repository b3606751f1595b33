"""Forms of the administrators' pages."""

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectChoice, SelectField, validators

from portal.core.forms import PortalForm, length
from portal.core.gallery import MultiCheckboxField
from portal.core.roles import GRANTABLE, LABELS


class UserSearchForm(PortalForm):
    class Meta:
        csrf = False  # a GET search bound to request.args

    q = SearchField(_l("Name or email address"), validators=[validators.Optional(), length(100)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Any role"))]
        + [SelectChoice(r, LABELS[r]) for r in GRANTABLE],
    )


class UserRolesForm(PortalForm):
    roles = MultiCheckboxField(
        _l("Roles"), choices=[SelectChoice(r, LABELS[r]) for r in GRANTABLE]
    )
    departments = MultiCheckboxField(
        _l("Departments"),
        coerce=int,
        description=_l("Staff answer for the departments ticked here."),
    )
