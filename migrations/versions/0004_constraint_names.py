"""Name every primary key, unique and foreign key constraint by the models' naming convention

Revision ID: 0004_constraint_names
Revises: 0003_accounts_audit_contacts

SQLite kept most constraints without a name and PostgreSQL named them its own way
(`users_email_key`), so a later migration could not drop or change one by name.
PostgreSQL renames them in place; SQLite copies each table (batch mode), naming the
constraints as it goes.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_constraint_names"
down_revision = "0003_accounts_audit_contacts"
branch_labels = None
depends_on = None

# As in survey_app/extensions.py when this revision was written; a revision keeps its own copy.
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}
TABLES = ("partners", "surveys", "survey_versions", "users", "drafts", "responses", "answers",
          "contacts", "audit_events", "comment_notes")


def _conventional_names(inspector: sa.Inspector, table: str) -> dict[str, str]:
    """Each constraint's present name -> its name by the convention."""
    renames = {}
    primary = inspector.get_pk_constraint(table)
    if primary.get("name"):
        renames[primary["name"]] = NAMING_CONVENTION["pk"] % {"table_name": table}
    for unique in inspector.get_unique_constraints(table):
        renames[unique["name"]] = NAMING_CONVENTION["uq"] % {
            "table_name": table, "column_0_N_name": "_".join(unique["column_names"])}
    for foreign in inspector.get_foreign_keys(table):
        renames[foreign["name"]] = NAMING_CONVENTION["fk"] % {
            "table_name": table, "column_0_name": foreign["constrained_columns"][0],
            "referred_table_name": foreign["referred_table"]}
    return {old: new for old, new in renames.items() if old != new}


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for table in TABLES:
            # The copy is made from the reflected table; constraints without a name get one.
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION):
                pass
        return
    inspector = sa.inspect(connection)
    for table in TABLES:
        for old, new in _conventional_names(inspector, table).items():
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"')


def downgrade():
    # The names do not change what the tables hold or allow, and the earlier revisions
    # drop constraints only by names that are the same under both schemes.
    pass
