"""The outbox: messages rendered in their recipient's language, delivered with retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from portal.core import outbox
from portal.core.models import MailboxMessage, OutboxMessage, utcnow
from tests.functional.support import translated


@pytest.fixture
def ctx(app, db_session):
    with app.test_request_context("/en/"):
        yield


def _enqueue(session, locale="en", recipient="lin@example.org"):
    class U:
        display_name = "Lin"

    message = outbox.enqueue_email(
        session, recipient, "confirm_email", locale, user=U(), link="https://x.example/c/1",
        email=recipient,
    )
    session.commit()
    return message


def mailbox_count(session, outbox_id=None) -> int:
    stmt = select(func.count()).select_from(MailboxMessage)
    if outbox_id is not None:
        stmt = stmt.where(MailboxMessage.outbox_id == outbox_id)
    return session.scalar(stmt)


# --- enqueue -------------------------------------------------------------------------------

def test_enqueue_renders_in_the_recipients_locale(ctx, db_session, pseudo_catalogs):
    g.locale = "en"
    message = _enqueue(db_session, locale="es")
    assert message.id is not None
    assert message.locale == "es"
    assert message.subject == "[es] Confirm your email address"
    assert "[es] Hello Lin," in message.body
    assert "https://x.example/c/1" in message.body
    assert message.sent_at is None and message.attempts == 0
    assert g.locale == "en"  # the page's own locale is back afterwards


@pytest.mark.parametrize("code", ["zh-Hans", "zh-Hant", "ar", "bo", "ug"])
def test_enqueue_uses_the_catalog_folder_of_each_locale(ctx, db_session, pseudo_catalogs, code):
    assert _enqueue(db_session, locale=code).subject == f"[{code}] Confirm your email address"


def test_enqueue_in_english_is_untranslated(ctx, db_session, pseudo_catalogs):
    assert _enqueue(db_session, locale="en").subject == "Confirm your email address"


def test_enqueue_uses_the_real_catalog(app, ctx, db_session):
    message = _enqueue(db_session, locale="es")
    assert message.subject == translated(app, "es", "Confirm your email address")


def test_enqueue_with_an_unknown_locale_renders_english(ctx, db_session, pseudo_catalogs):
    assert _enqueue(db_session, locale="xx").subject == "Confirm your email address"


def test_use_locale_restores_the_previous_locale_after_an_error(ctx):
    g.locale = "ar"
    with pytest.raises(RuntimeError), outbox.use_locale("es"):
        assert g.locale == "es"
        raise RuntimeError
    assert g.locale == "ar"


# --- deliver -------------------------------------------------------------------------------

def test_deliver_to_the_mailbox(ctx, db_session):
    message = _enqueue(db_session, locale="ar")
    assert outbox.deliver(db_session, message.id) is True
    mail = db_session.scalar(select(MailboxMessage).where(MailboxMessage.outbox_id == message.id))
    assert (mail.recipient, mail.subject, mail.body, mail.locale) == (
        message.recipient, message.subject, message.body, "ar")
    assert mail.sender == "portal@example.org"
    db_session.refresh(message)
    assert message.sent_at is not None and message.attempts == 1


def test_deliver_is_idempotent(ctx, db_session):
    message = _enqueue(db_session)
    assert outbox.deliver(db_session, message.id) is True
    assert outbox.deliver(db_session, message.id) is True
    assert mailbox_count(db_session, message.id) == 1
    db_session.refresh(message)
    assert message.attempts == 1


def test_deliver_unknown_message(ctx, db_session):
    assert outbox.deliver(db_session, 987654) is False


def test_mailbox_backend_does_not_duplicate_an_existing_copy(ctx, db_session, factories):
    mail = factories.mailbox_message()
    message = db_session.get(OutboxMessage, mail.outbox_id)
    message.sent_at = None
    db_session.commit()
    assert outbox.deliver(db_session, message.id) is True
    assert mailbox_count(db_session, message.id) == 1


def _failing(session, message):
    raise ConnectionRefusedError("smtp is down")


def test_a_failing_backend_keeps_the_message_for_later(ctx, app, db_session, monkeypatch):
    monkeypatch.setitem(outbox.BACKENDS, "mailbox", _failing)
    message = _enqueue(db_session)
    before = utcnow()
    assert outbox.deliver(db_session, message.id) is False
    db_session.refresh(message)
    assert message.attempts == 1
    assert message.sent_at is None and message.failed_at is None
    assert message.last_error == "ConnectionRefusedError: smtp is down"
    assert before + timedelta(seconds=29) <= message.next_attempt_at
    assert message.next_attempt_at <= utcnow() + timedelta(seconds=31)
    assert mailbox_count(db_session) == 0


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox.backoff(30) == timedelta(hours=6)


def test_retries_back_off_then_give_up(ctx, app, db_session, monkeypatch):
    monkeypatch.setitem(outbox.BACKENDS, "mailbox", _failing)
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 4)
    message = _enqueue(db_session)
    delays = []
    for attempt in range(1, 4):
        start = utcnow()
        assert outbox.deliver(db_session, message.id) is False
        db_session.refresh(message)
        assert message.attempts == attempt and message.failed_at is None
        delays.append(round((message.next_attempt_at - start).total_seconds() / 30))
    assert delays == [1, 2, 4]
    assert outbox.deliver(db_session, message.id) is False
    db_session.refresh(message)
    assert message.attempts == 4
    assert message.failed_at is not None
    # a failed message is left alone, even once the backend works again
    monkeypatch.setitem(outbox.BACKENDS, "mailbox", outbox._send_mailbox)
    assert outbox.deliver(db_session, message.id) is False
    db_session.refresh(message)
    assert message.attempts == 4 and message.sent_at is None
    assert outbox.due_ids(db_session) == []


def test_default_max_attempts(app):
    assert app.config["OUTBOX_MAX_ATTEMPTS"] == 8


def test_a_retry_after_a_failure_succeeds(ctx, db_session, monkeypatch):
    message = _enqueue(db_session)
    monkeypatch.setitem(outbox.BACKENDS, "mailbox", _failing)
    outbox.deliver(db_session, message.id)
    monkeypatch.setitem(outbox.BACKENDS, "mailbox", outbox._send_mailbox)
    assert outbox.deliver(db_session, message.id) is True
    db_session.refresh(message)
    assert message.attempts == 2 and message.sent_at is not None
    assert message.last_error.startswith("ConnectionRefusedError")


# --- drain ---------------------------------------------------------------------------------

def test_drain_delivers_due_messages_only(ctx, db_session, factories):
    due = factories.outbox_message()
    also_due = factories.outbox_message(due_in=timedelta(seconds=-3600))
    later = factories.outbox_message(due_in=timedelta(minutes=5))
    sent = factories.outbox_message(sent_at=utcnow())
    failed = factories.outbox_message(failed_at=utcnow(), attempts=8)
    assert outbox.due_ids(db_session) == [due.id, also_due.id]
    assert outbox.drain(db_session) == 2
    delivered = set(db_session.scalars(select(MailboxMessage.outbox_id)))
    assert delivered == {due.id, also_due.id}
    for message in (later, sent, failed):
        db_session.refresh(message)
    assert later.sent_at is None and failed.sent_at is None
    assert outbox.drain(db_session) == 0


def test_drain_respects_its_limit_in_id_order(ctx, db_session, factories):
    messages = [factories.outbox_message() for _ in range(3)]
    assert outbox.due_ids(db_session, limit=2) == [m.id for m in messages[:2]]
    assert outbox.drain(db_session, limit=2) == 2
    assert outbox.due_ids(db_session) == [messages[2].id]


def test_drain_counts_only_delivered(ctx, db_session, factories, monkeypatch):
    factories.outbox_message()
    monkeypatch.setitem(outbox.BACKENDS, "mailbox", _failing)
    assert outbox.drain(db_session) == 0
    assert outbox.due_ids(db_session) == []  # not due again before its back-off


# --- SMTP ----------------------------------------------------------------------------------

class FakeSMTP:
    instances: list[FakeSMTP] = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.timeout = host, port, timeout
        self.sent, self.calls = [], []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, mail):
        self.sent.append(mail)


def test_smtp_backend(ctx, app, db_session, monkeypatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    for key, value in {"MAIL_BACKEND": "smtp", "SMTP_HOST": "mail.example.org", "SMTP_PORT": 587,
                       "SMTP_STARTTLS": True, "SMTP_USERNAME": "portal",
                       "SMTP_PASSWORD": "pw"}.items():
        monkeypatch.setitem(app.config, key, value)
    message = _enqueue(db_session, locale="es")
    assert outbox.deliver(db_session, message.id) is True
    (smtp,) = FakeSMTP.instances
    assert (smtp.host, smtp.port) == ("mail.example.org", 587)
    assert smtp.calls == ["starttls", ("login", "portal", "pw")]
    (mail,) = smtp.sent
    assert mail["To"] == "lin@example.org"
    assert mail["From"] == "portal@example.org"
    assert mail["Subject"] == message.subject
    assert mail["Content-Language"] == "es"
    assert mail["Message-ID"] == f"<outbox-{message.id}@example.org>"
    assert "https://x.example/c/1" in mail.get_content()
    assert mailbox_count(db_session) == 0


def test_smtp_without_tls_or_login(ctx, app, db_session, monkeypatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    message = _enqueue(db_session)
    assert outbox.deliver(db_session, message.id) is True
    assert FakeSMTP.instances[0].calls == []


# --- hand-off to Celery after commit -------------------------------------------------------

@pytest.fixture
def dispatched(app, monkeypatch):
    from portal.core import tasks

    calls: list[int] = []
    monkeypatch.setitem(app.config, "CELERY_DISPATCH", True)
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", calls.append)
    return calls


def test_commit_hands_new_messages_to_celery(ctx, db_session, dispatched):
    first = _enqueue(db_session)
    second = _enqueue(db_session)
    assert dispatched == [first.id, second.id]


def test_nothing_is_dispatched_before_the_commit_or_after_a_rollback(ctx, db_session, dispatched):
    class U:
        display_name = "Lin"

    outbox.enqueue_email(db_session, "a@example.org", "confirm_email", "en", user=U(), link="x",
                         email="a@example.org")
    db_session.flush()
    assert dispatched == []
    db_session.rollback()
    assert dispatched == []
    db_session.commit()
    assert dispatched == []


def test_no_dispatch_when_disabled(ctx, app, db_session, dispatched, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_DISPATCH", False)
    _enqueue(db_session)
    assert dispatched == []


def test_a_broker_outage_leaves_the_message_for_the_drain(ctx, app, db_session, monkeypatch):
    from portal.core import tasks

    def down(outbox_id):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setitem(app.config, "CELERY_DISPATCH", True)
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", down)
    message = _enqueue(db_session)  # does not raise
    assert outbox.due_ids(db_session) == [message.id]
    assert outbox.drain(db_session) == 1


def test_session_hooks_are_installed_once():
    from flask_sqlalchemy.session import Session as FlaskSession
    from sqlalchemy import event

    outbox.install_session_hooks(FlaskSession)
    outbox.install_session_hooks(FlaskSession)
    assert event.contains(FlaskSession, "after_commit", outbox._after_commit)


def test_tasks_call_the_services(ctx, db_session):
    from portal.core import tasks

    message = _enqueue(db_session)
    assert tasks.deliver_outbox_message.run(message.id) is True
    other = _enqueue(db_session)
    assert tasks.drain_outbox.run() == 1
    db_session.refresh(other)
    assert other.sent_at is not None
