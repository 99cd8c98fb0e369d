"""A partner's target number of responses

Revision ID: 0005_partner_response_target
Revises: 0004_user_language

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_partner_response_target'
down_revision = '0004_user_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_target', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('response_target')
