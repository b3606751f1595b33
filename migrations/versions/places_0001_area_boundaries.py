"""area boundaries with their history; an index for requests near a point

Revision ID: places_0001
Revises: features_0001
Create Date: 2026-12-01 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'places_0001'
down_revision = 'features_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('area_boundary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.DateTime(), nullable=False),
    sa.Column('effective_to', sa.DateTime(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_area_boundary_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_area_boundary_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_boundary'))
    )
    with op.batch_alter_table('area_boundary', schema=None) as batch_op:
        batch_op.create_index('ix_area_boundary_current', ['area_id', 'effective_to'], unique=False)
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.create_index('ix_request_point', ['latitude', 'longitude'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_point')
    with op.batch_alter_table('area_boundary', schema=None) as batch_op:
        batch_op.drop_index('ix_area_boundary_current')
    op.drop_table('area_boundary')
