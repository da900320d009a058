"""Typed settings, read from a TOML file.

A shop's settings file is edited by hand by technicians, so a mistake in it
must never stop the app: :func:`load_settings` keeps every valid key, falls
back to the default for each invalid one, and reports each problem (key, bad
value, reason) so the UI can show it.  It never writes to the user's file.
"""

from __future__ import annotations

import enum
import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Language = Literal["vi", "en"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ShopSettings(_Section):
    """Who this till belongs to, as printed on requests and certificates."""

    name: str = "Cửa hàng vàng"
    shop_id: str = ""
    address: str = ""
    phone: str = ""


class PosSettings(_Section):
    """Where the shop's gold-trading system (PMV POS) keeps its files."""

    database: Path | None = None
    backups_dir: Path | None = None
    logs_dir: Path | None = None
    install_dir: Path | None = None


class VendorSettings(_Section):
    """How to reach the vendor's support server."""

    base_url: str = "https://support.phanmemvang.vn"
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class Settings(_Section):
    """All settings; every field has a default so an empty file is valid."""

    language: Language = "vi"
    data_dir: Path | None = None
    shop: ShopSettings = Field(default_factory=ShopSettings)
    pos: PosSettings = Field(default_factory=PosSettings)
    vendor: VendorSettings = Field(default_factory=VendorSettings)


class ProblemKind(enum.Enum):
    UNREADABLE = "unreadable"  # the file exists but cannot be read
    SYNTAX = "syntax"  # not valid TOML; the whole file is ignored
    INVALID_VALUE = "invalid_value"  # one key has a bad value; its default is used
    UNKNOWN_KEY = "unknown_key"  # a key we do not know (often a typo); ignored


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with the settings file; data only, the UI words it."""

    kind: ProblemKind
    key: str | None
    value: Any = None
    reason: str = ""

    def describe(self) -> str:
        """A one-line English description, for logs and the CLI."""
        if self.kind is ProblemKind.SYNTAX:
            return f"not valid TOML ({self.reason}); using defaults"
        if self.kind is ProblemKind.UNREADABLE:
            return f"cannot read the file ({self.reason}); using defaults"
        if self.kind is ProblemKind.UNKNOWN_KEY:
            return f"unknown key '{self.key}' ignored"
        return f"key '{self.key}' has invalid value {self.value!r} ({self.reason}); using the default"


@dataclass
class LoadedSettings:
    """The result of reading a settings file."""

    settings: Settings
    path: Path
    exists: bool
    problems: list[SettingsProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_settings(path: Path) -> LoadedSettings:
    """Read ``path``; never raises for anything wrong with the file itself."""
    path = Path(path)
    if not path.exists():
        return LoadedSettings(Settings(), path, exists=False)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = SettingsProblem(ProblemKind.UNREADABLE, None, reason=str(exc))
        return LoadedSettings(Settings(), path, exists=True, problems=[problem])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = SettingsProblem(ProblemKind.SYNTAX, None, reason=str(exc))
        return LoadedSettings(Settings(), path, exists=True, problems=[problem])
    settings, problems = _validate_keeping_good_keys(data)
    return LoadedSettings(_resolve_relative_paths(settings, path.parent), path, True, problems)


def _validate_keeping_good_keys(data: dict[str, Any]) -> tuple[Settings, list[SettingsProblem]]:
    problems: list[SettingsProblem] = []
    # Each round drops the keys pydantic complained about; nesting is shallow,
    # so a handful of rounds always suffices.
    for _ in range(20):
        try:
            return Settings.model_validate(data), problems
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(str(part) for part in error["loc"])
                key = ".".join(loc)
                if error["type"] == "extra_forbidden":
                    problems.append(SettingsProblem(ProblemKind.UNKNOWN_KEY, key))
                else:
                    reason = error["msg"].removeprefix("Value error, ")
                    problems.append(
                        SettingsProblem(ProblemKind.INVALID_VALUE, key, error.get("input"), reason)
                    )
                _drop(data, loc)
    return Settings(), problems


def _drop(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    node: Any = data
    for part in loc[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict):
        node.pop(loc[-1], None)


def _resolve_relative_paths(settings: Settings, base: Path) -> Settings:
    """Relative paths in the file are relative to the file, so a shop folder can move."""

    def resolve(value: Path | None) -> Path | None:
        if value is None:
            return None
        value = value.expanduser()
        return value if value.is_absolute() else (base / value).resolve()

    pos = settings.pos
    return settings.model_copy(
        update={
            "data_dir": resolve(settings.data_dir),
            "pos": pos.model_copy(
                update={
                    "database": resolve(pos.database),
                    "backups_dir": resolve(pos.backups_dir),
                    "logs_dir": resolve(pos.logs_dir),
                    "install_dir": resolve(pos.install_dir),
                }
            ),
        }
    )


def settings_to_toml(settings: Settings) -> str:
    data = settings.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically (temp file + replace) so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(settings_to_toml(settings))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
