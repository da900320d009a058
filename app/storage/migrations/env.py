"""Alembic environment: always run by app.storage.db with a live connection."""

from alembic import context

from app.storage.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached if someone runs `alembic` by hand
    raise RuntimeError("run migrations through app.storage.db.Database.migrate()")

# render_as_batch: SQLite cannot ALTER most things, so batch mode copies tables.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
