"""Typed settings, read from a TOML file.

A shop's settings file is edited by hand by technicians, so a mistake in it
must never stop the app, nor quietly stop it watching the shop:
:func:`load_settings` keeps every valid key, replaces each invalid one by its
last good value (else the default), runs on the last settings that loaded
cleanly when the file cannot be used at all (else on defaults), and reports
each problem as data (kind, code, line, key) so the UI and the CLI can word
it.  It never writes to the user's file.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from app.infra.settings_last_good import LastGood, LastGoodStore
from app.infra.settings_text import SHOP_NAME_DEFAULT, FileError, parse_settings_text, read_settings_text

# Re-exported: the problem kinds and reason codes are part of this module's answer.
from app.infra.settings_text import ProblemKind as ProblemKind
from app.infra.settings_text import Reason as Reason

log = logging.getLogger(__name__)

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

    name: str = SHOP_NAME_DEFAULT
    shop_id: str = ""
    address: str = ""
    phone: str = ""


class PosSettings(_Section):
    """Where the shop's gold-trading system (PMV POS) keeps its files."""

    # A POS on a database server: a URL (mssql+pymssql://user:password@host:1433/PMV,
    # postgresql://user:password@host:5432/PMV) or the SQL Server connection string
    # copied from the POS (Server=host\instance;Database=PMV;User Id=...;Password=...),
    # read by app.shop.pos_url (README "POS databases"); when empty, ``database`` is the SQLite file.
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
        from pmv_protocol.calendar import WorkingCalendar

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
        from pmv_protocol.calendar import parse_interval

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


class FleetSettings(_Section):
    """What this till tells the vendor about itself (app/fleet): the heartbeat.

    ``telemetry = false`` leaves the heartbeat with the app version only, as a contract saying
    ``telemetry: false`` does (either one is enough).
    """

    telemetry: bool = True
    heartbeat_minutes: int = Field(default=15, ge=5, le=24 * 60)


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
    fleet: FleetSettings = Field(default_factory=FleetSettings)

    _data_dir = field_validator("data_dir")(_check_path)


def _reason_code(error_type: str) -> Reason:
    if error_type in ("bad_url", "bad_path", "bad_hours"):
        return Reason(error_type)
    if error_type in ("literal_error", "enum"):
        return Reason.NOT_ALLOWED
    if error_type == "missing":
        return Reason.MISSING_VALUE
    if error_type.startswith(("greater_than", "less_than")):
        return Reason.OUT_OF_RANGE
    if error_type.endswith(("_type", "_parsing")):
        return Reason.WRONG_TYPE
    return Reason.OTHER


class Fallback(enum.Enum):
    """What the app runs on instead of what was refused."""

    DEFAULT = "default"
    LAST_GOOD = "last_good"  # the last settings that loaded cleanly (app.infra.settings_last_good)
    IGNORED = "ignored"  # an unknown key: nothing to replace


class Source(enum.Enum):
    """Where the settings in use come from."""

    FILE = "file"  # the user's file (a refused key may still have fallen back)
    LAST_GOOD = "last_good"  # the file could not be used at all: the last copy that loaded cleanly
    DEFAULTS = "defaults"  # no file, or one that could not be used and no copy


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with the settings file; data only, the UI and the CLI word it by ``code``.

    ``line`` is the file's line to look at (1-based) where it is known: always for a syntax error.
    ``last_good_on`` is the shop's date of the last good copy in use, when ``fallback`` is LAST_GOOD.
    """

    kind: ProblemKind
    key: str | None
    value: Any = None
    reason: str = ""  # the parser's or pydantic's English text, for logs
    code: Reason = Reason.OTHER
    line: int | None = None
    fallback: Fallback = Fallback.DEFAULT
    last_good_on: dt.date | None = None

    def describe(self) -> str:
        """A one-line English description, for logs and the CLI."""
        using = (f"using the last good settings of {self.last_good_on:%d/%m/%Y}"
                 if self.fallback is Fallback.LAST_GOOD else "using defaults")
        where = f" at line {self.line}" if self.line is not None else ""
        detail = f": {self.reason}" if self.reason else ""
        if self.kind is ProblemKind.SYNTAX:
            return f"not valid TOML{where} ({self.code.value}{detail}); {using}"
        if self.kind is ProblemKind.UNREADABLE:
            return f"cannot read the file{where} ({self.code.value}{detail}); {using}"
        if self.kind is ProblemKind.EMPTY:
            return f"the file is empty; {using}"
        if self.kind is ProblemKind.MISSING:
            return f"the file is missing; {using}"
        if self.kind is ProblemKind.UNKNOWN_KEY:
            return f"unknown key '{self.key}' ignored"
        using = "using the last good value" if self.fallback is Fallback.LAST_GOOD else "using the default"
        return f"key '{self.key}' has invalid value {self.value!r} ({self.reason}); {using}"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the CLI, the tray's job reports)."""
        value = self.value if isinstance(self.value, (str, int, float, bool)) or self.value is None else str(self.value)
        return {
            "kind": self.kind.value, "code": self.code.value, "line": self.line, "key": self.key, "value": value,
            "fallback": self.fallback.value,
            "last_good_on": self.last_good_on.isoformat() if self.last_good_on else None,
        }


@dataclass
class LoadedSettings:
    """The result of reading a settings file: the one list of problems every front end shows."""

    settings: Settings
    path: Path
    exists: bool
    problems: list[SettingsProblem] = field(default_factory=list)
    source: Source = Source.FILE
    last_good_on: dt.date | None = None  # when source is LAST_GOOD: the shop's date of that copy
    text: str | None = field(default=None, repr=False)  # the file's text, kept only when it parsed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def file_problem(self) -> SettingsProblem | None:
        """The problem that made the whole file unusable, if any."""
        return next((p for p in self.problems if p.kind.whole_file), None)


def load_settings(path: Path, *, last_good: LastGoodStore | None = None) -> LoadedSettings:
    """Read ``path``; never raises for anything wrong with the file itself, and never writes.

    With ``last_good`` (the app's copies of settings that loaded cleanly), a file that cannot
    be used at all is replaced by its last good copy, and a refused value by the copy's value,
    rather than by defaults; each problem says which.  :func:`keep_if_clean` makes the copy.
    """
    path = Path(path)
    good = last_good.read(path) if last_good is not None else None
    good_table = good.table() if good is not None else None
    if good_table is None:
        good = None
    text, error = read_settings_text(path)
    data: dict[str, Any] | None = None
    if text is not None:
        data, error = parse_settings_text(text)
        if error is None and not text.strip() and good is not None:
            # Valid TOML, but where a copy shows there were settings, an empty file is a save cut short.
            error = FileError(ProblemKind.EMPTY, Reason.EMPTY_FILE)
    exists = error is None or error.kind is not ProblemKind.MISSING
    if error is not None:
        if error.kind is ProblemKind.MISSING and good is None:
            return LoadedSettings(Settings(), path, exists=False, source=Source.DEFAULTS)
        return _whole_file_fallback(path, exists, error, good, good_table)
    assert data is not None and text is not None
    settings, problems = _validate_keeping_good_keys(data, good_table, good.saved_on if good else None)
    settings, path_problems = _resolve_relative_paths(settings, path.parent)
    return LoadedSettings(settings, path, exists, problems + path_problems, text=text)


def _whole_file_fallback(path: Path, exists: bool, error: FileError, good: LastGood | None,
                         good_table: dict[str, Any] | None) -> LoadedSettings:
    if good is None or good_table is None:
        problem = SettingsProblem(error.kind, None, reason=error.detail, code=error.code, line=error.line)
        return LoadedSettings(Settings(), path, exists, [problem], source=Source.DEFAULTS)
    problem = SettingsProblem(error.kind, None, reason=error.detail, code=error.code, line=error.line,
                              fallback=Fallback.LAST_GOOD, last_good_on=good.saved_on)
    settings, copy_problems = _validate_keeping_good_keys(good_table, None, None)
    # The copy loaded cleanly when it was kept; a newer app may refuse a value of it. Logged, not shown:
    # the person at the till has one thing to fix, their file.
    for refused in copy_problems:
        log.info("last good settings for %s: %s", path, refused.describe())
    # Relative paths resolve against the user's file's folder, as they did when the copy was kept.
    settings, _ = _resolve_relative_paths(settings, path.parent)
    return LoadedSettings(settings, path, exists, [problem], source=Source.LAST_GOOD, last_good_on=good.saved_on)


def keep_if_clean(loaded: LoadedSettings, last_good: LastGoodStore) -> bool:
    """After start-up found no problem at all, keep the file's text as its last good copy."""
    if loaded.problems or loaded.source is not Source.FILE or loaded.text is None:
        return False
    return last_good.save(loaded.path, loaded.text)


_ABSENT = object()
_REMOVED = object()  # a list entry to take out once every error of a pass has been handled


def _validate_keeping_good_keys(data: dict[str, Any], fallback: dict[str, Any] | None,
                                fallback_on: dt.date | None) -> tuple[Settings, list[SettingsProblem]]:
    """Validate, replacing each refused key by ``fallback``'s value (else the default) and dropping unknown keys."""
    problems: list[SettingsProblem] = []
    replaced: set[tuple[str, ...]] = set()
    for _attempt in range(4):  # a value taken from the copy may be refused too (a newer rule): one more pass
        try:
            return Settings.model_validate(data), problems
        except ValidationError as exc:
            errors = exc.errors()
        for error in errors:
            loc = tuple(str(part) for part in error["loc"])
            key = ".".join(loc)
            if error["type"] == "extra_forbidden":
                problems.append(SettingsProblem(ProblemKind.UNKNOWN_KEY, key, code=Reason.UNKNOWN_KEY,
                                                fallback=Fallback.IGNORED))
                _drop(data, loc)
                continue
            if error["type"] == "missing" and len(loc) > 1:
                loc = loc[:-1]  # an entry without a required key (a printer without a name): drop the entry
            if loc in replaced:
                _drop(data, loc)  # the copy's value was refused as well: the default, and no second problem
                problems = [replace(p, fallback=Fallback.DEFAULT, last_good_on=None) if p.key == key else p
                            for p in problems]
                continue
            kept = _lookup(fallback, loc)
            _drop(data, loc)
            if kept is not _ABSENT and _put(data, loc, copy.deepcopy(kept)):
                replaced.add(loc)
                how, on = Fallback.LAST_GOOD, fallback_on
            else:
                how, on = Fallback.DEFAULT, None
            problems.append(SettingsProblem(ProblemKind.INVALID_VALUE, key, error.get("input"), error["msg"],
                                            _reason_code(error["type"]), fallback=how, last_good_on=on))
        _sweep(data)
    # Every reported key was dropped, so what is left validates; if pydantic
    # still complains (a location we could not drop), fall back to defaults.
    try:
        return Settings.model_validate(data), problems
    except ValidationError:
        return Settings(), problems


def _lookup(data: dict[str, Any] | None, loc: tuple[str, ...]) -> Any:
    """``data``'s value at ``loc`` through tables only (a list entry's index may point elsewhere in the copy)."""
    node: Any = data
    for part in loc:
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _put(data: dict[str, Any], loc: tuple[str, ...], value: Any) -> bool:
    node: Any = data
    for part in loc[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return False
    node[loc[-1]] = value
    return True


def _drop(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    node: Any = data
    for part in loc[:-1]:
        node = _child(node, part)
        if node is _ABSENT:
            return
    if isinstance(node, dict):
        node.pop(loc[-1], None)
    elif isinstance(node, list) and loc[-1].isdigit() and int(loc[-1]) < len(node):
        node[int(loc[-1])] = _REMOVED  # removed after the pass, so the other errors' indexes still hold


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _ABSENT)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return _ABSENT


def _sweep(node: Any) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _sweep(value)
    elif isinstance(node, list):
        node[:] = [item for item in node if item is not _REMOVED]
        for item in node:
            _sweep(item)


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
    from pmv_protocol.atomic import write_atomically

    write_atomically(Path(path), settings_to_toml(settings).encode("utf-8"))
