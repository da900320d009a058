"""The last settings text that loaded cleanly, kept by the app so a broken file never switches monitoring off.

A technician's slip in ``settings.toml`` (one unclosed quote) used to make the app run on
defaults: no POS database, so every POS check was skipped and nothing said the shop was no
longer watched.  After each load with no problems the app keeps a copy of the text here, in
its own data dir (never next to, and never instead of, the user's file); when the file
cannot be used, :func:`app.infra.settings.load_settings` runs on this copy and says so.

One copy per settings file (``--config`` may point at several), named by a hash of the
file's path.  The copy holds the text exactly as the user wrote it, so relative paths in
it still resolve against the user's file's folder, as they did when it loaded.  It is
rewritten only when the text changes: its date says since when the shop has run on it.
Standard library only: the window's first paint reads it too (:mod:`app.infra.early_settings`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmv_protocol.atomic import write_atomically
from pmv_protocol.shop_time import SHOP_TZ  # standard library only too: cheap for the first paint

log = logging.getLogger(__name__)

FOLDER_NAME = "settings-last-good"
FORMAT = 1


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _identity(source: Path) -> str:
    """The settings file as one string: absolute, and case-folded where the file system folds case."""
    try:
        path = Path(source).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):
        path = Path(os.path.abspath(source))
    return os.path.normcase(str(path))


@dataclass(frozen=True)
class LastGood:
    text: str
    saved_at: dt.datetime  # aware
    source: str  # the settings file it was read from (its identity)

    @property
    def saved_on(self) -> dt.date:
        """The shop's date of the save, as shown to people (dd/MM/yyyy)."""
        return self.saved_at.astimezone(SHOP_TZ).date()

    def table(self) -> dict[str, Any] | None:
        """The TOML table; None if the copy no longer parses (it always did when it was saved)."""
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError:
            return None


class LastGoodStore:
    """The copies of one data dir; reads and writes never raise: a copy is a safety net, not a duty."""

    def __init__(self, folder: Path, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.folder = Path(folder)
        self.clock = clock

    @classmethod
    def in_data_dir(cls, data_dir: Path, clock: Callable[[], dt.datetime] = _utc_now) -> LastGoodStore:
        return cls(Path(data_dir) / FOLDER_NAME, clock)

    def file_for(self, source: Path) -> Path:
        digest = hashlib.sha256(_identity(source).encode("utf-8")).hexdigest()[:16]
        return self.folder / f"{digest}.json"

    def read(self, source: Path) -> LastGood | None:
        """The copy for ``source``, or None if there is none or it is damaged."""
        file = self.file_for(source)
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
            good = LastGood(record["text"], dt.datetime.fromisoformat(record["saved_at"]), record["source"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("last good settings copy %s is unusable: %s", file, exc)
            return None
        if (record.get("format") != FORMAT or not isinstance(good.text, str) or good.saved_at.tzinfo is None
                or good.source != _identity(source)):
            log.info("last good settings copy %s does not belong to %s; ignored", file, source)
            return None
        return good

    def save(self, source: Path, text: str) -> bool:
        """Keep ``text`` as ``source``'s last good settings; False if it was already kept or cannot be written."""
        current = self.read(source)
        if current is not None and current.text == text:
            return False
        record = {"format": FORMAT, "source": _identity(source), "saved_at": self.clock().isoformat(), "text": text}
        try:
            write_atomically(self.file_for(source), json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError as exc:
            log.warning("could not keep a copy of the settings that loaded cleanly: %s", exc)
            return False
        return True
