"""Keyset pagination: ``WHERE id < :cursor ORDER BY id DESC LIMIT n`` on an indexed column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


@dataclass
class Page:
    items: list[Any]
    newer: int | None  # cursor for the page before (higher ids), or None on the first page
    older: int | None  # cursor for the page after (lower ids), or None on the last page


def keyset(
    session: Session,
    stmt: Select,
    column,
    before: int | None = None,
    after: int | None = None,
    per_page: int = 20,
) -> Page:
    """Newest first. ``before`` pages towards older rows, ``after`` towards newer ones."""
    if after is not None:
        rows = list(
            session.scalars(stmt.where(column > after).order_by(column.asc()).limit(per_page + 1))
        )
        has_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        newer = rows[0].id if rows and has_newer else None
        older = rows[-1].id if rows else None
        return Page(rows, newer, older)
    query = stmt
    if before is not None:
        query = query.where(column < before)
    rows = list(session.scalars(query.order_by(column.desc()).limit(per_page + 1)))
    has_older = len(rows) > per_page
    rows = rows[:per_page]
    older = rows[-1].id if rows and has_older else None
    newer = rows[0].id if rows and before is not None else None
    return Page(rows, newer, older)
