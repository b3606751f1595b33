"""boundary files waiting for an administrator's confirmation

Revision ID: bounds_0002
Revises: hotspots_0001
Create Date: 2026-12-01 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'bounds_0002'
down_revision = 'hotspots_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('area_boundary_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('code_property', sa.String(length=64), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_area_boundary_upload_created_by_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_boundary_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_area_boundary_upload_token'))
    )
    with op.batch_alter_table('area_boundary_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_boundary_upload_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('area_boundary_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_boundary_upload_created_at'))
    op.drop_table('area_boundary_upload')
