"""``pmv-vendor repo export-offline DIR``: the update repository copied for a shop without Internet (a USB stick).

The folder has the same layout as the server's ``/tuf/metadata`` and ``/tuf/targets``, so the shop's app
verifies it exactly as it verifies the server (``pmv-support updates import DIR``): from the root it already
trusts, through the whole root chain, to the timestamp, snapshot and targets, and each file against its signed
length and hash.  Nothing is re-signed and nothing is trusted because it came on a stick.

What is copied: every root version (1.root.json … N.root.json) and root.json, timestamp.json and the snapshot
and targets versions it names, and the files of the targets a shop may take now: per pack, calendar or app
build, the newest release offered to everyone, plus any newer one in a staged rollout (a shop inside its
bucket takes that, the others the one before); a paused release (0 %) is left out.  ``kinds`` narrows it to
app builds, packs (regulation packs and POS profiles) or calendars.

``README.txt`` (Vietnamese) says what the folder is, when it was made and until when the app accepts it (the
timestamp's expiry).  ``pmv-offline.json`` marks a folder this command made: only such a folder, or an empty
one, is written to, so a stick's other files are never deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tuf.api.exceptions import LengthOrHashMismatchError
from tuf.api.metadata import TargetFile

from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.releases.names import version_order
from vendor_server.tuf_repo import TufRepoError, VendorRepository

MARKER = "pmv-offline.json"
README = "README.txt"
STAGING = ".pmv-offline-partial"
# --kinds: what each word brings (the TUF custom ``kind`` values).
KINDS: dict[str, tuple[str, ...]] = {"app": ("app",), "pack": ("regulation", "pos-profile"), "calendar": ("calendar",)}
KIND_WORDS = {"app": "bản ứng dụng", "regulation": "gói quy định", "pos-profile": "hồ sơ máy bán hàng",
              "calendar": "lịch làm việc"}


class ExportError(TufRepoError):
    """The folder cannot be written, or the repository's copy would not be whole; the message is one line."""


@dataclass(frozen=True)
class OfflineExport:
    folder: Path
    made_at: dt.datetime
    expires: dt.datetime  # the timestamp's expiry: the app refuses the copy after it
    metadata: tuple[str, ...]  # file names under metadata/
    targets: tuple[str, ...]  # target paths (as the metadata names them)
    bytes: int  # the target files' total size


def parse_kinds(text: str) -> tuple[str, ...]:
    """``"app,pack"`` -> ("app", "pack"); ExportError naming the bad word."""
    words = [word.strip() for word in text.split(",") if word.strip()]
    bad = [word for word in words if word not in KINDS]
    if not words or bad:
        raise ExportError(f"--kinds takes a comma-separated list of {', '.join(KINDS)}, got {text!r}")
    return tuple(dict.fromkeys(words))


def _custom(info: TargetFile) -> Mapping[str, object]:
    custom = info.custom
    return custom if isinstance(custom, Mapping) else {}


def _percent(custom: Mapping[str, object]) -> int | None:
    value = custom.get("rollout_percent")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def needed_targets(targets: Mapping[str, TargetFile], kinds: Iterable[str]) -> list[str]:
    """The target paths a shop may take now (see the module's doc), for the chosen ``kinds``."""
    wanted = {kind for word in kinds for kind in KINDS[word]}
    groups: dict[tuple[str, str], list[tuple[str, str, int | None, str]]] = defaultdict(list)
    for path, info in targets.items():
        custom = _custom(info)
        kind, version = custom.get("kind"), custom.get("version")
        if kind not in wanted or not isinstance(version, str):
            continue
        groups[(str(kind), str(custom.get("id") or ""))].append(
            (version, str(custom.get("channel") or "stable"), _percent(custom), path))
    chosen: set[str] = set()
    for entries in groups.values():
        for channels in ({"stable"}, {"stable", "beta"}):  # what a stable shop takes, and a beta one
            mine = [entry for entry in entries if entry[1] in channels]
            for version in sorted({entry[0] for entry in mine}, key=version_order, reverse=True):
                files = [entry for entry in mine if entry[0] == version]
                percents = [entry[2] for entry in files]
                if all(p == 0 for p in percents):
                    continue  # paused, or staged at nobody yet
                chosen.update(entry[3] for entry in files)
                if any(p is None or p >= 100 for p in percents):
                    break  # everyone takes this one: nothing older is needed
    return sorted(chosen)


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file, not a folder: give a folder (it is made when missing)")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise ExportError(f"{folder} is not empty and was not made by pmv-vendor repo export-offline: "
                          f"give an empty or new folder")


def _moment(value: dt.datetime) -> str:
    return value.astimezone(SHOP_TZ).strftime("%d/%m/%Y %H:%M")


def _readme(made_at: dt.datetime, expires: dt.datetime, targets: Mapping[str, TargetFile],
            chosen: list[str]) -> str:
    lines = [
        "BẢN SAO KHO CẬP NHẬT PMV – dùng cho cửa hàng không có Internet",
        "",
        "Thư mục này là bản sao kho cập nhật đã ký của nhà cung cấp phần mềm PMV: dữ liệu đã ký (thư mục",
        "metadata) và các tệp cập nhật (thư mục targets).",
        "",
        f"Tạo lúc: {_moment(made_at)} (giờ Việt Nam)",
        f"Dùng được đến: {_moment(expires)} (giờ Việt Nam). Sau thời điểm này ứng dụng sẽ từ chối bản sao vì",
        "dữ liệu đã ký hết hạn: hãy xin nhà cung cấp một bản sao mới.",
        "",
        "Cách dùng: cắm USB vào máy của cửa hàng, rồi trong PMV Support Assistant chọn nhập cập nhật từ USB,",
        "hoặc chạy lệnh: pmv-support updates import <thư mục này>",
        "Ứng dụng tự kiểm tra chữ ký và mã băm của từng tệp bằng khóa gốc đã cài sẵn trên máy.",
        "Không sửa, không đổi tên, không xóa tệp nào trong thư mục này.",
        "",
        f"Gồm {len(chosen)} tệp cập nhật:",
    ]
    for path in chosen:
        custom = _custom(targets[path])
        kind = KIND_WORDS.get(str(custom.get("kind")), str(custom.get("kind")))
        title = str(custom.get("title_vi") or "")
        lines.append(f"  - {kind} {custom.get('id')} {custom.get('version')}" + (f": {title}" if title else ""))
    if not chosen:
        lines.append("  (không có: chỉ dữ liệu đã ký)")
    return "\r\n".join(lines) + "\r\n"  # Windows Notepad on the shop's PC


def export_offline(repo: VendorRepository, folder: Path, *, kinds: Iterable[str] = tuple(KINDS),
                   now: dt.datetime) -> OfflineExport:
    """Write the copy into ``folder`` (made when missing; an earlier copy there is replaced whole)."""
    folder = Path(folder)
    chosen_kinds = tuple(kinds)
    for word in chosen_kinds:
        if word not in KINDS:
            raise ExportError(f"unknown kind {word!r}; one of {', '.join(KINDS)}")
    _check_folder(folder)
    state = repo.read_published()
    chosen = needed_targets(state.targets, chosen_kinds)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / MARKER).is_file():  # claimed first, so a copy cut short is still ours to redo
        (folder / MARKER).write_text(json.dumps({"made_by": "pmv-vendor repo export-offline", "complete": False})
                                     + "\n", encoding="utf-8")
    staging = folder / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "metadata").mkdir(parents=True)
    for name, data in state.metadata.items():
        (staging / "metadata" / name).write_bytes(data)
    total = 0
    for path in chosen:
        info = state.targets[path]
        stored = repo.stored_path(info)
        source, target = repo.targets_dir / stored, staging / "targets" / stored
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(source, target)
            with target.open("rb") as copied:
                info.verify_length_and_hashes(copied)
        except FileNotFoundError:
            shutil.rmtree(staging, ignore_errors=True)
            raise ExportError(f"the repository lists {path} but its file {source} is missing") from None
        except LengthOrHashMismatchError:
            shutil.rmtree(staging, ignore_errors=True)
            raise ExportError(f"{source} does not match the signed length and hash of {path}") from None
        total += info.length
    made_at = now.astimezone(dt.UTC).replace(microsecond=0)
    (staging / README).write_bytes(_readme(made_at, state.expires, state.targets, chosen).encode("utf-8"))
    marker = {"made_by": "pmv-vendor repo export-offline", "complete": True, "made_at": made_at.isoformat(),
              "expires": state.expires.isoformat(), "timestamp_version": state.timestamp_version,
              "kinds": list(chosen_kinds), "targets": chosen}
    (staging / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # Swap in: the old copy's parts go, the new ones move in (a rename each, on the same stick).
    for name in ("metadata", "targets", README):
        old = folder / name
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    for name in ("metadata", "targets", README):
        if (staging / name).exists():
            (staging / name).replace(folder / name)
    (staging / MARKER).replace(folder / MARKER)  # last: "complete" only once everything is in place
    staging.rmdir()
    return OfflineExport(folder, made_at, state.expires, tuple(sorted(state.metadata)), tuple(chosen), total)
