"""search documents: one table for every module's searchable records, FTS5 on SQLite, GIN on PostgreSQL

Revision ID: search_0001
Revises: 1b17232ef690
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'search_0001'
down_revision = 'safety_0001'
branch_labels = None
depends_on = None

# The same statements portal.core.search runs after create_all (kept here as written then,
# so this migration does not change when the module does).
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, extra, "
    "content='search_document', content_rowid='id', tokenize='ascii', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS search_document_ai AFTER INSERT ON search_document "
    "WHEN new.public BEGIN "
    "INSERT INTO search_fts(rowid, title, body, extra) VALUES (new.id, new.title, new.body, new.extra); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS search_document_ad AFTER DELETE ON search_document "
    "WHEN old.public BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, extra) "
    "VALUES ('delete', old.id, old.title, old.body, old.extra); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, extra) "
    "SELECT 'delete', old.id, old.title, old.body, old.extra WHERE old.public; "
    "INSERT INTO search_fts(rowid, title, body, extra) "
    "SELECT new.id, new.title, new.body, new.extra WHERE new.public; "
    "END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]


def upgrade():
    op.create_table('search_document',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False,
              nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ref_id', sa.BigInteger(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_tsv', ['tsv'], unique=False, postgresql_using='gin',
                              postgresql_with={'fastupdate': 'off'})
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DDL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DROP:
            op.execute(statement)
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index('ix_search_document_tsv', postgresql_using='gin')

    op.drop_table('search_document')
