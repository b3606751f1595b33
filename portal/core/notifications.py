"""In-app notifications, and mail about them: at once, in a daily digest, or not at all.

A notification stores a message key and parameters, not text, so it is shown in the reader's
language whenever it is read. Mail goes through the outbox like every other side effect.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, select, update
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
) -> list[Notification]:
    """Tell each user, once, in the app; mail those who want it now; queue the rest's digest."""
    made = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        note = Notification(user_id=user.id, key=key, params=params, endpoint=endpoint,
                            endpoint_args=endpoint_args,
                            digest_pending=user.notify_mode == DAILY)
        session.add(note)
        made.append(note)
        if user.notify_mode == IMMEDIATE and user.email_confirmed_at:
            with outbox.use_locale(user.locale):
                outbox.enqueue_email(
                    session, user.email, "notification", user.locale, user=user,
                    message=text(note), link=link(note, user.locale, external=True),
                )
    return made


def send_digests(session: Session) -> int:
    """One mail per user with daily digests pending; returns how many were queued."""
    pending = list(session.scalars(
        select(Notification).where(Notification.digest_pending.is_(True)).order_by(Notification.id)
    ))
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(by_user)))}
    sent = 0
    for user_id, notes in by_user.items():
        user = users[user_id]
        if user.email_confirmed_at and user.is_active and user.notify_mode == DAILY:
            with outbox.use_locale(user.locale):
                items = [(text(n), link(n, user.locale, external=True)) for n in notes]
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
