"""What the updater tells the vendor about each update: downloaded, installed, rolled back, refused, held back.

Issue 23: the vendor counts a release's health from these (how many shops tried it, how many rolled it back,
which refused it and why), so each is a fact worth a row, and each goes through the same durable outbox as the
heartbeat (:mod:`app.fleet`, ``Runtime.fleet``).  The vocabulary is the wire's (:mod:`pmv_protocol.fleet`):

``downloaded``  fetched and verified against the signed metadata (a pack, a calendar, an app build)
``installed``   a pack switched to; an app build once the new version has started (the helper's outcome)
``rolled_back`` ``version`` given up, ``from_version`` the version the shop is back on; ``reason`` ``manual``
                (a pack rolled back by hand) or the helper's :class:`~app.updates.app_swap.SwapReason`
``refused``     a security refusal; ``reason`` the :class:`~app.updates.targets.UpdateErrorKind`; a refusal of
                the signed metadata itself names ``metadata`` and the refused role's version as the shop trusts it
``held_back``   a newer release offered in this install's channel, outside its rollout bucket; told once per
                release (remembered in the state store), not at every run

Recording never breaks an update: an event that cannot be made or stored is logged and the update goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.updates.targets import AvailableTarget, UpdateError, UpdateErrorKind
from pmv_protocol.fleet import TargetKind, UpdateEvent, UpdateEventKind, UpdateSource
from pmv_protocol.shop_time import SHOP_TZ

log = logging.getLogger(__name__)

APP_TARGET_ID = "app"  # the wire's target id for an app build
METADATA_TARGET_ID = "metadata"  # ... and for the signed metadata refused before any target
MANUAL = "manual"  # the reason of a rollback asked for by hand
UNREADABLE = "unreadable"  # the reason of a refusal by this version's pack reader (not a security refusal)
# Refusals the vendor is told about: the update data did not verify. Network, disk, a busy lock or a cancel
# are this till's own trouble, not the release's.
SECURITY_KINDS = frozenset({UpdateErrorKind.SECURITY, UpdateErrorKind.HASH_MISMATCH, UpdateErrorKind.TOO_LARGE})
HELD_BACK_KEY = "updates.held_back_told"  # state store: the releases already told as held back
HELD_BACK_REMEMBERED = 200  # the newest ones; a release that old is long out of any rollout
ROLES = ("root", "timestamp", "snapshot", "targets")

_TARGET_KINDS = {"regulation": TargetKind.PACK, "calendar": TargetKind.CALENDAR, "app": TargetKind.APP}


class EventSink(Protocol):
    """Where events go: the fleet outbox (``Runtime.fleet``), which keeps each until the vendor has it."""

    def record_event(self, event: UpdateEvent) -> None: ...


class StateStore(Protocol):
    """The part of :class:`app.storage.repositories.StateRepository` this module uses."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


def target_kind(target: AvailableTarget) -> TargetKind | None:
    """The wire's kind of a published target (None: a kind the shop is never told about, e.g. a POS profile)."""
    return _TARGET_KINDS.get(target.kind)


def event_target_id(target: AvailableTarget) -> str:
    return APP_TARGET_ID if target.kind == "app" else target.target_id


def refused_role(error: UpdateError) -> str:
    """The TUF role a metadata refusal is about, read from python-tuf's words ("timestamp.json is expired",
    "New snapshot version 2 must be >= 3", "root was signed by 0/1 keys"); the timestamp when none is named
    (it is the role every refresh starts with)."""
    found = re.search(r"\b(root|timestamp|snapshot|targets)\b", error.detail)
    return found.group(1) if found else "timestamp"


def trusted_versions(metadata_dir: Path) -> dict[str, str]:
    """The version of each top-level role the shop trusts now (its stored, verified metadata; "0" for none).

    Read before a refresh: python-tuf stores each file as soon as it verifies, so after a refusal of the
    snapshot the timestamp on disk is already the new one."""
    versions = {}
    for role in ROLES:
        try:
            version = json.loads((metadata_dir / f"{role}.json").read_bytes())["signed"]["version"]
        except (OSError, ValueError, KeyError, TypeError):
            version = None
        versions[role] = str(version) if isinstance(version, int) and version >= 0 else "0"
    return versions


class EventRecorder:
    """Makes the events of one update run (one source) and hands each to the sink; never raises.

    ``sink`` is called at the first event, not before: the outbox is opened only when there is something to
    tell, and an updater built before the outbox exists still works.
    """

    def __init__(self, sink: Callable[[], EventSink], clock: Callable[[], dt.datetime],
                 source: UpdateSource = UpdateSource.ONLINE) -> None:
        self._sink = sink
        self._clock = clock
        self.source = source

    def record(self, kind: UpdateEventKind, what: TargetKind, target_id: str, version: str, *,
               from_version: str | None = None, reason: str | None = None, bucket: int | None = None,
               at: dt.datetime | None = None, source: UpdateSource | None = None) -> UpdateEvent | None:
        """Record one event; returns it, or None when it could not be made or stored (logged)."""
        try:
            event = UpdateEvent(id=str(uuid.uuid4()), at=(at or self._clock()).astimezone(SHOP_TZ), kind=kind,
                                target_kind=what, target_id=target_id, version=version, from_version=from_version,
                                reason=reason, bucket=bucket, source=source or self.source)
            self._sink().record_event(event)
        except Exception:  # noqa: BLE001  (telling the vendor must never stop an update)
            log.warning("could not record the update event %s %s %s %s", kind.value, what.value, target_id, version,
                        exc_info=True)
            return None
        return event

    def downloaded(self, target: AvailableTarget) -> None:
        what = target_kind(target)
        if what is not None:
            self.record(UpdateEventKind.DOWNLOADED, what, event_target_id(target), target.version)

    def installed(self, target: AvailableTarget, from_version: str | None) -> None:
        what = target_kind(target)
        if what is not None:
            self.record(UpdateEventKind.INSTALLED, what, event_target_id(target), target.version,
                        from_version=from_version)

    def refused(self, target: AvailableTarget, error: UpdateError) -> None:
        what = target_kind(target)
        if what is not None and error.kind in SECURITY_KINDS:
            self.record(UpdateEventKind.REFUSED, what, event_target_id(target), target.version,
                        reason=error.kind.value)

    def unreadable(self, target: AvailableTarget) -> None:
        """A signed pack this version's reader refused (skipped, the run went on): the Releases page counts it."""
        what = target_kind(target)
        if what is not None:
            self.record(UpdateEventKind.REFUSED, what, event_target_id(target), target.version, reason=UNREADABLE)

    def refused_metadata(self, error: UpdateError, trusted: dict[str, str]) -> None:
        """``trusted``: :func:`trusted_versions` as read before the refresh that was refused."""
        if error.kind in SECURITY_KINDS:
            self.record(UpdateEventKind.REFUSED, TargetKind.METADATA, METADATA_TARGET_ID,
                        trusted.get(refused_role(error), "0"), reason=error.kind.value)

    def held_back(self, target: AvailableTarget, bucket: int, state: StateStore) -> bool:
        """Tell the vendor once that ``target`` is held back here; True when told now."""
        what = target_kind(target)
        if what is None:
            return False
        key = f"{what.value}:{event_target_id(target)}:{target.version}"
        try:
            told = [str(item) for item in state.get(HELD_BACK_KEY, None) or [] if isinstance(item, str)]
        except Exception:  # noqa: BLE001  (the state store is this till's: a failure there stops nothing)
            log.warning("could not read which releases were told as held back", exc_info=True)
            return False
        if key in told:
            return False
        if self.record(UpdateEventKind.HELD_BACK, what, event_target_id(target), target.version,
                       bucket=bucket) is None:
            return False  # not stored: try again at the next run
        try:
            state.set(HELD_BACK_KEY, [*told, key][-HELD_BACK_REMEMBERED:])
        except Exception:  # noqa: BLE001
            log.warning("could not remember that %s was told as held back", key, exc_info=True)
        return True
