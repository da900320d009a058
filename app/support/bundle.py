"""The diagnostics bundle attached to a support request (and exported by technicians).

Parts are collected as redacted text first, so the cashier can preview
exactly what will be sent and untick any part; only then is the zip written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_NAME, __version__
from app.infra.logs import tail
from app.infra.settings import Settings
from app.support.redaction import RedactionKind, redact_mapping, redact_text
from pmv_protocol.atomic import atomic_target

if TYPE_CHECKING:
    from app.health.model import HealthReport

APP_LOG_LINES = 400
POS_LOG_LINES = 200
POS_LOG_FILES = 3


@dataclass(frozen=True)
class BundlePart:
    key: str  # app_log, pos_log, settings, system, devices, or a feature's own (health_report, …)
    filename: str
    text: str
    redactions: dict[RedactionKind, int] = field(default_factory=dict)


def _redacted(key: str, filename: str, text: str, keep_phones: Iterable[str]) -> BundlePart:
    result = redact_text(text, keep_phones=keep_phones)
    return BundlePart(key, filename, result.text, dict(result.counts))


def redacted_report(report: HealthReport, keep_phones: Iterable[str]) -> HealthReport:
    """``report`` as the vendor may see it (the PDF sent with a request): every summary and details redacted
    like the logs, since the log check quotes POS log lines.  A result with nothing to hide is kept as it was,
    its phrase with it (so it is still said in the reader's language)."""
    keep = list(keep_phones)

    def clean(text: str) -> str:
        redacted = redact_text(str(text), keep_phones=keep).text
        return text if redacted == str(text) else redacted

    return replace(report, results=tuple(replace(item, summary=clean(item.summary), details=clean(item.details))
                                         for item in report.results))


def shop_phones(settings: Settings) -> list[str]:
    """The shop's own numbers (the settings' phone field, which may hold several): never hidden.

    They are the shop's, printed on its signboard and invoices, not a
    customer's; and the technician calls the shop back on them.
    """
    return [settings.shop.phone] if settings.shop.phone.strip() else []


def collect_parts(
    settings: Settings,
    app_log: Path | None,
    *,
    keep_phones: Sequence[str] = (),
    extra: Sequence[BundlePart] = (),
    now: dt.datetime | None = None,
    packs: Callable[[], list[dict[str, str]]] | None = None,
) -> list[BundlePart]:
    """Everything a technician needs to start, redacted; features add ``extra`` parts (redacted here too).

    ``packs`` lists the regulation and calendar packs installed (id, version, title) for system.json: the
    vendor's console shows them beside the request, since a wrong rule is often an old pack.

    Phone numbers stay when they are the contact's (``keep_phones``) or the shop's own.
    """
    now = now or dt.datetime.now().astimezone()
    keep_phones = [*keep_phones, *shop_phones(settings)]
    # A feature's part is redacted like the logs: the health report quotes POS log lines, the audit log names.
    parts = [_redacted(part.key, part.filename, part.text, keep_phones) for part in extra]
    if app_log is not None:
        parts.append(_redacted("app_log", "app.log", tail(app_log, APP_LOG_LINES), keep_phones))
    pos_logs = _pos_log_tails(settings.pos.logs_dir)
    if pos_logs:
        parts.append(_redacted("pos_log", "pos.log", pos_logs, keep_phones))
    dumped, counts = redact_mapping(settings.model_dump(mode="json"), keep_phones=keep_phones)
    parts.append(BundlePart("settings", "settings.json", json.dumps(dumped, ensure_ascii=False, indent=2),
                            dict(counts)))
    info = system_info(settings, now)
    if packs is not None:
        try:
            info["packs"] = packs()
        except Exception as exc:  # noqa: BLE001 - a broken pack folder must not stop a request for help
            info["packs_error"] = f"{type(exc).__name__}: {exc}"
    parts.append(BundlePart("system", "system.json", json.dumps(info, ensure_ascii=False, indent=2)))
    parts.append(BundlePart("devices", "devices.json", json.dumps(device_list(), ensure_ascii=False, indent=2)))
    return parts


def _pos_log_tails(logs_dir: Path | None) -> str:
    if logs_dir is None or not logs_dir.is_dir():
        return ""
    files = sorted((p for p in logs_dir.glob("*.log") if p.is_file()), key=lambda p: p.stat().st_mtime)
    chunks = [f"===== {path.name} =====\n{tail(path, POS_LOG_LINES)}" for path in files[-POS_LOG_FILES:]]
    return "\n".join(chunks)


def system_info(settings: Settings, now: dt.datetime) -> dict[str, object]:
    info: dict[str, object] = {
        "app": f"{APP_NAME} {__version__}",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "local_time": now.isoformat(timespec="seconds"),
        "utc_offset": str(now.utcoffset()),
    }
    disks = {}
    for label, path in (("pos_database", settings.pos.database), ("data_dir", settings.data_dir)):
        target = path if path is not None and path.exists() else None
        if target is not None:
            usage = shutil.disk_usage(target if target.is_dir() else target.parent)
            disks[label] = {"free_bytes": usage.free, "total_bytes": usage.total}
    info["disks"] = disks
    if settings.pos.install_dir is not None:
        version_file = settings.pos.install_dir / "version.txt"
        if version_file.is_file():
            info["pos_version"] = version_file.read_text(encoding="utf-8", errors="replace").strip()[:40]
    return info


def device_list() -> list[dict[str, str]]:
    """Serial ports (scanners, COM-port printers) as the OS lists them."""
    try:
        from serial.tools import list_ports
    except ImportError:  # pragma: no cover - pyserial is a dependency
        return []
    return [
        {"device": port.device, "description": port.description or "", "hwid": port.hwid or ""}
        for port in list_ports.comports()
    ]


def write_bundle(parts: Sequence[BundlePart], target: Path, *, included: Iterable[str] | None = None) -> Path:
    """Zip the chosen parts with a manifest of what was included and redacted."""
    chosen = [part for part in parts if included is None or part.key in set(included)]
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "app": f"{APP_NAME} {__version__}",
        "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "parts": [
            {"key": part.key, "file": part.filename,
             "redactions": {kind.value: count for kind, count in part.redactions.items()}}
            for part in chosen
        ],
        "left_out": [part.key for part in parts if part not in chosen],
    }
    with atomic_target(target, suffix=".zip") as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            for part in chosen:
                archive.writestr(part.filename, part.text)
    return target
