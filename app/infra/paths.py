"""Where the app keeps its files.

Everything goes through :class:`AppPaths` so tests, the demo mode and a
portable install can point the whole app somewhere else.  ``PMV_SUPPORT_HOME``
puts config and data under one folder (used by tests and by technicians who
run the app from a USB stick); otherwise the platform's per-user dirs are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app import APP_ID, VENDOR

HOME_ENV = "PMV_SUPPORT_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The app's own folders; created on demand by :meth:`ensure`."""

    config_dir: Path
    data_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser().resolve()
            return cls(config_dir=root / "config", data_dir=root / "data")
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_ID, VENDOR)),
            data_dir=Path(platformdirs.user_data_dir(APP_ID, VENDOR)),
        )

    def with_data_dir(self, data_dir: Path | None) -> AppPaths:
        if data_dir is None:
            return self
        return AppPaths(config_dir=self.config_dir, data_dir=Path(data_dir))

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def database_file(self) -> Path:
        return self.data_dir / "pmv-support.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def crash_dir(self) -> Path:
        return self.data_dir / "crash"

    @property
    def demo_shop_dir(self) -> Path:
        return self.data_dir / "demo-shop"

    def ensure(self) -> AppPaths:
        for folder in (self.config_dir, self.data_dir, self.log_dir, self.crash_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self
