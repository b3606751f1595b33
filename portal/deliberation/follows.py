"""Following halls, debates and proposals, and telling their followers what happened.

Rules, in one place:
- anyone signed in follows any hall, debate or proposal they can read, each follow with its own
  frequency (immediate mail, daily digest, none: in the portal only), at first their account's
  choice of emails; they change it or unfollow on the thing's page or on "What you follow";
- some follows come by themselves (as in Decidim): the author follows their proposal, a
  commenter the debate, a member the hall they join (leaving it stops following it);
- every hall timeline event (``services._event``, the one place every tool writes them) tells
  the hall's followers, and the followers of the debate or proposal the event names; a new
  comment tells the debate's followers; an accepted amendment the proposal's. The actor is
  never told, and a person who follows both the hall and the item is told once, with the most
  immediate of their frequencies. Followers are found in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core import notifications
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.models import User
from portal.core.notifications import DAILY, IMMEDIATE, MODES, NONE
from portal.deliberation.models import FOLLOW_KINDS, Debate, Follow, Hall, HallEvent, Proposal

MAX_ID = 2**31 - 1
PER_PAGE = 20
# The more immediate wins when one person follows the hall and the item.
_RANK = {IMMEDIATE: 0, DAILY: 1, NONE: 2}

KIND_LABELS = {"hall": _l("Hall"), "debate": _l("Debate"), "proposal": _l("Proposal")}

notifications.register_message(
    "follow.hall_event", _l("%(event)s — in the hall “%(hall)s”."))
notifications.register_message(
    "follow.hall_event_item", _l("%(event)s: “%(title)s” — in the hall “%(hall)s”."))
notifications.register_message(
    "follow.debate_comment", _l("A new comment in the debate “%(title)s” — in the hall “%(hall)s”."))
notifications.register_message(
    "follow.amendment_accepted", _l("The author of the proposal “%(title)s” accepted an amendment: "
                                    "its text changed."))


def _event_key(kind: str) -> str:
    return f"hall.event.{kind}"


def register_event_labels() -> None:
    """Each hall event's label is a message key, so followers read it in their language."""
    from portal.deliberation.services import EVENT_LABELS

    for kind, label in EVENT_LABELS.items():
        notifications.register_message(_event_key(kind), label)


# --- reading ------------------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def frequency_choices() -> list[tuple[str, object]]:
    return list(MODES.items())


def following(session: Session, user, kind: str, target_id: int) -> Follow | None:
    if not _signed_in(user):
        return None
    return session.scalar(select(Follow).where(
        Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id))


@dataclass
class Target:
    """What a follow points at, as the following page and the redirects need it."""

    kind: str
    id: int
    title: object  # str, or a translated value with ``.text`` and ``.lang``
    lang: str | None
    endpoint: str
    args: dict
    hall: Hall


def _visible_targets(session: Session, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], Target]:
    """The readable targets among ``pairs``: at most one statement per kind."""
    ids: dict[str, set[int]] = {k: set() for k in FOLLOW_KINDS}
    for kind, target_id in pairs:
        if kind in ids and 0 < target_id <= MAX_ID:
            ids[kind].add(target_id)
    found: dict[tuple[str, int], Target] = {}
    if ids["hall"]:
        for hall in session.scalars(select(Hall).where(Hall.id.in_(ids["hall"]), Hall.archived.is_(False))):
            found[("hall", hall.id)] = Target("hall", hall.id, hall.name, None, "deliberation.hall",
                                              {"slug": hall.slug}, hall)
    if ids["debate"]:
        rows = session.execute(select(Debate, Hall).join(Hall, Hall.id == Debate.hall_id)
                               .where(Debate.id.in_(ids["debate"]), Debate.hidden.is_(False),
                                      Hall.archived.is_(False)))
        for debate, hall in rows:
            found[("debate", debate.id)] = Target(
                "debate", debate.id, debate.title, debate.source_locale, "deliberation.debate",
                {"slug": hall.slug, "debate_id": debate.id}, hall)
    if ids["proposal"]:
        rows = session.execute(select(Proposal, Hall).join(Hall, Hall.id == Proposal.hall_id)
                               .where(Proposal.id.in_(ids["proposal"]), Proposal.published.is_(True),
                                      Proposal.hidden.is_(False), Hall.archived.is_(False)))
        for proposal, hall in rows:
            found[("proposal", proposal.id)] = Target(
                "proposal", proposal.id, proposal.title, proposal.source_locale,
                "deliberation.proposal", {"proposal_id": proposal.id}, hall)
    return found


def target(session: Session, kind: str, target_id: int, user=None) -> Target:
    """A followable thing the reader can see, or NotFound (unknown kind, huge id, gone)."""
    if kind == "proposal" and isinstance(target_id, int) and 0 < target_id <= MAX_ID:
        proposal = session.get(Proposal, target_id)
        # An author follows their own draft too.
        if proposal is not None and not proposal.published and _signed_in(user) \
                and proposal.author_id == user.id and not proposal.hall.archived:
            return Target("proposal", proposal.id, proposal.title, proposal.source_locale,
                          "deliberation.proposal", {"proposal_id": proposal.id}, proposal.hall)
    if kind not in FOLLOW_KINDS or not isinstance(target_id, int):
        raise NotFound()
    found = _visible_targets(session, [(kind, target_id)]).get((kind, target_id))
    if found is None:
        raise NotFound()
    return found


@dataclass
class FollowRow:
    follow: Follow
    target: Target | None  # None: the thing is gone (deleted, archived, hidden by a moderator)


@dataclass
class FollowPage:
    rows: list[FollowRow]
    newer: int | None
    older: int | None


def follows_of(session: Session, user: User, before: int | None = None, after: int | None = None,
               per_page: int = PER_PAGE) -> FollowPage:
    """What the person follows, newest first, by keyset; targets in one statement per kind."""
    from portal.core.pagination import keyset

    page = keyset(session, select(Follow).where(Follow.user_id == user.id), Follow.id,
                  before=before, after=after, per_page=per_page)
    targets = _visible_targets(session, [(f.target_kind, f.target_id) for f in page.items])
    return FollowPage([FollowRow(f, targets.get((f.target_kind, f.target_id))) for f in page.items],
                      page.newer, page.older)


def owned(session: Session, user, follow_id: int) -> Follow:
    """A follow of this person's, or NotFound: ids in forms are checked against their owner."""
    if not _signed_in(user):
        raise Forbidden()
    valid = isinstance(follow_id, int) and 0 < follow_id <= MAX_ID
    follow = session.get(Follow, follow_id) if valid else None
    if follow is None or follow.user_id != user.id:
        raise NotFound()
    return follow


# --- following and unfollowing --------------------------------------------------------------------

def _check_frequency(frequency) -> str:
    if frequency not in MODES:
        raise Invalid({"frequency": [_l("Choose how often you want to hear about it.")]})
    return frequency


def _add(session: Session, user: User, kind: str, target_id: int, frequency: str) -> Follow:
    """Insert a follow; the unique constraint decides between concurrent requests."""
    existing = following(session, user, kind, target_id)
    if existing is not None:
        return existing
    follow = Follow(user_id=user.id, target_kind=kind, target_id=target_id, frequency=frequency)
    try:
        with session.begin_nested():
            session.add(follow)
    except IntegrityError:
        return following(session, user, kind, target_id)
    return follow


def follow(session: Session, user: User, kind: str, target_id: int, frequency: str | None = None) -> Follow:
    """Follow (or, when followed already, change the frequency of the follow)."""
    if not _signed_in(user):
        raise Forbidden()
    target(session, kind, target_id, user)
    frequency = _check_frequency(frequency if frequency is not None else user.notify_mode)
    mine = _add(session, user, kind, target_id, frequency)
    mine.frequency = frequency
    session.commit()
    return mine


def unfollow(session: Session, user: User, kind: str, target_id: int) -> bool:
    if not _signed_in(user):
        raise Forbidden()
    if kind not in FOLLOW_KINDS or not isinstance(target_id, int) or not 0 < target_id <= MAX_ID:
        raise NotFound()
    gone = session.execute(delete(Follow).where(
        Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id)).rowcount
    session.commit()
    return bool(gone)


def set_frequency(session: Session, user: User, follow_id: int, frequency) -> Follow:
    mine = owned(session, user, follow_id)
    mine.frequency = _check_frequency(frequency)
    session.commit()
    return mine


def remove(session: Session, user: User, follow_id: int) -> None:
    session.delete(owned(session, user, follow_id))
    session.commit()


def auto_follow(session: Session, user: User, kind: str, target_id: int) -> None:
    """A follow that comes with taking part, at the person's default frequency; the caller
    commits. An existing follow (and its frequency) is left as it is."""
    if _signed_in(user) and target_id is not None:
        _add(session, user, kind, target_id, user.notify_mode if user.notify_mode in MODES else IMMEDIATE)


def stop_following(session: Session, user: User, kind: str, target_id: int) -> None:
    """Leaving a hall stops following it; the caller commits."""
    if _signed_in(user):
        session.execute(delete(Follow).where(
            Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id))


# --- telling the followers -------------------------------------------------------------------------

def _hall_param(hall: Hall) -> dict:
    return notifications.translatable_param(hall.name_i18n, hall.source_locale)


def tell_followers(session: Session, targets: list[tuple[str, int]], exclude: set[int], key: str,
                   params: dict, endpoint: str, endpoint_args: dict) -> int:
    """Notify everyone who follows any of ``targets`` once (not those in ``exclude``), each with
    the most immediate frequency among their follows of them. One statement finds them all
    with their accounts; the notifications are inserted in bulk."""
    targets = [(k, i) for k, i in targets if i is not None]
    if not targets:
        return 0
    session.flush()
    stmt = (select(User, Follow.frequency).join(Follow, Follow.user_id == User.id)
            .where(or_(*[and_(Follow.target_kind == k, Follow.target_id == i) for k, i in targets])))
    if exclude:
        stmt = stmt.where(User.id.not_in(exclude))
    rows = session.execute(stmt).all()
    modes: dict[int, str] = {}
    users: dict[int, User] = {}
    for user, frequency in rows:
        users[user.id] = user
        if user.id not in modes or _RANK.get(frequency, 0) < _RANK.get(modes[user.id], 0):
            modes[user.id] = frequency
    if not users:
        return 0
    made = notifications.notify(session, list(users.values()), key, params, endpoint, endpoint_args,
                                modes=modes)
    return len(made)


def announce(session: Session, hall: Hall, event: HallEvent, notified=()) -> int:
    """A hall timeline event, to the hall's followers and the named item's."""
    from portal.deliberation.services import EVENT_LABELS

    data = event.data or {}
    label_key = _event_key(event.kind)
    if label_key not in notifications.MESSAGES and event.kind in EVENT_LABELS:
        notifications.register_message(label_key, EVENT_LABELS[event.kind])
    targets: list[tuple[str, int]] = [("hall", hall.id)]
    endpoint, args = "deliberation.hall", {"slug": hall.slug}
    if isinstance(data.get("debate_id"), int):
        targets.append(("debate", data["debate_id"]))
        endpoint, args = "deliberation.debate", {"slug": hall.slug, "debate_id": data["debate_id"]}
    if isinstance(data.get("proposal_id"), int):
        targets.append(("proposal", data["proposal_id"]))
        endpoint, args = "deliberation.proposal", {"proposal_id": data["proposal_id"]}
    params = {"event": {"key": label_key}, "hall": _hall_param(hall)}
    key = "follow.hall_event"
    if data.get("title"):
        key, params["title"] = "follow.hall_event_item", data["title"]
    exclude = {i for i in notified if i is not None}
    if event.actor_id is not None:
        exclude.add(event.actor_id)
    return tell_followers(session, targets, exclude, key, params, endpoint, args)


def comment_added(session: Session, hall: Hall, debate: Debate, author: User) -> int:
    return tell_followers(session, [("debate", debate.id)], {author.id}, "follow.debate_comment",
                          {"title": debate.title, "hall": _hall_param(hall)}, "deliberation.debate",
                          {"slug": hall.slug, "debate_id": debate.id})


def amendment_accepted(session: Session, proposal: Proposal, author: User) -> int:
    """To the proposal's followers but its author, who accepted the amendment."""
    return tell_followers(session, [("proposal", proposal.id)], {author.id}, "follow.amendment_accepted",
                          {"title": proposal.title}, "deliberation.proposal", {"proposal_id": proposal.id})


# --- a digest leaves out what is gone ---------------------------------------------------------------

def _gone_halls(session: Session, notes) -> set[int]:
    slugs = {n.endpoint_args.get("slug") for n in notes}
    there = set(session.scalars(select(Hall.slug).where(Hall.slug.in_(slugs), Hall.archived.is_(False))))
    return {n.id for n in notes if n.endpoint_args.get("slug") not in there}


def _gone_of(kind: str, arg: str):
    def check(session: Session, notes) -> set[int]:
        wanted = [(kind, n.endpoint_args[arg]) for n in notes
                  if isinstance(n.endpoint_args.get(arg), int)]
        there = {i for (_, i) in _visible_targets(session, wanted)}
        return {n.id for n in notes if n.endpoint_args.get(arg) not in there}
    return check


notifications.register_gone_check("deliberation.hall", _gone_halls)
notifications.register_gone_check("deliberation.debate", _gone_of("debate", "debate_id"))
notifications.register_gone_check("deliberation.proposal", _gone_of("proposal", "proposal_id"))
