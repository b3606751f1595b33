"""Is the worker alive? Beat schedules the ``heartbeat`` task every minute and the worker runs
it, writing the time into one row per name; ``/healthz`` reads it.

A fresh row proves that beat is scheduling and the worker is running tasks. The web process
gives the worker a grace period from its own start, so ``/healthz`` is 200 while ``make run``
comes up, before the first heartbeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.models import utcnow
from portal.extensions import db

WORKER = "worker"


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
