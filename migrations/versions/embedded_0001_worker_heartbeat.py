"""worker heartbeat

Revision ID: embedded_0001
Revises: 1b17232ef690
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'embedded_0001'
down_revision = '1b17232ef690'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeat',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeat'))
    )


def downgrade():
    op.drop_table('worker_heartbeat')
