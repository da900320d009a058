"""What the update server offers and how updating can fail: data only, no TUF import.

Split from :mod:`app.updates.tuf_client` so the GUI and the start-up path can
name targets and error kinds without loading python-tuf and securesystemslib
(about 55 ms at every start); the TUF client is imported when a run begins.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuf.api.metadata import TargetFile

KINDS = ("regulation", "app", "pos-profile", "calendar")
CHANNELS = ("stable", "beta")


class UpdateErrorKind(enum.StrEnum):
    SECURITY = "security"  # tuf RepositoryError: bad signature, rollback, expired (freeze), mix-and-match
    NETWORK = "network"  # could not download (refused, dropped, too slow, HTTP error): back off and retry
    TOO_LARGE = "too_large"  # the server sent more than the signed length (endless data)
    HASH_MISMATCH = "hash_mismatch"  # the downloaded target is not the one that was signed
    CANCELLED = "cancelled"  # the caller's cancel event was set (a partial download is kept)
    BUSY = "busy"  # another process holds the metadata folder's lock
    STORAGE = "storage"  # the local disk refused (full, read-only, permissions)

    @property
    def retryable(self) -> bool:
        return self in (UpdateErrorKind.NETWORK, UpdateErrorKind.BUSY, UpdateErrorKind.STORAGE)


# What each kind means, in words, for logs and the command line (the GUI words it in its own catalogue).
KIND_WORDS = {
    UpdateErrorKind.SECURITY: "refused because the signed update data did not verify",
    UpdateErrorKind.NETWORK: "could not download from the update server",
    UpdateErrorKind.TOO_LARGE: "refused because the server sent more than the signed size",
    UpdateErrorKind.HASH_MISMATCH: "refused because the download does not match what was signed",
    UpdateErrorKind.CANCELLED: "stopped on request",
    UpdateErrorKind.BUSY: "another update run is in progress",
    UpdateErrorKind.STORAGE: "could not write to the local disk",
}


class UpdateError(Exception):
    """An update step that failed; ``str()`` says the kind once, in words, then the technical ``detail``.

    A detail that already starts with this kind (the text of another UpdateError passed on, or a bare
    ``"security: "`` prefix) loses that start, so wrapping an error again never repeats its kind.
    """

    def __init__(self, kind: UpdateErrorKind, detail: str = "") -> None:
        for said in (f"{KIND_WORDS[kind]}: ", f"{kind.value}: "):
            while detail.startswith(said):
                detail = detail[len(said):]
        if detail in (KIND_WORDS[kind], kind.value):
            detail = ""
        super().__init__(kind, detail)  # both, so the error pickles back as it was
        self.kind = kind
        self.detail = detail

    def __str__(self) -> str:
        return f"{KIND_WORDS[self.kind]}: {self.detail}" if self.detail else KIND_WORDS[self.kind]



@dataclass(frozen=True)
class AvailableTarget:
    """A target listed in the verified targets metadata, with the vendor's ``custom`` fields."""

    path: str  # e.g. "regulation/nd-232-2025-1.0.0.json", "app/pmv-support-0.2.0.zip"
    length: int
    hashes: dict[str, str] = field(hash=False)
    kind: str  # regulation | app | pos-profile | calendar
    version: str
    effective_date: dt.date | None = None
    channel: str = "stable"
    min_app_version: str | None = None
    title_vi: str = ""
    summary_vi: str = ""
    rollout_percent: int | None = None  # None: everyone
    target_id: str = ""  # the pack / profile id ("nd-232-2025"), "pmv-support" for the app

    @property
    def filename(self) -> str:
        return self.path.rpartition("/")[2]

    @classmethod
    def from_target_file(cls, info: TargetFile) -> AvailableTarget:
        """Raises ValueError when the signed ``custom`` block is not what the vendor tool writes."""
        custom = info.custom
        if not isinstance(custom, dict):
            raise ValueError("no custom block")
        kind, version = custom.get("kind"), custom.get("version")
        if kind not in KINDS or not isinstance(version, str) or not version:
            raise ValueError(f"bad kind/version {kind!r}/{version!r}")
        channel = custom.get("channel") or "stable"
        if channel not in CHANNELS:
            raise ValueError(f"bad channel {channel!r}")
        effective = custom.get("effective_date")
        rollout = custom.get("rollout_percent")
        if rollout is not None and (isinstance(rollout, bool) or not isinstance(rollout, int)
                                    or not 0 <= rollout <= 100):
            raise ValueError(f"bad rollout_percent {rollout!r}")
        min_app = custom.get("min_app_version")
        return cls(
            path=info.path, length=info.length, hashes=dict(info.hashes), kind=kind, version=version,
            effective_date=dt.date.fromisoformat(effective) if effective else None,
            channel=channel, min_app_version=str(min_app) if min_app else None,
            title_vi=str(custom.get("title_vi") or ""), summary_vi=str(custom.get("summary_vi") or ""),
            rollout_percent=rollout, target_id=str(custom.get("id") or ""),
        )


def rollout_bucket(install_id: str, version: str) -> int:
    """This install's stable place (0-99) in the staged rollout of ``version``."""
    return int(hashlib.sha256((install_id + version).encode("utf-8")).hexdigest(), 16) % 100


def in_channel(target: AvailableTarget, channel: str) -> bool:
    """A stable install takes only stable releases, a beta install both."""
    return not (target.channel == "beta" and channel != "beta")


def in_rollout(target: AvailableTarget, install_id: str) -> bool:
    """A release with ``rollout_percent`` P reaches the installs whose ``sha256(install_id + version) % 100 < P``;
    without it, everyone."""
    percent = 100 if target.rollout_percent is None else target.rollout_percent
    return rollout_bucket(install_id, target.version) < percent


def should_take(target: AvailableTarget, install_id: str, channel: str) -> bool:
    """Whether this install takes ``target`` now: in its channel (:func:`in_channel`) and already reached by a
    staged rollout (:func:`in_rollout`).  A release in the channel but not yet in the rollout is *held back*
    (the updater tells the vendor once, app/updates/events.py)."""
    return in_channel(target, channel) and in_rollout(target, install_id)
