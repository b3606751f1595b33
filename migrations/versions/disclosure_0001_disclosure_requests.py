"""disclosure: disclosure requests and their events (the clock, the answer, the timeline)

Revision ID: disclosure_0001
Revises: reports_0001
Create Date: 2026-12-01 20:11:02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'disclosure_0001'
down_revision = 'reports_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=24), nullable=True),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('delivery', sa.String(length=16), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('clock_started_at', sa.DateTime(), nullable=False),
    sa.Column('correction_due_at', sa.DateTime(), nullable=True),
    sa.Column('corrected', sa.Boolean(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_explanation', sa.JSON(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.Column('paused_at', sa.DateTime(), nullable=True),
    sa.Column('paused_days', sa.Integer(), nullable=False),
    sa.Column('answer_type', sa.String(length=24), nullable=True),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_disclosure_request_area_id_area')),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], name=op.f('fk_disclosure_request_category_id_service_category')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_disclosure_request_department_id_department')),
    sa.ForeignKeyConstraint(['requester_id'], ['user_account.id'], name=op.f('fk_disclosure_request_requester_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_request')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_disclosure_request_tracking_code'))
    )
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_clock', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_disclosure_public', ['public', 'id'], unique=False)
        batch_op.create_index('ix_disclosure_requester', ['requester_id', 'id'], unique=False)

    op.create_table('disclosure_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_disclosure_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_request.id'], name=op.f('fk_disclosure_event_request_id_disclosure_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_event'))
    )
    with op.batch_alter_table('disclosure_event', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_event_request', ['request_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('disclosure_event', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_event_request')

    op.drop_table('disclosure_event')
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_requester')
        batch_op.drop_index('ix_disclosure_public')
        batch_op.drop_index('ix_disclosure_clock')

    op.drop_table('disclosure_request')
