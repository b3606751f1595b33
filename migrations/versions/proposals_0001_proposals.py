"""proposals: proposals, supports, amendments, their history and progress record; a hall's support threshold

Revision ID: proposals_0001
Revises: debates_0001
Create Date: 2026-12-01 17:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'proposals_0001'
down_revision = 'debates_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_threshold', sa.Integer(), nullable=False, server_default='10'))
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.alter_column('support_threshold', server_default=None)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=False),
    sa.Column('answer_note', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_proposal_area_id_area')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_author_id_user_account')),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], name=op.f('fk_proposal_category_id_service_category')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_proposal_department_id_department')),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_proposal_hall_id_hall'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_public', ['published', 'id'], unique=False)
        batch_op.create_index('ix_proposal_hall', ['hall_id', 'published', 'id'], unique=False)
        batch_op.create_index('ix_proposal_supports', ['published', 'support_count', 'id'], unique=False)
        batch_op.create_index('ix_proposal_author', ['author_id', 'id'], unique=False)

    op.create_table('proposal_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_support_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_proposal_support_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_support')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_support_proposal_id'))
    )

    op.create_table('proposal_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_proposal_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_event_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_event'))
    )
    with op.batch_alter_table('proposal_event', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_event_proposal', ['proposal_id', 'id'], unique=False)

    op.create_table('proposal_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_proposal_milestone_actor_id_user_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_milestone_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_milestone'))
    )
    with op.batch_alter_table('proposal_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_milestone_proposal', ['proposal_id', 'on', 'id'], unique=False)

    op.create_table('proposal_amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_amendment_author_id_user_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_amendment_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_amendment'))
    )
    with op.batch_alter_table('proposal_amendment', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_amendment_proposal', ['proposal_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_amendment', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_amendment_proposal')
    op.drop_table('proposal_amendment')
    with op.batch_alter_table('proposal_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_milestone_proposal')
    op.drop_table('proposal_milestone')
    with op.batch_alter_table('proposal_event', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_event_proposal')
    op.drop_table('proposal_event')
    op.drop_table('proposal_support')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_author')
        batch_op.drop_index('ix_proposal_supports')
        batch_op.drop_index('ix_proposal_hall')
        batch_op.drop_index('ix_proposal_public')
    op.drop_table('proposal')
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.drop_column('support_threshold')
