"""Forms of the administrators' pages."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SearchField, SelectChoice, SelectField, validators

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


class PersonalDataLogForm(PortalForm):
    """The personal-data log's filters: whose data, which member of staff, which days."""

    class Meta:
        csrf = False  # a GET search bound to request.args

    person = SearchField(_l("Whose data (email address or account number)"),
                         validators=[validators.Optional(), length(254)])
    staff = SearchField(_l("Who looked or changed (email address or account number)"),
                        validators=[validators.Optional(), length(254)])
    start = DateField(_l("From date"), validators=[validators.Optional()])
    end = DateField(_l("To date"), validators=[validators.Optional()])
