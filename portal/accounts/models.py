"""Tables of the accounts module besides the account itself (portal.core.models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import utcnow
from portal.extensions import db


class DataExport(db.Model):
    """A resident's "download my data": asked for on the account page, built by a Celery
    task into ``data`` (a zip), downloadable by its owner until ``expires_at``, then deleted
    (``privacy.prune_exports``)."""

    __tablename__ = "data_export"
    __cache_topic__ = None  # no cached page shows it
    __table_args__ = (Index("ix_data_export_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, ready, failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
