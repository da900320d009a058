"""What an up-to-date database file is, known without SQLAlchemy or Alembic.

:class:`app.storage.db.Database` opens an up-to-date file without importing
Alembic, and the overview's first reads (:mod:`app.storage.quick_reads`) read
one before SQLAlchemy has loaded (issue 24): both ask this module.
"""

from __future__ import annotations

from pathlib import Path

# The newest migration; a test checks it against Alembic's own idea of the head.
SCHEMA_HEAD = "0009"


def read_only_uri(path: Path) -> str:
    """A ``file:`` URI that survives '#', '?' and '%' in folder names."""
    return Path(path).resolve().as_uri() + "?mode=ro"
