"""The vendor server's working calendar: the calendar packs it publishes itself.

Ticket deadlines (``response_due_at``) must be the ones the shops' apps show,
so the server counts on the same calendar the shops install: for each year,
the newest stable ``calendar`` target in the TUF repository it serves
(``<data>/tuf``) that has reached every shop (no staged ``rollout_percent``
below 100), read from the very bytes shops download, validated by the same
:func:`pmv_protocol.calendar_pack.read_calendar_pack`.  Decided against a
separately configured file: two copies of the calendar could disagree, and a
deadline the shop sees would differ from the one staff are held to.  A year
with no published pack falls back to the ``holidays`` estimate, as the app does.

The repository is re-read only when its ``timestamp.json`` changes (the
publishing tool writes it last), so a ticket costs one ``stat``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pmv_protocol.calendar import CalendarYear, WorkingCalendar
from pmv_protocol.calendar_pack import read_calendar_pack
from pmv_protocol.packs import PackError, version_key
from vendor_server.tuf_repo import TufRepoError, VendorRepository

log = logging.getLogger(__name__)


class PublishedCalendars:
    def __init__(self, repo_dir: Path | None, base: WorkingCalendar | None = None) -> None:
        self._repo_dir = Path(repo_dir) if repo_dir is not None else None
        self._base = base or WorkingCalendar.default()
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._calendar = self._base

    @classmethod
    def of_settings(cls, settings: Mapping[str, Any]) -> PublishedCalendars:
        """The calendars of the repository the CLI's settings name (``tuf_repo``, else ``<data>/tuf``): the one
        ``serve`` publishes, so a command line's deadlines are the server's."""
        return cls(Path(settings.get("tuf_repo") or Path(settings["data"]) / "tuf"))

    def calendar(self) -> WorkingCalendar:
        """The base calendar with every year the repository publishes a calendar pack for."""
        stamp = self._stamp()
        with self._lock:
            if stamp != self._seen:
                self._calendar = self._base.with_years(self._published_years())
                self._seen = stamp
            return self._calendar

    def _stamp(self) -> tuple[int, int, int] | None:
        if self._repo_dir is None:
            return None
        try:
            stat = (self._repo_dir / "metadata" / "timestamp.json").stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size  # rewritten by a rename: a new inode each time

    def _published_years(self) -> list[CalendarYear]:
        if self._repo_dir is None:
            return []
        # Reading needs no keys: the keys folder is only used to sign.
        repo = VendorRepository(self._repo_dir, self._repo_dir / "no-keys")
        if not repo.initialised:
            return []
        try:
            targets = repo.targets()
        except (OSError, ValueError, TufRepoError) as exc:
            log.error("cannot read the TUF repository %s for calendar packs: %s", self._repo_dir, exc)
            return []
        versions: dict[str, list[tuple[tuple[int, ...], str, Path, str]]] = {}
        for info in targets.values():
            custom = info.custom if isinstance(info.custom, dict) else {}
            if custom.get("kind") != "calendar" or (custom.get("channel") or "stable") != "stable":
                continue  # a beta calendar is not what every shop counts on
            if custom.get("rollout_percent") not in (None, 100):
                continue  # offered to some shops or paused: the others still count on the version before
            ident, version = str(custom.get("id") or ""), str(custom.get("version") or "")
            try:
                key = version_key(version)
            except ValueError:
                continue
            path = repo.targets_dir / info.get_prefixed_paths()[0]
            versions.setdefault(ident, []).append((key, version, path, info.hashes["sha256"]))
        years = []
        for ident, candidates in sorted(versions.items()):
            # The newest usable version: a shop cannot install a damaged file either (TUF checks the hash),
            # so it keeps the version before, and so must the server.
            for _key, version, path, sha256 in sorted(candidates, reverse=True):
                try:
                    data = path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != sha256:
                        raise PackError("pack", "the stored file does not match its published hash")
                    years.append(read_calendar_pack(data)[0].to_year())
                    break
                except (OSError, PackError) as exc:
                    log.error("published calendar pack %s %s is unusable: %s", ident, version, exc)
            else:
                log.error("no usable calendar pack for %s: that year's deadlines are estimated", ident)
        return years
