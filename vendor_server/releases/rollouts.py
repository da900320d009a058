"""Pausing, resuming and re-sizing a release's rollout, by a manager or by the automatic stop.

The percentage shops obey is the ``rollout_percent`` in the signed TUF targets metadata, so every change is a
re-signature (:meth:`vendor_server.tuf_repo.VendorRepository.set_rollout`): a pause is percent 0, and the
percent before it is remembered in ``release_rollouts`` so that resuming restores it.  A shop that already
installed the release keeps it (its files and hashes do not change); a shop that had not reached it yet stops
being offered it at its next refresh.

Each change claims its row first (a conditional UPDATE), then re-signs, then commits with its audit row: the
row's lock (PostgreSQL) or the database's write lock (SQLite) serializes two workers changing one release, and
the repository's file lock serializes the re-signatures themselves.  A re-signature that fails rolls the claim
back, so the table never says paused while the metadata says otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vendor_server.console import audit
from vendor_server.db import VendorDatabase
from vendor_server.releases.events import TriedFigures, tried_figures
from vendor_server.releases.names import ReleaseKey, release_of
from vendor_server.releases.settings import ReleaseSettings
from vendor_server.releases.tables import ReleaseRollout
from vendor_server.tuf_repo import TufRepoError, VendorRepository

log = logging.getLogger(__name__)

SYSTEM = "system"  # the audit log's login for what the server decided by itself
MANUAL = "manual"
AUTO_ROLLBACKS = "auto_rollbacks"


class RolloutError(Exception):
    """A rollout change that cannot be made; ``code`` says why (the console words it), ``detail`` for logs."""

    NO_REPOSITORY = "no_repository"  # this server has no TUF repository or no keys to re-sign it
    NOT_PUBLISHED = "not_published"  # no target of this release in the signed metadata
    ALREADY_PAUSED = "already_paused"
    NOT_PAUSED = "not_paused"
    BAD_PERCENT = "bad_percent"
    SIGNING = "signing"  # the repository refused: a key missing, another command holding its lock

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Actor:
    """Who changes a rollout, as the audit log names them: a staff member, or "system" on a shop's report."""

    login: str
    address: str
    staff_id: int | None = None
    shop_id: str | None = None  # the automatic stop: the shop whose report tipped it


@dataclass(frozen=True)
class RolloutState:
    """What ``release_rollouts`` says of one release (the signed percentage itself is in the metadata)."""

    paused: bool
    reason: str | None
    by: str | None
    at: dt.datetime | None
    percent_before: int | None
    stop_rolled_back: int | None
    stop_tried: int | None

    @property
    def stop_rate_percent(self) -> float | None:
        if not self.stop_tried or self.stop_rolled_back is None:
            return None
        return 100.0 * self.stop_rolled_back / self.stop_tried


@dataclass(frozen=True)
class RolloutChange:
    key: ReleaseKey
    before: int | None  # None: everyone
    after: int | None


@dataclass(frozen=True)
class AutoStop:
    key: ReleaseKey
    figures: TriedFigures
    before: int | None


def repository_at(repo_dir: Path | None, keys_dir: Path | None) -> VendorRepository | None:
    """The server's TUF repository, or None when this server publishes none."""
    if repo_dir is None or keys_dir is None:
        return None
    return VendorRepository(repo_dir, keys_dir)


def should_stop(figures: TriedFigures, settings: ReleaseSettings) -> bool:
    """Enough shops tried it and the share that rolled back reaches the rate (compared exactly: 1 of 20 is 5 %)."""
    if figures.tried < settings.auto_stop_min_shops or figures.tried == 0:
        return False
    return Fraction(figures.rolled_back, figures.tried) >= Fraction(str(settings.auto_stop_rollback_rate))


def _state(row: ReleaseRollout) -> RolloutState:
    return RolloutState(row.paused, row.paused_reason, row.paused_by, row.paused_at, row.percent_before,
                        row.stop_rolled_back, row.stop_tried)


def rollout_states(session: Session) -> dict[ReleaseKey, RolloutState]:
    return {ReleaseKey(row.target_kind, row.target_id, row.version): _state(row)
            for row in session.scalars(select(ReleaseRollout))}


def rollout_state(db: VendorDatabase, key: ReleaseKey) -> RolloutState | None:
    with db.sessions() as session:
        row = session.get(ReleaseRollout, _pk(key))
        return None if row is None else _state(row)


def release_paths(repo: VendorRepository | None, key: ReleaseKey) -> list[str]:
    """The TUF target paths of a release (an app build may be published as a zip and as an installer)."""
    if repo is None or not repo.initialised:
        raise RolloutError(RolloutError.NO_REPOSITORY, "this server publishes no TUF repository")
    paths = sorted(path for path, info in repo.targets().items() if release_of(info.custom) == key)
    if not paths:
        raise RolloutError(RolloutError.NOT_PUBLISHED, f"{key.label()} is not in the signed targets")
    return paths


def percent_of(before: Mapping[str, int | None]) -> int | None:
    """One release's percent from its files' (they are changed together; None, everyone, wins)."""
    values = list(before.values())
    return None if any(v is None for v in values) else max(cast(list[int], values), default=None)


def _pk(key: ReleaseKey) -> tuple[str, str, str]:
    return key.target_kind, key.target_id, key.version


def _where(key: ReleaseKey) -> tuple[Any, ...]:
    return (ReleaseRollout.target_kind == key.target_kind, ReleaseRollout.target_id == key.target_id,
            ReleaseRollout.version == key.version)


def _changed(session: Session, statement: Any) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _ensure_row(db: VendorDatabase, key: ReleaseKey, actor: Actor, now: dt.datetime) -> None:
    with db.sessions() as session:
        if session.get(ReleaseRollout, _pk(key)) is not None:
            return
    try:
        with db.sessions.begin() as session:
            session.add(ReleaseRollout(target_kind=key.target_kind, target_id=key.target_id, version=key.version,
                                       paused=False, acknowledged_rollbacks=0, updated_at=now,
                                       updated_by=actor.login[:64]))
    except IntegrityError:
        pass  # another worker made it a moment ago


def _resign(repo: VendorRepository | None, paths: list[str], percent: int | None,
            now: dt.datetime) -> int | None:
    assert repo is not None  # release_paths refused a missing repository already
    try:
        return percent_of(repo.set_rollout(paths, percent, now=now))
    except TufRepoError as exc:
        raise RolloutError(RolloutError.SIGNING, str(exc)) from None


def _percent_text(percent: int | None) -> str:
    return "100 % (everyone)" if percent is None else f"{percent} %"


def pause(db: VendorDatabase, repo: VendorRepository | None, key: ReleaseKey, actor: Actor, *,
          now: dt.datetime) -> RolloutChange:
    """Pause a release by hand: re-signed at 0 %, the percent before remembered.  ALREADY_PAUSED when it is."""
    change = _pause(db, repo, key, actor, now=now, reason=MANUAL, figures=None, settings=None)
    if change is None:
        raise RolloutError(RolloutError.ALREADY_PAUSED, key.label())
    return change


def _pause(db: VendorDatabase, repo: VendorRepository | None, key: ReleaseKey, actor: Actor, *,
           now: dt.datetime, reason: str, figures: TriedFigures | None,
           settings: ReleaseSettings | None) -> RolloutChange | None:
    """Claim the row (not paused; for the automatic stop, with a rollback not yet acknowledged), re-sign at 0,
    remember the percent before, audit: all or nothing.  None when the row was not claimed."""
    paths = release_paths(repo, key)
    _ensure_row(db, key, actor, now)
    conditions = [*_where(key), ReleaseRollout.paused.is_(False)]
    if figures is not None:
        conditions.append(ReleaseRollout.acknowledged_rollbacks < figures.rolled_back)
    with db.sessions.begin() as session:
        claimed = _changed(session, update(ReleaseRollout).where(*conditions).values(
            paused=True, paused_reason=reason, paused_by=actor.login[:64], paused_at=now,
            stop_rolled_back=None if figures is None else figures.rolled_back,
            stop_tried=None if figures is None else figures.tried, updated_at=now, updated_by=actor.login[:64]))
        if claimed != 1:
            return None
        before = _resign(repo, paths, 0, now)
        session.execute(update(ReleaseRollout).where(*_where(key)).values(percent_before=before))
        if figures is None:
            action, detail = audit.Action.ROLLOUT_PAUSED, f"{key.label()}: {_percent_text(before)} -> 0 %"
        else:
            assert settings is not None
            action = audit.Action.ROLLOUT_AUTO_STOPPED
            detail = (f"{key.label()}: {figures.rolled_back}/{figures.tried} shops rolled back "
                      f"({figures.rate_percent:.1f} %), the stop is at {settings.auto_stop_rollback_rate * 100:g} % "
                      f"from {settings.auto_stop_min_shops} shops; {_percent_text(before)} -> 0 %")
        audit.record(session, at=now, action=action, login=actor.login, address=actor.address,
                     staff_id=actor.staff_id, shop_id=actor.shop_id, detail=detail)
    log.info("rollout of %s paused (%s) by %s", key.label(), reason, actor.login)
    return RolloutChange(key, before, 0)


def resume(db: VendorDatabase, repo: VendorRepository | None, key: ReleaseKey, actor: Actor, *,
           now: dt.datetime) -> RolloutChange:
    """Resume a paused release at the percent it had before the pause.  NOT_PAUSED when it is not paused.

    The rollbacks counted so far are acknowledged: the automatic stop waits for a new one."""
    paths = release_paths(repo, key)
    with db.sessions.begin() as session:
        figures = tried_figures(session, key)
        claimed = _changed(session, update(ReleaseRollout).where(*_where(key), ReleaseRollout.paused.is_(True))
                           .values(paused=False, paused_reason=None, paused_by=None, paused_at=None,
                                   stop_rolled_back=None, stop_tried=None, acknowledged_rollbacks=figures.rolled_back,
                                   updated_at=now, updated_by=actor.login[:64]))
        if claimed != 1:
            raise RolloutError(RolloutError.NOT_PAUSED, key.label())
        row = session.get(ReleaseRollout, _pk(key), populate_existing=True)
        assert row is not None
        restored = row.percent_before
        row.percent_before = None
        _resign(repo, paths, restored, now)
        audit.record(session, at=now, action=audit.Action.ROLLOUT_RESUMED, login=actor.login,
                     address=actor.address, staff_id=actor.staff_id,
                     detail=f"{key.label()}: 0 % -> {_percent_text(restored)}")
    return RolloutChange(key, 0, restored)


def set_percent(db: VendorDatabase, repo: VendorRepository | None, key: ReleaseKey, percent: int, actor: Actor, *,
                now: dt.datetime) -> RolloutChange:
    """Offer a release to ``percent`` (1..100) of shops; a paused release is resumed at that percent.

    Like a resume, the rollbacks counted so far are acknowledged.  To stop a release, pause it (0 is refused
    here, so a stopped release always says who stopped it and remembers what it had)."""
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise RolloutError(RolloutError.BAD_PERCENT, repr(percent))
    paths = release_paths(repo, key)
    _ensure_row(db, key, actor, now)
    with db.sessions.begin() as session:
        figures = tried_figures(session, key)
        was_paused = session.scalar(select(ReleaseRollout.paused).where(*_where(key)))
        session.execute(update(ReleaseRollout).where(*_where(key)).values(
            paused=False, paused_reason=None, paused_by=None, paused_at=None, percent_before=None,
            stop_rolled_back=None, stop_tried=None, acknowledged_rollbacks=figures.rolled_back, updated_at=now,
            updated_by=actor.login[:64]))
        before = _resign(repo, paths, percent, now)
        note = " (was paused)" if was_paused else ""
        audit.record(session, at=now, action=audit.Action.ROLLOUT_PERCENT, login=actor.login,
                     address=actor.address, staff_id=actor.staff_id,
                     detail=f"{key.label()}: {_percent_text(before)} -> {percent} %{note}")
    return RolloutChange(key, before, percent)


def auto_stop(db: VendorDatabase, repo: VendorRepository | None, settings: ReleaseSettings,
              keys: Iterable[ReleaseKey], actor: Actor, *, now: dt.datetime) -> list[AutoStop]:
    """Pause each app build among ``keys`` whose rollback rate among the shops that tried it reached the
    setting; the others (and packs, which a shop rolls back one by one at will) are left as they are.

    A release already paused is not paused again, and one a manager resumed waits for a new rollback.  A
    failure to re-sign is logged and the release left running: the shop's report is stored all the same.
    """
    stopped: list[AutoStop] = []
    for key in sorted(set(keys)):
        if not key.is_app:
            continue
        with db.sessions() as session:
            figures = tried_figures(session, key)
            row = session.get(ReleaseRollout, _pk(key))
            if row is not None and (row.paused or row.acknowledged_rollbacks >= figures.rolled_back):
                continue
        if not should_stop(figures, settings):
            continue
        try:
            change = _pause(db, repo, key, actor, now=now, reason=AUTO_ROLLBACKS, figures=figures,
                            settings=settings)
        except RolloutError as exc:
            log.error("automatic stop of %s not made: %s", key.label(), exc)
            continue
        if change is not None:
            stopped.append(AutoStop(key, figures, change.before))
    return stopped
