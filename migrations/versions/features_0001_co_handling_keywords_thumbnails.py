"""co-handling departments in the staff queue, category keywords per language, thumbnails

Revision ID: features_0001
Revises: 1b17232ef690
Create Date: 2026-12-01 13:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'features_0001'
down_revision = 'search_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_item_co_department',
    sa.Column('queue_item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_queue_item_co_department_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_item_id'], ['queue_item.id'], name=op.f('fk_queue_item_co_department_queue_item_id_queue_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('queue_item_id', 'department_id', name=op.f('pk_queue_item_co_department'))
    )
    with op.batch_alter_table('queue_item_co_department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_item_co_department_department_id'), ['department_id'], unique=False)

    # Keywords become per language: what there was is kept as the source language's.
    with op.batch_alter_table('service_category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keywords_i18n', sa.JSON(), nullable=True))
    category = sa.table('service_category', sa.column('id', sa.Integer()),
                        sa.column('keywords', sa.Text()), sa.column('source_locale', sa.String()),
                        sa.column('keywords_i18n', sa.JSON()))
    connection = op.get_bind()
    for row in connection.execute(sa.select(category.c.id, category.c.keywords,
                                            category.c.source_locale)).all():
        words = " ".join((row.keywords or "").split())
        connection.execute(category.update().where(category.c.id == row.id).values(
            keywords_i18n={row.source_locale or "en": words} if words else {}))
    with op.batch_alter_table('service_category', schema=None) as batch_op:
        batch_op.alter_column('keywords_i18n', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('keywords')

    with op.batch_alter_table('feedback_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thumbnail', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('feedback_attachment', schema=None) as batch_op:
        batch_op.drop_column('thumbnail')

    with op.batch_alter_table('service_category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keywords', sa.Text(), nullable=False, server_default=''))
    category = sa.table('service_category', sa.column('id', sa.Integer()),
                        sa.column('keywords', sa.Text()), sa.column('keywords_i18n', sa.JSON()))
    connection = op.get_bind()
    for row in connection.execute(sa.select(category.c.id, category.c.keywords_i18n)).all():
        words = " ".join(" ".join((row.keywords_i18n or {}).values()).split())
        connection.execute(category.update().where(category.c.id == row.id).values(keywords=words))
    with op.batch_alter_table('service_category', schema=None) as batch_op:
        batch_op.drop_column('keywords_i18n')
        batch_op.alter_column('keywords', existing_type=sa.Text(), server_default=None)

    with op.batch_alter_table('queue_item_co_department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_item_co_department_department_id'))

    op.drop_table('queue_item_co_department')
