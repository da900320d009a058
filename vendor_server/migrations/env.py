"""Alembic environment for the vendor database: always run by vendor_server.schema.migrate with a live connection."""

from alembic import context

from vendor_server.db import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached if someone runs `alembic` by hand
    raise RuntimeError("run the vendor migrations through vendor_server.schema.migrate() (pmv-vendor serve does)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
