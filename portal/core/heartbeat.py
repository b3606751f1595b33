"""Are the worker and beat alive? One row per part, with the time it was last seen.

``worker``: written by the ``heartbeat`` task, which beat schedules every minute and which every
Celery worker also sends itself on a timer (``portal.celery_app``), so a fresh row proves that
tasks go through the broker and are run, whether or not beat is up. ``beat``: written by the
beat process itself on a timer. ``/healthz`` and ``flask health`` read them; the web process
gives both a grace period from its own start, so ``/healthz`` is 200 while the stack comes up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.models import utcnow
from portal.extensions import db

WORKER = "worker"
BEAT = "beat"
PARTS = (WORKER, BEAT)


class Heartbeat(db.Model):
    __tablename__ = "worker_heartbeat"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    seen_at: Mapped[datetime]


def beat(session: Session, name: str = WORKER, now: datetime | None = None) -> datetime:
    """Record that ``name`` is alive now (one row, updated in place)."""
    now = now or utcnow()
    row = session.get(Heartbeat, name)
    if row is None:
        session.add(Heartbeat(name=name, seen_at=now))
    else:
        row.seen_at = now
    session.commit()
    return now


@dataclass(frozen=True)
class WorkerStatus:
    state: str  # "ok", "starting" (no recent heartbeat, still in the grace period), "not seen"
    seen_at: datetime | None

    @property
    def healthy(self) -> bool:
        return self.state != "not seen"


def last_seen(session: Session, name: str = WORKER) -> datetime | None:
    return session.scalar(select(Heartbeat.seen_at).where(Heartbeat.name == name))


def classify(seen_at: datetime | None, started_at: datetime, stale_after: timedelta,
             now: datetime | None = None) -> WorkerStatus:
    """``ok`` when the worker was seen within ``stale_after``; ``starting`` while the web process
    itself is younger than that; ``not seen`` otherwise."""
    now = now or utcnow()
    if seen_at is not None and now - seen_at <= stale_after:
        return WorkerStatus("ok", seen_at)
    if now - started_at <= stale_after:
        return WorkerStatus("starting", seen_at)
    return WorkerStatus("not seen", seen_at)


def status(session: Session, name: str, started_at: datetime, stale_after: timedelta,
           now: datetime | None = None) -> WorkerStatus:
    """``classify`` of the part's row; a missing table (database not upgraded) is never seen."""
    try:
        seen_at = last_seen(session, name)
    except Exception:
        session.rollback()
        seen_at = None
    return classify(seen_at, started_at, stale_after, now)


def every(seconds: float, action, stop: threading.Event, log) -> threading.Thread:
    """Run ``action`` now and then every ``seconds`` in a daemon thread until ``stop`` is set;
    a failure (database or broker down) is logged and tried again at the next tick."""

    def loop():
        while not stop.is_set():
            try:
                action()
            except Exception:
                log.warning("heartbeat failed; trying again in %s s", seconds, exc_info=True)
            stop.wait(seconds)

    thread = threading.Thread(target=loop, name="portal-heartbeat", daemon=True)
    thread.start()
    return thread
