"""What every threaded discussion of the halls shares (a debate's comments, a proposal's):
the text rule, the new-account rate limit, the depth rule and the thread read by pages.

Each discussion has its own table with the same columns (``id``, ``parent_id``, ``depth``,
``author_id``, ``body``, ``locale``, ``created_at``, an ``author`` relationship) and one column
naming what it discusses (``debate_id``, ``proposal_id``): the functions below take the model
and that column, so a rule is written once.

- Threads are three levels deep: a reply to a level-three comment attaches at level three.
- A new account (younger than ``NEW_ACCOUNT_HOURS``) writes at most ``NEW_ACCOUNT_COMMENTS``
  comments an hour in each kind of discussion.
- A thread is read a page of ``PER_PAGE`` top-level comments at a time, with all their replies,
  by keyset on the top-level comment's id: two statements, whatever the thread's length. The
  first page shown is the latest one (where a new comment appears); links lead to earlier and
  later pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from portal.core.errors import Invalid
from portal.core.forms import MAX_INT
from portal.core.models import User
from portal.core.text import has_control_characters
from portal.deliberation import limits
from portal.deliberation.models import DEBATE_MAX_DEPTH as MAX_DEPTH

COMMENT_MAX = 4000
NEW_ACCOUNT_HOURS, NEW_ACCOUNT_COMMENTS = limits.NEW_ACCOUNT_HOURS, limits.NEW_ACCOUNT_COMMENTS
PER_PAGE = 50  # top-level comments a page, each with its replies


def clean_text(errors: dict, name: str, value: str | None, max_len: int,
               required: bool = True) -> str:
    """The text stripped; the reason it cannot be saved in ``errors[name]``."""
    text = (value or "").strip()
    if has_control_characters(text, multiline=True):
        errors[name] = [_l("Remove the invisible control characters from this text: they cannot "
                           "be saved. Copying from another program can add them.")]
    elif required and not text:
        errors[name] = [_l("This field is required.")]
    elif len(text) > max_len:
        errors[name] = [lazy_ngettext("Enter at most %(num)d character.",
                                      "Enter at most %(num)d characters.", max_len)]
    return text


def check_rate(session: Session, model, author: User) -> None:
    """Refuse a new account's comment past ``NEW_ACCOUNT_COMMENTS`` in the last hour (the one
    rule of ``limits``, counted in this kind of discussion)."""
    limits.check_new_account(
        session, author, model.author_id, model.created_at, NEW_ACCOUNT_COMMENTS, "body",
        message=lazy_ngettext(
            "New accounts can publish %(num)d comment an hour during their first day. "
            "Please wait a little: what you wrote is kept below.",
            "New accounts can publish %(num)d comments an hour during their first day. "
            "Please wait a little: what you wrote is kept below.", NEW_ACCOUNT_COMMENTS))


def find_parent(session: Session, model, scope, scope_id: int, parent_id: int | None, errors: dict,
                message):
    """The comment replied to, checked to be in the same discussion (``message`` otherwise)."""
    if parent_id is None:
        return None
    parent = session.get(model, parent_id) if 0 < parent_id <= MAX_INT else None
    if parent is None or getattr(parent, scope.key) != scope_id:
        errors["parent_id"] = [message]
        return None
    return parent


def prepare(session: Session, model, scope, scope_id: int, author: User, body: str | None,
            parent_id: int | None, not_here, errors: dict | None = None) -> tuple[str, int | None, int]:
    """A new comment's (text, parent id, depth), or Invalid with every reason (``errors`` may
    already hold the discussion's own), then the new-account rate limit. ``not_here``: the
    message for a reply to a comment of another discussion."""
    errors = {} if errors is None else errors
    body = clean_text(errors, "body", body, COMMENT_MAX)
    parent = find_parent(session, model, scope, scope_id, parent_id, errors, not_here)
    if errors:
        raise Invalid(errors)
    check_rate(session, model, author)
    return (body, *placed(session, model, parent))


def placed(session: Session, model, parent) -> tuple[int | None, int]:
    """Where a reply to ``parent`` goes: (its parent's id, its depth). Deeper than
    ``MAX_DEPTH``, it attaches beside its parent, at the last level."""
    if parent is None:
        return None, 1
    if parent.depth >= MAX_DEPTH and parent.parent_id:
        parent = session.get(model, parent.parent_id)
    return parent.id, parent.depth + 1


def root_of(session: Session, model, item) -> int:
    """The id of the top-level comment a comment is under (at most two lookups)."""
    while item.parent_id:
        item = session.get(model, item.parent_id)
    return item.id


# --- reading a thread by pages ------------------------------------------------------------------

@dataclass
class Node:
    comment: object
    replies: list[Node] = field(default_factory=list)


@dataclass
class ThreadPage:
    nodes: list[Node]
    older: int | None = None  # "before" cursor of the page of earlier comments, if any
    newer: int | None = None  # "after" cursor of the page of later comments, if any
    args: dict = field(default_factory=dict)  # the cursor of this page, to keep in its links

    def __iter__(self):
        return iter(self.nodes)

    def __bool__(self) -> bool:
        return bool(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)


def cursor_args(before: int | None, after: int | None) -> dict:
    """The query arguments of the thread page asked for (``after`` wins)."""
    if after is not None:
        return {"after": after}
    return {"before": before} if before is not None else {}


def _author(model):
    # a comment shows its author's name only: not the whole account, nor its roles
    return joinedload(model.author).load_only(User.id, User.display_name).lazyload("*")


def thread_page(session: Session, model, scope, scope_id: int, before: int | None = None,
                after: int | None = None, per_page: int = PER_PAGE) -> ThreadPage:
    """A page of top-level comments (oldest first) with all their replies, each with its author.
    Without a cursor, the latest page; ``before``/``after`` an id, the page before or after it."""
    roots_q = (select(model).options(_author(model))
               .where(scope == scope_id, model.parent_id.is_(None)))
    args = cursor_args(before, after)
    if after is not None:
        roots = list(session.scalars(roots_q.where(model.id > after).order_by(model.id)
                                     .limit(per_page + 1)))
        more = len(roots) > per_page
        roots = roots[:per_page]
        older = roots[0].id if roots and after > 0 else None
        newer = roots[-1].id if more else None
    else:
        if before is not None:
            roots_q = roots_q.where(model.id < before)
        roots = list(session.scalars(roots_q.order_by(model.id.desc()).limit(per_page + 1)))
        more = len(roots) > per_page
        roots = roots[:per_page][::-1]
        older = roots[0].id if more else None
        newer = roots[-1].id if before is not None and roots else None
    if not roots:
        return ThreadPage([], None, None, args)
    ids = [c.id for c in roots]
    children = select(model.id).where(scope == scope_id, model.parent_id.in_(ids))
    replies = session.scalars(
        select(model).options(_author(model))
        .where(scope == scope_id, or_(model.parent_id.in_(ids), model.parent_id.in_(children)))
        .order_by(model.id)).all()
    nodes = {c.id: Node(c) for c in roots}
    for c in replies:
        nodes[c.id] = Node(c)
    for c in replies:
        parent = nodes.get(c.parent_id)
        if parent is not None:
            parent.replies.append(nodes[c.id])
    return ThreadPage([nodes[i] for i in ids], older, newer, args)


def page_args(session: Session, model, scope, scope_id: int, root_id: int,
              per_page: int = PER_PAGE) -> dict:
    """The cursor of the page that shows the top-level comment ``root_id``: none when it is on
    the latest page (the one shown first), else the page starting at it."""
    newer = session.scalar(select(model.id).where(
        scope == scope_id, model.parent_id.is_(None), model.id > root_id)
        .order_by(model.id).offset(per_page - 1).limit(1))
    return {} if newer is None else {"after": root_id - 1}
