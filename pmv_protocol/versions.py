"""The one order of release versions: app builds, packs and calendars, on the shop and on the vendor's server.

The vendor tool publishes versions of the form ``N(.N){0,3}`` with an optional pre-release ``aN`` / ``bN`` /
``rcN`` (``vendor_server.tuf_repo.VERSION_PATTERN``).  They are ordered as PEP 440 orders them (the
``packaging`` library is not a dependency of the app, so the rules for these forms are written out here):

- release segments compare number by number, missing trailing numbers counting as 0 (1.2 == 1.2.0);
- within one release, a pre-release sorts before the release: ``1.2.0a1 < 1.2.0b1 < 1.2.0rc1 < 1.2.0``;
- pre-releases of one phase compare by their number (``rc1 < rc2``), and ``1.2.0rc1`` is after every
  ``1.1.x``.

Anything else (text the vendor tool never writes) is read leniently, as the app always read it: each
dot-separated part a number, or 0 where it is not one, as a final release.
"""

from __future__ import annotations

import re

from pmv_protocol.digits import natural

__all__ = ["VersionKey", "version_key"]

VersionKey = tuple[tuple[int, ...], tuple[int, int]]

_PUBLISHED = re.compile(r"^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?$")
_PHASES = {"a": 0, "b": 1, "rc": 2}
_FINAL = (3, 0)  # after every pre-release phase


def version_key(version: str) -> VersionKey:
    """A sort key for ``version``: ``version_key(a) < version_key(b)`` when ``a`` is the older release."""
    match = _PUBLISHED.fullmatch(version)
    if match is None:
        parts = [natural(part) or 0 for part in version.split(".")]
        phase = _FINAL
    else:
        parts = [int(part) for part in match.group(1).split(".")]
        phase = _FINAL if match.group(2) is None else (_PHASES[match.group(2)], int(match.group(3)))
    while parts and parts[-1] == 0:  # PEP 440: 1.2 == 1.2.0
        parts.pop()
    return tuple(parts), phase
