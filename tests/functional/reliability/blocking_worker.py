"""``celery -A tests.functional.reliability.blocking_worker worker``: the production app with
a mail backend at the edge of the world that can be held in the middle of a delivery.

``MAIL_BACKEND=blocking`` writes the message as the mailbox backend does (flushed: the row is
in the delivery's transaction), then, the first time it sees a message, writes
``$RELIABILITY_HOLD_DIR/holding-<outbox id>`` with its process id and waits there — for the
test to kill it. Later attempts go straight through, as a mail server that is back would."""

from __future__ import annotations

import os
import time
from pathlib import Path

from portal import create_app
from portal.core import outbox

HOLD_DIR = Path(os.environ["RELIABILITY_HOLD_DIR"])


def _send_blocking(session, message) -> None:
    outbox.BACKENDS["mailbox"](session, message)
    session.flush()
    marker = HOLD_DIR / f"holding-{message.id}"
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    deadline = time.monotonic() + 120  # never for ever, whatever happens to the test
    while time.monotonic() < deadline:
        time.sleep(0.1)


outbox.BACKENDS["blocking"] = _send_blocking
flask_app = create_app()
celery = flask_app.extensions["celery"]
if os.environ.get("RELIABILITY_VISIBILITY_TIMEOUT"):
    # A task whose worker vanished goes back to the queue after this many seconds (an hour
    # by default), swept every second.
    celery.conf.broker_transport_options = {
        "visibility_timeout": int(os.environ["RELIABILITY_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
