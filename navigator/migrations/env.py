"""Alembic environment: runs on the connection that navigator.migrations.upgrade passes in."""

from alembic import context
from sqlalchemy import create_engine

from navigator.models import metadata  # every part's tables

config = context.config
connection = config.attributes.get("connection")


def run(connection) -> None:
    # Batch mode lets the same migration alter tables on SQLite, which lacks most ALTER TABLE forms.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # the `alembic` command line with -x url=...
    with create_engine(context.get_x_argument(as_dictionary=True)["url"]).begin() as own_connection:
        run(own_connection)
