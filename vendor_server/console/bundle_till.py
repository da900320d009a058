"""What the staff page shows of a till's ``system.json``: each field checked on its own, so that a field of the
wrong type is left out with a problem line and the others still show (the page must never fail on what a till
sent, or staff could not work the ticket).

Split from :mod:`vendor_server.console.diagnostics`; framework-free.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.console.bundle_zip import grouped, shown

DISKS_MAX = 20  # the app measures two
PACKS_MAX = 100  # a till holds a few regulation and calendar packs
# A disk's size the page accepts: what a file system can count (64 bits).  Far larger, the page's size filter
# could not even make a float of it.
DISK_BYTES_MAX = 2**63 - 1


@dataclass(frozen=True)
class Disk:
    """A disk the app measured (the POS database's, its own data folder's), named as the app names it."""

    label: str
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class Pack:
    """A regulation or calendar pack installed on the till."""

    id: str
    version: str
    title: str


@dataclass(frozen=True)
class Till:
    """What the page shows of ``system.json``, each field of the type the page needs; a field absent or malformed
    is empty (a malformed one has a problem line)."""

    app: str = ""
    pos_version: str = ""
    platform: str = ""
    local_time: dt.datetime | None = None  # in shop time
    disks: tuple[Disk, ...] = ()
    packs: tuple[Pack, ...] | None = None  # None: not said (the page then shows no row); (): none installed


def read_till(system: dict[str, object], problems: list[str]) -> Till | None:
    """The fields of system.json the page shows, each checked apart so that a malformed one hides only itself."""
    till = Till(app=_system_text(system, "app", problems), pos_version=_system_text(system, "pos_version", problems),
                platform=_system_text(system, "platform", problems),
                local_time=_local_time(system.get("local_time"), problems),
                disks=_disks(system.get("disks"), problems), packs=_packs(system.get("packs"), problems))
    return None if till == Till() else till


def _system_text(system: dict[str, object], key: str, problems: list[str]) -> str:
    """A text field ("" when absent); a number or a list there is left out, with a line."""
    value = system.get(key)
    if value is None or isinstance(value, str):
        return value or ""
    problems.append(f"Mục {key} trong system.json không phải văn bản: không hiện")
    return ""


def _local_time(value: object, problems: list[str]) -> dt.datetime | None:
    if value is None:
        return None
    sent = _shop_time(value)
    if sent is None:
        problems.append("Giờ trên máy (local_time) trong system.json không phải thời điểm ISO 8601 có múi giờ: "
                        "không hiện")
    return sent


def _shop_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time with its offset, in shop time; None for anything else.

    Without its offset the moment is unknown (the page would guess the server's zone); and moved to shop time a
    moment may leave the calendar (year 1 at +14:00), so it is moved here rather than on the page.
    """
    if not isinstance(value, str):
        return None
    try:
        sent = dt.datetime.fromisoformat(value)
        return sent.astimezone(SHOP_TZ) if sent.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _disks(value: object, problems: list[str]) -> tuple[Disk, ...]:
    """The disks the app measured: ``{label: {"free_bytes": n, "total_bytes": n}}``."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.append("Mục disks trong system.json không phải danh sách ổ đĩa: không hiện")
        return ()
    if len(value) > DISKS_MAX:
        problems.append(f"Chỉ đọc {DISKS_MAX} ổ đĩa đầu tiên trong system.json: "
                        f"…và {grouped(len(value) - DISKS_MAX)} ổ đĩa khác không hiện")
    disks = []
    for label, sizes in itertools.islice(value.items(), DISKS_MAX):
        disk = _disk(label, sizes)
        if disk is None:
            problems.append(f"Ổ đĩa {shown(label)} trong system.json không đọc được")
        else:
            disks.append(disk)
    return tuple(disks)


def _disk(label: str, sizes: object) -> Disk | None:
    if not isinstance(sizes, dict):
        return None
    free, total = _bytegrouped(sizes.get("free_bytes")), _bytegrouped(sizes.get("total_bytes"))
    return None if free is None or total is None else Disk(label, free, total)


def _bytegrouped(value: object) -> int | None:
    """A whole number of bytes (JSON's true is an int to Python, not a count), or None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= DISK_BYTES_MAX:
        return value
    return None


def _packs(value: object, problems: list[str]) -> tuple[Pack, ...] | None:
    """The packs installed: ``[{"id", "version", "title"}]``; None when not said, or when none could be read (the
    page would otherwise say none is installed)."""
    if value is None:
        return None
    if not isinstance(value, list):
        problems.append("Mục packs trong system.json không phải danh sách gói cập nhật: không hiện")
        return None
    if len(value) > PACKS_MAX:
        problems.append(f"Chỉ đọc {PACKS_MAX} gói cập nhật đầu tiên trong system.json: "
                        f"…và {grouped(len(value) - PACKS_MAX)} gói cập nhật khác không hiện")
    packs = []
    for number, item in enumerate(value[:PACKS_MAX], start=1):
        pack = _pack(item)
        if pack is None:
            problems.append(f"Gói cập nhật thứ {number} trong system.json không đọc được")
        else:
            packs.append(pack)
    return tuple(packs) if packs or not value else None


def _pack(item: object) -> Pack | None:
    """A pack is known by its id and version; its title may be missing."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("version"), str):
        return None
    return Pack(item["id"], item["version"], _text(item.get("title")))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
