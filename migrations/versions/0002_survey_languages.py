"""Languages switched on per survey

Revision ID: 0002_survey_languages
Revises: 0001_initial
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_survey_languages"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys") as batch:
        batch.add_column(sa.Column("languages", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("surveys") as batch:
        batch.drop_column("languages")
