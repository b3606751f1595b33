"""Forms of the debates: one per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from portal.core.forms import PortalForm, length, required
from portal.deliberation import comment_forms
from portal.deliberation.debates import (
    CONCLUSION_MAX,
    DESCRIPTION_MAX,
    STANCE_LABELS,
    TITLE_MAX,
)
from portal.deliberation.models import STANCES
from portal.responsibility.forms import source_field


class DebateForm(PortalForm):
    title = StringField(_l("Question"), validators=[required(), length(TITLE_MAX)],
                        description=_l("The open question, on one line."))
    description = TextAreaField(
        _l("Description"), validators=[required(), length(DESCRIPTION_MAX)],
        description=_l("What the question is about and what the hosts will do with the answers."))
    source_locale = source_field()


class CommentForm(comment_forms.CommentForm):
    stance = RadioField(_l("Your stance"), choices=[SelectChoice(s, STANCE_LABELS[s]) for s in STANCES],
                        validators=[required(_l("Choose whether you are for, against or neutral."))])


class CloseForm(PortalForm):
    conclusion = TextAreaField(_l("Conclusion"), validators=[
        required(_l("Write the conclusion of the debate.")), length(CONCLUSION_MAX)],
        description=_l("What the hall concludes, and what happens next. Everyone reads it at "
                       "the top of the debate and on the hall's timeline."))
