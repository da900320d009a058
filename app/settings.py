"""Typed settings, read from a TOML file.

A shop's settings file is edited by hand by technicians, so a mistake in it
must never stop the app: :func:`load_settings` keeps every valid key, falls
back to the default for each invalid one, and reports each problem (key, bad
value, reason) so the UI can show it.  It never writes to the user's file.
"""

from __future__ import annotations

import datetime as dt
import enum
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

Language = Literal["vi", "en"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_path(value: Path | None) -> Path | None:
    # TOML turns "C:\new\x" into a newline and a tab without complaint; catch it here.
    if value is None:
        return None
    text = str(value)
    if text in ("", ".") or any(ord(ch) < 32 for ch in text):
        raise PydanticCustomError("bad_path", "not a usable path (in Windows paths use / or single quotes)")
    return value


class ShopSettings(_Section):
    """Who this till belongs to, as printed on requests and certificates."""

    name: str = "Cửa hàng vàng"
    shop_id: str = ""
    address: str = ""
    phone: str = ""


class PosSettings(_Section):
    """Where the shop's gold-trading system (PMV POS) keeps its files."""

    # An SQLAlchemy URL for a POS on another database (SQL Server via pyodbc in
    # the field); when empty, ``database`` is the SQLite file.
    url: str = ""
    process_name: str = "PMV.exe"
    database: Path | None = None
    backups_dir: Path | None = None
    logs_dir: Path | None = None
    install_dir: Path | None = None

    _paths = field_validator("database", "backups_dir", "logs_dir", "install_dir")(_check_path)


class VendorSettings(_Section):
    """How to reach the vendor's support server."""

    base_url: str = "https://support.phanmemvang.vn"
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise PydanticCustomError("bad_url", "must start with http:// or https://")
        return value.rstrip("/")


class SupportSettings(_Section):
    """The vendor's working calendar (overrides of DESIGN.md's defaults)."""

    # weekday ("mon".."sun") -> ["08:00-12:00", "13:30-17:30"]; unnamed days keep the defaults
    working_hours: dict[str, list[str]] = Field(default_factory=dict)
    extra_days_off: list[dt.date] = Field(default_factory=list)

    @field_validator("working_hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from app.support.calendar import WorkingCalendar

        try:
            WorkingCalendar.from_config(hours=value)
        except ValueError as exc:
            raise PydanticCustomError("bad_hours", "{reason}", {"reason": str(exc)}) from None
        return value


class PrinterSettings(_Section):
    """A label printer: a network one (host, port 9100), a serial one or a spooler queue."""

    name: str
    host: str = ""
    port: int = Field(default=9100, ge=1, le=65535)
    queue: str = ""
    serial: str = ""  # "COM3" or "/dev/ttyUSB0?baud=9600"
    language: Literal["zpl", "tspl", "ezpl"] = "tspl"
    dpi: Literal[203, 300] = 203
    template: str = "rat_tail_75x10"

    def target(self) -> str:
        """The transport address the label module understands."""
        if self.host:
            return f"tcp://{self.host}:{self.port}"
        if self.serial:
            return f"serial://{self.serial}" if "://" not in self.serial else self.serial
        if self.queue:
            return f"spooler://{self.queue}"
        return ""


class DevicesSettings(_Section):
    printers: list[PrinterSettings] = Field(default_factory=list)
    scanner_ports: list[str] = Field(default_factory=list)  # "COM3", "/dev/ttyUSB0", or a pyserial URL


class HealthSettings(_Section):
    """Thresholds of the health checks and when they run."""

    interval_minutes: int = Field(default=30, ge=5, le=24 * 60)
    trading_hours: str = "08:00-20:00"
    backup_max_age_hours: float = Field(default=26, gt=0)
    backup_row_tolerance_percent: float = Field(default=5, ge=0, le=100)
    price_max_age_hours: float = Field(default=12, gt=0)
    invoice_window_days: int = Field(default=7, ge=1, le=365)
    disk_min_free_percent: float = Field(default=10, ge=0, le=100)
    disk_min_free_gb: float = Field(default=2, ge=0)
    clock_max_skew_seconds: float = Field(default=120, gt=0)
    memory_max_percent: float = Field(default=90, gt=0, le=100)
    cpu_max_percent: float = Field(default=95, gt=0, le=100)
    db_latency_warn_ms: float = Field(default=500, gt=0)

    @field_validator("trading_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        from app.support.calendar import parse_interval

        try:
            parse_interval(value)
        except ValueError as exc:
            raise PydanticCustomError("bad_hours", "{reason}", {"reason": str(exc)}) from None
        return value


class UpdatesSettings(_Section):
    """Where regulation packs and app updates come from (a TUF repository of static files)."""

    base_url: str = ""  # the server holding /tuf/metadata and /tuf/targets; empty: vendor.base_url
    channel: Literal["stable", "beta"] = "stable"
    interval_hours: float = Field(default=6, ge=0.5, le=72)
    pos_rules_dir: Path | None = None  # installed packs are also copied here for the POS to read

    _rules_dir = field_validator("pos_rules_dir")(_check_path)


class Settings(_Section):
    """All settings; every field has a default so an empty file is valid."""

    language: Language = "vi"
    data_dir: Path | None = None
    shop: ShopSettings = Field(default_factory=ShopSettings)
    pos: PosSettings = Field(default_factory=PosSettings)
    vendor: VendorSettings = Field(default_factory=VendorSettings)
    support: SupportSettings = Field(default_factory=SupportSettings)
    devices: DevicesSettings = Field(default_factory=DevicesSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    updates: UpdatesSettings = Field(default_factory=UpdatesSettings)

    _data_dir = field_validator("data_dir")(_check_path)


class Reason(enum.Enum):
    """Why a value was refused, for the UI to word (the English ``reason`` is for logs)."""

    WRONG_TYPE = "wrong_type"
    NOT_ALLOWED = "not_allowed"
    OUT_OF_RANGE = "out_of_range"
    BAD_URL = "bad_url"
    BAD_PATH = "bad_path"
    BAD_HOURS = "bad_hours"
    NOT_WRITABLE = "not_writable"
    WINDOWS_PATH = "windows_path"  # TOML syntax error from backslashes in a path
    OTHER = "other"


def _reason_code(error_type: str) -> Reason:
    if error_type in ("bad_url", "bad_path", "bad_hours"):
        return Reason(error_type)
    if error_type in ("literal_error", "enum"):
        return Reason.NOT_ALLOWED
    if error_type.startswith(("greater_than", "less_than")):
        return Reason.OUT_OF_RANGE
    if error_type.endswith(("_type", "_parsing")):
        return Reason.WRONG_TYPE
    return Reason.OTHER


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
    code: Reason = Reason.OTHER

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
        # utf-8-sig: Notepad on older Windows saves UTF-8 with a BOM.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problem = SettingsProblem(ProblemKind.UNREADABLE, None, reason=str(exc))
        return LoadedSettings(Settings(), path, exists=True, problems=[problem])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        code = Reason.WINDOWS_PATH if "escape" in str(exc).lower() or "\\" in str(exc) else Reason.OTHER
        problem = SettingsProblem(ProblemKind.SYNTAX, None, reason=str(exc), code=code)
        return LoadedSettings(Settings(), path, exists=True, problems=[problem])
    settings, problems = _validate_keeping_good_keys(data)
    settings, path_problems = _resolve_relative_paths(settings, path.parent)
    return LoadedSettings(settings, path, True, problems + path_problems)


def _validate_keeping_good_keys(data: dict[str, Any]) -> tuple[Settings, list[SettingsProblem]]:
    problems: list[SettingsProblem] = []
    try:
        return Settings.model_validate(data), problems
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(str(part) for part in error["loc"])
            key = ".".join(loc)
            if error["type"] == "extra_forbidden":
                problems.append(SettingsProblem(ProblemKind.UNKNOWN_KEY, key))
            else:
                problems.append(
                    SettingsProblem(ProblemKind.INVALID_VALUE, key, error.get("input"), error["msg"],
                                    _reason_code(error["type"]))
                )
            _drop(data, loc)
    # Every reported key was dropped, so what is left validates; if pydantic
    # still complains (a location we could not drop), fall back to defaults.
    try:
        return Settings.model_validate(data), problems
    except ValidationError:
        return Settings(), problems


def _drop(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    node: Any = data
    for part in loc[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict):
        node.pop(loc[-1], None)


def _resolve_relative_paths(settings: Settings, base: Path) -> tuple[Settings, list[SettingsProblem]]:
    """Relative paths in the file are relative to the file, so a shop folder can move."""
    problems: list[SettingsProblem] = []

    def resolve(key: str, value: Path | None) -> Path | None:
        if value is None:
            return None
        try:
            value = value.expanduser()
            return value if value.is_absolute() else (base / value).resolve()
        except (RuntimeError, OSError, ValueError) as exc:  # e.g. "~nobody/x"
            problems.append(SettingsProblem(ProblemKind.INVALID_VALUE, key, str(value), str(exc), Reason.BAD_PATH))
            return None

    pos = settings.pos
    resolved = settings.model_copy(
        update={
            "data_dir": resolve("data_dir", settings.data_dir),
            "pos": pos.model_copy(
                update={
                    "database": resolve("pos.database", pos.database),
                    "backups_dir": resolve("pos.backups_dir", pos.backups_dir),
                    "logs_dir": resolve("pos.logs_dir", pos.logs_dir),
                    "install_dir": resolve("pos.install_dir", pos.install_dir),
                }
            ),
        }
    )
    return resolved, problems


def settings_to_toml(settings: Settings) -> str:
    data = settings.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically (temp file + replace) so a crash never leaves half a file."""
    from app.atomic import write_atomically

    write_atomically(Path(path), settings_to_toml(settings).encode("utf-8"))
