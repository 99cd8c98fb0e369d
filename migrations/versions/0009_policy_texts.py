"""Plain-language lines per issue, and policy texts in every survey language

Revision ID: 0009_policy_texts
Revises: 0008_policy_levers
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_policy_texts"
down_revision = "0008_policy_levers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policy_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("english", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_policy_texts_updated_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_policy_texts"),
        sa.UniqueConstraint("subject", "language", name="uq_policy_texts_subject_language"),
    )


def downgrade():
    op.drop_table("policy_texts")
