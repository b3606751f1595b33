"""search documents: every word in the index carries its kind's mark, so a kind's search reads
only that kind's matches (docs/decisions/0004-search-kind-in-the-words.md)

SQLite: search_fts is made again over the view search_fts_content (the public rows, words
marked) with new triggers, and rebuilt from it. PostgreSQL: every row's tsv is recomputed from
its words, marked. search_document's columns do not change.

Revision ID: search_0002
Revises: orgs_0001
Create Date: 2026-12-02 08:30:00

"""
from alembic import context, op
from sqlalchemy import text

from portal.core import search

# revision identifiers, used by Alembic.
revision = 'search_0002'
down_revision = 'orgs_0001'
branch_labels = None
depends_on = None

# The DDL has one definition for each schema: search_0001's statements (that migration keeps
# them as they were written) and portal.core.search's, which create_all() runs too. A later
# change of the module's DDL comes with a migration that drops these objects first, as this one
# drops search_0001's.
BATCH = 2000


def _search_0001():
    return context.script.get_revision('search_0001').module


def _recompute_tsv(marked: bool) -> None:
    """Every document's tsv from its words (as ``search.index`` writes it), in batches."""
    bind = op.get_bind()
    update = text("UPDATE search_document SET tsv = CAST(:tsv AS tsvector) WHERE id = :id")
    select = text("SELECT id, title, body, extra FROM search_document WHERE id > :last "
                  "ORDER BY id LIMIT :n")
    last = -1
    while True:
        rows = bind.execute(select, {"last": last, "n": BATCH}).all()
        if not rows:
            return
        bind.execute(update, [
            {"id": id_, "tsv": search.tsvector_literal(
                id_ % search.KIND_CODES if marked else None,
                title.split(), body.split(), extra.split())}
            for id_, title, body, extra in rows])
        last = rows[-1][0]


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in _search_0001().SQLITE_DROP:
            op.execute(statement)
        for statement in search.SQLITE_DDL:
            op.execute(statement)
        op.execute(search.SQLITE_REBUILD)
    else:
        _recompute_tsv(marked=True)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in search.SQLITE_DROP:
            op.execute(statement)
        for statement in _search_0001().SQLITE_DDL:
            op.execute(statement)
        op.execute("INSERT INTO search_fts(rowid, title, body, extra) "
                   "SELECT id, title, body, extra FROM search_document WHERE public")
    else:
        _recompute_tsv(marked=False)
