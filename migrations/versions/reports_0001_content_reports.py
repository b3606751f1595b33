"""reports: content reports, reported items, posting blocks; hidden debates, comments, proposals

Revision ID: reports_0001
Revises: meetings_0001
Create Date: 2026-12-01 20:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'reports_0001'
down_revision = 'meetings_0001'
branch_labels = None
depends_on = None

HIDDEN_TABLES = ('debate', 'debate_comment', 'proposal')


def upgrade():
    for table in HIDDEN_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()))
            batch_op.add_column(sa.Column('hidden_reason', sa.String(length=1000), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('hidden_at', sa.DateTime(), nullable=True))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('hidden', server_default=None)
            batch_op.alter_column('hidden_reason', server_default=None)

    op.create_table('reported_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('auto_hidden', sa.Boolean(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason_code', sa.String(length=16), nullable=False),
    sa.Column('reason_text', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_reported_item_author_id_user_account')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_reported_item_decided_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reported_item')),
    sa.UniqueConstraint('kind', 'item_id', name=op.f('uq_reported_item_kind'))
    )
    op.create_table('content_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reported_item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('dismissed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reported_item_id'], ['reported_item.id'], name=op.f('fk_content_report_reported_item_id_reported_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_content_report_reporter_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_report')),
    sa.UniqueConstraint('kind', 'item_id', 'reporter_id', name=op.f('uq_content_report_kind'))
    )
    with op.batch_alter_table('content_report', schema=None) as batch_op:
        batch_op.create_index('ix_content_report_item', ['reported_item_id', 'id'], unique=False)
        batch_op.create_index('ix_content_report_reporter', ['reporter_id', 'created_at'], unique=False)

    op.create_table('posting_block',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('blocked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['blocked_by_id'], ['user_account.id'], name=op.f('fk_posting_block_blocked_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_posting_block_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_posting_block'))
    )


def downgrade():
    op.drop_table('posting_block')
    with op.batch_alter_table('content_report', schema=None) as batch_op:
        batch_op.drop_index('ix_content_report_reporter')
        batch_op.drop_index('ix_content_report_item')
    op.drop_table('content_report')
    op.drop_table('reported_item')
    for table in reversed(HIDDEN_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('hidden_at')
            batch_op.drop_column('hidden_reason')
            batch_op.drop_column('hidden')
