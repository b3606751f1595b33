"""A resident's own data: what each module exports and what it erases when an account goes.

Every module that keeps rows pointing at an account registers one ``Part`` per kind of
thing, next to its models (``portal/<module>/privacy.py``, imported by its ``init_app``)::

    privacy.register(privacy.Part(
        "comments", _l("Your comments on debates."),
        covers=(DebateComment.author_id,),
        export=privacy.rows_of(DebateComment.author_id)))

* ``covers``: the foreign keys to ``user_account.id`` this part answers for. Every such
  column in the schema must be covered by some part (``uncovered()``; a test fails
  otherwise), so a new module cannot keep a person's rows without saying what happens to them.
* ``export(session, user)``: the rows for ``<key>.json`` in the download (a list of dicts),
  or None when the part has nothing of the person's own to give (who granted a role…).
* ``files(session, user)``: ``(path under files/, bytes)`` pairs: uploaded files.
* ``erase(session, user)``: what deleting the account does to the rows. Without it the rows
  stay, pointing at the account's tombstone, which holds no personal data any more
  (``portal/accounts/privacy.py``): a public contribution stays, shown as by "Former
  participant"; a vote or a support keeps counting.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import LargeBinary, delete, inspect, select
from sqlalchemy.orm import Session

# Column names never exported, whatever the table: secrets and hashes that prove nothing to
# the person and would let a copy of the zip act for them.
SECRET_COLUMNS = frozenset({"password_hash", "key", "key_hash", "token", "visitor_token",
                            "salt", "hash", "prev_hash", "last_event_hash"})


@dataclass(frozen=True)
class Part:
    key: str  # the JSON file's name, without ".json"
    description: Any = None  # lazy string: the README's line about the file (with export)
    covers: tuple[Any, ...] = ()  # instrumented attributes or table columns
    export: Callable[[Session, Any], list[dict] | None] | None = None
    files: Callable[[Session, Any], Iterable[tuple[str, bytes]]] | None = None
    erase: Callable[[Session, Any], None] | None = None
    position: int = 100
    extra: dict = field(default_factory=dict)


PARTS: dict[str, Part] = {}


def register(part: Part) -> Part:
    PARTS[part.key] = part
    return part


def parts() -> list[Part]:
    return sorted(PARTS.values(), key=lambda p: (p.position, p.key))


def _column(ref):
    """An instrumented attribute (``Model.user_id``) or a table column, as a table column."""
    prop = getattr(ref, "property", None)
    return prop.columns[0] if prop is not None else ref


def covered() -> set[tuple[str, str]]:
    return {(_column(c).table.name, _column(c).name) for p in PARTS.values() for c in p.covers}


def user_foreign_keys(metadata) -> set[tuple[str, str]]:
    """Every (table, column) of the schema that points at ``user_account.id``."""
    found = set()
    for table in metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == "user_account" and fk.column.name == "id":
                found.add((table.name, fk.parent.name))
    return found


def uncovered(metadata) -> set[tuple[str, str]]:
    return user_foreign_keys(metadata) - covered()


# --- helpers the parts share ------------------------------------------------------------------

def plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def as_dict(obj, only: Sequence[str] | None = None, leave: Sequence[str] = ()) -> dict:
    """A row's columns as JSON-ready values: no secrets, no binary data, none of ``leave``."""
    out = {}
    for attr in inspect(type(obj)).column_attrs:
        col = attr.columns[0]
        name = attr.key
        if only is not None and name not in only:
            continue
        if name in leave or col.name in SECRET_COLUMNS or isinstance(col.type, LargeBinary):
            continue
        out[name] = plain(getattr(obj, name))
    return out


def rows_of(attr, leave: Sequence[str] = (), only: Sequence[str] | None = None,
            where: Callable | None = None):
    """An ``export`` giving every row whose ``attr`` is the person, oldest first."""
    model = attr.class_

    def export(session: Session, user) -> list[dict]:
        stmt = select(model).where(attr == user.id)
        if where is not None:
            stmt = stmt.where(where())
        pk = inspect(model).primary_key
        return [as_dict(row, only, leave) for row in session.scalars(stmt.order_by(*pk))]

    return export


def delete_rows(*attrs):
    """An ``erase`` deleting every row whose ``attr`` is the person (private things)."""

    def erase(session: Session, user) -> None:
        for attr in attrs:  # an ORM delete where there is a model: the cache hears of it
            target = getattr(attr, "class_", None) or _column(attr).table
            session.execute(delete(target).where(attr == user.id))

    return erase
