"""Why the app's database cannot be used, importable without SQLAlchemy.

The CLI and the GUI's start-up catch :class:`StorageError` before the storage
stack is loaded (the window paints first; see ``app/ui/startup.py``).
"""

from __future__ import annotations

import enum
from pathlib import Path


class StorageFailure(enum.Enum):
    LOCKED = "locked"  # another program holds the database; try again, nothing was changed
    NEWER_SCHEMA = "newer_schema"  # written by a newer version of the app (e.g. after a rolled-back update)
    MIGRATION_FAILED = "migration_failed"  # the upgrade failed; the pre-upgrade copy was put back
    CANNOT_OPEN = "cannot_open"  # permissions, missing folder, disk


class StorageError(Exception):
    """The app's database cannot be used; ``failure`` says why (the UI words it)."""

    def __init__(self, failure: StorageFailure, path: Path, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {path}: {detail}" if detail else f"{failure.value}: {path}")
        self.failure = failure
        self.path = path
        self.detail = detail
