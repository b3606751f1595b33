"""Which database errors are the database's state, not the statement's fault.

``database_unavailable``: the connection was lost or could not be made (a restart, a
fail-over) — pages answer 503 with ``Retry-After`` (portal.core.errors_http).
``storage_full``: the database could not write (disk full) — an upload is refused with its
own message while the rest of what was sent is kept (portal.feedback.attachments).
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# PostgreSQL's SQLSTATEs that mean "the database is not there right now", not "this query is
# wrong": connection exceptions (class 08), shutting down or starting up, too many clients.
UNAVAILABLE_STATES = ("57P01", "57P02", "57P03", "53300")
SQLITE_FULL = 13


def _psycopg(orig) -> bool:
    return type(orig).__module__.split(".", 1)[0] == "psycopg"


def database_unavailable(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if not _psycopg(orig):
        return False
    state = getattr(orig, "sqlstate", None)
    if state is None:  # no answer from a server at all: refused, reset, timed out
        return type(orig).__name__ == "OperationalError"
    return state.startswith("08") or state in UNAVAILABLE_STATES


def storage_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL (disk or max_page_count), PostgreSQL's class 53 but too many
    clients (disk_full 53100, out of memory 53200). SQLite rolls the whole transaction back
    on SQLITE_FULL, so what reaches the caller may be the failed rollback to the savepoint:
    the errors it was raised during are looked at too."""
    seen = 0
    while exc is not None and seen < 5:
        orig = getattr(exc, "orig", exc)
        if _psycopg(orig):
            state = getattr(orig, "sqlstate", None) or ""
            if state.startswith("53") and state != "53300":
                return True
        elif getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
