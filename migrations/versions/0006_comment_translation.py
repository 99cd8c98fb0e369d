"""Staff's translation of a starred quote

Revision ID: 0006_comment_translation
Revises: 0005_partner_response_target

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_comment_translation'
down_revision = '0005_partner_response_target'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translation', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('comment_notes', schema=None) as batch_op:
        batch_op.drop_column('translation')
