"""In-app notifications, and mail about them: at once, in a daily digest, or not at all.

A notification stores a message key and parameters, not text, so it is shown in the reader's
language whenever it is read. Mail goes through the outbox like every other side effect.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core import outbox
from portal.core.models import User, utcnow
from portal.extensions import db

IMMEDIATE, DAILY, NONE = "immediate", "daily", "none"
MODES = {
    IMMEDIATE: _l("Email me about each change at once"),
    DAILY: _l("Email me one summary a day"),
    NONE: _l("Do not email me; I will look in the portal"),
}

# Above this many recipients, notifications are inserted in one statement (see ``notify``).
BULK = 20

# Message keys modules register: key -> lazy string with %(name)s parameters.
MESSAGES: dict[str, object] = {}


def register_message(key: str, text) -> None:
    MESSAGES[key] = text


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user", "user_id", "id"),
                      Index("ix_notification_digest", "digest_pending", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    key: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Where it leads: an endpoint and its arguments (the locale is the reader's).
    endpoint: Mapped[str] = mapped_column(String(64))
    endpoint_args: Mapped[dict] = mapped_column(JSON, default=dict)
    digest_pending: Mapped[bool] = mapped_column(default=False)


def text(notification: Notification) -> str:
    template = MESSAGES.get(notification.key)
    if template is None:
        return notification.key
    params = {k: (str(_translate_param(v))) for k, v in notification.params.items()}
    return str(template) % params


def translatable_param(versions: dict[str, str], source: str) -> dict:
    """A parameter shown in the reader's language (a hall's or a category's name)."""
    return {"i18n": dict(versions or {}), "source": source}


def _translate_param(value):
    """A parameter may name another message key (an event label) to translate at read time,
    or carry a translatable text's versions (``translatable_param``)."""
    if isinstance(value, dict) and "key" in value:
        return MESSAGES.get(value["key"], value["key"])
    if isinstance(value, dict) and "i18n" in value:
        from portal.core.i18n import localize

        return localize(value["i18n"], value.get("source") or "en").text
    return value


def link(notification: Notification, locale: str | None = None, external: bool = False) -> str:
    args = dict(notification.endpoint_args)
    if locale:
        args["locale"] = locale
    if external:
        from portal.core.urls import absolute_url

        return absolute_url(notification.endpoint, **args)
    return url_for(notification.endpoint, **args)


def notify(
    session: Session, users: list[User], key: str, params: dict, endpoint: str, endpoint_args: dict,
    modes: dict[int, str] | None = None,
) -> list[Notification]:
    """Tell each user, once, in the app; mail those who want it now; queue the rest's digest.

    ``modes`` (user id -> immediate, daily or none) overrides a person's ``notify_mode`` for
    this message: what they chose for the thing they follow. For more than ``BULK`` people the
    notifications are inserted in one statement (and come back without their ids)."""
    if not has_request_context():  # a task, a command: mails are rendered as in a request
        with current_app.test_request_context():
            return notify(session, users, key, params, endpoint, endpoint_args, modes)
    made = []
    seen: set[int] = set()
    modes = modes or {}
    for user in users:
        if user is None or user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        mode = modes.get(user.id) or user.notify_mode
        note = Notification(user_id=user.id, key=key, params=params, endpoint=endpoint,
                            endpoint_args=endpoint_args,
                            digest_pending=mode == DAILY, created_at=utcnow())
        made.append(note)
        if mode == IMMEDIATE and user.email_confirmed_at:
            with outbox.use_locale(user.locale):
                outbox.enqueue_email(
                    session, user.email, "notification", user.locale, user=user,
                    message=text(note), link=link(note, user.locale, external=True),
                )
    if len(made) > BULK:
        # Many recipients (a hall's followers): one INSERT for them all. The ORM would insert
        # them one by one where it cannot match returned ids to rows (SQLite), so these are
        # returned without their ids.
        columns = ("user_id", "key", "params", "endpoint", "endpoint_args", "digest_pending", "created_at")
        session.execute(insert(Notification), [{c: getattr(n, c) for c in columns} for n in made])
    else:
        session.add_all(made)
    return made


# Where a notification leads -> ``gone(session, notes)``: the ids of those whose page is no
# longer there for the public (deleted, archived, hidden). A digest leaves them out.
GONE_CHECKS: dict[str, Callable[[Session, list[Notification]], set[int]]] = {}


def register_gone_check(endpoint: str, check: Callable[[Session, list[Notification]], set[int]]) -> None:
    GONE_CHECKS[endpoint] = check


def _gone(session: Session, notes: list[Notification]) -> set[int]:
    """One check per endpoint for the whole run, never one per notification."""
    by_endpoint: dict[str, list[Notification]] = defaultdict(list)
    for note in notes:
        by_endpoint[note.endpoint].append(note)
    gone: set[int] = set()
    for endpoint, group in by_endpoint.items():
        check = GONE_CHECKS.get(endpoint)
        if check is not None:
            gone |= check(session, group)
    return gone


def send_digests(session: Session) -> int:
    """One mail per user with daily digests pending; returns how many were queued.

    A notification is pending because the person chose a daily digest for it (their account's
    choice, or the one for what they follow) when it was made: it goes in the digest even if
    the account's choice is another one now. Items whose page is gone (see
    ``register_gone_check``) are left out, and nobody gets a digest with nothing in it."""
    if not has_request_context():  # the beat task: links are built as in a request
        with current_app.test_request_context():
            return send_digests(session)
    pending = list(session.scalars(
        select(Notification).where(Notification.digest_pending.is_(True)).order_by(Notification.id)
    ))
    gone = _gone(session, pending)
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(by_user)))}
    sent = 0
    for user_id, notes in by_user.items():
        user = users[user_id]
        listed = [n for n in notes if n.id not in gone]
        if listed and user.email_confirmed_at and user.is_active:
            with outbox.use_locale(user.locale):
                items = [(text(n), link(n, user.locale, external=True)) for n in listed]
                outbox.enqueue_email(session, user.email, "digest", user.locale, user=user, items=items)
            sent += 1
        session.execute(update(Notification)
                        .where(Notification.id.in_([n.id for n in notes]))
                        .values(digest_pending=False))
    session.commit()
    return sent


def for_user(session: Session, user: User, before: int | None = None, per_page: int = 30,
             after: int | None = None):
    from portal.core.pagination import keyset

    stmt = select(Notification).where(Notification.user_id == user.id)
    return keyset(session, stmt, Notification.id, before=before, after=after, per_page=per_page)


def unread_count(session: Session, user: User) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(session: Session, user: User) -> None:
    session.execute(update(Notification)
                    .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))
    session.commit()
