"""What the window's first paint needs, read with the standard library only.

The GUI paints its window before the settings model (pydantic) and the
database layer (SQLAlchemy) are loaded: those take most of a second on an old
till PC (``tests/bench/cold_start.py``).  The one thing the first paint needs
from them is the interface language, chosen as :class:`app.ui.application.Application`
chooses it: ``--lang``, then the language the user picked in the menu (kept in
the app database's ``app_state`` table), then ``language`` in the settings
file, then Vietnamese.

Everything here fails soft: a broken settings file or database reads as "not
set" and the full start-up that follows reports it properly.  Where the full
start-up would run on the last settings that loaded cleanly (a file that cannot
be used, or a refused ``language`` or ``data_dir``), so does this.

The overview's first reads (:mod:`app.overview`, issue 24) need more of the
file: :func:`clean_settings` gives it whole, but only while it reads exactly as
it did when it last loaded with no problem, so every value in it is one the
full start-up will load too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.infra.paths import AppPaths
from app.infra.settings_last_good import LastGoodStore
from app.infra.settings_text import parse_settings_text, read_settings_text

LANGUAGES = ("vi", "en")
LANGUAGE_STATE_KEY = "ui.language"  # the key app.ui.application remembers the menu choice under


def _settings_tables(config: Path | None, paths: AppPaths, demo: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The file's table and its last good copy's ({} for what is missing), read as app.infra.settings reads them."""
    if demo:
        config = paths.demo_shop_dir / "settings.toml"
    source = Path(config or paths.settings_file)
    good = LastGoodStore.in_data_dir(paths.data_dir).read(source)
    copy = (good.table() if good is not None else None) or {}
    text, _error = read_settings_text(source)
    table = parse_settings_text(text)[0] if text is not None else None
    if table is None or (copy and text is not None and not text.strip()):
        # Missing, unusable, or emptied where there used to be settings: the full start-up runs on the copy.
        return copy, {}
    return table, copy


def _valid_or_kept(table: dict[str, Any], copy: dict[str, Any], key: str, valid: Callable[[Any], bool]) -> Any:
    """``table[key]`` if it is valid; a refused value gives way to the copy's, as in app.infra.settings."""
    if key not in table:
        return None
    value = table[key]
    if valid(value):
        return value
    kept = copy.get(key)
    return kept if valid(kept) else None


def _data_dir(wanted: Any, config: Path | None, paths: AppPaths, demo: bool) -> Path:
    if demo or not isinstance(wanted, str) or not wanted.strip():
        return paths.data_dir
    try:
        path = Path(wanted).expanduser()
        if not path.is_absolute():  # as app.infra.settings resolves it: next to the settings file
            path = (config or paths.settings_file).parent / path
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # "~nosuchuser/…" and the like: app.infra.settings reports it
        return paths.data_dir


def _remembered_language(database: Path) -> str | None:
    try:
        if not database.is_file():
            return None
        # Read-only, and never waiting on a writer: a busy database just means "not known yet".
        connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        row = connection.execute("SELECT value FROM app_state WHERE key = ?", (LANGUAGE_STATE_KEY,)).fetchone()
        return json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        connection.close()


def first_paint_language(config: Path | None, *, demo: bool, requested: str | None,
                         paths: AppPaths | None = None) -> str:
    """The interface language for the first paint ("vi" or "en")."""
    if requested in LANGUAGES:
        return requested
    paths = paths or AppPaths.default()
    if demo:
        paths = paths.with_data_dir(paths.data_dir / "demo")  # as app.bootstrap.resolve_paths does
    table, copy = _settings_tables(config, paths, demo)
    data_dir = _valid_or_kept(table, copy, "data_dir", lambda value: isinstance(value, str) and bool(value.strip()))
    remembered = _remembered_language(_data_dir(data_dir, config, paths, demo) / paths.database_file.name)
    if remembered in LANGUAGES:
        return str(remembered)
    configured = _valid_or_kept(table, copy, "language", lambda value: value in LANGUAGES)
    return configured if configured in LANGUAGES else "vi"


@dataclass(frozen=True)
class CleanSettings:
    """The settings file's table as it last loaded cleanly, and the folders it chooses."""

    source: Path  # the settings file (relative paths in it are relative to its folder)
    table: dict[str, Any]
    paths: AppPaths  # with the file's data_dir, as the full start-up resolves it

    def section(self, name: str) -> dict[str, Any]:
        value = self.table.get(name, {})
        return value if isinstance(value, dict) else {}


def clean_settings(config: Path | None, *, demo: bool, paths: AppPaths | None = None) -> CleanSettings | None:
    """The settings when the file is clean: its text is the copy kept after its last load with no problem.

    None otherwise (no file yet, edited since, refused, or the demo, whose shop the full start-up makes):
    then only the full start-up knows what the values will be.
    """
    if demo:
        return None
    paths = paths or AppPaths.default()
    source = Path(config or paths.settings_file)
    text, _error = read_settings_text(source)
    good = LastGoodStore.in_data_dir(paths.data_dir).read(source)
    if text is None or good is None or good.text != text:
        return None
    table = parse_settings_text(text)[0]
    if table is None:
        return None
    data_dir = _data_dir(table.get("data_dir"), config, paths, demo)
    return CleanSettings(source, table, paths.with_data_dir(data_dir))
