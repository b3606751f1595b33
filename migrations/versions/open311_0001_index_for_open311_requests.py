"""index for Open311 requests.json: requested date, then the status and service it filters by

Revision ID: open311_0001
Revises: 1b17232ef690
Create Date: 2026-12-01 13:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'open311_0001'
down_revision = 'bounds_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.create_index('ix_request_requested', ['created_at', 'id', 'state_type', 'category_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_requested')
