"""Recordings families can play beside the survey's texts, and recordings proposed by native speakers

Revision ID: 0011_media_files
Revises: 0010_report_parts
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_media_files"
down_revision = "0010_report_parts"
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
    op.create_table(
        "recording_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media_name", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], name="fk_recording_proposals_survey_id_surveys"),
        sa.ForeignKeyConstraint(["media_name"], ["media_files.name"],
                                name="fk_recording_proposals_media_name_media_files"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name="fk_recording_proposals_recorded_by_id_users"),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["users.id"], name="fk_recording_proposals_accepted_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_recording_proposals"),
    )
    op.create_index("ix_recording_proposals_survey_language", "recording_proposals", ["survey_id", "language"])


def downgrade():
    op.drop_index("ix_recording_proposals_survey_language", table_name="recording_proposals")
    op.drop_table("recording_proposals")
    op.drop_table("media_files")
