"""The background updater: refresh the signed metadata, fetch, install packs.

Regulation packs are installed as soon as they are downloaded (they must be
in place by their effective date); app updates are downloaded and verified
only — applying them belongs to the installer and restart step. A security
failure applies nothing and keeps the current state; the time of the last
good refresh is kept so the health check can say "updates stale since …".

Each step is told to the vendor as an update event (:mod:`app.updates.events`):
downloaded, installed, rolled back, refused, held back.  An offline copy (a USB
stick, :mod:`app.updates.offline`) goes through this same run with its own
client, so it is verified and installed exactly as a download is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.infra.resources import resources_dir
from app.updates.app_install import AppInstall, PendingUpdate, StageError, detect_install, read_pending, stage_update
from app.updates.app_swap import SwapReason, SwapResult, last_outcome, refused_versions
from app.updates.events import APP_TARGET_ID, MANUAL, EventRecorder, EventSink, trusted_versions
from app.updates.install import InstallResult, PackStore, PackStoreError
from app.updates.targets import AvailableTarget, UpdateError, UpdateErrorKind, in_channel, in_rollout, rollout_bucket
from pmv_protocol.fleet import TargetKind, UpdateEventKind, UpdateSource
from pmv_protocol.packs import PackError
from pmv_protocol.versions import version_key as _version_key  # PEP 440 order: 1.2.0rc1 < 1.2.0

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.updates.tuf_client import UpdateClient

log = logging.getLogger(__name__)

LAST_SUCCESS_KEY = "updates.last_success"
LAST_ERROR_KEY = "updates.last_error"
INSTALL_ID_KEY = "updates.install_id"
APP_OUTCOME_TOLD_KEY = "updates.app_outcome_told"  # the helper's last outcome already told to the vendor
APP_SOURCES_KEY = "updates.app_sources"  # app version -> where it was staged from (online | usb)


class NotConfigured(Exception):
    """No trusted root for the update server (the vendor ships it with a release)."""


class RollbackRefused(PackStoreError):
    """A pack cannot be rolled back; ``reason`` says why (the front ends word it)."""

    UNKNOWN_PACK = "unknown_pack"  # no such pack installed
    NO_PREVIOUS = "no_previous"  # installed, but no earlier version kept (it was never updated)

    def __init__(self, pack_id: str, reason: str) -> None:
        what = "not installed" if reason == self.UNKNOWN_PACK else "no previous version to roll back to"
        super().__init__(f"{pack_id}: {what}")
        self.pack_id = pack_id
        self.reason = reason


@dataclass
class UpdateRun:
    available: list[AvailableTarget] = field(default_factory=list)
    installed: list[InstallResult] = field(default_factory=list)
    # The vendor's working-calendar packs installed by this run: kept apart from the regulation packs above,
    # whose installs the shop is told about ("Đã cài gói quy định mới"); a calendar only moves deadlines.
    calendars: list[InstallResult] = field(default_factory=list)
    app_update: AvailableTarget | None = None  # a newer app, downloaded and verified
    app_staged: PendingUpdate | None = None  # ... and made ready to apply when the app next exits
    app_stage_error: StageError | None = None  # ... or why it cannot be (e.g. a pip install)
    # Newer releases in this install's channel that its rollout bucket does not reach yet.
    held_back: list[AvailableTarget] = field(default_factory=list)
    # Regulation packs downloaded and verified but refused by this version's pack reader (a rule it does not know):
    # skipped, so the other packs, the calendars and the app update (which may read them) still go ahead.
    refused_packs: list[AvailableTarget] = field(default_factory=list)
    source: UpdateSource = UpdateSource.ONLINE
    error: UpdateError | None = None


UNREADABLE_KEY = "updates.unreadable_packs"  # state store: the signed packs this app version's reader refused
# state store: pack id -> the versions rolled back by hand here; not installed again (a newer version is)
ROLLED_BACK_KEY = "updates.rolled_back"
ROLLED_BACK_REMEMBERED = 10  # per pack
UNREADABLE_REMEMBERED = 50


def _unreadable_key(target: AvailableTarget) -> str:
    """A refused pack, by its signed file (path and hash) and this app version: the next app version tries again."""
    digest = next(iter(sorted(target.hashes.values())), "")
    return f"{target.path}:{digest}:{__version__}"


def _readable_here(target: AvailableTarget) -> bool:
    """A release this version may take: one the vendor marked for a newer app waits for that app's update."""
    return target.min_app_version is None or _version_key(target.min_app_version) <= _version_key(__version__)


def trusted_root(runtime: Runtime) -> bytes:
    """The TUF root this install trusts: shipped in resources/tuf (demo mode: the demo vendor's)."""
    candidates = [runtime.paths.demo_shop_dir / "tuf-root.json"] if runtime.demo else []
    candidates.append(resources_dir() / "tuf" / "root.json")
    for path in candidates:
        if path.is_file():
            return path.read_bytes()
    raise NotConfigured("no trusted TUF root (resources/tuf/root.json)")


def status_file(data_dir: Path) -> Path:
    return data_dir / "updates" / "status.json"


def _newest_each(targets: list[AvailableTarget], kind: str) -> list[AvailableTarget]:
    """The newest target of ``kind`` for each pack id, by id.  Only the newest is installed: the one before
    stays the rollback target, and an offline copy carries only the newest (vendor_server/releases/offline.py)."""
    newest: dict[str, AvailableTarget] = {}
    for target in targets:
        if target.kind == kind and (target.target_id not in newest or _version_key(target.version)
                                    > _version_key(newest[target.target_id].version)):
            newest[target.target_id] = target
    return [newest[pack_id] for pack_id in sorted(newest)]


class Updater:
    """``events``: where update events go; by default the fleet outbox (``runtime.fleet``), looked up at the
    first event.  ``root_bytes``: the TUF root this install trusts; by default the one it ships
    (:func:`trusted_root`)."""

    def __init__(self, runtime: Runtime, client_factory: Callable[[], UpdateClient] | None = None,
                 app_install: AppInstall | None = None, *, events: EventSink | None = None,
                 root_bytes: bytes | None = None) -> None:
        self._runtime = runtime
        self._client_factory = client_factory or self._default_client
        self.app_install = app_install if app_install is not None else detect_install()
        self._events = events
        self._root_bytes = root_bytes
        self._lock = threading.Lock()

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    @property
    def folder(self) -> Path:
        return self._runtime.paths.data_dir / "updates"

    def trusted_root(self) -> bytes:
        """The trust anchor every refresh starts from, online or from an offline copy; NotConfigured if none."""
        return self._root_bytes if self._root_bytes is not None else trusted_root(self._runtime)

    def _sink(self) -> EventSink:
        return self._events if self._events is not None else self._runtime.fleet

    def recorder(self, source: UpdateSource = UpdateSource.ONLINE) -> EventRecorder:
        return EventRecorder(self._sink, self._runtime.clock, source)

    def _default_client(self) -> UpdateClient:
        from app.updates.tuf_client import UpdateClient  # python-tuf loads when a run begins, not at start-up

        settings = self._runtime.settings
        base = settings.updates.base_url or settings.vendor.base_url
        return UpdateClient(self.folder / "metadata", self.folder / "downloads", base, self.trusted_root(),
                            read_timeout=settings.vendor.timeout_seconds)

    def install_id(self) -> str:
        state = self._runtime.state
        value = state.get(INSTALL_ID_KEY)
        if not value:
            value = str(uuid.uuid4())
            state.set(INSTALL_ID_KEY, value)
        return str(value)

    def check(self) -> list[AvailableTarget]:
        """Refresh the signed metadata and list what the server offers (nothing installed)."""
        client = self._client_factory()
        trusted = trusted_versions(client.metadata_dir)
        try:
            available = client.refresh()
        except UpdateError as exc:
            self.recorder().refused_metadata(exc, trusted)
            raise
        self._runtime.state.set(LAST_SUCCESS_KEY, self._runtime.clock().isoformat())
        return available

    def run(self, cancel: threading.Event | None = None, progress: Callable[[float, str], None] | None = None,
            *, client_factory: Callable[[], UpdateClient] | None = None,
            source: UpdateSource = UpdateSource.ONLINE) -> UpdateRun:
        """Refresh, download what is new for this shop, install packs. Never raises for network or security.

        ``client_factory`` and ``source``: another way in to the same verification and install (an offline copy,
        :func:`app.updates.offline.import_offline`); the trusted metadata folder is the same, so the copy is
        checked against what this shop already trusts.
        """
        outcome = UpdateRun(source=source)
        if not self._lock.acquire(blocking=False):
            outcome.error = UpdateError(UpdateErrorKind.BUSY, "an update run is already going")
            return outcome
        events = self.recorder(source)
        try:
            self.report_app_outcome()
            client = (client_factory or self._client_factory)()
            trusted = trusted_versions(client.metadata_dir)
            try:
                outcome.available = client.refresh()
            except UpdateError as exc:
                events.refused_metadata(exc, trusted)
                raise
            store: PackStore = self._runtime.pack_store
            installed = {pack.id: pack.version for pack in store.installed()}
            install_id, channel = self.install_id(), self._runtime.settings.updates.channel
            offered = [t for t in outcome.available if in_channel(t, channel)]
            wanted = [t for t in offered if in_rollout(t, install_id)]
            # A copy someone brought on a USB stick is a deliberate install: it may bring a version given up back.
            given_up = {} if source is UpdateSource.USB else self.rolled_back()
            wanted = [t for t in wanted if t.version not in given_up.get(t.target_id, ())]
            packs = [t for t in _newest_each([t for t in wanted if _readable_here(t)], "regulation")
                     if _version_key(t.version) > _version_key(installed.get(t.target_id, "0"))]
            unreadable = self._unreadable()
            for index, target in enumerate(packs):
                if progress:
                    progress(index / max(1, len(packs) + 1), target.title_vi or target.path)
                if _unreadable_key(target) in unreadable:  # refused by this version before: not fetched again
                    outcome.refused_packs.append(target)
                    continue
                path = self._download(client, target, self.folder / "downloads", cancel, events)
                try:
                    # The shop's day: a rule still in force through a transition is kept (PackStore._bridges).
                    result = store.install(path.read_bytes(), in_force_on=self._runtime.shop_today())
                except PackError as exc:  # signed by the vendor, but not a pack this version can read
                    log.error("regulation pack %s %s refused: %s", target.target_id, target.version, exc)
                    outcome.refused_packs.append(target)
                    events.unreadable(target)  # told once: remembered below for this version
                    self._remember_unreadable(unreadable, target)
                    continue
                outcome.installed.append(result)
                self._take_back(target.target_id, target.version)
                if not result.unchanged:
                    events.installed(target, result.previous_version)
                    self._runtime.activity.note("updates", "pack_installed", title=result.title or result.pack_id,
                                                version=result.version)
            self._take_calendars(client, wanted, outcome, cancel, events)
            self._take_app_update(client, wanted, outcome, cancel, events)
            self._hold_back([t for t in offered if not in_rollout(t, install_id)], install_id, outcome, events)
            self._export(store)
            self._remember(outcome)
        except UpdateError as exc:
            outcome.error = exc
            log.warning("update run failed (%s): %s", exc.kind.value, exc)
            self._runtime.state.set(LAST_ERROR_KEY, {"kind": exc.kind.value, "detail": str(exc)[:300]})
            self._write_status(error=exc)
        finally:
            self._lock.release()
        return outcome

    def rolled_back(self) -> dict[str, list[str]]:
        """Per pack, the versions rolled back by hand on this till: the runs pass them over (the agent put a
        rolled-back pack back within hours); a newer version of the pack is installed as usual."""
        kept = self._runtime.state.get(ROLLED_BACK_KEY, None)
        if not isinstance(kept, dict):
            return {}
        return {str(k): [str(v) for v in versions] for k, versions in kept.items() if isinstance(versions, list)}

    def _give_up(self, pack_id: str, version: str) -> None:
        kept = self.rolled_back()
        versions = [v for v in kept.get(pack_id, []) if v != version] + [version]
        self._runtime.state.set(ROLLED_BACK_KEY, {**kept, pack_id: versions[-ROLLED_BACK_REMEMBERED:]})

    def _take_back(self, pack_id: str, version: str) -> None:
        """``version`` is installed (from a USB copy) or stays in use: no longer held back."""
        kept = self.rolled_back()
        if version in kept.get(pack_id, []):
            versions = [v for v in kept[pack_id] if v != version]
            self._runtime.state.set(ROLLED_BACK_KEY, {**{k: v for k, v in kept.items() if k != pack_id},
                                                      **({pack_id: versions} if versions else {})})

    def _unreadable(self) -> list[str]:
        """The packs this app version refused before (``_unreadable_key``): said on each run, fetched once."""
        try:
            kept = self._runtime.state.get(UNREADABLE_KEY, None) or []
        except Exception:  # noqa: BLE001  (this till's state store: a failure means only a download again)
            log.warning("could not read which packs this version refused", exc_info=True)
            return []
        return [item for item in kept if isinstance(item, str)] if isinstance(kept, list) else []

    def _remember_unreadable(self, unreadable: list[str], target: AvailableTarget) -> None:
        try:
            self._runtime.state.set(UNREADABLE_KEY, [*unreadable, _unreadable_key(target)][-UNREADABLE_REMEMBERED:])
        except Exception:  # noqa: BLE001
            log.warning("could not remember that %s %s was refused", target.target_id, target.version, exc_info=True)

    @staticmethod
    def _download(client: UpdateClient, target: AvailableTarget, dest: Path, cancel: threading.Event | None,
                  events: EventRecorder) -> Path:
        """``client.download``, told as an event: downloaded (verified), or refused with the error's kind."""
        try:
            path = client.download(target, dest, cancel=cancel)
        except UpdateError as exc:
            events.refused(target, exc)
            raise
        events.downloaded(target)
        return path

    def _take_calendars(self, client: UpdateClient, wanted: list[AvailableTarget], outcome: UpdateRun,
                        cancel: threading.Event | None, events: EventRecorder) -> None:
        """Install the newest published calendar pack of each year that is newer than the installed one.

        A pack the app refuses (it does not validate) is logged and skipped: the other years, the regulation
        packs and the app update still go ahead, and that year keeps its installed calendar (or the estimate).
        """
        store: PackStore = self._runtime.calendar_store
        installed = {pack.id: pack.version for pack in store.installed()}
        for target in _newest_each([t for t in wanted if _readable_here(t)], "calendar"):
            pack_id = target.target_id
            if _version_key(target.version) <= _version_key(installed.get(pack_id, "0")):
                continue
            path = self._download(client, target, self.folder / "downloads", cancel, events)
            try:
                result = store.install(path.read_bytes())
            except PackError as exc:
                log.error("calendar pack %s %s refused: %s", pack_id, target.version, exc)
                continue
            outcome.calendars.append(result)
            if not result.unchanged:
                events.installed(target, result.previous_version)

    def _app_candidates(self, wanted: list[AvailableTarget]) -> list[AvailableTarget]:
        """Newer app builds in this install's format that this version may update to, minus refused ones."""
        refused = refused_versions(self._runtime.paths.data_dir)
        current = _version_key(__version__)
        return [t for t in wanted if t.kind == "app" and _version_key(t.version) > current
                and t.version not in refused and self.app_install.wants(t.path)
                and (t.min_app_version is None or _version_key(t.min_app_version) <= current)]

    def _take_app_update(self, client: UpdateClient, wanted: list[AvailableTarget], outcome: UpdateRun,
                         cancel: threading.Event | None, events: EventRecorder) -> None:
        apps = self._app_candidates(wanted)
        if not apps:
            return
        newest = max(apps, key=lambda t: _version_key(t.version))
        data_dir = self._runtime.paths.data_dir
        waiting = read_pending(data_dir)
        if waiting is not None and waiting.version == newest.version and Path(waiting.payload).exists():
            # Verified and staged by an earlier run, waiting for the app to exit: not fetched (and told) again.
            outcome.app_update, outcome.app_staged = newest, waiting
            return
        path = self._download(client, newest, self.folder / "app", cancel, events)
        outcome.app_update = newest
        try:
            outcome.app_staged = stage_update(self.app_install, path, newest.version, data_dir)
        except StageError as exc:
            outcome.app_stage_error = exc
            log.warning("app update %s downloaded but not staged: %s", newest.version, exc)
            return
        self._runtime.activity.note("updates", "app_staged", version=newest.version)
        self._remember_app_source(newest.version, events.source)

    def _hold_back(self, outside: list[AvailableTarget], install_id: str, outcome: UpdateRun,
                   events: EventRecorder) -> None:
        """The releases this shop would take but for its rollout bucket: listed, and told once each."""
        newer = {"regulation": self._runtime.pack_store, "calendar": self._runtime.calendar_store}
        have = {kind: {pack.id: pack.version for pack in store.installed()} for kind, store in newer.items()}
        held = [t for t in outside if t.kind in have
                and _version_key(t.version) > _version_key(have[t.kind].get(t.target_id, "0"))]
        held += self._app_candidates(outside)
        for target in held:
            outcome.held_back.append(target)
            events.held_back(target, rollout_bucket(install_id, target.version), self._runtime.state)

    def _remember_app_source(self, version: str, source: UpdateSource) -> None:
        """Where a staged build came from, for the event told once it has started (:meth:`report_app_outcome`)."""
        try:
            sources = self._runtime.state.get(APP_SOURCES_KEY) or {}
            kept = {k: v for k, v in sources.items() if k != version} if isinstance(sources, dict) else {}
            self._runtime.state.set(APP_SOURCES_KEY, {**dict(list(kept.items())[-9:]), version: source.value})
        except Exception:  # noqa: BLE001  (bookkeeping for an event: never a reason to fail the update)
            log.warning("could not remember where app %s came from", version, exc_info=True)

    def report_app_outcome(self) -> None:
        """Tell the vendor, once, how the update helper's last switch went (app/updates/app_swap.py).

        The helper runs after the app has exited, without the database; it leaves its outcome in
        ``last-apply.json``.  The next run of this updater (in the version that now runs) tells it: ``installed``
        when the new version started, ``rolled_back`` with the helper's reason when it did not and the old
        version was put back.  A switch that changed nothing is not an event.
        """
        try:
            self._report_app_outcome()
        except Exception:  # noqa: BLE001  (telling the vendor must never stop an update)
            log.warning("could not tell the last app switch", exc_info=True)

    def _report_app_outcome(self) -> None:
        outcome = last_outcome(self._runtime.paths.data_dir)
        if outcome is None:
            return
        state = self._runtime.state
        mark = f"{outcome.version}@{outcome.at}"
        if state.get(APP_OUTCOME_TOLD_KEY) == mark:
            return
        if outcome.result is SwapResult.APPLIED and outcome.reason is SwapReason.STARTED:
            kind, reason = UpdateEventKind.INSTALLED, None
        elif outcome.result is SwapResult.ROLLED_BACK:
            kind, reason = UpdateEventKind.ROLLED_BACK, outcome.reason.value
        else:
            state.set(APP_OUTCOME_TOLD_KEY, mark)  # nothing was switched: nothing to tell
            return
        sources = state.get(APP_SOURCES_KEY) or {}
        staged_from = sources.get(outcome.version) if isinstance(sources, dict) else None
        source = UpdateSource.USB if staged_from == UpdateSource.USB.value else UpdateSource.ONLINE
        told = self.recorder(source).record(kind, TargetKind.APP, APP_TARGET_ID, outcome.version,
                                            from_version=outcome.previous, reason=reason,
                                            at=dt.datetime.fromisoformat(outcome.at))
        if told is not None:
            state.set(APP_OUTCOME_TOLD_KEY, mark)

    def _export(self, store: PackStore) -> None:
        folder = self._runtime.settings.updates.pos_rules_dir
        if folder is not None:
            store.export_to(folder)

    def _remember(self, outcome: UpdateRun) -> None:
        state = self._runtime.state
        state.set(LAST_SUCCESS_KEY, self._runtime.clock().isoformat())
        state.set(LAST_ERROR_KEY, None)
        self._write_status(error=None)
        latest = {"app": max((t.version for t in outcome.available if t.kind == "app"), key=_version_key,
                             default=None)}
        # The 'versions' health check reads this file (see app/health/checks/services.py).
        target = self._runtime.paths.data_dir / "latest_versions.json"
        target.write_text(json.dumps({k: v for k, v in latest.items() if v}), encoding="utf-8")

    def _write_status(self, error: UpdateError | None) -> None:
        """For the health check (which has no database access): last good run and last error."""
        status = status_file(self._runtime.paths.data_dir)
        try:
            previous = json.loads(status.read_text(encoding="utf-8")) if status.exists() else {}
        except ValueError:
            previous = {}
        if error is None:
            previous = {"last_success": self._runtime.clock().isoformat(), "last_error": None}
        else:
            previous["last_error"] = {"kind": error.kind.value, "at": self._runtime.clock().isoformat()}
        status.parent.mkdir(parents=True, exist_ok=True)
        status.write_text(json.dumps(previous), encoding="utf-8")

    def rollback(self, pack_id: str) -> InstallResult:
        """Switch a pack back to the version before; RollbackRefused when there is none (nothing changes)."""
        from pmv_protocol.calendar_pack import ID_PREFIX  # calendar packs live in their own store

        store = self._runtime.calendar_store if pack_id.startswith(ID_PREFIX) else self._runtime.pack_store
        try:
            installed = store.current(pack_id) is not None
        except PackError:  # not even a pack id
            installed = False
        if not installed:
            raise RollbackRefused(pack_id, RollbackRefused.UNKNOWN_PACK)
        given_up = store.current(pack_id)
        if given_up is not None and store.previous_version(pack_id) is not None:
            self._give_up(pack_id, given_up.version)  # first: a run between the switch and this would take it back
        try:
            result = store.rollback(pack_id)
        except PackStoreError:
            if given_up is not None:
                self._take_back(pack_id, given_up.version)
            if store.previous_version(pack_id) is None:
                raise RollbackRefused(pack_id, RollbackRefused.NO_PREVIOUS) from None
            raise  # the store's lock is held by another process
        # The release given up is the event's version; the shop is back on the one it ran before.
        what = TargetKind.CALENDAR if store is self._runtime.calendar_store else TargetKind.PACK
        if result.previous_version is not None:
            if store is self._runtime.pack_store:
                self._export(store)  # the POS applies the rules in force, not the ones given up
            self.recorder().record(UpdateEventKind.ROLLED_BACK, what, pack_id, result.previous_version,
                                   from_version=result.version, reason=MANUAL)
            self._runtime.activity.note("updates", "pack_rolled_back", title=result.title or pack_id,
                                        version=result.version)
        return result
