"""A staff or partner user's own page language, a partner's target number of responses,
and staff's translation of a starred quote

Revision ID: 0007_staff_and_partner_settings
Revises: 0006_translation_reviews
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_staff_and_partner_settings"
down_revision = "0006_translation_reviews"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("page_language", sa.String(length=16), nullable=True))
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("response_target", sa.Integer(), nullable=True))
    with op.batch_alter_table("comment_notes") as batch:
        batch.add_column(sa.Column("translation", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("comment_notes") as batch:
        batch.drop_column("translation")
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("response_target")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("page_language")
