"""Forms of following: the follow button's (with how often to hear), and one per row of
"What you follow"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from portal.core.forms import PortalForm, required
from portal.core.notifications import MODES


class FollowForm(PortalForm):
    frequency = SelectField(
        _l("How often to hear about it"),
        choices=[SelectChoice(code, label) for code, label in MODES.items()],
        validators=[required(_l("Choose how often you want to hear about it."))],
        validate_choice=False,  # the service says what is wrong, in the same words everywhere
        description=_l("You are told in the portal every time; this is about emails."))
