"""catalog: publications of the disclosure catalog, their versions and files

Revision ID: catalog_0001
Revises: dashboard_0001
Create Date: 2026-12-01 23:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'catalog_0001'
down_revision = 'dashboard_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('document_number', sa.String(length=80), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('version_count', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('title_i18n', sa.JSON(), nullable=False),
    sa.Column('summary_i18n', sa.JSON(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('first_published_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_note', sa.Text(), nullable=False),
    sa.Column('from_request_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_publication_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_publication_department_id_department')),
    sa.ForeignKeyConstraint(['from_request_id'], ['disclosure_request.id'], name=op.f('fk_publication_from_request_id_disclosure_request'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('department_id', 'document_number', name='uq_publication_number')
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index('ix_publication_department', ['department_id', 'id'], unique=False)
        batch_op.create_index('ix_publication_public', ['state', 'id'], unique=False)

    op.create_table('publication_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_number', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('title_i18n', sa.JSON(), nullable=False),
    sa.Column('summary_i18n', sa.JSON(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('document_number', sa.String(length=80), nullable=True),
    sa.Column('made_on', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_publication_version_author_id_user_account')),
    sa.ForeignKeyConstraint(['publication_id'], ['publication.id'], name=op.f('fk_publication_version_publication_id_publication'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_publication_version_reviewer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_version')),
    sa.UniqueConstraint('publication_id', 'number', name='uq_publication_version_number')
    )

    op.create_table('publication_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['publication_version.id'], name=op.f('fk_publication_file_version_id_publication_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_file'))
    )
    with op.batch_alter_table('publication_file', schema=None) as batch_op:
        batch_op.create_index('ix_publication_file_version', ['version_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('publication_file', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_file_version')
    op.drop_table('publication_file')
    op.drop_table('publication_version')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_public')
        batch_op.drop_index('ix_publication_department')
    op.drop_table('publication')
