"""Recordings families can play beside the survey's texts

Revision ID: 0009_media_files
Revises: 0008_policy_levers
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_media_files"
down_revision = "0008_policy_levers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "media_files",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_media_files"),
    )


def downgrade():
    op.drop_table("media_files")
