"""How fast a new account may post in the halls, and whether an account may post at all.

One rule for every tool (debate comments, proposals, reports, and the meetings, votes and
proposal comments that come next): an account younger than ``NEW_ACCOUNT_HOURS`` posts at
most ``per_hour`` items of a kind an hour, counted from the kind's own rows
(``check_new_account``); an account a moderator blocked from posting (``PostingBlock``, see
``portal.moderation.reports``) posts nothing (``may_post``), though it still signs in and reads.
Services call these; they raise ``Invalid`` with the message beside the field, so what was
typed is kept.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.errors import Invalid
from portal.core.models import utcnow

NEW_ACCOUNT_HOURS = 24
# Per kind, items an hour for a new account.
NEW_ACCOUNT_COMMENTS = 5
NEW_ACCOUNT_PROPOSALS = 2
NEW_ACCOUNT_REPORTS = 10


def is_new(user, now=None) -> bool:
    created = getattr(user, "created_at", None)
    return created is not None and (now or utcnow()) - created < timedelta(hours=NEW_ACCOUNT_HOURS)


def check_new_account(session: Session, user, author_column, created_column, per_hour: int,
                      field: str = "body", conditions=(), message=None) -> None:
    """Refuse the post when ``user`` is a new account that already made ``per_hour`` rows of
    this kind in the last hour (``author_column == user.id``, ``created_column`` within the
    hour, and ``conditions``). ``message``: the tool's own words (a lazy string), or the
    general one."""
    now = utcnow()
    if not is_new(user, now):
        return
    recent = session.scalar(select(func.count()).select_from(author_column.class_).where(
        author_column == user.id, created_column >= now - timedelta(hours=1), *conditions))
    if recent >= per_hour:
        raise Invalid({field: [message or lazy_ngettext(
            "New accounts can publish %(num)d item of this kind an hour during their first day. "
            "Please wait a little: what you wrote is kept.",
            "New accounts can publish %(num)d items of this kind an hour during their first day. "
            "Please wait a little: what you wrote is kept.", per_hour)]})


def may_post(session: Session, user, blocked: bool | None = None) -> bool:
    """False for an account a moderator blocked from posting in halls (one statement;
    ``blocked``: the answer where the page read it already, see ``proposals.reader_facts``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if blocked is not None:
        return not blocked
    from portal.moderation.reports import is_blocked

    return not is_blocked(session, user)
