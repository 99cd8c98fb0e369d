"""Contacts keep no time finer than their delete day; one contact ticket per response

Revision ID: 0005_contact_day
Revises: 0004_constraint_names

`contacts.created_at` and `contacts.delete_after` held the moment a contact was left,
to the microsecond, which matched it to the response submitted just before. Both give
way to `delete_on`, a date. Existing contacts are kept, with the day their retention
ends. `contact_tickets` holds the one contact each completed response may leave.
"""
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005_contact_day"
down_revision = "0004_constraint_names"
branch_labels = None
depends_on = None


def _day(value) -> date | None:
    """A stored timestamp as its day: SQLite hands back text, PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def upgrade():
    op.create_table(
        "contact_tickets",
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_contact_tickets"),
    )
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("delete_on", sa.Date(), nullable=True))
    contacts = sa.table("contacts", sa.column("id", sa.String), sa.column("delete_after", sa.DateTime),
                        sa.column("delete_on", sa.Date))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, delete_after FROM contacts")).all()
    for contact_id, delete_after in rows:
        connection.execute(contacts.update().where(contacts.c.id == contact_id)
                           .values(delete_on=_day(delete_after)))
    # Rebuilding the table (batch mode on SQLite) also leaves no old timestamps in its pages.
    with op.batch_alter_table("contacts", recreate="always") as batch:
        batch.drop_column("created_at")
        batch.drop_column("delete_after")


def downgrade():
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("delete_after", sa.DateTime(), nullable=True))
    contacts = sa.table("contacts", sa.column("id", sa.String), sa.column("delete_on", sa.Date),
                        sa.column("created_at", sa.DateTime), sa.column("delete_after", sa.DateTime))
    connection = op.get_bind()
    # When each contact arrived is gone; its delete day stands in for both old columns.
    for contact_id, delete_on in connection.execute(sa.text("SELECT id, delete_on FROM contacts")).all():
        day = _day(delete_on)
        stamp = datetime(day.year, day.month, day.day) if day else datetime(1970, 1, 1)
        connection.execute(contacts.update().where(contacts.c.id == contact_id)
                           .values(created_at=stamp, delete_after=stamp if day else None))
    with op.batch_alter_table("contacts", recreate="always") as batch:
        batch.alter_column("created_at", existing_type=sa.DateTime(), nullable=False)
        batch.drop_column("delete_on")
    op.drop_table("contact_tickets")
