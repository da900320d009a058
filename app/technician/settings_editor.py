"""The technician's settings editor: check a settings text before it replaces the file, keep the old one.

The app never rewrites a settings file it loaded with problems; a technician
may, but only with a text that loads cleanly, and the previous file is kept
beside it (``settings.toml.bak-YYYYmmdd-HHMMSS``) so the change can be undone.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.infra.settings import LoadedSettings, SettingsProblem, load_settings
from pmv_protocol.atomic import write_atomically


class SettingsRejected(Exception):
    """The text has problems; nothing was written."""

    def __init__(self, problems: list[SettingsProblem]) -> None:
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class SavedSettings:
    path: Path
    backup: Path | None


def check_settings_text(text: str, settings_file: Path) -> LoadedSettings:
    """Load ``text`` as if it were ``settings_file`` (relative paths resolve against its folder)."""
    folder = Path(settings_file).parent
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".toml", dir=folder, delete=False) as handle:
        handle.write(text)
        probe = Path(handle.name)
    try:
        return load_settings(probe)
    finally:
        probe.unlink(missing_ok=True)


def save_settings_text(text: str, settings_file: Path, *, now: dt.datetime | None = None) -> SavedSettings:
    """Write ``text`` over the settings file if it loads without problems; the old file is kept as a backup."""
    loaded = check_settings_text(text, settings_file)
    if loaded.problems:
        raise SettingsRejected(loaded.problems)
    settings_file = Path(settings_file)
    backup = None
    if settings_file.exists():
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        backup = settings_file.with_name(f"{settings_file.name}.bak-{stamp}")
        shutil.copy2(settings_file, backup)
    write_atomically(settings_file, text.encode("utf-8"))
    return SavedSettings(settings_file, backup)
