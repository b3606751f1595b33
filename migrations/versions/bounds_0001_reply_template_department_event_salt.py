"""reply templates belong to a department; events get a hash version and a secret salt

Existing events keep hash_version 1 and no salt: their stored hashes were computed without
one and stay verifiable as they are. Existing reply templates get no department: only
administrators edit them until one is chosen.

Revision ID: bounds_0001
Revises: 1b17232ef690
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'bounds_0001'
down_revision = 'embedded_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_reply_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_feedback_reply_template_department_id'), ['department_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feedback_reply_template_department_id_department'), 'department', ['department_id'], ['id'])

    with op.batch_alter_table('feedback_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('salt', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('feedback_event', schema=None) as batch_op:
        batch_op.drop_column('salt')
        batch_op.drop_column('hash_version')

    with op.batch_alter_table('feedback_reply_template', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_reply_template_department_id_department'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_reply_template_department_id'))
        batch_op.drop_column('department_id')
