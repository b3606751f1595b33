"""organizations: organizations, members, services, areas served, offers; department.kind

Revision ID: orgs_0001
Revises: catalog_0001
Create Date: 2026-12-01 23:50:05.984353

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'orgs_0001'
down_revision = 'catalog_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name_i18n', sa.JSON(), nullable=False),
    sa.Column('description_i18n', sa.JSON(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('service_kinds', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_organization_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['party_id'], ['department.id'], name=op.f('fk_organization_party_id_department')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_organization_verified_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('party_id', name=op.f('uq_organization_party_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_organization_slug'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.create_index('ix_organization_state_slug', ['state', 'slug'], unique=False)

    op.create_table('organization_area',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_organization_area_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_area_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'area_id', name=op.f('pk_organization_area'))
    )
    with op.batch_alter_table('organization_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_area_area_id'), ['area_id'], unique=False)

    op.create_table('organization_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_organization_member_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_member_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_organization_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_member')),
    sa.UniqueConstraint('organization_id', 'user_id', name='uq_organization_member')
    )
    with op.batch_alter_table('organization_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_member_user_id'), ['user_id'], unique=False)

    op.create_table('organization_offer',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_offer_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'kind', name=op.f('pk_organization_offer'))
    )
    with op.batch_alter_table('organization_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_offer_kind'), ['kind'], unique=False)

    op.create_table('organization_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('source_locale', sa.String(length=10), nullable=False),
    sa.Column('what_i18n', sa.JSON(), nullable=False),
    sa.Column('for_whom_i18n', sa.JSON(), nullable=False),
    sa.Column('where_i18n', sa.JSON(), nullable=False),
    sa.Column('when_i18n', sa.JSON(), nullable=False),
    sa.Column('how_i18n', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_organization_service_area_id_area')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_service_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_service'))
    )
    with op.batch_alter_table('organization_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_service_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_organization_service_org', ['organization_id', 'id'], unique=False)

    # Every existing accountable party is a government department.
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=24), server_default='government', nullable=False))



def downgrade():
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('organization_service', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_service_org')
        batch_op.drop_index(batch_op.f('ix_organization_service_kind'))

    op.drop_table('organization_service')
    with op.batch_alter_table('organization_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_offer_kind'))

    op.drop_table('organization_offer')
    with op.batch_alter_table('organization_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_member_user_id'))

    op.drop_table('organization_member')
    with op.batch_alter_table('organization_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_area_area_id'))

    op.drop_table('organization_area')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_state_slug')

    op.drop_table('organization')
