"""community halls: halls, their members and their timeline

Revision ID: deliberation_0001
Revises: places_0001
Create Date: 2026-12-01 16:51:46.676836

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'deliberation_0001'
down_revision = 'places_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hall',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('name_i18n', sa.JSON(), nullable=False),
    sa.Column('purpose_i18n', sa.JSON(), nullable=False),
    sa.Column('rules_i18n', sa.JSON(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('policy', sa.String(length=16), nullable=False),
    sa.Column('tools', sa.JSON(), nullable=False),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_hall_area_id_area')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_hall_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall')),
    sa.UniqueConstraint('slug', name=op.f('uq_hall_slug'))
    )
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.create_index('ix_hall_area', ['area_id', 'id'], unique=False)

    op.create_table('hall_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_hall_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_hall_event_hall_id_hall'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_event'))
    )
    with op.batch_alter_table('hall_event', schema=None) as batch_op:
        batch_op.create_index('ix_hall_event_hall', ['hall_id', 'id'], unique=False)

    op.create_table('hall_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('declared_area', sa.Boolean(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_hall_member_hall_id_hall'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_hall_member_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_hall_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_member')),
    sa.UniqueConstraint('hall_id', 'user_id', name=op.f('uq_hall_member_hall_id'))
    )
    with op.batch_alter_table('hall_member', schema=None) as batch_op:
        batch_op.create_index('ix_hall_member_user', ['user_id', 'hall_id'], unique=False)



def downgrade():
    with op.batch_alter_table('hall_member', schema=None) as batch_op:
        batch_op.drop_index('ix_hall_member_user')

    op.drop_table('hall_member')
    with op.batch_alter_table('hall_event', schema=None) as batch_op:
        batch_op.drop_index('ix_hall_event_hall')

    op.drop_table('hall_event')
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.drop_index('ix_hall_area')

    op.drop_table('hall')
