"""Halls, debates, proposals, polls, meetings in a resident's data download, and when their
account is deleted (portal.core.privacy).

Everything written in public (comments, proposals, amendments) stays, by "Former
participant"; supports, endorsements, ballots and registrations stay too, so every count
stays right, linked to the tombstone that names nobody. Follows are private: they go.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core import privacy
from portal.deliberation.models import (
    Ballot,
    Debate,
    DebateComment,
    DebateEndorsement,
    Follow,
    Hall,
    HallEvent,
    HallMember,
    Meeting,
    MeetingDecision,
    MeetingRegistration,
    Poll,
    Proposal,
    ProposalAmendment,
    ProposalComment,
    ProposalEvent,
    ProposalMilestone,
    ProposalSupport,
)


def _own(key, attr, description, position, **options):
    privacy.register(privacy.Part(key, description, covers=(attr,),
                                  export=privacy.rows_of(attr, **options), position=position))


_own("hall_memberships", HallMember.user_id, _l("The halls you are a member of."), 20,
     leave=("invited_by_id",))
_own("debate_comments", DebateComment.author_id, _l("Your comments in debates."), 21)
_own("debate_endorsements", DebateEndorsement.user_id, _l("The comments you endorsed."), 22)
_own("proposals", Proposal.author_id, _l("Your proposals."), 23, leave=("body_html",))
_own("proposal_supports", ProposalSupport.user_id, _l("The proposals you support."), 24)
_own("proposal_amendments", ProposalAmendment.author_id, _l("The amendments you suggested."),
     25, leave=("body_html",))
_own("proposal_comments", ProposalComment.author_id, _l("Your comments on proposals."), 26)
# The ballot is secret: the portal knows that and when you voted, never what you chose.
_own("poll_ballots", Ballot.user_id, _l("The polls you voted in (not what you chose: the "
                                         "ballot is secret)."), 27)
_own("meeting_registrations", MeetingRegistration.user_id,
     _l("The meetings you registered for."), 28)
privacy.register(privacy.Part(
    "follows", _l("The debates, proposals and halls you follow, and how often you hear."),
    covers=(Follow.user_id,), export=privacy.rows_of(Follow.user_id),
    erase=privacy.delete_rows(Follow.user_id), position=29))
# What organisers and staff did: the rows stay with the tombstone.
privacy.register(privacy.Part(
    "deliberation_work",
    covers=(Hall.created_by_id, HallMember.invited_by_id, HallEvent.actor_id,
            Debate.created_by_id, Debate.closed_by_id, ProposalEvent.actor_id,
            ProposalMilestone.actor_id, Poll.closed_by_id, Poll.created_by_id,
            Meeting.created_by_id, MeetingDecision.created_by_id)))
