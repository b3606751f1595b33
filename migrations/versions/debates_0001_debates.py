"""debates: open questions in a hall, threaded comments with a stance, endorsements

Revision ID: debates_0001
Revises: bounds_0002
Create Date: 2026-12-01 17:16:12.276204

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'debates_0001'
down_revision = 'bounds_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('debate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('conclusion', sa.String(length=5000), nullable=False),
    sa.Column('conclusion_locale', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('for_count', sa.Integer(), nullable=False),
    sa.Column('against_count', sa.Integer(), nullable=False),
    sa.Column('neutral_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_debate_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_debate_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_debate_hall_id_hall'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debate'))
    )
    with op.batch_alter_table('debate', schema=None) as batch_op:
        batch_op.create_index('ix_debate_hall', ['hall_id', 'id'], unique=False)

    op.create_table('debate_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debate_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('body', sa.String(length=4000), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('endorsement_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_debate_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['debate_id'], ['debate.id'], name=op.f('fk_debate_comment_debate_id_debate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['debate_comment.id'], name=op.f('fk_debate_comment_parent_id_debate_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debate_comment'))
    )
    with op.batch_alter_table('debate_comment', schema=None) as batch_op:
        batch_op.create_index('ix_debate_comment_author', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_debate_comment_debate', ['debate_id', 'id'], unique=False)

    op.create_table('debate_endorsement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['debate_comment.id'], name=op.f('fk_debate_endorsement_comment_id_debate_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_debate_endorsement_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debate_endorsement')),
    sa.UniqueConstraint('comment_id', 'user_id', name=op.f('uq_debate_endorsement_comment_id'))
    )
    with op.batch_alter_table('debate_endorsement', schema=None) as batch_op:
        batch_op.create_index('ix_debate_endorsement_user', ['user_id', 'comment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('debate_endorsement', schema=None) as batch_op:
        batch_op.drop_index('ix_debate_endorsement_user')

    op.drop_table('debate_endorsement')
    with op.batch_alter_table('debate_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_debate_comment_debate')
        batch_op.drop_index('ix_debate_comment_author')

    op.drop_table('debate_comment')
    with op.batch_alter_table('debate', schema=None) as batch_op:
        batch_op.drop_index('ix_debate_hall')

    op.drop_table('debate')
