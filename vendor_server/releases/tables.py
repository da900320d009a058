"""The releases tables, created by the Alembic migrations (vendor_server/migrations)."""

from __future__ import annotations

from vendor_server.orm import Base  # noqa: F401
