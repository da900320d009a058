"""The diagnostics bundles already read, kept so that a view of a ticket page does not read its zips again.

The ticket page shows every bundle of the ticket on every view, and reading a zip costs a page far more than
showing it.  What is kept is bounded by count and by the bytes the bundles' members inflated to, whatever the
zips hold.  The reading itself is :mod:`vendor_server.console.diagnostics`'s, handed in by its caller: that
module uses this one, so this one names none of its types (a cycle, even through a type hint, makes two modules
one to understand).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

# More than the files a ticket may hold (vendor_server.uploads.MAX_TICKET_FILES), and at most this many bytes
# inflated from their zips.
CACHE_BUNDLES_MAX = 256
CACHE_BYTES_MAX = 64 * 1024 * 1024

Key = tuple[object, ...]
Kept = TypeVar("Kept")


class BundleCache(Generic[Kept]):
    """Bundles already read, the least recently used leaving first.

    Bounded by count and by each bundle's weight, the bytes its members inflated to (whatever a bundle holds was
    cut from those); a bundle alone over the bytes bound is not kept.  A kept bundle is shared by every view, so
    nobody changes it (the page sorts a copy of the checks).  The server's threads share the cache, hence the lock.
    """

    def __init__(self, bundles_max: int = CACHE_BUNDLES_MAX, bytes_max: int = CACHE_BYTES_MAX) -> None:
        self.bundles_max, self.bytes_max = bundles_max, bytes_max
        self._entries: OrderedDict[Key, tuple[Kept, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Kept | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Key, bundle: Kept, weight: int) -> None:
        if weight > self.bytes_max:
            return
        with self._lock:
            replaced = self._entries.pop(key, None)
            self._bytes += weight - (replaced[1] if replaced else 0)
            self._entries[key] = (bundle, weight)
            while len(self._entries) > self.bundles_max or self._bytes > self.bytes_max:
                _key, (_bundle, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped


# The server's one cache, of diagnostics.Bundle (not named here: see the module's note).
CACHE: BundleCache[Any] = BundleCache()


def read_cached(path: Path, attachment_id: int, filename: str,
                read: Callable[[Path, int, str], tuple[Kept, int]]) -> Kept:
    """The attachment's bundle at ``path``, read once by ``read`` (which also weighs it): read again only when the
    stored file is no longer the one read.

    An attachment never changes once stored; its file's size and time are in the key anyway, so a files folder put
    back from another copy is read again rather than trusted.
    """
    try:
        stat = path.stat()
    except OSError:
        return read(path, attachment_id, filename)[0]  # says why it cannot be read; nothing worth keeping
    key = (attachment_id, filename, str(path), stat.st_size, stat.st_mtime_ns)
    bundle: Kept | None = CACHE.get(key)
    if bundle is None:
        bundle, weight = read(path, attachment_id, filename)
        CACHE.put(key, bundle, weight)
    return bundle
