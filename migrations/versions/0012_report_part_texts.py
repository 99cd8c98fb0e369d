"""Report parts keep their text (response ids, free text) apart from their numbers

Reports read only the numbers; the comments pages read the text. Parts stored before hold both
in one form that is no longer read: they are deleted, and the next report (or `flask
report-parts`) stores them again.

Revision ID: 0012_report_part_texts
Revises: 0011_media_files
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_report_part_texts"
down_revision = "0011_media_files"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM report_parts")
    with op.batch_alter_table("report_parts") as batch_op:
        batch_op.add_column(sa.Column("texts", sa.LargeBinary(), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE report_parts ALTER COLUMN texts SET STORAGE EXTERNAL")


def downgrade():
    op.execute("DELETE FROM report_parts")
    with op.batch_alter_table("report_parts") as batch_op:
        batch_op.drop_column("texts")
