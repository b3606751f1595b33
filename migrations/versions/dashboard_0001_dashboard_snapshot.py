"""dashboard: the governance dashboard's snapshot

Revision ID: dashboard_0001
Revises: lmanage_0001
Create Date: 2026-12-02 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dashboard_0001'
down_revision = 'lmanage_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_snapshot'))
    )
    with op.batch_alter_table('dashboard_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_dashboard_snapshot_computed', ['computed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('dashboard_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_dashboard_snapshot_computed')

    op.drop_table('dashboard_snapshot')
