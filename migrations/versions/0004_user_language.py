"""Each staff or partner user's own page language

Revision ID: 0004_user_language
Revises: 0003_accounts_audit_contacts

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_user_language'
down_revision = '0003_accounts_audit_contacts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
