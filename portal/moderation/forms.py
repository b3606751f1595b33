"""Forms of the staff queue: the filters (a GET form) and the bulk actions."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, SelectField

from portal.core.forms import PortalForm, optional_int
from portal.core.gallery import MultiCheckboxField


class QueueFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET search bound to request.args

    department = SelectField(_l("Department"), coerce=optional_int, validate_choice=False)
    category = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    area = SelectField(_l("Area"), coerce=optional_int, validate_choice=False)
    state = SelectField(_l("State"), validate_choice=False)
    overdue = BooleanField(_l("Only overdue"))
    mine = BooleanField(_l("Only those assigned to me"))
    done = BooleanField(_l("Include those with nothing left to do"))
    sort = SelectField(_l("Sort by"), choices=[
        SelectChoice("due", _l("Deadline, soonest first")),
        SelectChoice("updated", _l("Last change, newest first")),
    ], validate_choice=False)


class BulkForm(PortalForm):
    """Act on the ticked rows. The checkboxes are rendered in the table, one per row."""

    items = MultiCheckboxField(_l("Select"), coerce=int, validate_choice=False)
    action = RadioField(_l("What to do with the selected items"), choices=[
        SelectChoice("assign_me", _l("Assign to me")),
        SelectChoice("assign_to", _l("Assign to a colleague")),
        SelectChoice("acknowledge", _l("Acknowledge")),
    ], validate_choice=False)
    assignee = SelectField(_l("Colleague"), coerce=optional_int, validate_choice=False,
                           description=_l("Only when assigning to a colleague."))
