"""Policy levers per issue and the advocacy calendar

Revision ID: 0008_policy_levers
Revises: 0007_staff_and_partner_settings
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_policy_levers"
down_revision = "0007_staff_and_partner_settings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policy_levers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue", sa.String(length=80), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("lever", sa.Text(), nullable=False),
        sa.Column("provides", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("verification", sa.String(length=20), nullable=False),
        sa.Column("verification_note", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_policy_levers_updated_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_policy_levers"),
    )
    op.create_index("ix_policy_levers_issue", "policy_levers", ["issue"])
    op.create_table(
        "advocacy_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_advocacy_dates_created_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_advocacy_dates"),
    )
    op.create_index("ix_advocacy_dates_state_code", "advocacy_dates", ["state_code"])


def downgrade():
    op.drop_index("ix_advocacy_dates_state_code", table_name="advocacy_dates")
    op.drop_table("advocacy_dates")
    op.drop_index("ix_policy_levers_issue", table_name="policy_levers")
    op.drop_table("policy_levers")
