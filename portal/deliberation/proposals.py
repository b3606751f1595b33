"""Proposals: members of a hall draft, publish, support; the accountable department answers.

Rules, in one place:
- an active member of a hall that uses proposals drafts a proposal; a draft is seen only by
  its author; a published proposal by everybody;
- the author edits it until the first support or an answer, and withdraws it (with a reason,
  shown) at any time before an answer;
- members support a published proposal once; they may take a support back while it is under
  the hall's threshold. Reaching the threshold moves it to *evaluation*: it is routed through
  the responsibility list (its service category and area; "not sure" goes to the dispatcher)
  and put in the staff queue of the accountable department;
- that department's staff (and administrators) give the official answer: accepted, rejected
  (with a reason) or still under evaluation (with a note); then, for an accepted proposal,
  record its progress (milestones with a date and a percentage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import nh3
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, delete, exists, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal.core import notifications, search, site_search
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, STAFF
from portal.core.text import has_control_characters
from portal.deliberation import follows, limits
from portal.deliberation import proposal_states as st
from portal.deliberation.models import (
    Follow,
    Hall,
    HallMember,
    Proposal,
    ProposalAmendment,
    ProposalEvent,
    ProposalMilestone,
    ProposalSupport,
)
from portal.deliberation.services import NO_MEMBERSHIP, _event, membership
from portal.responsibility.models import Area, ServiceCategory
from portal.responsibility.services import area_ids_within, check_source, dispatcher, route

TITLE_MAX, BODY_MAX, REASON_MAX, NOTE_MAX = 150, 10000, 2000, 5000
THRESHOLD_MAX = 100000
PER_PAGE = 20
SORTS = ("newest", "supported", "commented")
# A sort by a counter: (the counter, its keyset cursor "count-id"); "newest" is by id alone.
COUNTER_SORTS = {"supported": Proposal.support_count, "commented": Proposal.comment_count}

for _key, _text in {
    "proposal.evaluation": _l("Your proposal “%(title)s” reached its supports: the responsible "
                              "department evaluates it now."),
    "proposal.accepted": _l("The department accepted your proposal “%(title)s”."),
    "proposal.rejected": _l("The department rejected your proposal “%(title)s” and said why."),
    "proposal.still_evaluating": _l("The department is still evaluating your proposal "
                                    "“%(title)s” and left a note."),
}.items():
    notifications.register_message(_key, _text)


# --- the body: a tiny formatting syntax, always sanitized ------------------------------------

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a"}
_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^\s()<>\"']{1,1000})\)")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_ITALIC = re.compile(r"(?<![*\w])_([^_\n]+)_(?![\w])|(?<!\*)\*([^*\n]+)\*(?!\*)")
_BULLET = re.compile(r"^\s*[-*•]\s+")
_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+")


def _inline(line: str) -> str:
    line = _LINK.sub(r'<a href="\2">\1</a>', line)
    line = _BOLD.sub(r"<strong>\1</strong>", line)
    return _ITALIC.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", line)


def render_body(text: str) -> str:
    """The body as safe HTML: paragraphs (blank lines), line breaks, lists (lines starting
    "- " or "1. "), **bold**, *italic*, [links](https://...). Whatever HTML was typed goes
    through nh3 with the same short list of tags: scripts, event attributes and links that
    are not http(s) never survive."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").replace("\r", "\n").strip())
    html = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', li))}</li>" for li in lines)
            html.append(f"<ul>{items}</ul>")
        elif all(_NUMBER.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_NUMBER.sub('', li))}</li>" for li in lines)
            html.append(f"<ol>{items}</ol>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return sanitize("".join(html))


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                     link_rel="nofollow ugc noopener", url_schemes={"http", "https"},
                     clean_content_tags={"script", "style"}, strip_comments=True)


def plain_text(proposal: Proposal) -> str:
    return nh3.clean(proposal.body_html or "", tags=set())


# --- who may do what ---------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_member(session: Session, hall: Hall, user, mine=None) -> bool:
    """``mine``: the reader's membership where the caller looked it up already."""
    mine = mine if mine is not None else membership(session, hall, user)
    return mine is not None and mine.state == "active"


def can_propose(session: Session, hall: Hall, user) -> bool:
    return (hall.uses("proposals") and not hall.archived and is_member(session, hall, user)
            and limits.may_post(session, user))


def can_see(proposal: Proposal, user) -> bool:
    if proposal.published:
        return True
    return _signed_in(user) and user.id == proposal.author_id


def can_edit(proposal: Proposal, user) -> bool:
    return (_signed_in(user) and user.id == proposal.author_id and proposal.support_count == 0
            and proposal.state in ("draft", "published"))


def can_withdraw(proposal: Proposal, user) -> bool:
    return (_signed_in(user) and user.id == proposal.author_id
            and proposal.state in ("draft", "published", "evaluation") and proposal.answered_at is None)


def can_answer(session: Session, proposal: Proposal, user) -> bool:
    """The routed department's staff, and administrators."""
    if not _signed_in(user) or proposal.department_id is None:
        return False
    if user.has_role(ADMIN):
        return True
    from portal.moderation.services import staff_department_ids

    return user.has_role(STAFF) and proposal.department_id in staff_department_ids(session, user)


def supported(session: Session, proposal: Proposal, user) -> bool:
    if not _signed_in(user):
        return False
    return session.scalar(select(ProposalSupport.id).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id)) is not None


@dataclass(frozen=True)
class ReaderFacts:
    """What a proposal's page shows of its reader's own: read together by ``reader_facts``.
    ``mine`` is the hall membership as the rules take it (``NO_MEMBERSHIP``: looked up, none);
    ``follow`` the reader's follow of the proposal, as the follow block takes it."""

    mine: object
    supported: bool
    follow: tuple
    blocked: bool


def reader_facts(session: Session, proposal: Proposal, user) -> ReaderFacts | None:
    """The reader's membership of the proposal's hall, support, follow and posting block in one
    statement (four otherwise); None for an anonymous reader."""
    if not _signed_in(user):
        return None
    from portal.moderation.reports import blocked_clause

    one = select(literal(1).label("one")).subquery()
    member, follow, support, blocked = session.execute(
        select(HallMember, Follow,
               exists().where(ProposalSupport.proposal_id == proposal.id,
                              ProposalSupport.user_id == user.id).label("supported"),
               blocked_clause(user.id).label("blocked"))
        .select_from(one)
        .outerjoin(HallMember, and_(HallMember.hall_id == proposal.hall_id, HallMember.user_id == user.id))
        .outerjoin(Follow, and_(Follow.user_id == user.id, Follow.target_kind == "proposal",
                                Follow.target_id == proposal.id))
    ).one()
    return ReaderFacts(mine=member if member is not None else NO_MEMBERSHIP,
                       supported=bool(support), follow=(follow,), blocked=bool(blocked))


# --- reading ------------------------------------------------------------------------------------

def get_proposal(session: Session, proposal_id: int, user=None) -> Proposal:
    proposal = session.scalar(select(Proposal).options(joinedload(Proposal.hall), joinedload(Proposal.area))
                              .where(Proposal.id == proposal_id))
    if proposal is None or proposal.hall.archived or not can_see(proposal, user):
        raise NotFound()
    return proposal


def history(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(session.scalars(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
                                .order_by(ProposalEvent.id)))


def milestones(session: Session, proposal: Proposal) -> list[ProposalMilestone]:
    return list(session.scalars(select(ProposalMilestone).where(ProposalMilestone.proposal_id == proposal.id)
                                .order_by(ProposalMilestone.on, ProposalMilestone.id)))


def drafts(session: Session, hall: Hall, user) -> list[Proposal]:
    if not _signed_in(user):
        return []
    return list(session.scalars(select(Proposal).where(
        Proposal.hall_id == hall.id, Proposal.author_id == user.id, Proposal.published.is_(False))
        .order_by(Proposal.id.desc()).limit(PER_PAGE)))


@dataclass
class ProposalFilter:
    state: str | None = None
    area_id: int | None = None
    hall_id: int | None = None
    sort: str = "newest"
    q: str = ""
    after: str | None = None  # keyset cursor of the last row shown


@dataclass
class ProposalPage:
    proposals: list[Proposal]
    next_cursor: str | None


def _cursor(proposal: Proposal, sort: str) -> str:
    counter = COUNTER_SORTS.get(sort)
    return f"{getattr(proposal, counter.key)}-{proposal.id}" if counter is not None else str(proposal.id)


def _after(stmt, sort: str, cursor: str | None):
    if not cursor or not cursor.isascii() or len(cursor) > 40:
        return stmt
    parts = cursor.split("-")
    if not all(p.isdigit() for p in parts):
        return stmt
    numbers = [int(p) for p in parts]
    if any(n > 2**31 for n in numbers):
        return stmt
    counter = COUNTER_SORTS.get(sort)
    if counter is not None and len(numbers) == 2:
        count, last = numbers
        return stmt.where(or_(counter < count, and_(counter == count, Proposal.id < last)))
    if counter is None and len(numbers) == 1:
        return stmt.where(Proposal.id < numbers[0])
    return stmt


def proposal_page(session: Session, f: ProposalFilter, per_page: int = PER_PAGE) -> ProposalPage:
    """Published proposals, filtered, by keyset: one statement, whatever the page."""
    stmt = (select(Proposal).options(joinedload(Proposal.hall), joinedload(Proposal.area))
            .join(Hall, Hall.id == Proposal.hall_id)
            .where(Proposal.published.is_(True), Proposal.hidden.is_(False), Hall.archived.is_(False)))
    if f.state in st.PUBLIC:
        stmt = stmt.where(Proposal.state == f.state)
    if f.hall_id:
        stmt = stmt.where(Proposal.hall_id == f.hall_id)
    if f.area_id:
        stmt = stmt.where(Proposal.area_id.in_(area_ids_within(session, f.area_id)))
    if f.q and f.q.strip():
        ids = [h.ref_id for h in search.search(session, "proposal", f.q)]
        stmt = stmt.where(Proposal.id.in_(ids or [-1]))
    sort = f.sort if f.sort in SORTS else "newest"
    stmt = _after(stmt, sort, f.after)
    counter = COUNTER_SORTS.get(sort)
    order = (counter.desc(), Proposal.id.desc()) if counter is not None else (Proposal.id.desc(),)
    rows = list(session.scalars(stmt.order_by(*order).limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    return ProposalPage(rows, _cursor(rows[-1], sort) if more and rows else None)


# --- drafting, publishing, editing, withdrawing -------------------------------------------------

@dataclass
class ProposalData:
    title: str
    body: str
    area_id: int | None
    category_id: int | None  # None: "not sure", the dispatcher finds the department
    source_locale: str


def _values(session: Session, hall: Hall, data: ProposalData) -> dict:
    errors: dict[str, list] = {}
    title = (data.title or "").strip()
    body = (data.body or "").strip()
    if not title:
        errors["title"] = [_l("Enter the proposal's title.")]
    elif len(title) > TITLE_MAX or has_control_characters(title):
        errors["title"] = [_l("Enter a title of at most %(num)d characters.", num=TITLE_MAX)]
    if not body:
        errors["body"] = [_l("Describe your proposal.")]
    elif len(body) > BODY_MAX or has_control_characters(body, multiline=True):
        errors["body"] = [_l("Enter at most %(num)d characters, without control characters.", num=BODY_MAX)]
    area_id = data.area_id if isinstance(data.area_id, int) else hall.area_id
    if area_id not in area_ids_within(session, hall.area_id):
        errors["area_id"] = [_l("Choose the hall's area or an area within it.")]
    category = None
    if data.category_id is not None:
        category = (session.get(ServiceCategory, data.category_id)
                    if isinstance(data.category_id, int) else None)
        if category is None or not category.active:
            errors["category_id"] = [_l("Choose a topic from the list, or “Not sure”.")]
    check_source(errors, data.source_locale)
    if errors:
        raise Invalid(errors)
    html = render_body(body)
    if not nh3.clean(html, tags=set()).strip():
        raise Invalid({"body": [_l("Describe your proposal.")]})
    return {"title": title, "body": body, "body_html": html, "area_id": area_id,
            "category_id": category.id if category else None, "source_locale": data.source_locale}


def _history(session: Session, proposal: Proposal, kind: str, actor, note: str = "", **data) -> None:
    session.add(ProposalEvent(proposal_id=proposal.id, kind=kind, state=proposal.state,
                              actor_id=getattr(actor, "id", None), note=note, data=data))


def index_proposal(session: Session, proposal: Proposal) -> None:
    search.index(session, "proposal", proposal.id, title=proposal.title, body=plain_text(proposal),
                 public=proposal.published and proposal.state != "draft" and not proposal.hidden)


def create_proposal(session: Session, actor: User, hall: Hall, data: ProposalData,
                    publish: bool = False) -> Proposal:
    if not can_propose(session, hall, actor):
        raise Forbidden()
    proposal = Proposal(hall_id=hall.id, author_id=actor.id, state="draft", **_values(session, hall, data))
    session.add(proposal)
    session.flush()
    follows.auto_follow(session, actor, "proposal", proposal.id)
    _history(session, proposal, "created", actor)
    if publish:
        _publish(session, actor, proposal)
    session.commit()
    return proposal


def update_proposal(session: Session, actor: User, proposal: Proposal, data: ProposalData) -> Proposal:
    if not can_edit(proposal, actor):
        raise Forbidden()
    values = _values(session, proposal.hall, data)
    changed = [k for k, v in values.items() if getattr(proposal, k) != v]
    for key, value in values.items():
        setattr(proposal, key, value)
    if changed and proposal.published:
        _history(session, proposal, "edited", actor, fields=changed)
        index_proposal(session, proposal)
    session.commit()
    return proposal


def _publish(session: Session, actor: User, proposal: Proposal) -> None:
    limits.check_new_account(session, actor, Proposal.author_id, Proposal.published_at,
                             limits.NEW_ACCOUNT_PROPOSALS, "", (Proposal.published.is_(True),),
                             message=lazy_ngettext(
                                 "New accounts can publish %(num)d proposal an hour during their "
                                 "first day. Please wait a little: your text is kept.",
                                 "New accounts can publish %(num)d proposals an hour during their "
                                 "first day. Please wait a little: your text is kept.",
                                 limits.NEW_ACCOUNT_PROPOSALS))
    proposal.state = "published"
    proposal.published = True
    proposal.published_at = utcnow()
    _history(session, proposal, "published", actor)
    _event(session, proposal.hall, "proposal_published", actor, **timeline_data(proposal))
    index_proposal(session, proposal)


def publish(session: Session, actor: User, proposal: Proposal) -> Proposal:
    if not _signed_in(actor) or actor.id != proposal.author_id or proposal.state != "draft":
        raise Forbidden()
    if not can_propose(session, proposal.hall, actor):
        raise Forbidden()
    _publish(session, actor, proposal)
    session.commit()
    return proposal


def timeline_data(proposal: Proposal) -> dict:
    """What a hall's timeline entry about a proposal carries: which one, its title and language."""
    return {"proposal_id": proposal.id, "title": proposal.title, "lang": proposal.source_locale}


def withdraw(session: Session, actor: User, proposal: Proposal, reason: str) -> Proposal:
    if not can_withdraw(proposal, actor):
        raise Forbidden()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_l("Say why you withdraw the proposal.")]})
    if len(reason) > REASON_MAX or has_control_characters(reason, multiline=True):
        raise Invalid({"reason": [_l("Enter at most %(num)d characters, without control characters.",
                                     num=REASON_MAX)]})
    was_public = proposal.published
    proposal.state = "withdrawn"
    proposal.withdraw_reason = reason
    _history(session, proposal, "withdrawn", actor, note=reason)
    if was_public:
        _event(session, proposal.hall, "proposal_withdrawn", actor, **timeline_data(proposal))
        index_proposal(session, proposal)
    sync_queue(session, proposal)
    session.commit()
    return proposal


# --- supports ------------------------------------------------------------------------------------

def support(session: Session, user: User, proposal: Proposal) -> bool:
    """Support once: the unique constraint decides between concurrent submissions, and the
    counter moves in the database, so it stays exact. True when this call added a support."""
    if not is_member(session, proposal.hall, user):
        raise Forbidden()
    if proposal.state not in ("published", "evaluation"):
        raise Invalid({"": [_l("This proposal no longer takes supports.")]})
    if proposal.hidden:
        raise Invalid({"": [_l("A moderator hid this proposal: it takes no supports.")]})
    try:
        with session.begin_nested():
            session.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id))
    except IntegrityError:  # supported already (perhaps a moment ago, in another request)
        session.commit()
        return False
    session.execute(update(Proposal).where(Proposal.id == proposal.id)
                    .values(support_count=Proposal.support_count + 1))
    reached = session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.state == "published",
                               Proposal.support_count >= proposal.hall.support_threshold)
        .values(state="evaluation")).rowcount
    session.refresh(proposal, ["support_count", "state"])
    if reached:
        _to_evaluation(session, proposal)
    session.commit()
    return True


def unsupport(session: Session, user: User, proposal: Proposal) -> bool:
    if not _signed_in(user):
        raise Forbidden()
    if proposal.state != "published":
        raise Invalid({"": [_l("Supports cannot be taken back once the proposal reached its threshold.")]})
    gone = session.execute(delete(ProposalSupport).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id)).rowcount
    if gone:
        session.execute(update(Proposal).where(Proposal.id == proposal.id)
                        .values(support_count=Proposal.support_count - 1))
        session.refresh(proposal, ["support_count"])
    session.commit()
    return bool(gone)


def _to_evaluation(session: Session, proposal: Proposal) -> None:
    """The threshold is reached: route it (its category and area) to the accountable department."""
    category = session.get(ServiceCategory, proposal.category_id) if proposal.category_id else None
    if category is not None:
        routing = route(session, category, session.get(Area, proposal.area_id))
        department, reason = routing.lead, routing.reason()
    else:
        department, reason = dispatcher(session), {"rule_id": None, "fallback": "not_sure"}
    proposal.department_id = department.id
    _history(session, proposal, "evaluation", None, department_id=department.id, **reason)
    _event(session, proposal.hall, "proposal_evaluation", None, notified={proposal.author_id},
           **timeline_data(proposal))
    sync_queue(session, proposal)
    notifications.notify(session, [proposal.author], "proposal.evaluation", {"title": proposal.title},
                         "deliberation.proposal", {"proposal_id": proposal.id})


# --- the official answer and the progress record ------------------------------------------------

def answer(session: Session, actor: User, proposal: Proposal, decision: str, note: str) -> Proposal:
    if not can_answer(session, proposal, actor) or proposal.state != "evaluation":
        raise Forbidden()
    note = (note or "").strip()
    errors: dict[str, list] = {}
    if decision not in st.ANSWERS:
        errors["decision"] = [_l("Choose the answer.")]
    elif decision != "accepted" and not note:
        errors["note"] = [_l("Give the reason.") if decision == "rejected" else _l("Write a note.")]
    if len(note) > NOTE_MAX or has_control_characters(note, multiline=True):
        errors["note"] = [_l("Enter at most %(num)d characters, without control characters.", num=NOTE_MAX)]
    if errors:
        raise Invalid(errors)
    proposal.state = decision
    proposal.answer_note = note
    if decision != "evaluation":
        proposal.answered_at = utcnow()
    _history(session, proposal, f"answered_{decision}", actor, note=note)
    _event(session, proposal.hall, "proposal_answered", actor, notified={proposal.author_id},
           **timeline_data(proposal), decision=decision)
    sync_queue(session, proposal)
    index_proposal(session, proposal)
    key = {"accepted": "proposal.accepted", "rejected": "proposal.rejected"}.get(
        decision, "proposal.still_evaluating")
    notifications.notify(session, [proposal.author], key, {"title": proposal.title},
                         "deliberation.proposal", {"proposal_id": proposal.id})
    session.commit()
    return proposal


def add_milestone(session: Session, actor: User, proposal: Proposal, title: str, on: date | None,
                  percent: int | None, note: str = "") -> ProposalMilestone:
    if not can_answer(session, proposal, actor) or proposal.state != "accepted":
        raise Forbidden()
    title, note = (title or "").strip(), (note or "").strip()
    errors: dict[str, list] = {}
    if not title or len(title) > TITLE_MAX or has_control_characters(title):
        errors["title"] = [_l("Enter a title of at most %(num)d characters.", num=TITLE_MAX)]
    if not isinstance(on, date):
        errors["on"] = [_l("Enter a real date, for example 2026-03-27.")]
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        errors["percent"] = [_l("Enter a whole number from 0 to 100.")]
    if len(note) > NOTE_MAX or has_control_characters(note, multiline=True):
        errors["note"] = [_l("Enter at most %(num)d characters, without control characters.", num=NOTE_MAX)]
    if errors:
        raise Invalid(errors)
    milestone = ProposalMilestone(proposal_id=proposal.id, title=title, on=on, percent=percent,
                                  note=note, actor_id=actor.id)
    session.add(milestone)
    proposal.progress = percent
    _history(session, proposal, "milestone", actor, note=title, percent=percent)
    _event(session, proposal.hall, "proposal_progress", actor, **timeline_data(proposal), percent=percent)
    session.commit()
    return milestone


# --- amendments -------------------------------------------------------------------------------------

def amendments(session: Session, proposal: Proposal) -> list[ProposalAmendment]:
    return list(session.scalars(select(ProposalAmendment).where(ProposalAmendment.proposal_id == proposal.id)
                                .order_by(ProposalAmendment.id).limit(100)))


def can_amend(session: Session, proposal: Proposal, user, mine=None) -> bool:
    """Members other than the author, while the proposal gathers supports."""
    return (proposal.state == "published" and _signed_in(user) and user.id != proposal.author_id
            and is_member(session, proposal.hall, user, mine))


def _clean_body(body: str) -> tuple[str, str]:
    body = (body or "").strip()
    if not body:
        raise Invalid({"body": [_l("Write the amended text.")]})
    if len(body) > BODY_MAX or has_control_characters(body, multiline=True):
        raise Invalid({"body": [_l("Enter at most %(num)d characters, without control characters.",
                                   num=BODY_MAX)]})
    html = render_body(body)
    if not nh3.clean(html, tags=set()).strip():
        raise Invalid({"body": [_l("Write the amended text.")]})
    return body, html


def propose_amendment(session: Session, user: User, proposal: Proposal, body: str) -> ProposalAmendment:
    if not can_amend(session, proposal, user):
        raise Forbidden()
    body, html = _clean_body(body)
    amendment = ProposalAmendment(proposal_id=proposal.id, author_id=user.id, body=body, body_html=html)
    session.add(amendment)
    session.flush()
    _history(session, proposal, "amendment_proposed", user, amendment_id=amendment.id)
    session.commit()
    return amendment


def decide_amendment(session: Session, author: User, proposal: Proposal, amendment_id: int,
                     accept: bool) -> ProposalAmendment:
    """The author accepts (the amended text replaces the body; the old body is kept in the
    history event) or rejects a pending amendment."""
    if not _signed_in(author) or author.id != proposal.author_id or proposal.state != "published":
        raise Forbidden()
    amendment = session.get(ProposalAmendment, amendment_id)
    if amendment is None or amendment.proposal_id != proposal.id:
        raise NotFound()
    if amendment.state != "pending":
        raise Invalid({"": [_l("This amendment was already decided.")]})
    amendment.state = "accepted" if accept else "rejected"
    amendment.decided_at = utcnow()
    if accept:
        _history(session, proposal, "amendment_accepted", author, amendment_id=amendment.id,
                 previous_body=proposal.body)
        proposal.body, proposal.body_html = amendment.body, amendment.body_html
        index_proposal(session, proposal)
        follows.amendment_accepted(session, proposal, author)
    else:
        _history(session, proposal, "amendment_rejected", author, amendment_id=amendment.id)
    session.commit()
    return amendment


# --- the staff queue ------------------------------------------------------------------------------

MODULE = "proposal"


def sync_queue(session: Session, proposal: Proposal) -> None:
    from portal.moderation import services as queue

    if proposal.department_id is None:
        return
    queue.upsert(session, MODULE, proposal.id, title=proposal.title[:200], lang=proposal.source_locale,
                 reference=f"P-{proposal.id}", state=proposal.state, department_id=proposal.department_id,
                 category_id=proposal.category_id, area_id=proposal.area_id, due_at=None,
                 overdue=False, priority=False, done=proposal.state not in st.AWAITING_ANSWER)


def register_queue() -> None:
    from flask import url_for

    from portal.moderation import services as queue

    queue.register_module(MODULE, queue.Module(
        link=lambda item: url_for("deliberation.proposal", proposal_id=item.item_id),
        states={code: queue.StateInfo(s.label, s.tag) for code, s in st.STATES.items()},
    ))


# --- the hall's section and search ------------------------------------------------------------------

def section_context(session: Session, hall: Hall, user) -> dict:
    recent = list(session.scalars(select(Proposal).where(
        Proposal.hall_id == hall.id, Proposal.published.is_(True), Proposal.hidden.is_(False))
        .order_by(Proposal.id.desc()).limit(5)))
    return {"proposals": recent, "my_drafts": drafts(session, hall, user),
            "may_propose": can_propose(session, hall, user), "states": st.STATES}


def _documents(session: Session):
    for proposal in session.scalars(select(Proposal)):
        yield search.Document(proposal.id, title=proposal.title, body=plain_text(proposal),
                              public=proposal.published and proposal.state != "draft" and not proposal.hidden)


search.register("proposal", 4, _documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """What the site search may show anyone of these proposals: published ones of halls that
    are not archived, never a draft or a withdrawn one, whoever reads (an author finds their
    drafts on their hall's page)."""
    stmt = (select(Proposal.id, Proposal.published_at).join(Hall, Hall.id == Proposal.hall_id)
            .where(Proposal.id.in_(ids), Proposal.published.is_(True),
                   Proposal.state.notin_(("draft", "withdrawn")), Hall.archived.is_(False)))
    return dict(session.execute(scope.apply(stmt, Proposal.area_id, Proposal.published_at)).all())


def _site_rows(session: Session, ids) -> dict:
    import html

    stmt = select(Proposal).options(joinedload(Proposal.area)).where(Proposal.id.in_(ids))
    return {p.id: site_search.Row(p.title, html.unescape(plain_text(p)), p.source_locale,
                                  "deliberation.proposal", {"proposal_id": p.id},
                                  str(p.area.name), p.published_at)
            for p in session.scalars(stmt)}


site_search.register(site_search.Source("proposal", _l("Proposal"), _site_visible, _site_rows, 40))
