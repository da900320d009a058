"""Write a file so that a crash or a full disk never leaves half of it where the old one was."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_target(target: Path, *, suffix: str = "") -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success it replaces ``target``, on failure it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(target: Path, data: bytes, *, mode: int | None = None) -> Path:
    """Bytes to ``target`` via a synced temp file and a rename; ``mode``: the file's permissions
    (``0o644`` for a file published as is), else mkstemp's owner-only."""
    with atomic_target(target) as tmp:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    return Path(target)
