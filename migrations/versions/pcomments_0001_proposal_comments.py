"""proposal comments: threaded comments on proposals, a proposal's comment counter and its index

Revision ID: pcomments_0001
Revises: disclosure_0001
Create Date: 2026-12-01 20:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'pcomments_0001'
down_revision = 'disclosure_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_count', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.alter_column('comment_count', server_default=None)
        batch_op.create_index('ix_proposal_comments', ['published', 'comment_count', 'id'], unique=False)

    op.create_table('proposal_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=4000), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['parent_id'], ['proposal_comment.id'], name=op.f('fk_proposal_comment_parent_id_proposal_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_comment_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comment'))
    )
    with op.batch_alter_table('proposal_comment', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_comment_author', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_proposal_comment_thread', ['proposal_id', 'parent_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_comment_thread')
        batch_op.drop_index('ix_proposal_comment_author')

    op.drop_table('proposal_comment')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_comments')
        batch_op.drop_column('comment_count')
