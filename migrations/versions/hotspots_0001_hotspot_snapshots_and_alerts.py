"""hot spots: snapshots the beat task computes, and the alerts sent to supervisors

Revision ID: hotspots_0001
Revises: deliberation_0001
Create Date: 2026-12-01 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'hotspots_0001'
down_revision = 'deliberation_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_hotspot_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_hotspot_snapshot'))
    )
    with op.batch_alter_table('feedback_hotspot_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_hotspot_snapshot_computed_at'), ['computed_at'], unique=False)
    op.create_table('feedback_hotspot_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_feedback_hotspot_alert_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], name=op.f('fk_feedback_hotspot_alert_category_id_service_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_feedback_hotspot_alert_department_id_department'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['user_account.id'], name=op.f('fk_feedback_hotspot_alert_supervisor_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_hotspot_alert')),
    sa.UniqueConstraint('area_id', 'category_id', 'week', name=op.f('uq_feedback_hotspot_alert_area_id'))
    )


def downgrade():
    op.drop_table('feedback_hotspot_alert')
    with op.batch_alter_table('feedback_hotspot_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_hotspot_snapshot_computed_at'))
    op.drop_table('feedback_hotspot_snapshot')
