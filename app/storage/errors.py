"""Why the app's database cannot be used, and what start-up found, importable without SQLAlchemy.

The CLI and the GUI's start-up catch :class:`StorageError` before the storage
stack is loaded (the window paints first; see ``app/ui/startup.py``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class StorageFailure(enum.Enum):
    LOCKED = "locked"  # another program holds the database; try again, nothing was changed
    NEWER_SCHEMA = "newer_schema"  # written by a newer version of the app (e.g. after a rolled-back update)
    MIGRATION_FAILED = "migration_failed"  # the upgrade failed; the pre-upgrade copy was put back
    CANNOT_OPEN = "cannot_open"  # permissions, missing folder, disk
    DISK_FULL = "disk_full"  # a write found no room: nothing of it was kept, the data before it is intact
    READ_ONLY = "read_only"  # the file or its folder cannot be written (a read-only disk, permissions)
    DISK_ERROR = "disk_error"  # the disk failed a read or a write (a failing drive, a USB disk pulled out)
    DAMAGED = "damaged"  # found damaged while running: the next start keeps it aside and opens a fresh one


class NoticeKind(enum.Enum):
    RECOVERED_FROM_CORRUPT = "recovered_from_corrupt"
    MIGRATED = "migrated"


@dataclass(frozen=True)
class StorageNotice:
    """Something the user should hear about from start-up (data only).

    ``new``: this process found it.  A recovery found by the command line or the tray's job process is kept
    in the database until a window has shown it (app.bootstrap), and comes back to that window with
    ``new`` False: the data the window reads is the fresh database's already.
    """

    kind: NoticeKind
    path: Path  # the corrupt file kept aside, or the pre-migration backup
    detail: str = ""
    new: bool = True


class StorageError(Exception):
    """The app's database cannot be used; ``failure`` says why (the UI words it)."""

    def __init__(self, failure: StorageFailure, path: Path, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {path}: {detail}" if detail else f"{failure.value}: {path}")
        self.failure = failure
        self.path = path
        self.detail = detail


# SQLite's primary result codes (https://www.sqlite.org/rescode.html); an extended code carries its primary
# code in the low 8 bits.  Only these say something the shop can act on; any other is a bug, not a state.
_SQLITE_FAILURES = {
    5: StorageFailure.LOCKED,  # SQLITE_BUSY: another connection holds the write lock past the busy timeout
    6: StorageFailure.LOCKED,  # SQLITE_LOCKED
    8: StorageFailure.READ_ONLY,  # SQLITE_READONLY
    10: StorageFailure.DISK_ERROR,  # SQLITE_IOERR
    11: StorageFailure.DAMAGED,  # SQLITE_CORRUPT
    13: StorageFailure.DISK_FULL,  # SQLITE_FULL
    14: StorageFailure.CANNOT_OPEN,  # SQLITE_CANTOPEN
    26: StorageFailure.DAMAGED,  # SQLITE_NOTADB
}


def sqlite_failure(error: BaseException) -> StorageFailure | None:
    """What an sqlite3 error (or SQLAlchemy's wrapper of one) means for the shop; None when it means a bug."""
    error = getattr(error, "orig", None) or error  # sqlalchemy.exc.DBAPIError keeps the driver's error in .orig
    code = getattr(error, "sqlite_errorcode", None)
    return _SQLITE_FAILURES.get(code & 0xFF) if isinstance(code, int) else None
