"""Alembic environment: runs migrations on the app's own engine and metadata."""
from alembic import context
from flask import current_app

db = current_app.extensions["migrate"].db


def run_migrations_offline() -> None:
    context.configure(url=db.engine.url.render_as_string(hide_password=False),
                      target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations copy a table and drop the old one; with foreign keys
            # enforced, dropping a table that answers point to would fail.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # so the migration runs in a transaction of its own
        context.configure(connection=connection, target_metadata=db.metadata, render_as_batch=sqlite)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
