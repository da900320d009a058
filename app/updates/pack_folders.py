"""The pack store's folders as it lays them out, read with the standard library.

``<root>/packs/<id>/<version>/pack.json`` holds each installed version,
``<root>/packs/<id>/current`` and ``previous`` point at two of them, and
``<root>/staging`` holds an install under way.  :class:`app.updates.install.PackStore`
writes and validates them; the listing here is the store's own, with the
reader passed in: the store's validates each pack (pydantic), and the overview's
first read at start-up (issue 24) reads the few members it shows from the file
the store wrote after validating it, before pydantic has loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pmv_protocol.pack_names import PACK_ID_PATTERN, VERSION_PATTERN
from pmv_protocol.signed_json import StrictJsonError, parse_object

PACK_FILE = "pack.json"


@dataclass(frozen=True)
class InstalledPack:
    id: str
    version: str
    title_vi: str
    effective_date: dt.date
    path: Path
    previous_version: str | None


class PackHeader(Protocol):
    """What the listing needs of a pack: a regulation pack, a calendar pack or :class:`StoredHeader`."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def title_vi(self) -> str: ...
    @property
    def effective_date(self) -> dt.date: ...


# Reads ``packs/<id>/<version>``: the pack if it is complete, valid and really that id and version, else None.
LoadVersion = Callable[[str, str], PackHeader | None]


@dataclass(frozen=True)
class Pointer:
    version: str
    previous: str | None

    def text(self) -> str:
        return f"{self.version}\n" + (f"previous {self.previous}\n" if self.previous else "")


def read_pointer(path: Path, *, records_previous: bool = True) -> Pointer | None:
    """The pointer in ``path`` if it is exactly as :meth:`Pointer.text` writes it, else None.

    ``records_previous``: ``current`` may name the version it replaced; ``previous`` is one line.
    Missing, garbled or written any other way (a line twice, spaces, CRLF): treated as no pointer.
    """
    try:
        text = path.read_bytes().decode("utf-8")  # not read_text: it would turn a CRLF into LF unseen
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    version, records = lines[0], lines[1:-1]
    if not re.fullmatch(VERSION_PATTERN, version) or len(records) > (1 if records_previous else 0):
        return None
    previous = records[0].removeprefix("previous ") if records else None
    if previous is not None and not re.fullmatch(VERSION_PATTERN, previous):
        return None
    pointer = Pointer(version, previous)
    return pointer if pointer.text() == text else None


def pack_ids(packs_dir: Path) -> list[str]:
    if not packs_dir.is_dir():
        return []
    return sorted(p.name for p in packs_dir.iterdir() if p.is_dir() and re.fullmatch(PACK_ID_PATTERN, p.name))


def list_installed(packs_dir: Path, load: LoadVersion) -> list[InstalledPack]:
    """Each pack's current version (with the previous one, if it is still there to roll back to), by id."""
    out = []
    for pack_id in pack_ids(packs_dir):
        pointer = read_pointer(packs_dir / pack_id / "current")
        pack = load(pack_id, pointer.version) if pointer else None
        if pack is None:
            continue
        previous = read_pointer(packs_dir / pack_id / "previous", records_previous=False)
        kept = previous.version if previous and load(pack_id, previous.version) else None
        out.append(InstalledPack(pack.id, pack.version, pack.title_vi, pack.effective_date,
                                 packs_dir / pack.id / pack.version, kept))
    return out


def interrupted(root: Path) -> bool:
    """Whether an install or rollback stopped half-way (the store's ``recover`` finishes or undoes it first):
    something in staging, or a temporary pointer or trash entry (a dot name) in a pack's folder."""
    staging = root / "staging"
    if staging.is_dir() and any(staging.iterdir()):
        return True
    packs_dir = root / "packs"
    return any(entry.name.startswith(".")
               for pack_id in pack_ids(packs_dir) for entry in (packs_dir / pack_id).iterdir())


@dataclass(frozen=True)
class StoredHeader:
    """A pack's listing members as the store wrote them, after validating the whole pack at install."""

    id: str
    version: str
    title_vi: str
    effective_date: dt.date


def read_stored_header(packs_dir: Path, pack_id: str, version: str) -> StoredHeader | None:
    """:data:`LoadVersion` for a store read before pydantic loads: the stored file's members, unvalidated beyond
    their types (the store validated the whole pack before it wrote the file)."""
    try:
        data = parse_object((packs_dir / pack_id / version / PACK_FILE).read_bytes())
        header = StoredHeader(data["id"], data["version"], data["title_vi"],
                              dt.date.fromisoformat(data["effective_date"]))
    except (OSError, StrictJsonError, KeyError, TypeError, ValueError):
        return None
    if not all(isinstance(value, str) and value for value in (header.id, header.version, header.title_vi)):
        return None
    return header if (header.id, header.version) == (pack_id, version) else None
