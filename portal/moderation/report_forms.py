"""Forms of reports: a reader's report, a moderator's decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField

from portal.core.forms import PortalForm, length, required
from portal.moderation.models import REPORT_REASONS
from portal.moderation.reports import NOTE_MAX, REASON_LABELS


class ReportForm(PortalForm):
    reason = RadioField(_l("Why do you report it?"),
                        choices=[SelectChoice(r, REASON_LABELS[r]) for r in REPORT_REASONS],
                        validators=[required(_l("Choose why you report it."))])
    note = TextAreaField(_l("Anything moderators should know"),
                         validators=[length(NOTE_MAX)],
                         description=_l("Only moderators read it."))


class DecisionForm(PortalForm):
    decision = RadioField(_l("What to do"), choices=[
        SelectChoice("hide", _l("Hide it")),
        SelectChoice("restore", _l("Restore it: dismiss the reports")),
        SelectChoice("block", _l("Hide it and block the author from posting in the halls")),
    ], validators=[required(_l("Choose what to do."))])
    reason_code = SelectField(_l("Reason"), choices=[SelectChoice("", _l("Choose a reason"))] + [
        SelectChoice(r, REASON_LABELS[r]) for r in REPORT_REASONS], validate_choice=False,
        description=_l("Required to hide or block. The author reads it in their language."))
    reason_text = TextAreaField(_l("The reason in your words"), validators=[length(NOTE_MAX)],
                                description=_l("Required with “Something else”. The author reads it as "
                                               "you write it."))
