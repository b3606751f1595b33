"""Halls: where a community deliberates. Debates, proposals, meetings and votes belong to a
hall and come in later modules' tables; these are the hall, its members and its timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import translated
from portal.core.models import User, utcnow
from portal.extensions import db
from portal.responsibility.models import Area

# Who may join: anyone signed in; those who say they live, work or study in the hall's area
# (recorded with the membership); or only those a host invited.
POLICIES = ("open", "area", "invitation")
TOOLS = ("debates", "proposals", "meetings", "votes")
ROLES = ("member", "host")
# A membership is "invited" until the person accepts; "active" after.
MEMBER_STATES = ("invited", "active")


class Hall(db.Model):
    __tablename__ = "hall"
    __table_args__ = (Index("ix_hall_area", "area_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    name_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    purpose_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    rules_i18n: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    policy: Mapped[str] = mapped_column(String(16), default="open")
    tools: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Counters the services keep, so lists never count rows.
    member_count: Mapped[int] = mapped_column(default=0)
    # Proposals: supports that move a proposal to evaluation by the accountable department.
    support_threshold: Mapped[int] = mapped_column(default=10)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    archived: Mapped[bool] = mapped_column(default=False)

    area: Mapped[Area] = relationship()

    name = translated("name_i18n")
    purpose = translated("purpose_i18n")
    rules = translated("rules_i18n")

    def uses(self, tool: str) -> bool:
        return tool in (self.tools or ())


class HallMember(db.Model):
    __tablename__ = "hall_member"
    __table_args__ = (
        UniqueConstraint("hall_id", "user_id"),
        Index("ix_hall_member_user", "user_id", "hall_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="member")
    state: Mapped[str] = mapped_column(String(16), default="active")
    # For an "area" hall: the person said they live, work or study in its area.
    declared_area: Mapped[bool] = mapped_column(default=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    hall: Mapped[Hall] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class HallEvent(db.Model):
    """What happened in a hall, for its public timeline (who joined is never public)."""

    __tablename__ = "hall_event"
    __table_args__ = (Index("ix_hall_event_hall", "hall_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # opened, settings_changed, ...
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


# --- debates ------------------------------------------------------------------------------------
# An open question in a hall. Title and description are written in one language (the host's,
# ``source_locale``), like any user content; comments are plain text in their writer's page
# language (``locale``). The counters are kept by portal.deliberation.debates, never counted.

DEBATE_STATES = ("open", "closed")
STANCES = ("for", "against", "neutral")
DEBATE_MAX_DEPTH = 3  # a comment, a reply, a reply to a reply; deeper replies attach at three


class Debate(db.Model):
    __tablename__ = "debate"
    __table_args__ = (Index("ix_debate_hall", "hall_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(5000), default="")
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    state: Mapped[str] = mapped_column(String(16), default="open")
    conclusion: Mapped[str] = mapped_column(String(5000), default="")
    conclusion_locale: Mapped[str] = mapped_column(String(10), default="en")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column()
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment_count: Mapped[int] = mapped_column(default=0)
    for_count: Mapped[int] = mapped_column(default=0)
    against_count: Mapped[int] = mapped_column(default=0)
    neutral_count: Mapped[int] = mapped_column(default=0)
    # Reports: hidden by a moderator, or by enough reports until a moderator decides.
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(1000), default="")
    hidden_at: Mapped[datetime | None]

    hall: Mapped[Hall] = relationship()

    @property
    def is_open(self) -> bool:
        return self.state == "open"


class DebateComment(db.Model):
    __tablename__ = "debate_comment"
    __table_args__ = (
        Index("ix_debate_comment_debate", "debate_id", "id"),
        Index("ix_debate_comment_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debate.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("debate_comment.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    stance: Mapped[str] = mapped_column(String(16), default="neutral")
    body: Mapped[str] = mapped_column(String(4000))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    endorsement_count: Mapped[int] = mapped_column(default=0)
    # Reports: hidden by a moderator, or by enough reports until a moderator decides.
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(1000), default="")
    hidden_at: Mapped[datetime | None]

    author: Mapped[User] = relationship()


class DebateEndorsement(db.Model):
    __tablename__ = "debate_endorsement"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),
                      Index("ix_debate_endorsement_user", "user_id", "comment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("debate_comment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- proposals: drafts, supports, the official answer, the progress record ----------------------

class Proposal(db.Model):
    """A member's proposal. ``state`` is a code of ``proposal_states.STATES``; every change is
    a ``ProposalEvent``. ``body_html`` is the sanitized body (nh3), ``body`` what was typed."""

    __tablename__ = "proposal"
    __table_args__ = (
        Index("ix_proposal_public", "published", "id"),
        Index("ix_proposal_hall", "hall_id", "published", "id"),
        Index("ix_proposal_supports", "published", "support_count", "id"),
        Index("ix_proposal_comments", "published", "comment_count", "id"),
        Index("ix_proposal_author", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    state: Mapped[str] = mapped_column(String(24), default="draft")
    published: Mapped[bool] = mapped_column(default=False)
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)  # kept by proposal_comments
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    answer_note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    progress: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Reports: hidden by a moderator, or by enough reports until a moderator decides.
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(1000), default="")
    hidden_at: Mapped[datetime | None]

    hall: Mapped[Hall] = relationship()
    area: Mapped[Area] = relationship()
    author: Mapped[User] = relationship()


class ProposalSupport(db.Model):
    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalEvent(db.Model):
    """A proposal's history: published, edited, evaluation, answered, withdrawn, milestone."""

    __tablename__ = "proposal_event"
    __table_args__ = (Index("ix_proposal_event_proposal", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalMilestone(db.Model):
    """A step of an accepted proposal's public progress record."""

    __tablename__ = "proposal_milestone"
    __table_args__ = (Index("ix_proposal_milestone_proposal", "proposal_id", "on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(150))
    on: Mapped[date]
    percent: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalAmendment(db.Model):
    """A member's amended text for a proposal; the author accepts it (it replaces the body, the
    old one stays in the proposal's history) or rejects it."""

    __tablename__ = "proposal_amendment"
    __table_args__ = (Index("ix_proposal_amendment_proposal", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, accepted, rejected
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


# --- votes: polls, their questions and options, ballots -----------------------------------------
# A poll of a hall that uses the "votes" tool. Moments are stored in UTC (naive, like every
# column); forms read and show them in the city's time zone. ``state`` is what the clock last
# recorded (upcoming, open, closed); portal.deliberation.polls.phase is the truth at any moment.
# Ballots are secret: a Ballot says who voted (one per person, a unique constraint), the
# BallotChoice rows say what was chosen, with no link to the ballot or to the person.

POLL_STATES = ("upcoming", "open", "closed")
POLL_RESULTS = ("after_close", "live")
QUESTION_KINDS = ("single", "multiple")


class Poll(db.Model):
    __tablename__ = "poll"
    __table_args__ = (Index("ix_poll_hall", "hall_id", "id"),
                      Index("ix_poll_clock", "state", "closes_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(5000), default="")
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    results: Mapped[str] = mapped_column(String(16), default="after_close")
    state: Mapped[str] = mapped_column(String(16), default="upcoming")
    closed_at: Mapped[datetime | None]  # when it closed: at closes_at, or earlier by a host
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ballot_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hall: Mapped[Hall] = relationship()
    questions: Mapped[list[PollQuestion]] = relationship(
        order_by="PollQuestion.position", cascade="all, delete-orphan", back_populates="poll")


class PollQuestion(db.Model):
    __tablename__ = "poll_question"
    __table_args__ = (Index("ix_poll_question_poll", "poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16), default="single")
    max_choices: Mapped[int] = mapped_column(default=1)
    answer_count: Mapped[int] = mapped_column(default=0)  # ballots that answered it

    poll: Mapped[Poll] = relationship(back_populates="questions")
    options: Mapped[list[PollOption]] = relationship(
        order_by="PollOption.position", cascade="all, delete-orphan")


class PollOption(db.Model):
    __tablename__ = "poll_option"
    __table_args__ = (Index("ix_poll_option_question", "question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_question.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(200))
    vote_count: Mapped[int] = mapped_column(default=0)


class Ballot(db.Model):
    """Who voted, and when: one per person per poll."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),
                      Index("ix_ballot_user", "user_id", "poll_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BallotChoice(db.Model):
    """What a ballot chose, with no link to the ballot or its voter (the ballot is secret)."""

    __tablename__ = "ballot_choice"
    __table_args__ = (Index("ix_ballot_choice_option", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_option.id", ondelete="CASCADE"))
# --- following: the halls, debates and proposals a person follows, and how often they hear ----
# ``target_kind`` + ``target_id`` name the followed thing (no foreign key: three kinds of target);
# ``frequency`` is the person's choice for this follow (immediate, daily digest, none), at first
# their account's ``notify_mode``. Kept by portal.deliberation.follows.

FOLLOW_KINDS = ("hall", "debate", "proposal")


class Follow(db.Model):
    __tablename__ = "follow"
    __table_args__ = (
        UniqueConstraint("user_id", "target_kind", "target_id"),
        Index("ix_follow_target", "target_kind", "target_id", "user_id"),
        Index("ix_follow_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    frequency: Mapped[str] = mapped_column(String(16), default="immediate")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)



# --- meetings: scheduling, agenda, registration with a waiting list, attendance, minutes --------
# A hall's meeting, in person, online or both. Times are stored in UTC (naive, like every
# column of the portal) and typed and shown in the city's time zone (BABEL_DEFAULT_TIMEZONE).
# The counters (registered, waiting, attended) are kept by portal.deliberation.meetings under
# a lock of the meeting's row, so a full meeting never takes one registration too many.

MEETING_FORMATS = ("in_person", "online", "hybrid")
MEETING_STATES = ("scheduled", "cancelled")
REGISTRATION_STATES = ("registered", "waiting", "cancelled")


class Meeting(db.Model):
    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_hall", "hall_id", "starts_at"),
        Index("ix_meeting_reminder", "state", "reminder_sent_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(5000), default="")
    source_locale: Mapped[str] = mapped_column(String(10), default="en")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    format: Mapped[str] = mapped_column(String(16), default="in_person")
    address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(default=0)  # 0: no limit
    registration_open: Mapped[bool] = mapped_column(default=True)
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(String(2000), default="")
    cancelled_at: Mapped[datetime | None]
    registered_count: Mapped[int] = mapped_column(default=0)
    waiting_count: Mapped[int] = mapped_column(default=0)
    attended_count: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_locale: Mapped[str] = mapped_column(String(10), default="en")
    minutes_published_at: Mapped[datetime | None]
    # Claimed by the reminder task with a conditional UPDATE: one reminder, however many workers.
    reminder_sent_at: Mapped[datetime | None]
    sequence: Mapped[int] = mapped_column(default=0)  # ICS SEQUENCE: bumped by each change
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    hall: Mapped[Hall] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.state == "cancelled"

    @property
    def is_full(self) -> bool:
        return bool(self.capacity) and self.registered_count >= self.capacity


class MeetingAgendaItem(db.Model):
    __tablename__ = "meeting_agenda_item"
    __table_args__ = (Index("ix_meeting_agenda_item_meeting", "meeting_id", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int | None]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal | None] = relationship()


class MeetingRegistration(db.Model):
    """One person's place: registered, on the waiting list (ordered by ``queued_at``), or
    cancelled (the row is kept, and used again if they register again)."""

    __tablename__ = "meeting_registration"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        Index("ix_meeting_registration_queue", "meeting_id", "state", "queued_at", "id"),
        Index("ix_meeting_registration_user", "user_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="registered")
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class MeetingDecision(db.Model):
    """A decision recorded after a meeting, optionally about one of the hall's proposals."""

    __tablename__ = "meeting_decision"
    __table_args__ = (
        Index("ix_meeting_decision_meeting", "meeting_id", "id"),
        Index("ix_meeting_decision_proposal", "proposal_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(2000))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    proposal: Mapped[Proposal | None] = relationship()


# --- proposal comments ---------------------------------------------------------------------------
# Members' threaded comments on a published proposal: the shape of a debate's comment without
# stance or endorsements, and a moderator's ``hidden`` flag (the thread keeps a placeholder).
# ``Proposal.comment_count`` is kept by portal.deliberation.proposal_comments.

class ProposalComment(db.Model):
    __tablename__ = "proposal_comment"
    __table_args__ = (
        # a page of top-level comments (parent_id IS NULL) and the replies of a page, by keyset
        Index("ix_proposal_comment_thread", "proposal_id", "parent_id", "id"),
        Index("ix_proposal_comment_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comment.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(String(4000))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[User] = relationship()
