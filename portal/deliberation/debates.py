"""Debates: open questions in a hall, threaded comments with a stance, endorsements.

Rules, in one place (the halls' rules in ``services`` decide who is a member or a host):
- everybody reads the debates of a hall that uses the tool;
- hosts of the hall (and administrators) open a debate and close it with a written
  conclusion; a closed debate takes no new comments and no endorsements;
- active members of the hall (and administrators) comment, each comment taking a stance
  (for, against, neutral), and endorse others' comments (one endorsement per person per
  comment, given again to take it back);
- threads are three levels deep: a reply to a level-three comment attaches at level three;
- a new account (younger than ``NEW_ACCOUNT_HOURS``) writes at most ``NEW_ACCOUNT_COMMENTS``
  comments an hour.
The counters (comments, stances, endorsements) are kept here, in the database, so pages
never count rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal.core import search, site_search
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User, utcnow
from portal.core.pagination import keyset
from portal.core.roles import ADMIN
from portal.deliberation import comments, follows, limits
from portal.deliberation import services as halls
from portal.deliberation.models import (
    STANCES,
    Debate,
    DebateComment,
    DebateEndorsement,
    Hall,
)

TITLE_MAX, DESCRIPTION_MAX, CONCLUSION_MAX = 200, 5000, 5000
COMMENT_MAX, DEBATE_MAX_DEPTH = comments.COMMENT_MAX, comments.MAX_DEPTH
NEW_ACCOUNT_HOURS, NEW_ACCOUNT_COMMENTS = comments.NEW_ACCOUNT_HOURS, comments.NEW_ACCOUNT_COMMENTS

STANCE_LABELS = {"for": _l("For"), "against": _l("Against"), "neutral": _l("Neutral")}
STANCE_COUNTERS = {"for": "for_count", "against": "against_count", "neutral": "neutral_count"}

halls.EVENT_LABELS.update({
    "debate_opened": _l("A debate opened"),
    "debate_closed": _l("A debate closed with a conclusion"),
})


# --- who may do what ----------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_take_part(session: Session, hall: Hall, user, mine=None, blocked: bool | None = None) -> bool:
    """Comment and endorse: an active member of the hall, or an administrator; never an account
    a moderator blocked from posting (``mine``, ``blocked``: where the page read them already)."""
    if not _signed_in(user) or not limits.may_post(session, user, blocked):
        return False
    if user.has_role(ADMIN):
        return True
    mine = mine if mine is not None else halls.membership(session, hall, user)
    return mine is not None and mine.state == "active"


def can_host(session: Session, hall: Hall, user) -> bool:
    return halls.can_manage(session, hall, user)


# --- reading --------------------------------------------------------------------------------

def _check_tool(hall: Hall) -> None:
    if not hall.uses("debates"):
        raise NotFound()


HALL_DEBATES = 10  # on the hall's page; the others on the hall's debate list, by pages


def debates_of(session: Session, hall: Hall, limit: int = HALL_DEBATES + 1) -> list[Debate]:
    """The hall's first debates, open ones first, newest activity first (one statement): one
    more than the hall's page shows, so it knows whether to link to the rest."""
    return list(session.scalars(
        select(Debate).where(Debate.hall_id == hall.id, Debate.hidden.is_(False))
        .order_by(Debate.state.desc(), Debate.last_activity_at.desc(), Debate.id.desc())
        .limit(limit)))


def debate_page(session: Session, hall: Hall, before: int | None = None, after: int | None = None):
    """All the hall's debates, newest first, by keyset on the id (one statement a page)."""
    _check_tool(hall)
    return keyset(session, select(Debate).where(Debate.hall_id == hall.id, Debate.hidden.is_(False)),
                  Debate.id, before=before, after=after)


def get_debate(session: Session, hall: Hall, debate_id: int) -> Debate:
    _check_tool(hall)
    debate = session.get(Debate, debate_id)
    if debate is None or debate.hall_id != hall.id:
        raise NotFound()
    return debate


def thread(session: Session, debate: Debate, before: int | None = None,
           after: int | None = None) -> comments.ThreadPage:
    """A page of the debate's thread: top-level comments with their replies (two statements)."""
    return comments.thread_page(session, DebateComment, DebateComment.debate_id, debate.id,
                                before=before, after=after)


def page_of(session: Session, debate: Debate, item: DebateComment) -> dict:
    """The thread page's cursor that shows ``item``."""
    return comments.page_args(session, DebateComment, DebateComment.debate_id, debate.id,
                              comments.root_of(session, DebateComment, item))


def endorsed_by(session: Session, debate: Debate, user) -> set[int]:
    """The comments of this debate the person endorsed (one statement; none when anonymous)."""
    if not _signed_in(user):
        return set()
    return set(session.scalars(
        select(DebateEndorsement.comment_id)
        .join(DebateComment, DebateComment.id == DebateEndorsement.comment_id)
        .where(DebateComment.debate_id == debate.id, DebateEndorsement.user_id == user.id)))


@dataclass(frozen=True)
class Balance:
    total: int
    counts: dict[str, int]

    def percent(self, stance: str) -> int:
        return round(100 * self.counts[stance] / self.total) if self.total else 0


def balance(debate: Debate) -> Balance:
    counts = {s: getattr(debate, STANCE_COUNTERS[s]) or 0 for s in STANCES}
    return Balance(sum(counts.values()), counts)


# --- opening and closing ------------------------------------------------------------------------

_text = comments.clean_text


def _locale(value: str | None) -> str:
    from portal.core.i18n import BY_CODE

    return value if value in BY_CODE else "en"


def index_debate(session: Session, debate: Debate) -> None:
    search.index(session, "debate", debate.id, title=debate.title, body=debate.description,
                 extra=debate.conclusion or "", locale=debate.source_locale,
                 public=not debate.hidden)


def open_debate(session: Session, actor: User, hall: Hall, title: str, description: str,
                source_locale: str) -> Debate:
    _check_tool(hall)
    if not can_host(session, hall, actor):
        raise Forbidden()
    errors: dict[str, list] = {}
    title = _text(errors, "title", title, TITLE_MAX)
    if "\n" in title or "\r" in title:
        errors["title"] = [_l("Write the title on one line.")]
    description = _text(errors, "description", description, DESCRIPTION_MAX)
    if errors:
        raise Invalid(errors)
    debate = Debate(hall_id=hall.id, title=title, description=description,
                    source_locale=_locale(source_locale), created_by_id=actor.id)
    session.add(debate)
    session.flush()
    follows.auto_follow(session, actor, "debate", debate.id)
    halls._event(session, hall, "debate_opened", actor, debate_id=debate.id, title=title,
                 lang=debate.source_locale)
    index_debate(session, debate)
    session.commit()
    return debate


def close_debate(session: Session, actor: User, hall: Hall, debate: Debate, conclusion: str,
                 locale: str) -> Debate:
    if not can_host(session, hall, actor):
        raise Forbidden()
    if not debate.is_open:
        raise Invalid({"": [_l("This debate is already closed.")]})
    errors: dict[str, list] = {}
    conclusion = _text(errors, "conclusion", conclusion, CONCLUSION_MAX)
    if errors:
        raise Invalid(errors)
    debate.state = "closed"
    debate.conclusion = conclusion
    debate.conclusion_locale = _locale(locale)
    debate.closed_by_id = actor.id
    debate.closed_at = debate.last_activity_at = utcnow()
    halls._event(session, hall, "debate_closed", actor, debate_id=debate.id, title=debate.title,
                 lang=debate.source_locale, conclusion=conclusion,
                 conclusion_lang=debate.conclusion_locale)
    index_debate(session, debate)
    session.commit()
    return debate


# --- comments and endorsements ------------------------------------------------------------------

def comment(session: Session, author: User, hall: Hall, debate: Debate, body: str, stance: str,
            parent_id: int | None = None, locale: str = "en") -> DebateComment:
    """Publish a comment (or a reply to ``parent_id``, which must be in the same debate)."""
    if not can_take_part(session, hall, author):
        raise Forbidden()
    if not debate.is_open:
        raise Invalid({"": [_l("This debate is closed: it takes no new comments.")]})
    if debate.hidden:
        raise Invalid({"": [_l("A moderator hid this debate: it takes no new comments.")]})
    errors: dict[str, list] = {}
    if stance not in STANCES:
        errors["stance"] = [_l("Choose whether you are for, against or neutral.")]
    body, parent_id, depth = comments.prepare(
        session, DebateComment, DebateComment.debate_id, debate.id, author, body, parent_id,
        _l("The comment you reply to is not in this debate."), errors)
    item = DebateComment(debate_id=debate.id, parent_id=parent_id, depth=depth,
                         author_id=author.id, stance=stance, body=body, locale=_locale(locale))
    session.add(item)
    counter = STANCE_COUNTERS[stance]
    session.execute(update(Debate).where(Debate.id == debate.id).values({
        Debate.comment_count: Debate.comment_count + 1,
        getattr(Debate, counter): getattr(Debate, counter) + 1,
        Debate.last_activity_at: utcnow()}))
    hall.last_activity_at = utcnow()
    follows.comment_added(session, hall, debate, author)
    follows.auto_follow(session, author, "debate", debate.id)
    session.commit()
    session.refresh(debate)
    return item


def get_comment(session: Session, debate: Debate, comment_id: int) -> DebateComment:
    item = session.get(DebateComment, comment_id) if 0 < comment_id <= comments.MAX_INT else None
    if item is None or item.debate_id != debate.id:
        raise NotFound()
    return item


def get_comment_or_none(session: Session, debate: Debate, comment_id: int) -> DebateComment | None:
    try:
        return get_comment(session, debate, comment_id)
    except NotFound:
        return None


def toggle_endorsement(session: Session, user: User, hall: Hall, debate: Debate,
                       item: DebateComment) -> bool:
    """Endorse the comment, or take the endorsement back. True when it is now endorsed."""
    if not can_take_part(session, hall, user):
        raise Forbidden()
    if not debate.is_open:
        raise Invalid({"": [_l("This debate is closed: endorsements are kept as they were.")]})
    if item.author_id == user.id:
        raise Invalid({"": [_l("You cannot endorse your own comment.")]})
    removed = session.execute(delete(DebateEndorsement).where(
        DebateEndorsement.comment_id == item.id, DebateEndorsement.user_id == user.id)).rowcount
    if removed:
        step = -1
    else:
        try:
            with session.begin_nested():
                session.add(DebateEndorsement(comment_id=item.id, user_id=user.id))
        except IntegrityError:  # the same person's other click got there first: one it is
            session.rollback()
            session.refresh(item)
            return True
        step = 1
    session.execute(update(DebateComment).where(DebateComment.id == item.id).values(
        endorsement_count=DebateComment.endorsement_count + step))
    session.commit()
    session.refresh(item)
    return not removed


# --- the hall's section and search ---------------------------------------------------------

def section_context(session: Session, hall: Hall, user) -> dict:
    first = debates_of(session, hall)
    return {"debates": first[:HALL_DEBATES], "more_debates": len(first) > HALL_DEBATES,
            "can_open_debate": can_host(session, hall, user),
            "balance": balance, "stance_labels": STANCE_LABELS}


def _documents(session: Session):
    for debate in session.scalars(select(Debate)):
        yield search.Document(debate.id, title=debate.title, body=debate.description,
                              extra=debate.conclusion or "", locale=debate.source_locale,
                              public=not debate.hidden)


search.register("debate", 3, _documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """What the site search may show anyone of these debates: those of halls that are not
    archived (a hall's debates are public, as the hall is), whoever reads."""
    stmt = (select(Debate.id, Debate.created_at).join(Hall, Hall.id == Debate.hall_id)
            .where(Debate.id.in_(ids), Hall.archived.is_(False)))
    return dict(session.execute(scope.apply(stmt, Hall.area_id, Debate.created_at)).all())


def _site_rows(session: Session, ids) -> dict:
    stmt = (select(Debate).options(joinedload(Debate.hall).joinedload(Hall.area))
            .where(Debate.id.in_(ids)))
    return {d.id: site_search.Row(d.title, d.description, d.source_locale, "deliberation.debate",
                                  {"slug": d.hall.slug, "debate_id": d.id},
                                  str(d.hall.area.name), d.created_at)
            for d in session.scalars(stmt)}


site_search.register(site_search.Source("debate", _l("Debate"), _site_visible, _site_rows, 30))
halls.register_section(halls.HallSection("debates", "deliberation/_debates_section.html", 10,
                                         section_context))
