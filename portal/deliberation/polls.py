"""Votes: a hall's polls, their ballots and their results.

Rules, in one place (the halls' rules in ``services`` decide who is a member or a host):
- everybody reads the polls of a hall that uses the "votes" tool;
- hosts of the hall (and administrators) create a poll: a title, a description, when it opens
  and closes, whether results show live or only after closing, and one or more questions
  (single choice, or multiple choice with a maximum), each with 2 to 20 options. They edit it
  until it opens (it has no ballot before), and may close it early;
- active members of the hall (and administrators) cast one ballot per poll while it is open.
  A ballot may leave a question unanswered (an abstention, counted as such) but must answer
  at least one. A ballot is final: it cannot be changed or taken back;
- ballots are secret: the poll knows who voted (``Ballot``) and what was chosen
  (``BallotChoice``), never who chose what; results and the CSV give totals only;
- results (per option, count and percentage of the ballots that answered the question) are
  shown once the poll is closed, or while it is open if the poll says "live".
A ballot is counted once, even when the same person submits twice at the same moment: the
unique (poll, person) constraint decides, and every counter moves in the database in the
same transaction as the ballot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN
from portal.core.text import has_control_characters
from portal.deliberation import services as halls
from portal.deliberation.models import (
    POLL_RESULTS,
    QUESTION_KINDS,
    Ballot,
    BallotChoice,
    Hall,
    Poll,
    PollOption,
    PollQuestion,
)
from portal.responsibility.services import check_source

TITLE_MAX, DESCRIPTION_MAX, QUESTION_MAX, OPTION_MAX = 200, 5000, 500, 200
QUESTIONS_MAX, OPTIONS_MIN, OPTIONS_MAX = 10, 2, 20
LONGEST = timedelta(days=366)  # a poll is open at most a year
SECTION_LIMIT = 10  # polls of each kind (open, upcoming, closed) in the hall's section

PHASE_LABELS = {"upcoming": _l("Not open yet"), "open": _l("Open for voting"), "closed": _l("Closed")}
PHASE_TAGS = {"upcoming": "neutral", "open": "info", "closed": "success"}
RESULTS_LABELS = {"after_close": _l("After the poll closes"), "live": _l("Live, while the poll is open")}
KIND_LABELS = {"single": _l("One choice"), "multiple": _l("Several choices")}

halls.EVENT_LABELS.update({
    "poll_opened": _l("A poll opened for voting"),
    "poll_closed": _l("A poll closed: its results are published"),
})


# --- who may do what ----------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_vote_in(session: Session, hall: Hall, user, mine=None) -> bool:
    """An active member of the hall, or an administrator."""
    if not _signed_in(user):
        return False
    if user.has_role(ADMIN):
        return True
    mine = mine if mine is not None else halls.membership(session, hall, user)
    return mine is not None and mine.state == "active"


def can_host(session: Session, hall: Hall, user) -> bool:
    return halls.can_manage(session, hall, user)


def phase(poll: Poll, now: datetime | None = None) -> str:
    """Where the poll is at ``now`` (UTC): upcoming, open or closed; the clock decides, so a
    poll is closed at ``closes_at`` even before the task records it."""
    now = now or utcnow()
    if poll.closed_at is not None or now >= poll.closes_at:
        return "closed"
    return "open" if now >= poll.opens_at else "upcoming"


def can_edit(poll: Poll, now: datetime | None = None) -> bool:
    return phase(poll, now) == "upcoming" and poll.ballot_count == 0


def results_visible(poll: Poll, now: datetime | None = None) -> bool:
    current = phase(poll, now)
    return current == "closed" or (current == "open" and poll.results == "live")


# --- reading --------------------------------------------------------------------------------

def _check_tool(hall: Hall) -> None:
    if not hall.uses("votes"):
        raise NotFound()


def get_poll(session: Session, hall: Hall, poll_id: int) -> Poll:
    """The poll with its questions and options: three statements, however many there are."""
    _check_tool(hall)
    poll = session.scalar(select(Poll).options(
        selectinload(Poll.questions).selectinload(PollQuestion.options))
        .where(Poll.id == poll_id, Poll.hall_id == hall.id))
    if poll is None:
        raise NotFound()
    return poll


def my_ballot(session: Session, poll: Poll, user) -> Ballot | None:
    if not _signed_in(user):
        return None
    return session.scalar(select(Ballot).where(Ballot.poll_id == poll.id, Ballot.user_id == user.id))


@dataclass
class OptionResult:
    option: PollOption
    votes: int
    percent: float  # of the ballots that answered the question


@dataclass
class QuestionResult:
    question: PollQuestion
    options: list[OptionResult]
    answered: int
    abstained: int


def results(poll: Poll) -> list[QuestionResult]:
    """Totals per option, from the counters (no row is counted): percentages of the ballots
    that answered the question; abstentions are the ballots that left it unanswered."""
    found = []
    for question in poll.questions:
        answered = question.answer_count
        found.append(QuestionResult(
            question,
            [OptionResult(o, o.vote_count, (100.0 * o.vote_count / answered) if answered else 0.0)
             for o in question.options],
            answered, max(poll.ballot_count - answered, 0)))
    return found


def participation(poll: Poll) -> float | None:
    """Ballots per member of the hall now, in percent (None for a hall without members)."""
    members = poll.hall.member_count
    return min(100.0, 100.0 * poll.ballot_count / members) if members else None


@dataclass
class PollLists:
    open: list[Poll] = field(default_factory=list)
    upcoming: list[Poll] = field(default_factory=list)
    closed: list[Poll] = field(default_factory=list)


def hall_polls(session: Session, hall: Hall, now: datetime | None = None) -> PollLists:
    """The hall's polls by phase: open ones closing first, upcoming ones opening first, the
    latest closed ones; three statements at most, each bounded."""
    now = now or utcnow()
    not_closed = Poll.closed_at.is_(None) & (Poll.closes_at > now)
    base = select(Poll).where(Poll.hall_id == hall.id)
    lists = PollLists()
    lists.open = list(session.scalars(base.where(not_closed, Poll.opens_at <= now)
                                      .order_by(Poll.closes_at, Poll.id).limit(SECTION_LIMIT)))
    lists.upcoming = list(session.scalars(base.where(not_closed, Poll.opens_at > now)
                                          .order_by(Poll.opens_at, Poll.id).limit(SECTION_LIMIT)))
    lists.closed = list(session.scalars(base.where(~not_closed)
                                        .order_by(Poll.closes_at.desc(), Poll.id.desc())
                                        .limit(SECTION_LIMIT)))
    return lists


def voted_in(session: Session, user, poll_ids: list[int]) -> set[int]:
    if not _signed_in(user) or not poll_ids:
        return set()
    return set(session.scalars(select(Ballot.poll_id).where(
        Ballot.user_id == user.id, Ballot.poll_id.in_(poll_ids))))


# --- creating and editing -------------------------------------------------------------------

@dataclass
class QuestionData:
    text: str
    kind: str = "single"
    max_choices: int | None = None  # multiple choice: at most this many (None: all options)
    options: list[str] = field(default_factory=list)


@dataclass
class PollData:
    title: str
    description: str
    source_locale: str
    opens_at: datetime | None  # UTC
    closes_at: datetime | None  # UTC
    results: str = "after_close"
    questions: list[QuestionData] = field(default_factory=list)


def _line(errors: dict, key: str, text: str, limit: int, missing, multiline: bool = False) -> str:
    text = (text or "").strip()
    if not text:
        if missing is not None:
            errors[key] = [missing]
    elif len(text) > limit or has_control_characters(text, multiline=multiline):
        errors[key] = [lazy_ngettext("Enter at most %(num)d character, without control characters.",
                                     "Enter at most %(num)d characters, without control characters.",
                                     limit)]
    return text


def question_key(index: int, name: str) -> str:
    """A question's field, as the form names it (``questions-0-text``)."""
    return f"questions-{index}-{name}"


def option_key(index: int, option: int) -> str:
    return f"questions-{index}-options-{option}"


def _questions(errors: dict, questions: list[QuestionData]) -> list[PollQuestion]:
    made = []
    written = [(i, q) for i, q in enumerate(questions)
               if (q.text or "").strip() or any((o or "").strip() for o in q.options)]
    if not written:
        errors[question_key(0, "text")] = [_l("Write at least one question.")]
    if len(written) > QUESTIONS_MAX:
        errors[""] = [_l("A poll has at most %(num)d questions.", num=QUESTIONS_MAX)]
        return []
    for position, (i, q) in enumerate(written):
        text = _line(errors, question_key(i, "text"), q.text, QUESTION_MAX, _l("Write the question."))
        options: list[str] = []
        seen: set[str] = set()
        for j, raw in enumerate(q.options[:OPTIONS_MAX + 1]):
            option = _line(errors, option_key(i, j), raw, OPTION_MAX, None)
            if not option:
                continue  # a blank row is no option
            if option.casefold() in seen:
                errors[option_key(i, j)] = [_l("This option is already in the question.")]
            seen.add(option.casefold())
            options.append(option)
        first_option = option_key(i, 0)
        if len(options) < OPTIONS_MIN:
            errors.setdefault(first_option, [_l("Give at least %(num)d options.", num=OPTIONS_MIN)])
        elif len(options) > OPTIONS_MAX or len(q.options) > OPTIONS_MAX:
            errors.setdefault(first_option, [_l("Give at most %(num)d options.", num=OPTIONS_MAX)])
        kind = q.kind if q.kind in QUESTION_KINDS else None
        if kind is None:
            errors[question_key(i, "kind")] = [_l("Choose one choice or several choices.")]
        most = 1
        if kind == "multiple":
            most = q.max_choices if q.max_choices is not None else len(options)
            if (not isinstance(most, int) or isinstance(most, bool)
                    or not 1 <= most <= max(len(options), 1)):
                errors[question_key(i, "max_choices")] = [_l(
                    "Enter a whole number from 1 to %(num)d, the number of options.",
                    num=max(len(options), 1))]
                most = 1
        made.append(PollQuestion(position=position, text=text, kind=kind or "single",
                                 max_choices=most,
                                 options=[PollOption(position=k, text=o) for k, o in enumerate(options)]))
    return made


def _values(data: PollData, now: datetime) -> tuple[dict, list[PollQuestion]]:
    errors: dict[str, list] = {}
    title = _line(errors, "title", data.title, TITLE_MAX, _l("Enter the poll's title."))
    description = _line(errors, "description", data.description, DESCRIPTION_MAX, None, multiline=True)
    check_source(errors, data.source_locale)
    opens, closes = data.opens_at, data.closes_at
    if not isinstance(opens, datetime):
        errors["opens_at"] = [_l("Enter when the poll opens.")]
    if not isinstance(closes, datetime):
        errors["closes_at"] = [_l("Enter when the poll closes.")]
    elif closes <= now:
        errors["closes_at"] = [_l("The poll must close in the future.")]
    elif isinstance(opens, datetime):
        if closes <= opens:
            errors["closes_at"] = [_l("The poll must close after it opens.")]
        elif closes - opens > LONGEST:
            errors["closes_at"] = [_l("A poll is open for at most a year.")]
    if isinstance(opens, datetime) and opens > now + 2 * LONGEST:
        errors["opens_at"] = [_l("A poll opens within two years.")]
    if data.results not in POLL_RESULTS:
        errors["results"] = [_l("Choose when the results are shown.")]
    questions = _questions(errors, data.questions or [])
    if errors:
        raise Invalid(errors)
    return ({"title": title, "description": description, "source_locale": data.source_locale,
             "opens_at": opens, "closes_at": closes, "results": data.results}, questions)


def create_poll(session: Session, actor: User, hall: Hall, data: PollData) -> Poll:
    _check_tool(hall)
    if not can_host(session, hall, actor) or hall.archived:
        raise Forbidden()
    values, questions = _values(data, utcnow())
    poll = Poll(hall_id=hall.id, created_by_id=actor.id, state="upcoming", **values)
    poll.questions = questions
    session.add(poll)
    session.flush()
    _settle(session, poll, actor)
    session.commit()
    return poll


def update_poll(session: Session, actor: User, poll: Poll, data: PollData) -> Poll:
    """Until it opens (and so before any ballot): its questions are written anew."""
    if not can_host(session, poll.hall, actor):
        raise Forbidden()
    if not can_edit(poll):
        raise Invalid({"": [_l("The poll is open or closed: it can no longer be changed.")]})
    values, questions = _values(data, utcnow())
    for key, value in values.items():
        setattr(poll, key, value)
    poll.questions = questions
    session.flush()
    _settle(session, poll, actor)
    session.commit()
    return poll


# --- the clock: opening and closing -----------------------------------------------------------

def timeline_data(poll: Poll) -> dict:
    return {"poll_id": poll.id, "title": poll.title, "lang": poll.source_locale}


def _settle(session: Session, poll: Poll, actor=None, now: datetime | None = None) -> bool:
    """Record what the clock says (upcoming → open → closed), with the hall's timeline entries.
    Conditional updates: of two processes settling the same poll, one writes each entry."""
    now = now or utcnow()
    target = phase(poll, now)
    changed = False
    if poll.state == "upcoming" and target in ("open", "closed") and session.execute(
            update(Poll).where(Poll.id == poll.id, Poll.state == "upcoming")
            .values(state="open")).rowcount:
        halls._event(session, poll.hall, "poll_opened", actor, **timeline_data(poll))
        changed = True
    if poll.state != "closed" and target == "closed" and session.execute(
            update(Poll).where(Poll.id == poll.id, Poll.state != "closed")
            .values(state="closed", closed_at=poll.closed_at or min(now, poll.closes_at))).rowcount:
        halls._event(session, poll.hall, "poll_closed", actor, **timeline_data(poll))
        changed = True
    if changed:
        session.refresh(poll, ["state", "closed_at"])
    return changed


def settle(session: Session, poll: Poll) -> None:
    """The lazy check: a page that finds the record behind the clock brings it up to date."""
    if poll.state != phase(poll):
        _settle(session, poll)
        session.commit()


def settle_due(session: Session, now: datetime | None = None) -> int:
    """The beat task: every poll whose record is behind the clock. Returns how many changed."""
    now = now or utcnow()
    due = session.scalars(select(Poll).where(
        ((Poll.state == "upcoming") & (Poll.opens_at <= now))
        | ((Poll.state != "closed") & (Poll.closes_at <= now))).order_by(Poll.id).limit(500)).all()
    changed = sum(1 for poll in due if _settle(session, poll, None, now))
    session.commit()
    return changed


def close_early(session: Session, actor: User, poll: Poll) -> Poll:
    if not can_host(session, poll.hall, actor):
        raise Forbidden()
    if phase(poll) != "open":
        raise Invalid({"": [_l("Only an open poll can be closed.")]})
    poll.closed_at = utcnow()
    poll.closed_by_id = actor.id
    session.flush()
    _settle(session, poll, actor)
    session.commit()
    return poll


# --- voting -------------------------------------------------------------------------------------

def ballot_key(question: PollQuestion) -> str:
    """A question's field on the ballot form."""
    return f"q{question.id}"


def cast_ballot(session: Session, user: User, poll: Poll, answers: dict[int, list[int]]) -> bool:
    """One ballot: ``answers`` maps a question's id to the ids of the options chosen (none:
    abstaining on it). True when this call counted a ballot; False when the person had voted
    already (perhaps a moment ago, in another request): nothing is counted twice."""
    if not can_vote_in(session, poll.hall, user):
        raise Forbidden()
    if phase(poll) != "open":
        raise Invalid({"": [_l("This poll is not open for voting.")]})
    errors: dict[str, list] = {}
    chosen: list[int] = []
    answered: list[int] = []
    for question in poll.questions:
        picked = list(dict.fromkeys(answers.get(question.id) or []))
        valid = {o.id for o in question.options}
        if any(p not in valid for p in picked):
            errors[ballot_key(question)] = [_l("Choose from the options of this question.")]
        elif question.kind == "single" and len(picked) > 1:
            errors[ballot_key(question)] = [_l("Choose one option.")]
        elif len(picked) > question.max_choices:
            errors[ballot_key(question)] = [lazy_ngettext(
                "Choose at most %(num)d option.", "Choose at most %(num)d options.",
                question.max_choices)]
        elif picked:
            chosen.extend(picked)
            answered.append(question.id)
    if not errors and not answered and poll.questions:
        errors[ballot_key(poll.questions[0])] = [_l("Answer at least one question to vote.")]
    if errors:
        raise Invalid(errors)
    try:
        with session.begin_nested():
            session.add(Ballot(poll_id=poll.id, user_id=user.id))
    except IntegrityError:  # voted already
        session.commit()
        return False
    session.add_all([BallotChoice(poll_id=poll.id, option_id=o) for o in chosen])
    session.execute(update(PollOption).where(PollOption.id.in_(chosen))
                    .values(vote_count=PollOption.vote_count + 1))
    session.execute(update(PollQuestion).where(PollQuestion.id.in_(answered))
                    .values(answer_count=PollQuestion.answer_count + 1))
    session.execute(update(Poll).where(Poll.id == poll.id).values(ballot_count=Poll.ballot_count + 1))
    poll.hall.last_activity_at = utcnow()
    session.commit()
    return True


# --- the hall's section -----------------------------------------------------------------------

def section_context(session: Session, hall: Hall, user) -> dict:
    lists = hall_polls(session, hall)
    ids = [p.id for p in lists.open]
    return {"polls": lists, "voted": voted_in(session, user, ids),
            "may_create": can_host(session, hall, user) and not hall.archived,
            "phase_labels": PHASE_LABELS, "phase_tags": PHASE_TAGS}
