"""The form of a comment in any threaded discussion of the halls (debates add a stance)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from portal.core.forms import PortalForm, length, optional_int, required
from portal.deliberation.comments import COMMENT_MAX


class CommentForm(PortalForm):
    body = TextAreaField(_l("Your comment"), validators=[
        required(_l("Write your comment.")), length(COMMENT_MAX)],
        description=_l("Plain text. Say what you think and why."))
    parent_id = HiddenField(validators=[length(20)])

    def parent(self) -> int | None:
        """The comment replied to: None for a new thread, 0 for a value that is no id."""
        raw = (self.parent_id.data or "").strip()
        return (optional_int(raw) or 0) if raw else None
