"""Proposal comments: members discuss a published proposal in a thread.

Rules, in one place (the thread's shape, text and rate rules are ``comments``'; who takes part
is the debates' rule, ``debates.can_take_part``):
- everybody reads the comments of a proposal they can see; a comment a moderator hid keeps its
  place in the thread with a note instead of its text;
- active members of the proposal's hall (and administrators) comment on a published proposal
  that is not withdrawn, and reply, three levels deep;
- ``Proposal.comment_count`` is kept here, so lists show it (and sort by it) without counting.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.deliberation import comments, debates
from portal.deliberation.models import Proposal, ProposalComment

SCOPE = ProposalComment.proposal_id


def open_for_comments(proposal: Proposal) -> bool:
    return (proposal.published and proposal.state != "withdrawn" and not proposal.hidden
            and not proposal.hall.archived)


def can_comment(session: Session, proposal: Proposal, user, mine=None,
                blocked: bool | None = None) -> bool:
    return open_for_comments(proposal) and debates.can_take_part(session, proposal.hall, user, mine,
                                                                 blocked)


def thread(session: Session, proposal: Proposal, before: int | None = None,
           after: int | None = None) -> comments.ThreadPage:
    """A page of the proposal's thread (two statements, whatever its length)."""
    return comments.thread_page(session, ProposalComment, SCOPE, proposal.id, before=before,
                                after=after)


def get_comment(session: Session, proposal: Proposal, comment_id: int) -> ProposalComment:
    item = session.get(ProposalComment, comment_id) if 0 < comment_id <= comments.MAX_INT else None
    if item is None or item.proposal_id != proposal.id:
        raise NotFound()
    return item


def page_of(session: Session, proposal: Proposal, item: ProposalComment) -> dict:
    """The thread page's cursor that shows ``item``."""
    return comments.page_args(session, ProposalComment, SCOPE, proposal.id,
                              comments.root_of(session, ProposalComment, item))


def comment(session: Session, author: User, proposal: Proposal, body: str,
            parent_id: int | None = None, locale: str = "en") -> ProposalComment:
    """Publish a comment (or a reply to ``parent_id``, which must be on the same proposal)."""
    if not debates.can_take_part(session, proposal.hall, author):
        raise Forbidden()
    if not open_for_comments(proposal):
        raise Invalid({"": [_l("This proposal takes no new comments.")]})
    body, parent_id, depth = comments.prepare(
        session, ProposalComment, SCOPE, proposal.id, author, body, parent_id,
        _l("The comment you reply to is not on this proposal."))
    item = ProposalComment(proposal_id=proposal.id, parent_id=parent_id, depth=depth,
                           author_id=author.id, body=body, locale=debates._locale(locale))
    session.add(item)
    session.execute(update(Proposal).where(Proposal.id == proposal.id).values(
        comment_count=Proposal.comment_count + 1))
    proposal.hall.last_activity_at = utcnow()
    session.commit()
    session.refresh(proposal)
    return item
