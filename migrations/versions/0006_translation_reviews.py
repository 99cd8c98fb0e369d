"""Translation reviews by native speakers, and the language a translator reviews

Revision ID: 0006_translation_reviews
Revises: 0005_contact_day


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_translation_reviews'
down_revision = '0005_contact_day'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('translation_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('context', sa.String(length=200), nullable=False),
    sa.Column('english', sa.Text(), nullable=False),
    sa.Column('translation', sa.JSON(), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name='fk_translation_reviews_accepted_by_id_users'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name='fk_translation_reviews_reviewed_by_id_users'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name='fk_translation_reviews_survey_id_surveys'),
    sa.PrimaryKeyConstraint('id', name='pk_translation_reviews')
    )
    with op.batch_alter_table('translation_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_translation_reviews_language_kind', ['language', 'kind'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('translation_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_translation_reviews_language_kind')

    op.drop_table('translation_reviews')
