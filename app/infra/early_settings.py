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
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
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
