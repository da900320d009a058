"""Release health: per release, what the shops reported about it, beside its signed rollout percentage.

The releases are the ones in the signed targets metadata (what shops are offered now), plus any the shops
still report that the metadata no longer lists.  Counts are of distinct shops: a shop that retried a download
three times is one shop that downloaded.  "Offered" is every shop with any event about the release, including
the ones whose rollout bucket held them back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from pmv_protocol.fleet import TargetKind, UpdateEventKind
from vendor_server.db import VendorDatabase
from vendor_server.releases.names import ReleaseKey, display_order, release_of
from vendor_server.releases.rollouts import RolloutState, percent_of, rollout_states
from vendor_server.releases.tables import ReleaseEvent
from vendor_server.tuf_repo import TufRepoError, VendorRepository


@dataclass(frozen=True)
class ReleaseHealth:
    key: ReleaseKey
    title: str  # the Vietnamese title signed with it ("" when none, or no longer published)
    paths: tuple[str, ...]  # its TUF targets (empty: no longer published)
    channel: str | None
    percent: int | None  # the signed rollout_percent (None: everyone)
    offered: int = 0
    downloaded: int = 0
    installed: int = 0
    rolled_back: int = 0
    tried: int = 0  # installed it or rolled it back (the automatic stop's denominator)
    refused: int = 0
    held_back: int = 0
    rollback_reasons: tuple[tuple[str, int], ...] = ()  # (reason code, shops), most shops first
    refusal_reasons: tuple[tuple[str, int], ...] = ()
    rollout: RolloutState | None = None

    @property
    def published(self) -> bool:
        return bool(self.paths)

    @property
    def paused(self) -> bool:
        return self.rollout is not None and self.rollout.paused


@dataclass(frozen=True)
class HealthReport:
    releases: list[ReleaseHealth]
    metadata_refusals: tuple[tuple[str, int], ...] = ()  # the signed metadata itself refused: (reason, shops)
    repository: bool = True  # False: this server publishes no TUF repository (the rows are from events only)
    problem: str = ""  # the repository could not be read (one line, for the page)


@dataclass
class _Counts:
    kinds: dict[str, int] = field(default_factory=dict)
    offered: int = 0
    tried: int = 0
    reasons: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))


def _published(repo: VendorRepository | None) -> tuple[dict[ReleaseKey, list[tuple[str, dict[str, object]]]], str]:
    found: dict[ReleaseKey, list[tuple[str, dict[str, object]]]] = defaultdict(list)
    if repo is None or not repo.initialised:
        return found, ""
    try:
        targets = repo.targets()
    except (TufRepoError, OSError, ValueError) as exc:
        return found, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for path, info in targets.items():
        key = release_of(info.custom)
        if key is not None:
            found[key].append((path, dict(info.custom)))
    return found, ""


def release_health(db: VendorDatabase, repo: VendorRepository | None) -> HealthReport:
    published, problem = _published(repo)
    counts: dict[ReleaseKey, _Counts] = defaultdict(_Counts)
    release = (ReleaseEvent.target_kind, ReleaseEvent.target_id, ReleaseEvent.version)
    shops = func.count(distinct(ReleaseEvent.shop_pk))
    tried_kinds = (UpdateEventKind.INSTALLED.value, UpdateEventKind.ROLLED_BACK.value)
    reason_kinds = (UpdateEventKind.ROLLED_BACK.value, UpdateEventKind.REFUSED.value)
    with db.sessions() as session:
        for kind, ident, version, event_kind, number in session.execute(
                select(*release, ReleaseEvent.kind, shops).group_by(*release, ReleaseEvent.kind)):
            counts[ReleaseKey(kind, ident, version)].kinds[event_kind] = number
        for kind, ident, version, number in session.execute(select(*release, shops).group_by(*release)):
            counts[ReleaseKey(kind, ident, version)].offered = number
        for kind, ident, version, number in session.execute(
                select(*release, shops).where(ReleaseEvent.kind.in_(tried_kinds)).group_by(*release)):
            counts[ReleaseKey(kind, ident, version)].tried = number
        for kind, ident, version, event_kind, reason, number in session.execute(
                select(*release, ReleaseEvent.kind, func.coalesce(ReleaseEvent.reason, ""), shops)
                .where(ReleaseEvent.kind.in_(reason_kinds)).group_by(*release, ReleaseEvent.kind, ReleaseEvent.reason)):
            counts[ReleaseKey(kind, ident, version)].reasons[event_kind].append((reason or "-", number))
        metadata = session.execute(
            select(func.coalesce(ReleaseEvent.reason, ""), shops)
            .where(ReleaseEvent.target_kind == TargetKind.METADATA.value,
                   ReleaseEvent.kind == UpdateEventKind.REFUSED.value).group_by(ReleaseEvent.reason)).all()
        states = rollout_states(session)
    rows: list[ReleaseHealth] = []
    for key in sorted(set(published) | set(counts), key=display_order):
        if key.target_kind == TargetKind.METADATA.value:
            continue  # the metadata itself, not a release: counted apart below
        files = sorted(published.get(key, []))
        first = files[0][1] if files else {}
        tally = counts.get(key, _Counts())

        def _sorted(kind: str, tally: _Counts = tally) -> tuple[tuple[str, int], ...]:
            return tuple(sorted(tally.reasons.get(kind, []), key=lambda pair: (-pair[1], pair[0])))

        rows.append(ReleaseHealth(
            key=key, title=str(first.get("title_vi") or ""), paths=tuple(path for path, _ in files),
            channel=str(first.get("channel") or "stable") if files else None,
            percent=percent_of({path: _percent(custom) for path, custom in files}) if files else None,
            offered=tally.offered, downloaded=tally.kinds.get(UpdateEventKind.DOWNLOADED.value, 0),
            installed=tally.kinds.get(UpdateEventKind.INSTALLED.value, 0),
            rolled_back=tally.kinds.get(UpdateEventKind.ROLLED_BACK.value, 0),
            refused=tally.kinds.get(UpdateEventKind.REFUSED.value, 0),
            held_back=tally.kinds.get(UpdateEventKind.HELD_BACK.value, 0),
            rollback_reasons=_sorted(UpdateEventKind.ROLLED_BACK.value),
            refusal_reasons=_sorted(UpdateEventKind.REFUSED.value), rollout=states.get(key),
            tried=tally.tried))
    refusals = tuple(sorted(((reason or "-", int(number)) for reason, number in metadata),
                            key=lambda pair: (-pair[1], pair[0])))
    return HealthReport(rows, refusals,
                        repository=repo is not None and repo.initialised, problem=problem)


def _percent(custom: dict[str, object]) -> int | None:
    value = custom.get("rollout_percent")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
