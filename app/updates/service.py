"""The background updater: refresh the signed metadata, fetch, install packs.

Regulation packs are installed as soon as they are downloaded (they must be
in place by their effective date); app updates are downloaded and verified
only — applying them belongs to the installer and restart step. A security
failure applies nothing and keeps the current state; the time of the last
good refresh is kept so the health check can say "updates stale since …".
"""

from __future__ import annotations

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
from app.updates.app_install import AppInstall, PendingUpdate, StageError, detect_install, stage_update
from app.updates.app_swap import refused_versions
from app.updates.install import InstallResult, PackStore, PackStoreError
from app.updates.targets import AvailableTarget, UpdateError, UpdateErrorKind, should_take
from pmv_protocol.packs import PackError

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.updates.tuf_client import UpdateClient

log = logging.getLogger(__name__)

LAST_SUCCESS_KEY = "updates.last_success"
LAST_ERROR_KEY = "updates.last_error"
INSTALL_ID_KEY = "updates.install_id"


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
    error: UpdateError | None = None


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


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


class Updater:
    def __init__(self, runtime: Runtime, client_factory: Callable[[], UpdateClient] | None = None,
                 app_install: AppInstall | None = None) -> None:
        self._runtime = runtime
        self._client_factory = client_factory or self._default_client
        self.app_install = app_install if app_install is not None else detect_install()
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        return self._runtime.paths.data_dir / "updates"

    def _default_client(self) -> UpdateClient:
        from app.updates.tuf_client import UpdateClient  # python-tuf loads when a run begins, not at start-up

        settings = self._runtime.settings
        base = settings.updates.base_url or settings.vendor.base_url
        return UpdateClient(self.folder / "metadata", self.folder / "downloads", base, trusted_root(self._runtime),
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
        available = self._client_factory().refresh()
        self._runtime.state.set(LAST_SUCCESS_KEY, self._runtime.clock().isoformat())
        return available

    def run(self, cancel: threading.Event | None = None,
            progress: Callable[[float, str], None] | None = None) -> UpdateRun:
        """Refresh, download what is new for this shop, install packs. Never raises for network or security."""
        outcome = UpdateRun()
        if not self._lock.acquire(blocking=False):
            outcome.error = UpdateError(UpdateErrorKind.BUSY, "an update run is already going")
            return outcome
        try:
            client = self._client_factory()
            outcome.available = client.refresh()
            store: PackStore = self._runtime.pack_store
            installed = {pack.id: pack.version for pack in store.installed()}
            install_id, channel = self.install_id(), self._runtime.settings.updates.channel
            wanted = [t for t in outcome.available if should_take(t, install_id, channel)]
            packs = [t for t in wanted if t.kind == "regulation"
                     and _version_key(t.version) > _version_key(installed.get(t.target_id, "0"))]
            for index, target in enumerate(packs):
                if progress:
                    progress(index / max(1, len(packs) + 1), target.title_vi or target.path)
                path = client.download(target, self.folder / "downloads", cancel=cancel)
                outcome.installed.append(store.install(path.read_bytes()))
            self._take_calendars(client, wanted, outcome, cancel)
            self._take_app_update(client, wanted, outcome, cancel)
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

    def _take_calendars(self, client: UpdateClient, wanted: list[AvailableTarget], outcome: UpdateRun,
                        cancel: threading.Event | None) -> None:
        """Install the newest published calendar pack of each year that is newer than the installed one.

        A pack the app refuses (it does not validate) is logged and skipped: the other years, the regulation
        packs and the app update still go ahead, and that year keeps its installed calendar (or the estimate).
        """
        store: PackStore = self._runtime.calendar_store
        installed = {pack.id: pack.version for pack in store.installed()}
        newest: dict[str, AvailableTarget] = {}
        for target in wanted:
            if target.kind == "calendar" and (target.target_id not in newest or _version_key(target.version)
                                              > _version_key(newest[target.target_id].version)):
                newest[target.target_id] = target
        for pack_id, target in sorted(newest.items()):
            if _version_key(target.version) <= _version_key(installed.get(pack_id, "0")):
                continue
            path = client.download(target, self.folder / "downloads", cancel=cancel)
            try:
                outcome.calendars.append(store.install(path.read_bytes()))
            except PackError as exc:
                log.error("calendar pack %s %s refused: %s", pack_id, target.version, exc)

    def _app_candidates(self, wanted: list[AvailableTarget]) -> list[AvailableTarget]:
        """Newer app builds in this install's format that this version may update to, minus refused ones."""
        refused = refused_versions(self._runtime.paths.data_dir)
        current = _version_key(__version__)
        return [t for t in wanted if t.kind == "app" and _version_key(t.version) > current
                and t.version not in refused and self.app_install.wants(t.path)
                and (t.min_app_version is None or _version_key(t.min_app_version) <= current)]

    def _take_app_update(self, client: UpdateClient, wanted: list[AvailableTarget], outcome: UpdateRun,
                         cancel: threading.Event | None) -> None:
        apps = self._app_candidates(wanted)
        if not apps:
            return
        newest = max(apps, key=lambda t: _version_key(t.version))
        path = client.download(newest, self.folder / "app", cancel=cancel)
        outcome.app_update = newest
        try:
            outcome.app_staged = stage_update(self.app_install, path, newest.version, self._runtime.paths.data_dir)
        except StageError as exc:
            outcome.app_stage_error = exc
            log.warning("app update %s downloaded but not staged: %s", newest.version, exc)

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
        try:
            return store.rollback(pack_id)
        except PackStoreError:
            if store.previous_version(pack_id) is None:
                raise RollbackRefused(pack_id, RollbackRefused.NO_PREVIOUS) from None
            raise  # the store's lock is held by another process
