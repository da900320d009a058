"""What the window's first paint needs, read with the standard library only.

The GUI paints its window before the settings model (pydantic) and the
database layer (SQLAlchemy) are loaded: those take most of a second on an old
till PC (``tests/bench/cold_start.py``).  The one thing the first paint needs
from them is the interface language, chosen as :class:`app.ui.application.Application`
chooses it: ``--lang``, then the language the user picked in the menu (kept in
the app database's ``app_state`` table), then ``language`` in the settings
file, then Vietnamese.

Everything here fails soft: a broken settings file or database reads as "not
set" and the full start-up that follows reports it properly.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path
from typing import Any

from app.paths import AppPaths

LANGUAGES = ("vi", "en")
LANGUAGE_STATE_KEY = "ui.language"  # the key app.ui.application remembers the menu choice under


def _settings_table(config: Path | None, paths: AppPaths, demo: bool) -> dict[str, Any]:
    if demo:
        config = paths.demo_shop_dir / "settings.toml"
    try:
        # utf-8-sig: Notepad's byte-order mark, which app.settings accepts too.
        return tomllib.loads(Path(config or paths.settings_file).read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError):
        return {}


def _data_dir(table: dict[str, Any], config: Path | None, paths: AppPaths, demo: bool) -> Path:
    wanted = table.get("data_dir")
    if demo or not isinstance(wanted, str) or not wanted.strip():
        return paths.data_dir
    try:
        path = Path(wanted).expanduser()
        if not path.is_absolute():  # as app.settings resolves it: next to the settings file
            path = (config or paths.settings_file).parent / path
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # "~nosuchuser/…" and the like: app.settings reports it
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
        paths = paths.with_data_dir(paths.data_dir / "demo")  # as app.runtime.resolve_paths does
    table = _settings_table(config, paths, demo)
    remembered = _remembered_language(_data_dir(table, config, paths, demo) / paths.database_file.name)
    if remembered in LANGUAGES:
        return str(remembered)
    configured = table.get("language")
    return configured if configured in LANGUAGES else "vi"
