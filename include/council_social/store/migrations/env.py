"""Alembic environment: runs on the connection `council_social.store.migrate` hands in."""

from alembic import context
from sqlalchemy import text

from council_social.store.schema import SCHEMA, all_tables, metadata

all_tables()
connection = context.config.attributes["connection"]
connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table_schema=SCHEMA,
    include_schemas=True,
)
with context.begin_transaction():
    context.run_migrations()
