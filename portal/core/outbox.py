"""The outbox: side effects written with their cause, delivered later by Celery.

``enqueue_email`` renders the message in the recipient's language and adds an outbox row to
the caller's transaction. After that transaction commits, delivery is handed to Celery at
once; if the broker is down, the beat task ``drain_outbox`` finds the row later. Delivery
retries with back-off, so a mail outage only delays a message.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.core.i18n import BY_CODE, DEFAULT
from portal.core.models import MailboxMessage, OutboxMessage, utcnow

log = logging.getLogger(__name__)


@contextlib.contextmanager
def use_locale(code: str) -> Iterator[None]:
    """Render in another locale (an email in its recipient's language)."""
    code = code if code in BY_CODE else DEFAULT
    previous = g.get("locale")
    g.locale = code
    try:
        with force_locale(BY_CODE[code].catalog):
            yield
    finally:
        g.locale = previous


def enqueue_email(
    session: Session, recipient: str, template: str, locale: str, **context
) -> OutboxMessage:
    with use_locale(locale):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        body = render_template(f"email/{template}.txt", **context)
    message = OutboxMessage(
        kind="email", recipient=recipient, subject=subject, body=body, locale=locale
    )
    session.add(message)
    return message


# --- delivery ------------------------------------------------------------------------------

LINK = re.compile(r"https?://\S+")


def _send_mailbox(session: Session, message: OutboxMessage) -> None:
    exists = session.scalar(select(MailboxMessage.id).where(MailboxMessage.outbox_id == message.id))
    if exists is None:
        # On the console too, so whoever runs the portal can follow a link at once.
        log.info("mailbox: %r to %s %s", message.subject, message.recipient,
                 " ".join(LINK.findall(message.body)) or "(no links)")
        session.add(
            MailboxMessage(
                outbox_id=message.id,
                sender=current_app.config["MAIL_FROM"],
                recipient=message.recipient,
                subject=message.subject,
                body=message.body,
                locale=message.locale,
            )
        )


def _send_smtp(session: Session, message: OutboxMessage) -> None:
    cfg = current_app.config
    mail = EmailMessage()
    mail["From"] = cfg["MAIL_FROM"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = f"<outbox-{message.id}@{cfg['MAIL_FROM'].split('@')[-1]}>"
    mail.set_content(message.body)
    mail["Content-Language"] = message.locale  # after set_content, which drops Content-*
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USERNAME"]:
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
        smtp.send_message(mail)


BACKENDS = {"mailbox": _send_mailbox, "smtp": _send_smtp}


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def deliver(session: Session, outbox_id: int) -> bool:
    """Deliver one message; True if it is (now or already) sent. Safe to call twice."""
    stmt = select(OutboxMessage).where(OutboxMessage.id == outbox_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    message = session.scalar(stmt)
    if message is None:
        return False
    if message.sent_at is not None:
        session.rollback()
        return True
    if message.failed_at is not None:
        session.rollback()
        return False
    try:
        BACKENDS[current_app.config["MAIL_BACKEND"]](session, message)
    except Exception as exc:  # any transport failure: keep the message and retry later
        session.rollback()
        message = session.get(OutboxMessage, outbox_id)
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            message.failed_at = utcnow()
        else:
            message.next_attempt_at = utcnow() + backoff(message.attempts)
        session.commit()
        log.warning("outbox %s not delivered: %s", outbox_id, message.last_error)
        return False
    message.attempts += 1
    message.sent_at = utcnow()
    session.commit()
    return True


def due_ids(session: Session, limit: int = 100) -> list[int]:
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= utcnow(),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def drain(session: Session, limit: int = 100) -> int:
    """Deliver every due message; returns how many were sent."""
    return sum(1 for oid in due_ids(session, limit) if deliver(session, oid))


# --- hand-off to Celery after commit -------------------------------------------------------

def _dispatch(ids: list[int]) -> None:
    if not ids or not current_app.config.get("CELERY_DISPATCH", True):
        return
    from portal.core.tasks import deliver_outbox_message

    for oid in ids:
        try:
            deliver_outbox_message.delay(oid)
        except Exception:  # broker down: drain_outbox picks it up later
            log.warning("broker unavailable; outbox %s left for the drain task", oid)


def install_session_hooks(session_class) -> None:
    """Listen on the session class once, however many apps are created (tests make many)."""
    if event.contains(session_class, "after_commit", _after_commit):
        return
    event.listen(session_class, "after_flush", _collect)
    event.listen(session_class, "after_commit", _after_commit)
    event.listen(session_class, "after_rollback", _after_rollback)


def _collect(session, flush_context):
    new = [o for o in session.new if isinstance(o, OutboxMessage)]
    if new:
        session.info.setdefault("outbox_new", []).extend(o.id for o in new)
        session.info.setdefault("outbox_recipients", []).extend(
            (o.id, o.recipient) for o in new
        )


def _after_commit(session):
    ids = session.info.pop("outbox_new", [])
    sent = session.info.pop("outbox_recipients", [])
    if sent and has_request_context():
        # What this request sent, for portal.core.sent_mail (the embedded profile lets the
        # browser that caused a message read it).
        g.setdefault("outbox_committed", []).extend(sent)
    if ids:
        _dispatch(ids)


def _after_rollback(session):
    session.info.pop("outbox_new", None)
    session.info.pop("outbox_recipients", None)
