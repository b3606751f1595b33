"""The embedded profile's answer to "where is my mail?": the message you just caused.

The mailbox (``/<lang>/admin/mailbox``) holds everybody's mail, confirmation and reset links
included, so only administrators read it. A newcomer on a laptop with no real mail still has
to confirm an address: after an action that sent mail, the route calls ``keep(address)``,
which puts the ids of this request's messages *to that address* into this browser's session,
and the page links to them (``accounts.sent_mail`` shows only ids in the session). In any
other setup (SMTP, production) nothing is kept and no link is shown.

Caveat, embedded only: the page shows whichever message was sent, so someone registering
with a taken address reads the "someone tried to use your address" notice its owner gets.
"""

from __future__ import annotations

from flask import current_app, g, session

SESSION_KEY = "sent_mail"  # every message id this browser may read (the last few)
LAST_KEY = "sent_mail_last"  # the ones of its last action, linked from the next page
KEEP = 10


def enabled() -> bool:
    cfg = current_app.config
    return cfg.get("PROFILE") == "embedded" and cfg.get("MAIL_BACKEND") == "mailbox"


def keep(recipient: str | None) -> list[int]:
    """Let this browser read what this request has just mailed to ``recipient``."""
    if not enabled():
        return []
    wanted = (recipient or "").strip().lower()
    ids = [oid for oid, to in g.get("outbox_committed", []) if wanted and to.lower() == wanted]
    if ids:
        session[SESSION_KEY] = [*session.get(SESSION_KEY, []), *ids][-KEEP:]
    session[LAST_KEY] = ids
    return ids


def last() -> list[int]:
    """The messages of this browser's last action (for the page after it)."""
    if not enabled():
        return []
    return list(session.get(LAST_KEY, []))


def allowed(outbox_id: int) -> bool:
    return enabled() and outbox_id in session.get(SESSION_KEY, [])
