"""How a release is named: as the shops' update events name it, and how a TUF target maps to that name.

The TUF repository says ``kind`` regulation / pos-profile / calendar / app in each target's custom data; the
events (:class:`pmv_protocol.fleet.UpdateEvent`) say ``target_kind`` pack / calendar / app, with the pack's id,
or "app" for an app build.  :func:`release_of` is the one place the two meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pmv_protocol.fleet import TargetKind
from pmv_protocol.versions import VersionKey, version_key

APP_ID = "app"  # an app build's target_id in the events
ORDER = {TargetKind.APP.value: 0, TargetKind.PACK.value: 1, TargetKind.CALENDAR.value: 2}
_RELEASE_WIDTH = 8  # release numbers a version is padded to for display_order (VERSION_PATTERN allows 4)


@dataclass(frozen=True, order=True)
class ReleaseKey:
    """One release: ``target_kind`` (app | pack | calendar), ``target_id``, ``version``."""

    target_kind: str
    target_id: str
    version: str

    @property
    def is_app(self) -> bool:
        return self.target_kind == TargetKind.APP.value

    def label(self) -> str:
        """"app 1.5.0", "nd-232-2025 1.1.0" (audit details, log lines)."""
        return f"{self.target_id} {self.version}"


def release_of(custom: Mapping[str, Any] | None) -> ReleaseKey | None:
    """The release a TUF target belongs to, from its custom data; None for data the vendor tool never writes."""
    if not isinstance(custom, Mapping):
        return None
    kind, ident, version = custom.get("kind"), custom.get("id"), custom.get("version")
    if not isinstance(version, str) or not version:
        return None
    if kind == "app":
        return ReleaseKey(TargetKind.APP.value, APP_ID, version)
    if not isinstance(ident, str) or not ident:
        return None
    if kind == "calendar":
        return ReleaseKey(TargetKind.CALENDAR.value, ident, version)
    if kind in ("regulation", "pos-profile"):
        return ReleaseKey(TargetKind.PACK.value, ident, version)
    return None


def version_order(version: str) -> VersionKey:
    """The order the shops' app takes versions in (:func:`pmv_protocol.versions.version_key`, PEP 440):
    "1.10.0" after "1.9.0", and "1.2.0rc1" after "1.1.0" but before "1.2.0"."""
    return version_key(version)


def display_order(key: ReleaseKey) -> tuple[int, str, tuple[int, ...], tuple[int, int]]:
    """App builds first, then packs, then calendars; within one id the newest version first (sort reversed on
    the version by negating each number of its key; the release numbers padded first, so 1.2.1 < 1.2 reversed
    is still compared number by number)."""
    release, phase = version_order(key.version)
    padded = release + (0,) * (_RELEASE_WIDTH - len(release))
    return (ORDER.get(key.target_kind, 9), key.target_id, tuple(-part for part in padded),
            (-phase[0], -phase[1]))
