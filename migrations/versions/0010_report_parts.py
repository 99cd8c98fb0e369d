"""Report parts: a survey's responses as reports read them, stored once for every server

Revision ID: 0010_report_parts
Revises: 0009_policy_texts
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_report_parts"
down_revision = "0009_policy_texts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("definition_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_from", sa.DateTime(), nullable=False),
        sa.Column("submitted_before", sa.DateTime(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], name="fk_report_parts_survey_id_surveys"),
        sa.PrimaryKeyConstraint("id", name="pk_report_parts"),
        sa.UniqueConstraint("survey_id", "definition_hash", "submitted_from",
                            name="uq_report_parts_survey_id_definition_hash_submitted_from"),
    )
    op.create_index("ix_report_parts_survey_id", "report_parts", ["survey_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Parts are read far more often than written, and mostly do not shrink: PostgreSQL's own
        # compression would cost every read more than the bytes it saves.
        op.execute("ALTER TABLE report_parts ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade():
    op.drop_index("ix_report_parts_survey_id", table_name="report_parts")
    op.drop_table("report_parts")
