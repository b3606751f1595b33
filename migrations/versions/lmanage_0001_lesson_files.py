"""literacy authoring: the files authors upload for lesson steps

Revision ID: lmanage_0001
Revises: literacy_0001
Create Date: 2026-12-01 23:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'lmanage_0001'
down_revision = 'literacy_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lesson_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_lesson_file_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_file')),
    sa.UniqueConstraint('key', name=op.f('uq_lesson_file_key'))
    )


def downgrade():
    op.drop_table('lesson_file')
